"""strawberry-django's `export_schema`, always in English.

Descriptions come partly from translated help texts; exporting under the site's default
language (Polish) would make the snapshot depend on who runs the command.
"""

from django.utils import translation
from strawberry_django.management.commands.export_schema import Command as StrawberryExportCommand


class Command(StrawberryExportCommand):
    def handle(self, *args, **options):
        with translation.override("en"):
            return super().handle(*args, **options)
