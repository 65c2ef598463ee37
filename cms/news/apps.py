from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "cms.news"
    label = "news"
    verbose_name = _("News")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.core import content_version
        from cms.news.models import next_alert_boundary

        # An alert stops (or starts) being current by the clock alone: cached answers
        # are not reused past that moment.
        content_version.register_time_boundary(next_alert_boundary)
