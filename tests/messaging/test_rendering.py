"""Rendering: each recipient's language and name, what a staff-written template can reach,
the e-mail layout around it, and how many SMS parts a text takes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from operations.messaging import services, tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Message, MessageTemplate
from operations.messaging.rendering import CompiledTexts, sms_length, validate_template_texts
from tests.factories import messaging as mf
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db


def send(people, *, key="test-message", context=None, dedupe_key="event:1", channels=(Channel.EMAIL,)):
    services.message_send(
        kind=MessageKind.ANNOUNCEMENT,
        template_key=key,
        recipients=people,
        context=context if context is not None else {"what": "jutro przegląd"},
        dedupe_key=dedupe_key,
        channels=list(channels),
    )
    return {message.recipient.username: message for message in Message.objects.filter(dedupe_key=dedupe_key)}


# --- Language and name ------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return mf.people_by_language()


def test_template_in_each_recipients_language(people):
    mf.message_template(subject="Przegląd u {{ recipient.name }}", body_text="Dzień dobry {{ recipient.first_name }}")
    mf.message_template(
        language="en", subject="Inspection at {{ recipient.name }}", body_text="Hello {{ recipient.first_name }}"
    )
    got = send(people)
    assert (got["pl"].language, got["pl"].subject, got["pl"].body_text) == (
        "pl",
        "Przegląd u Zofia Wójcik",
        "Dzień dobry Zofia",
    )
    assert (got["en"].language, got["en"].subject, got["en"].body_text) == (
        "en",
        "Inspection at John Smith",
        "Hello John",
    )
    assert (got["unset"].language, got["unset"].body_text) == ("pl", "Dzień dobry Jan")


def test_template_without_english_falls_back_to_polish(people):
    mf.message_template(body_text="Dzień dobry {{ recipient.first_name }}")
    got = send(people)
    assert got["en"].body_text == "Dzień dobry John"


def test_name_falls_back_to_the_username():
    nameless = UserFactory(username="lokator7", first_name="", last_name="")
    mf.message_template(body_text="Dzień dobry {{ recipient.name }}")
    assert send([nameless])["lokator7"].body_text == "Dzień dobry lokator7"


def test_subject_is_one_line_whatever_the_template_does():
    person = UserFactory(username="anna", first_name="Anna\r\nBcc: evil@example.com", last_name="Nowak")
    mf.message_template(subject="Przegląd\n  {{ recipient.first_name }}\n")
    message = send([person])["anna"]
    assert "\n" not in message.subject and "\r" not in message.subject
    tasks.deliveries_send("email")
    assert mail.outbox[0].to == ["anna@example.pl"]
    assert "evil@example.com" not in mail.outbox[0].recipients()


def test_names_are_escaped_in_html_and_left_alone_in_text():
    person = UserFactory(username="anna", first_name="<b>Anna</b>", last_name="O'Hara & Co")
    mf.message_template(
        body_text="Dzień dobry {{ recipient.name }}", body_html="<p>Dzień dobry {{ recipient.name }}</p>"
    )
    message = send([person])["anna"]
    assert message.body_text == "Dzień dobry <b>Anna</b> O'Hara & Co"
    assert "<b>Anna</b>" not in message.body_html
    assert "&lt;b&gt;Anna&lt;/b&gt;" in message.body_html

    mf.message_template("plain", body_text="Dzień dobry {{ recipient.name }}", body_html="")
    send([person], key="plain", dedupe_key="event:2")
    tasks.deliveries_send("email")
    html = {email.body: email.alternatives[0][0] for email in mail.outbox}
    for body, alternative in html.items():
        assert "<b>Anna</b>" in body  # text part: as typed
        assert "<b>Anna</b>" not in alternative and "&lt;b&gt;Anna&lt;/b&gt;" in alternative


def test_rejection_reason_reaches_the_text_parts_as_typed(unit_a1):
    """Plain text (inbox, e-mail text part, SMS, push) is not HTML: `&` stays `&`, and the
    HTML part escapes it once."""
    from operations.residents import services as residents
    from tests.factories.residents import MembershipFactory, SuperUserFactory

    person = UserFactory(username="jan", first_name="Jan", last_name="O'Brien")
    membership = MembershipFactory(user=person, unit=unit_a1)
    reason = 'Brak podpisu & pieczątki na "akcie notarialnym"'
    residents.membership_reject(membership=membership, decided_by=SuperUserFactory(username="verifier"), reason=reason)
    message = Message.objects.get(recipient=person)
    assert reason in message.body_text
    assert "Jan O'Brien" in message.body_text
    tasks.deliveries_send("email")
    (email,) = mail.outbox
    assert reason in email.body
    html = email.alternatives[0][0]
    assert "Brak podpisu &amp; pieczątki na &quot;akcie notarialnym&quot;" in html
    assert "&amp;amp;" not in html and "&amp;quot;" not in html


def test_email_layout_footer_in_the_recipients_language(people):
    """The frame around the text (footer, unsubscribe line) follows the message's language."""
    mf.message_template(body_text="Dzień dobry")
    mf.message_template(language="en", body_text="Hello")
    send(people)
    tasks.deliveries_send("email")
    bodies = {email.to[0]: email.body for email in mail.outbox}
    assert "Do not want e-mails like this one? Unsubscribe:" in bodies["en@example.pl"]
    assert "Do not want e-mails like this one? Unsubscribe:" not in bodies["pl@example.pl"], (
        "Polish recipients get the e-mail footer in English: messaging has no Polish catalogue"
    )


# --- What a template can reach ----------------------------------------------------------------

SECRETS = [
    "{{ recipient.password }}",
    "{{ recipient.pk }}{{ recipient.id }}",
    "{{ recipient.is_superuser }}{{ recipient.is_staff }}",
    "{{ recipient.groups.all }}",
    "{{ settings.SECRET_KEY }}",
    "{{ user.password }}{{ request.META }}{{ perms }}{{ csrf_token }}",
    "{{ recipient.__class__ }}",
    "{% debug %}",
]


@pytest.mark.parametrize("source", SECRETS)
def test_template_sees_plain_values_only(source, settings):
    person = UserFactory(username="anna", is_staff=True, is_superuser=True)
    mf.message_template(body_text=f"[{source}]", sms_text="")
    if "__class__" in source:  # the template language itself refuses private attributes
        with pytest.raises(ValidationError):
            validate_template_texts(subject="x", body_text=source)
        return
    validate_template_texts(subject="x", body_text=source)
    body = send([person])["anna"].body_text
    assert body == "[]", body
    assert settings.SECRET_KEY not in body and person.password not in body


@pytest.mark.parametrize(
    "source", ["{% load static %}", "{% load i18n %}{% translate 'x' %}", "{{ x|no_such_filter }}"]
)
def test_template_libraries_are_refused(source):
    with pytest.raises(ValidationError):
        validate_template_texts(subject="Temat", body_text=source)
    template = MessageTemplate(key="x", kind="announcement", name="x", subject="Temat", body_text=source)
    with pytest.raises(ValidationError):
        template.full_clean()


@pytest.mark.parametrize("source", ['{% include "base.html" %}', '{% extends "base.html" %}Treść'])
def test_template_that_cannot_render_is_refused_when_saved(source):
    """It compiles, so the check lets it through, and then fails for every recipient when
    the broadcast is queued (see tests/broadcasts/test_broadcasts_queue.py: it then takes
    the sweep down with it)."""
    with pytest.raises(ValidationError):
        validate_template_texts(subject="Awaria", body_text=source)


def test_context_values_must_be_plain():
    """rendering.py: templates "see plain values only ... never model instances". A caller
    that passes a model hands staff-edited templates everything reachable from it."""
    person = UserFactory(username="anna")
    mf.message_template(body_text="{{ who.password }}")
    with pytest.raises((TypeError, ValueError)):
        send([person], context={"who": person})


def test_template_errors_and_long_sms_are_refused(settings):
    settings.MESSAGING_SMS_MAX_SEGMENTS = 2
    with pytest.raises(ValidationError) as refused:
        validate_template_texts(subject="{% if %}", body_text="ok", sms_text="a" * 307)
    assert set(refused.value.message_dict) == {"subject", "sms_text"}
    validate_template_texts(subject="ok", body_text="ok", sms_text="a" * 306)


def test_compiled_once_rendered_per_recipient():
    texts = CompiledTexts.compile(subject="S {{ recipient.name }}", body_text="B {{ n }}", sms_text="  ")
    first = texts.render({"recipient": {"name": "Anna"}, "n": 1})
    second = texts.render({"recipient": {"name": "Jan"}, "n": 2})
    assert (first.subject, first.body_text, first.sms_text) == ("S Anna", "B 1", "")
    assert (second.subject, second.body_text) == ("S Jan", "B 2")


# --- SMS length -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "segments", "per_segment"),
    [
        ("", "GSM-7", 0, 0, 160),
        ("a" * 160, "GSM-7", 160, 1, 160),
        ("a" * 161, "GSM-7", 161, 2, 153),
        ("a" * 306, "GSM-7", 306, 2, 153),
        ("a" * 307, "GSM-7", 307, 3, 153),
        ("a" * 459, "GSM-7", 459, 3, 153),
        ("a" * 460, "GSM-7", 460, 4, 153),
        ("€" * 80, "GSM-7", 160, 1, 160),  # extension characters cost two
        ("€" * 81, "GSM-7", 162, 2, 153),
        ("a" * 159 + "[", "GSM-7", 161, 2, 153),
        ("{}[]~|^\\", "GSM-7", 16, 1, 160),
        ("Ceny w € i £, Ñandu, Ça va? ÄÖÜ äöü ß é è à ù ì ò", "GSM-7", 50, 1, 160),  # € counts two
        ("Zażółć gęślą jaźń", "UCS-2", 17, 1, 70),
        ("ó", "UCS-2", 1, 1, 70),  # ò is GSM-7, ó is not
        ("ą" * 70, "UCS-2", 70, 1, 70),
        ("ą" * 71, "UCS-2", 71, 2, 67),
        ("ą" * 134, "UCS-2", 134, 2, 67),
        ("ą" * 135, "UCS-2", 135, 3, 67),
        ("a" * 69 + "ł", "UCS-2", 70, 1, 70),  # one Polish letter makes all of it UCS-2
        ("a" * 70 + "ł", "UCS-2", 71, 2, 67),
        ("😀", "UCS-2", 2, 1, 70),  # outside the BMP: two UTF-16 units
        ("😀" * 35, "UCS-2", 70, 1, 70),
        ("😀" * 36, "UCS-2", 72, 2, 67),
        ("linia\nlinia\r", "GSM-7", 12, 1, 160),
    ],
)
def test_sms_length(text, encoding, characters, segments, per_segment):
    length = sms_length(text)
    assert (length.encoding, length.characters, length.segments, length.per_segment) == (
        encoding,
        characters,
        segments,
        per_segment,
    )


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        # 152 + the two septets of "€" do not fit in 153: the escape pair moves whole to part
        # two, which then holds 2 + 152 = 154 septets, so a third part is needed.
        ("a" * 152 + "€" + "a" * 152, 3),
        # Likewise a surrogate pair (emoji) is never split between UCS-2 parts.
        ("ą" * 66 + "😀" + "ą" * 66, 3),
    ],
)
def test_sms_length_never_splits_an_escape_or_a_surrogate_pair(text, segments):
    assert sms_length(text).segments == segments


def test_sms_length_describes_itself():
    with translation.override("en"):
        assert sms_length("a" * 161).describe() == "161 characters (GSM-7), 2 SMS"


def test_rendered_sms_never_exceeds_the_allowed_parts(settings):
    """Names filled in per person can lengthen a checked template; the SMS is cut, not sent longer."""
    from operations.messaging.rendering import CompiledTexts, sms_length

    settings.MESSAGING_SMS_MAX_SEGMENTS = 2
    texts = CompiledTexts.compile(subject="S", body_text="B", sms_text="{{ long }}")
    rendered = texts.render({"long": "Zażółć gęślą jaźń " * 40})
    assert sms_length(rendered.sms_text).segments == 2
    assert rendered.sms_text.endswith("…")
    short = texts.render({"long": "Krótko"})
    assert short.sms_text == "Krótko"
