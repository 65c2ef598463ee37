from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreviewConfig(AppConfig):
    name = "cms.preview"
    label = "preview"
    verbose_name = _("Preview in the portal")
    default_auto_field = "django.db.models.BigAutoField"
