from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "operations.surveys"
    label = "surveys"
    verbose_name = _("Surveys and votes")
    default_auto_field = "django.db.models.BigAutoField"
