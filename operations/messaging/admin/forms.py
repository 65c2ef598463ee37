"""Forms of the messaging admin: editing message templates, and the SMS textarea that the
broadcasts app's form uses too.

Texts are checked as the service will check them (template syntax, SMS length), but here
each problem lands next to its own field. A textarea marked `data-sms-counter` gets a live
count of characters and SMS parts (static/messaging/sms_counter.js); the server's count
(`rendering.sms_length`) is what the previews and the validation use.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import MessageTemplate


class SmsTextarea(forms.Textarea):
    """A textarea with a live SMS length counter under it."""

    class Media:
        js = ["messaging/sms_counter.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 3, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Rendered in the viewer's language: the counter fills in the numbers.
        context["widget"]["attrs"].update(
            {
                "data-sms-counter": _("%(characters)d characters (%(encoding)s), %(segments)d SMS"),
                "data-sms-counter-too-long": _("At most %(maximum)d SMS parts are allowed."),
                "data-sms-max-segments": settings.MESSAGING_SMS_MAX_SEGMENTS,
            }
        )
        return context


class MessageTemplateForm(WagtailAdminModelForm):
    """A template's texts; its key is what the code asks for, so it is fixed once created."""

    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "kind", "name", "subject", "body_text", "body_html", "sms_text"]
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 10}),
            "body_html": forms.Textarea(attrs={"rows": 6}),
            "sms_text": SmsTextarea(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("key", "language"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("The hub's code asks for the template by key and language.")
