"""Turning texts written by staff into what one recipient reads, and counting SMS parts.

Texts are Django templates (`Dzień dobry {{ recipient.first_name }}`), compiled once per
template (or broadcast) and rendered per recipient. They run in an engine of their own with
no template loaders and no tag libraries beyond the built-in ones, and see plain values
only (strings and numbers in dicts), never model instances: a template written in the
admin can print what it is given and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- SMS length ------------------------------------------------------------------------------

# GSM 03.38: the basic set costs one character, the extension set two. Anything else
# (Polish letters with diacritics among them) switches the whole SMS to UCS-2.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # in the encoding's units
    segments: int
    per_segment: int

    def describe(self) -> str:
        return gettext("%(characters)d characters (%(encoding)s), %(segments)d SMS") % {
            "characters": self.characters,
            "encoding": self.encoding,
            "segments": self.segments,
        }


def sms_length(text: str) -> SmsLength:
    """How many SMS parts `text` takes: 160/153 per part in GSM-7, 70/67 in UCS-2."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        units = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units == 0:
        return SmsLength(encoding, 0, 0, single)
    if units <= single:
        return SmsLength(encoding, units, 1, single)
    # An escape pair (GSM-7) or a surrogate pair (UCS-2) is never split between parts.
    parts, used = 1, 0
    for char in text:
        cost = (2 if char in GSM7_EXTENDED else 1) if encoding == "GSM-7" else len(char.encode("utf-16-le")) // 2
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return SmsLength(encoding, units, parts, multi)


def sms_truncate(text: str, max_segments: int | None = None) -> str:
    """`text` cut (with an ellipsis) to fit the allowed number of SMS parts.

    Templates are checked when saved, but names and values filled in per recipient can
    still make one longer; a person never gets, and the cooperative never pays for, more.
    """
    max_segments = max_segments or settings.MESSAGING_SMS_MAX_SEGMENTS
    if sms_length(text).segments <= max_segments:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if sms_length(text[:middle].rstrip() + "…").segments <= max_segments:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


# --- Templates -------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _engine(autoescape: bool) -> Engine:
    return Engine(dirs=[], app_dirs=False, libraries={}, autoescape=autoescape, loaders=[])


def compile_text(source: str, *, html: bool = False):
    return _engine(html).from_string(source or "")


@dataclass(frozen=True)
class CompiledTexts:
    subject: object
    body_text: object
    body_html: object | None
    sms_text: object | None

    @classmethod
    def compile(cls, *, subject: str, body_text: str, body_html: str = "", sms_text: str = "") -> CompiledTexts:
        return cls(
            subject=compile_text(subject),
            body_text=compile_text(body_text),
            body_html=compile_text(body_html, html=True) if body_html.strip() else None,
            sms_text=compile_text(sms_text) if sms_text.strip() else None,
        )

    def render(self, context: dict) -> RenderedTexts:
        # Plain text is not HTML: only the HTML part escapes what it is given.
        text = Context(context, autoescape=False)
        html = Context(context, autoescape=True)
        return RenderedTexts(
            # A subject is one line whatever the template did with whitespace.
            subject=" ".join(self.subject.render(text).split())[:200],
            body_text=self.body_text.render(text).strip(),
            body_html=self.body_html.render(html).strip() if self.body_html else "",
            sms_text=sms_truncate(" ".join(self.sms_text.render(text).split())) if self.sms_text else "",
        )


@dataclass(frozen=True)
class RenderedTexts:
    subject: str
    body_text: str
    body_html: str
    sms_text: str


def recipient_context(*, first_name: str, last_name: str, email: str, username: str) -> dict:
    full_name = f"{first_name} {last_name}".strip()
    return {
        "recipient": {
            "first_name": first_name,
            "last_name": last_name,
            "name": full_name or username,
            "email": email,
        },
        "cooperative": settings.WAGTAIL_SITE_NAME,
    }


SAMPLE_CONTEXT = {"recipient": {"first_name": "Anna", "last_name": "Nowak", "name": "Anna Nowak", "email": "a@b.pl"}}


def validate_template_texts(
    *, subject: str, body_text: str, body_html: str = "", sms_text: str = "", field_names: dict[str, str] | None = None
) -> None:
    """Refuse texts that do not compile, or an SMS longer than the allowed number of parts.

    The SMS limit is checked on the template itself: names put in by rendering can make
    it longer, which the preview shows per recipient.
    """
    names = {"subject": "subject", "body_text": "body_text", "body_html": "body_html", "sms_text": "sms_text"}
    names.update(field_names or {})
    errors: dict[str, list] = {}
    for field, source, html in [
        ("subject", subject, False),
        ("body_text", body_text, False),
        ("body_html", body_html, True),
        ("sms_text", sms_text, False),
    ]:
        try:
            # Rendered once as well: {% include %} and {% extends %} compile, then fail for
            # every recipient (there is nothing to include).
            compile_text(source, html=html).render(Context(SAMPLE_CONTEXT, autoescape=html))
        except Exception as error:
            errors.setdefault(names[field], []).append(
                ValidationError(_("This text has a template error: %(error)s"), params={"error": str(error)})
            )
    length = sms_length(sms_text or "")
    if length.segments > settings.MESSAGING_SMS_MAX_SEGMENTS:
        errors.setdefault(names["sms_text"], []).append(
            ValidationError(
                _("The SMS would take %(segments)d parts; at most %(maximum)d are allowed."),
                params={"segments": length.segments, "maximum": settings.MESSAGING_SMS_MAX_SEGMENTS},
            )
        )
    if errors:
        raise ValidationError(errors)


# --- E-mail layout ---------------------------------------------------------------------------


def email_bodies(*, message, unsubscribe_url: str, preferences_url: str) -> tuple[str, str]:
    """The text and HTML parts of an e-mail: the message in the cooperative's layout.

    The layout (greeting-free frame, link button, footer with unsubscribe) is rendered at
    send time in the message's language, so the outbox stores only what differs per person.
    """
    with translation.override(message.language):
        body_html = message.body_html or linebreaks(escape(message.body_text))
        context = {
            "message": message,
            "body_html": body_html,
            "cooperative": settings.WAGTAIL_SITE_NAME,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": preferences_url,
        }
        text = render_to_string("messaging/email/message.txt", context)
        html = render_to_string("messaging/email/message.html", context)
    return text, html
