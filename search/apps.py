from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    # "search" alone reads as Wagtail's; the hub's index tables are the directory's.
    label = "directory_search"
    verbose_name = _("Directory search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from search import hooks, indexing

        indexing.connect()
        hooks.register()
