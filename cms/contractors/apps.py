from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "cms.contractors"
    label = "contractors"
    verbose_name = _("Contractors")
    default_auto_field = "django.db.models.BigAutoField"
