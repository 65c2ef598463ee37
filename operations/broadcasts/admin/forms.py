"""Forms of the broadcasts admin: composing a broadcast, confirming an action, and the
list's filters.

Texts are checked as the service will check them (template syntax, SMS length), but here
each problem lands next to its own field. The SMS texts get messaging's live counter
(`SmsTextarea`); the server's count (`rendering.sms_length`) is what the preview and the
validation use.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm

from operations.messaging.admin.forms import SmsTextarea
from operations.messaging.kinds import Channel
from operations.messaging.rendering import validate_template_texts
from operations.residents.models import Building, Estate, Unit

from .. import selectors
from ..models import Broadcast
from ..services import BROADCAST_PLACE_FIELDS, BROADCAST_TEXT_FIELDS

PLACEHOLDERS_HELP = _(
    "You may use {{ recipient.first_name }}, {{ recipient.name }} and {{ cooperative }}; each recipient sees their own."
)

NEWS_AUDIENCE_HELP = _(
    "This broadcast announces a news item: it reaches only people who may read that item. "
    "The choices below can narrow that audience, never widen it; with none chosen it reaches "
    "the item's affected buildings."
)


BROADCAST_TEXTS = {
    "pl": {"subject": "subject", "body_text": "body", "sms_text": "sms_text"},
    "en": {"subject": "subject_en", "body_text": "body_en", "sms_text": "sms_text_en"},
}
AUDIENCE_FIELDS = ["everyone", *BROADCAST_PLACE_FIELDS, "roles"]


class BroadcastForm(WagtailAdminModelForm):
    """A broadcast's texts, audience, channels and time, while it has not been sent."""

    roles = forms.MultipleChoiceField(
        label=capfirst(_("roles")),
        choices=Broadcast.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Owners, tenants and board members narrow the places above to people who hold a unit that way; "
            "staff and contractors are added as they are."
        ),
    )
    link = forms.URLField(
        label=capfirst(_("link")),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("Where the message leads, e.g. the news item."),
    )
    channels = forms.MultipleChoiceField(
        label=capfirst(_("channels")),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each person receives it on the channels they allow for this kind of message; "
            "everyone finds it in their inbox."
        ),
    )

    class Meta:
        model = Broadcast
        # The service's texts, then the audience, the channels and the time.
        fields = [*BROADCAST_TEXT_FIELDS, *AUDIENCE_FIELDS, "channels", "send_at"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "body_en": forms.Textarea(attrs={"rows": 8}),
            "sms_text": SmsTextarea(),
            "sms_text_en": SmsTextarea(),
            "estates": forms.CheckboxSelectMultiple,
            "buildings": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        if "estates" in fields:
            fields["estates"].queryset = Estate.objects.order_by("name")
        if "buildings" in fields:
            fields["buildings"].queryset = Building.objects.select_related("estate").order_by("estate__name", "code")
        if "units" in fields:
            fields["units"].queryset = Unit.objects.select_related("building").order_by("building__code", "number")
        if "body" in fields:
            fields["body"].help_text = PLACEHOLDERS_HELP
        if "sms_text" in fields:
            fields["sms_text"].help_text = _(
                "Needed for SMS; also the text of app notifications (the subject when empty). "
                "Polish letters make every SMS part shorter (70 instead of 160 characters)."
            )
        if "send_at" in fields:
            fields["send_at"].help_text = _("Empty: sent as soon as you press “Send now”.")
        if self.instance.news_page_id and "everyone" in fields:
            fields["everyone"].help_text = NEWS_AUDIENCE_HELP

    def clean(self):
        cleaned = super().clean()
        for names in BROADCAST_TEXTS.values():
            if any(name in self.errors for name in names.values()):
                continue
            try:
                validate_template_texts(
                    subject=cleaned.get(names["subject"], ""),
                    body_text=cleaned.get(names["body_text"], ""),
                    sms_text=cleaned.get(names["sms_text"], ""),
                    field_names=names,
                )
            except ValidationError as error:
                self.add_error(None, error)
        if bool((cleaned.get("subject_en") or "").strip()) != bool((cleaned.get("body_en") or "").strip()):
            missing = "body_en" if (cleaned.get("subject_en") or "").strip() else "subject_en"
            self.add_error(missing, _("Give both the English subject and text, or neither."))
        if Channel.SMS.value in (cleaned.get("channels") or []) and not (cleaned.get("sms_text") or "").strip():
            self.add_error("sms_text", _("Write the SMS text, or do not send by SMS."))
        if self.instance.status == Broadcast.Status.SCHEDULED and not cleaned.get("send_at"):
            # Scheduled broadcasts go out when their time comes; without one, never.
            self.add_error("send_at", _("A scheduled broadcast needs its time; cancel it to stop it."))
        has_audience = any(cleaned.get(name) for name in AUDIENCE_FIELDS)
        if not has_audience and not self.instance.news_page_id:
            self.add_error(None, _("Choose who receives the broadcast: everyone, places or roles."))
        return cleaned


class ConfirmForm(forms.Form):
    """An empty form: the POST that confirms an action (CSRF-protected)."""


# The situation centre's figures (`selectors.broadcast_situation`), each a choice of the
# list's "Now" filter, so that a number there is the length of the list it opens.
def situation_choices() -> list[tuple[str, str]]:
    days = selectors.FAILURES_SHOWN_FOR.days
    return [
        ("sending", gettext("Being sent")),
        (
            "failed",
            ngettext("Failed in the last %(days)d day", "Failed in the last %(days)d days", days) % {"days": days},
        ),
        (
            "partly_failed",
            ngettext("Partly failed in the last %(days)d day", "Partly failed in the last %(days)d days", days)
            % {"days": days},
        ),
    ]


class BroadcastFilterSet(WagtailFilterSet):
    """The broadcasts list's filters: status, kind and what needs a look now."""

    now = django_filters.ChoiceFilter(
        label=_("Now"),
        choices=situation_choices,
        method="filter_now",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Broadcast
        fields = ["status", "kind", "now"]

    def filter_now(self, queryset, name, value):
        if value in selectors.SITUATION:
            return queryset.filter(selectors.broadcast_situation_condition(value))
        return queryset
