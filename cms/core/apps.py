from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.core import content_version, signals  # noqa: F401  (connects the receivers)

        content_version.connect()

        from cms.core.admin import listing_counts

        listing_counts.apply()
