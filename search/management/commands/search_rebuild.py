"""`manage.py search_rebuild`: index everything again, from the content."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Rebuild the directory search's indexes from the published content: the database index in one "
        "transaction (searches meanwhile see the old index, never an empty one) and, when ELASTICSEARCH_URL "
        "is set, a new Elasticsearch index that replaces the old one when complete."
    )

    def handle(self, *args, verbosity: int = 1, **options):
        from search import sources
        from search.selectors import database_backend, elasticsearch_backend

        started = time.monotonic()
        count = database_backend().rebuild(sources.records_all())
        if verbosity:
            self.stdout.write(f"Database index: {count} records ({time.monotonic() - started:.1f} s).")
        elastic = elasticsearch_backend()
        if elastic is not None:
            started = time.monotonic()
            elastic.rebuild(sources.records_all())
            if verbosity:
                self.stdout.write(f"Elasticsearch index rebuilt ({time.monotonic() - started:.1f} s).")
