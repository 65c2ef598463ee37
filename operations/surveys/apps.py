from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "operations.surveys"
    label = "surveys"
    verbose_name = _("Surveys and votes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_templates_ensure, sender=self, dispatch_uid="surveys-message-templates")


def _templates_ensure(sender, using="default", **kwargs) -> None:
    """The resolutions' message texts, after `migrate`."""
    if using != "default":
        return
    from operations.messaging import services as messaging

    from .message_templates import RESOLUTION_TEMPLATES

    messaging.templates_ensure(RESOLUTION_TEMPLATES)
