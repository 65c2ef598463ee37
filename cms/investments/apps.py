from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentsConfig(AppConfig):
    name = "cms.investments"
    label = "investments"
    verbose_name = _("Investments")
    default_auto_field = "django.db.models.BigAutoField"
