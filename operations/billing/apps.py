from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "operations.billing"
    label = "billing"
    verbose_name = _("Billing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from .account_numbers import settings_check

        checks.register(settings_check, "billing")

        from django.db.models.signals import post_migrate

        post_migrate.connect(_reminder_templates_ensure, sender=self, dispatch_uid="billing-reminder-templates")


def _reminder_templates_ensure(sender, using="default", **kwargs) -> None:
    """The payment reminders' texts, after `migrate` (the reminder run makes them too)."""
    if using != "default":
        return
    from operations.messaging import services as messaging

    from .reminder_templates import REMINDER_TEMPLATES

    messaging.templates_ensure(REMINDER_TEMPLATES)
