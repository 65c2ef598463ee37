"""A person's own settings: the e-mail preferences page its links open without signing in
(unsubscribe, RFC 8058 one-click), and the phone number SMS go to.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client

from cms.core.exceptions import ServiceError
from operations.messaging import selectors, services, tasks
from operations.messaging.errors import MessagingErrorCode
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, NotificationPreference, NotificationSettings
from operations.messaging.services import preferences
from tests.factories import messaging as mf
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(db):
    return UserFactory(username="anna", first_name="Anna", last_name="Nowak", email="anna@example.pl")


def send_and_deliver(person, *, kind=MessageKind.ANNOUNCEMENT, key="test-message", dedupe_key="event:1"):
    mf.message_template(key, kind=kind)
    services.message_send(
        kind=kind,
        template_key=key,
        recipients=[person],
        context={"what": "zebranie we wtorek"},
        dedupe_key=dedupe_key,
        channels=[Channel.EMAIL],
    )
    tasks.deliveries_send("email")
    return mail.outbox[-1]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return parts.path


def email_enabled(person, kind) -> bool:
    return next(
        choice.enabled
        for item in selectors.preferences_of(person)
        if item.rules.kind == kind
        for choice in item.channels
        if choice.channel == Channel.EMAIL
    )


def tokens_for(person, kind=MessageKind.ANNOUNCEMENT.value) -> str:
    return preferences.email_preferences_token(user_id=person.pk, kind=kind)


def page(token: str) -> str:
    return f"/messages/email/{token}/"


# --- The e-mail itself ------------------------------------------------------------------------


def test_sent_email_carries_list_unsubscribe_headers_and_the_link(anna):
    email = send_and_deliver(anna)
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/messages/email/") and unsubscribe.endswith("/>")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe[1:-1]
    assert url in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert url in html
    assert preferences.email_preferences_token_read(urlsplit(url).path.split("/")[-2]) == (
        anna,
        MessageKind.ANNOUNCEMENT.value,
    )
    # The same headers survive into the message as a mail server sees it.
    raw = email.message()
    assert raw["List-Unsubscribe"] == unsubscribe
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_account_email_has_no_unsubscribe_but_links_the_preferences(anna):
    email = send_and_deliver(anna, kind=MessageKind.ACCOUNT, key="test-account")
    assert "List-Unsubscribe" not in email.extra_headers
    assert "List-Unsubscribe-Post" not in email.extra_headers
    # The link's token carries the moment it was signed, so it is read back rather than
    # compared with one signed now (a second later it differs).
    token = re.search(r"http://testserver/messages/email/([^/\s]+)/", email.body).group(1)
    assert preferences.email_preferences_token_read(token) == (anna, "")


# --- The page ---------------------------------------------------------------------------------


def test_get_shows_the_page_and_changes_nothing(anna, client):
    email = send_and_deliver(anna)
    url = email.extra_headers["List-Unsubscribe"][1:-1]
    response = client.get(path_of(url))
    assert response.status_code == 200
    content = response.content.decode()
    assert "a***@example.pl" in content and "anna@example.pl" not in content
    assert 'name="action" value="unsubscribe"' in content
    # Link scanners follow links, sometimes with parameters: still nothing changes.
    assert client.get(path_of(url), {"action": "unsubscribe", "List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.head(path_of(url)).status_code in {200, 405}
    assert not NotificationPreference.objects.exists()
    assert email_enabled(anna, MessageKind.ANNOUNCEMENT)


def test_post_unsubscribe_turns_email_off_for_that_kind_only(anna, client):
    email = send_and_deliver(anna)
    url = email.extra_headers["List-Unsubscribe"][1:-1]
    response = client.post(path_of(url), {"action": "unsubscribe"})  # no sign-in, no CSRF cookie
    assert response.status_code == 200
    assert not email_enabled(anna, MessageKind.ANNOUNCEMENT)
    assert email_enabled(anna, MessageKind.OUTAGE_ALERT)
    assert NotificationPreference.objects.filter(user=anna).count() == 1

    # The next announcement reaches her inbox but not her mailbox; other kinds still do.
    mf.message_template("test-message")
    services.message_send(
        kind=MessageKind.ANNOUNCEMENT, template_key="test-message", recipients=[anna], context={}, dedupe_key="e:2"
    )
    assert not Delivery.objects.filter(message__dedupe_key="e:2", channel=Channel.EMAIL).exists()
    send_and_deliver(anna, kind=MessageKind.OUTAGE_ALERT, key="test-alert", dedupe_key="e:3")
    assert Delivery.objects.get(message__dedupe_key="e:3").state == Delivery.State.SENT


@pytest.mark.parametrize("encoding", ["form-urlencoded", "multipart"])
def test_rfc8058_one_click_unsubscribe(anna, encoding):
    email = send_and_deliver(anna)
    url = path_of(email.extra_headers["List-Unsubscribe"][1:-1])
    client = Client(enforce_csrf_checks=True)  # a mail provider's POST has no cookie and no CSRF token
    if encoding == "form-urlencoded":
        response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not email_enabled(anna, MessageKind.ANNOUNCEMENT)
    # Repeating it is harmless.
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.filter(user=anna).count() == 1


def test_save_sets_every_kind_but_cannot_turn_off_account_mail(anna, client):
    response = client.post(
        page(preferences.email_preferences_token(user_id=anna.pk)),
        {"action": "save", "kinds": [MessageKind.OUTAGE_ALERT.value, MessageKind.OFFERS.value]},
    )
    assert response.status_code == 200
    assert email_enabled(anna, MessageKind.OUTAGE_ALERT)
    assert not email_enabled(anna, MessageKind.OFFERS)  # consent is given signed in, never through a link
    assert not email_enabled(anna, MessageKind.ANNOUNCEMENT)
    assert email_enabled(anna, MessageKind.ACCOUNT)
    assert not NotificationPreference.objects.filter(kind=MessageKind.ACCOUNT).exists()


def test_account_kind_cannot_be_unsubscribed(anna, client):
    token = tokens_for(anna, MessageKind.ACCOUNT.value)
    response = client.post(page(token), {"action": "unsubscribe"})
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()
    assert email_enabled(anna, MessageKind.ACCOUNT)
    assert client.post(page(token), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not NotificationPreference.objects.exists()
    assert preferences.email_unsubscribe(user=anna, kind=MessageKind.ACCOUNT) is False
    with pytest.raises(ServiceError) as refused:
        preferences.notification_preferences_update(user=anna, choices=[("account", "email", False)])
    assert refused.value.code == MessagingErrorCode.CHANNEL_LOCKED


def test_signed_in_other_person_acts_only_for_the_links_person(anna, client):
    other = UserFactory(username="jan", email="jan@example.pl")
    client.force_login(other)
    token = tokens_for(anna)
    response = client.get(page(token))
    assert "a***@example.pl" in response.content.decode()
    assert "jan@example.pl" not in response.content.decode()
    client.post(page(token), {"action": "unsubscribe"})
    assert not email_enabled(anna, MessageKind.ANNOUNCEMENT)
    assert email_enabled(other, MessageKind.ANNOUNCEMENT)
    assert not NotificationPreference.objects.filter(user=other).exists()


def _forged_tokens(anna, jan) -> dict[str, str]:
    genuine = tokens_for(anna)
    value, signature = genuine.rsplit(":", 1)
    for_jan = signing.dumps({"u": jan.pk, "k": "announcement"}, salt=preferences.UNSUBSCRIBE_SALT, compress=True)
    jan_value = for_jan.rsplit(":", 1)[0]
    other_kind_value = signing.dumps(
        {"u": anna.pk, "k": "outage_alert"}, salt=preferences.UNSUBSCRIBE_SALT, compress=True
    ).rsplit(":", 1)[0]
    return {
        "other salt": signing.dumps({"u": jan.pk, "k": "announcement"}, salt="another-salt", compress=True),
        "other key": signing.dumps(
            {"u": jan.pk, "k": "announcement"}, key="not-the-secret", salt=preferences.UNSUBSCRIBE_SALT
        ),
        "payload swapped to another person": f"{jan_value}:{signature}",
        "payload swapped to another kind": f"{other_kind_value}:{signature}",
        "signature cut": value,
        "unsigned json": signing.b64_encode(b'{"u":%d,"k":"announcement"}' % jan.pk).decode(),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize(
    "forgery",
    [
        "other salt",
        "other key",
        "payload swapped to another person",
        "payload swapped to another kind",
        "signature cut",
        "unsigned json",
        "garbage",
    ],
)
def test_forged_token_gives_404_and_changes_nothing(anna, client, forgery):
    jan = UserFactory(username="jan", email="jan@example.pl")
    token = _forged_tokens(anna, jan)[forgery]
    assert client.get(page(token)).status_code == 404
    assert client.post(page(token), {"action": "unsubscribe"}).status_code == 404
    assert client.post(page(token), {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.post(page(token), {"action": "save", "kinds": []}).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_token_of_a_deactivated_person_gives_404(anna, client):
    token = tokens_for(anna)
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    assert client.post(page(token), {"action": "unsubscribe"}).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_page_speaks_the_persons_language(anna, client):
    mf.notification_settings(anna, language="en")
    content = client.get(page(tokens_for(anna))).content.decode()
    assert "Unsubscribe from e-mails about" in content
    mf.notification_settings(anna, language="pl")
    assert "Unsubscribe from e-mails about" not in client.get(page(tokens_for(anna))).content.decode()


# --- Phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("600123456", "+48600123456"),
        ("600 123 456", "+48600123456"),
        ("600-123-456", "+48600123456"),
        ("600.123.456", "+48600123456"),
        (" 600 123 456 ", "+48600123456"),
        ("+48 600 123 456", "+48600123456"),
        ("+48600123456", "+48600123456"),
        ("+48 (600) 123-456", "+48600123456"),
        ("0048 600 123 456", "+48600123456"),
        ("0048600123456", "+48600123456"),
        ("+48\u00a0600\u00a0123\u00a0456", "+48600123456"),  # pasted with no-break spaces
        ("+1 202 555 0100", "+12025550100"),
        ("+44 7700 900123", "+447700900123"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_normalise(raw, expected):
    assert preferences.phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "12345",
        "60012345",  # 8 digits
        "6001234567",  # 10 digits
        "+48 600 123 45",
        "+48 600 123 4567",
        "0048 600 123 45",
        "48600123456",  # country code without + or 00
        "+0 600 123 456",
        "+48 600 123 456 wew. 12",
        "+48600123456x",
        "600 123 456; DROP TABLE",
        "+1234567890123456",  # longer than E.164 allows
    ],
)
def test_phone_normalise_refuses_garbage(raw):
    with pytest.raises(ServiceError) as refused:
        preferences.phone_normalise(raw)
    assert refused.value.code == MessagingErrorCode.PHONE_INVALID
    assert refused.value.field == "phone"


@pytest.mark.parametrize(
    "raw",
    [
        "\uff16\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits, e.g. from a Japanese keyboard
        "\u0666\u0660\u0660\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic digits
        "+48 \u0666\u0660\u0660 \u0661\u0662\u0663 \u0664\u0665\u0666",
    ],
)
def test_phone_normalise_never_stores_non_ascii_digits(raw):
    """Python's \\d matches every script's digits; an SMS gateway takes only 0-9. Either
    normalise them to ASCII or refuse them, never store them as they are."""
    try:
        number = preferences.phone_normalise(raw)
    except ServiceError as refused:
        assert refused.code == MessagingErrorCode.PHONE_INVALID
    else:
        assert number.isascii(), f"stored {number!r}"
        assert number == "+48600123456"


def test_invalid_phone_changes_nothing(anna):
    preferences.notification_settings_update(user=anna, phone="600 123 456")
    with pytest.raises(ServiceError) as refused:
        preferences.notification_settings_update(user=anna, phone="zadzwoń do mnie")
    assert refused.value.code == MessagingErrorCode.PHONE_INVALID
    assert NotificationSettings.objects.get(user=anna).phone == "+48600123456"
    preferences.notification_settings_update(user=anna, phone="")
    assert NotificationSettings.objects.get(user=anna).phone == ""


# --- Other settings of one's own --------------------------------------------------------------


def test_preferences_update_is_all_or_nothing(anna):
    with pytest.raises(ServiceError) as refused:
        preferences.notification_preferences_update(
            user=anna, choices=[("outage_alert", "sms", True), ("account", "email", False)]
        )
    assert refused.value.field == "choices.1.enabled"
    assert not NotificationPreference.objects.exists()
    with pytest.raises(ServiceError) as refused:
        preferences.notification_preferences_update(user=anna, choices=[("outage_alert", "fax", True)])
    assert refused.value.code == MessagingErrorCode.CHANNEL_INVALID


def test_mark_read_touches_only_ones_own_messages(anna):
    jan = UserFactory(username="jan")
    mf.message_template()
    for person in (anna, jan):
        services.message_send(
            kind=MessageKind.ANNOUNCEMENT, template_key="test-message", recipients=[person], context={}, dedupe_key="e"
        )
    mine = anna.messages.get()
    theirs = jan.messages.get()
    with pytest.raises(ServiceError) as refused:
        preferences.messages_mark_read(user=anna, message_ids=[mine.pk, theirs.pk])
    assert refused.value.code == MessagingErrorCode.MESSAGE_NOT_FOUND
    assert not anna.messages.filter(read_at__isnull=False).exists()
    assert preferences.messages_mark_read(user=anna, everything=True) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_push_device_moves_to_whoever_registered_it_last(anna):
    from operations.messaging.models import PushDevice

    token = mf.push_token()
    preferences.push_device_register(user=anna, token=token, name="telefon")
    jan = UserFactory(username="jan")
    preferences.push_device_register(user=jan, token=f"  {token} ", name="telefon po Annie")
    assert list(PushDevice.objects.values_list("user__username", "token")) == [("jan", token)]
    assert preferences.push_device_unregister(user=anna, token=token) is False
    with pytest.raises(ServiceError) as refused:
        preferences.push_device_register(user=anna, token="not-a-push-token")
    assert refused.value.code == MessagingErrorCode.PUSH_TOKEN_INVALID
