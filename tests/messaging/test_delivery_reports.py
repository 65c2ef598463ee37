"""Delivery reports: SMS the network could not deliver show as bounced in the delivery log.

Deliveries are made by the real services and sent through the embedded file provider;
where SMSAPI would have answered with its own message id, the test writes that id into
`provider_id` as SmsApiProvider would have.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from operations.messaging import services
from operations.messaging.models import Delivery
from operations.messaging.services import preferences
from operations.messaging.services.delivery_reports import delivery_report_record
from operations.messaging.services.sending import deliveries_send
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cret-0123456789abcdef"
SMSAPI_ID = "613F1B14346335B944450980"


@pytest.fixture(autouse=True)
def _report_secret(settings):
    settings.SMS_REPORT_SECRET = SECRET


def report_url(secret: str = SECRET) -> str:
    return reverse("messaging:smsapi_delivery_report", kwargs={"secret": secret})


def sent_sms(dedupe_key: str = "report-test", provider_id: str | None = SMSAPI_ID) -> Delivery:
    """An SMS sent to a new person; `provider_id` is the id SMSAPI would have returned
    (None keeps what the file provider recorded)."""
    user = UserFactory()
    preferences.notification_settings_update(user=user, phone="+48600100200")
    preferences.notification_preferences_update(user=user, choices=[("account", "sms", True)])
    services.message_send(
        kind="account",
        template_key="membership-verified",
        recipients=[user],
        context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "owner", "reason": ""},
        dedupe_key=dedupe_key,
    )
    assert deliveries_send(channel="sms")["sent"] == 1
    delivery = Delivery.objects.get(message__recipient=user, channel="sms")
    assert delivery.state == Delivery.State.SENT
    if provider_id is not None:
        Delivery.objects.filter(pk=delivery.pk).update(provider_id=provider_id)
        delivery.refresh_from_db()
    return delivery


def state_of(delivery: Delivery) -> tuple[str, str]:
    delivery.refresh_from_db()
    return delivery.state, delivery.error


# --- the service ------------------------------------------------------------------------------


def test_undelivered_report_bounces_a_sent_delivery(db):
    delivery = sent_sms()
    assert delivery_report_record(channel="sms", provider_id=SMSAPI_ID, delivered=False, reason="number unknown")
    assert state_of(delivery) == (Delivery.State.BOUNCED, "number unknown")


def test_delivered_report_changes_nothing(db):
    delivery = sent_sms()
    assert not delivery_report_record(channel="sms", provider_id=SMSAPI_ID, delivered=True)
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_report_for_an_unknown_id_returns_false(db):
    delivery = sent_sms()
    assert not delivery_report_record(channel="sms", provider_id="NOT-OURS", delivered=False, reason="x")
    assert not delivery_report_record(channel="sms", idempotency_key="hub-delivery-999999", delivered=False)
    assert not delivery_report_record(channel="sms", idempotency_key="somebody-else-7", delivered=False)
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_report_on_another_channel_changes_nothing(db):
    delivery = sent_sms()
    assert not delivery_report_record(channel="push", provider_id=SMSAPI_ID, delivered=False, reason="x")
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_repeated_report_is_idempotent(db):
    delivery = sent_sms()
    assert delivery_report_record(channel="sms", provider_id=SMSAPI_ID, delivered=False, reason="first")
    assert not delivery_report_record(channel="sms", provider_id=SMSAPI_ID, delivered=False, reason="second")
    assert state_of(delivery) == (Delivery.State.BOUNCED, "first")


def test_only_sent_deliveries_bounce(db):
    delivery = sent_sms()
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, error="gave up")
    assert not delivery_report_record(channel="sms", provider_id=SMSAPI_ID, delivered=False, reason="late")
    assert state_of(delivery) == (Delivery.State.FAILED, "gave up")


def test_report_by_idempotency_key(db):
    # SMSAPI refused a repeat (error 53): we never learnt its id, only our idx identifies the SMS.
    delivery = sent_sms(provider_id=None)
    assert delivery.provider_id == delivery.idempotency_key  # what the file provider returns
    Delivery.objects.filter(pk=delivery.pk).update(provider_id=f"duplicate:{delivery.idempotency_key}")
    assert delivery_report_record(
        channel="sms", provider_id="UNKNOWN-TO-US", idempotency_key=delivery.idempotency_key, delivered=False
    )
    assert state_of(delivery)[0] == Delivery.State.BOUNCED


# --- SMSAPI's callback -------------------------------------------------------------------------


def test_undelivered_callback_bounces_with_reason(client):
    delivery = sent_sms()
    response = client.get(report_url(), {"MsgId": SMSAPI_ID, "status": "405", "donedate": "1631525676"})
    assert response.status_code == 200
    assert response.content == b"OK"
    state, reason = state_of(delivery)
    assert state == Delivery.State.BOUNCED
    assert "405" in reason and "UNDELIVERED" in reason


@pytest.mark.parametrize("status", ["402", "406", "407"])
def test_other_final_failures_bounce(client, status):
    delivery = sent_sms()
    assert client.get(report_url(), {"MsgId": SMSAPI_ID, "status": status}).content == b"OK"
    state, reason = state_of(delivery)
    assert state == Delivery.State.BOUNCED and status in reason


@pytest.mark.parametrize("status", ["404", "403", "408", "409", "410", "401", "499"])
def test_delivered_in_flight_or_unknown_status_changes_nothing(client, status):
    delivery = sent_sms()
    response = client.get(report_url(), {"MsgId": SMSAPI_ID, "status": status})
    assert (response.status_code, response.content) == (200, b"OK")
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_callback_by_post(client):
    delivery = sent_sms()
    response = client.post(report_url(), {"MsgId": SMSAPI_ID, "status": "405"})
    assert (response.status_code, response.content) == (200, b"OK")
    assert state_of(delivery)[0] == Delivery.State.BOUNCED


def test_callback_with_several_reports(client):
    delivered = sent_sms("one", provider_id="AAA1")
    bounced = sent_sms("two", provider_id="BBB2")
    on_its_way = sent_sms("three", provider_id="CCC3")
    response = client.get(
        report_url(), {"MsgId": "AAA1,BBB2,CCC3", "status": "404,405,403", "donedate": "1631525653,1631525676,0"}
    )
    assert response.content == b"OK"
    assert state_of(delivered)[0] == Delivery.State.SENT
    assert state_of(bounced)[0] == Delivery.State.BOUNCED
    assert state_of(on_its_way)[0] == Delivery.State.SENT


def test_callback_for_an_unknown_id_answers_ok_and_changes_nothing(client):
    delivery = sent_sms()
    response = client.get(report_url(), {"MsgId": "FFFF0000", "status": "405", "idx": "hub-delivery-999999"})
    assert (response.status_code, response.content) == (200, b"OK")
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_repeated_callback_is_idempotent(client):
    delivery = sent_sms()
    for _ in range(2):
        response = client.get(report_url(), {"MsgId": SMSAPI_ID, "status": "405"})
        assert (response.status_code, response.content) == (200, b"OK")
    state, reason = state_of(delivery)
    assert state == Delivery.State.BOUNCED and "405" in reason
    # A later, contradicting report does not bring it back.
    client.get(report_url(), {"MsgId": SMSAPI_ID, "status": "404"})
    assert state_of(delivery)[0] == Delivery.State.BOUNCED


def test_callback_by_idx(client):
    delivery = sent_sms(provider_id=None)
    Delivery.objects.filter(pk=delivery.pk).update(provider_id=f"duplicate:{delivery.idempotency_key}")
    response = client.get(report_url(), {"MsgId": "DEADBEEF01", "status": "407", "idx": delivery.idempotency_key})
    assert response.content == b"OK"
    assert state_of(delivery)[0] == Delivery.State.BOUNCED


def test_wrong_secret_is_not_found(client):
    delivery = sent_sms()
    for secret in ("wrong", SECRET[:-1], SECRET + "x"):
        assert client.get(report_url(secret), {"MsgId": SMSAPI_ID, "status": "405"}).status_code == 404
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_without_the_setting_the_endpoint_does_not_exist(client, settings):
    delivery = sent_sms()
    settings.SMS_REPORT_SECRET = ""
    assert client.get(report_url("anything"), {"MsgId": SMSAPI_ID, "status": "405"}).status_code == 404
    assert state_of(delivery) == (Delivery.State.SENT, "")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "405"},
        {"MsgId": SMSAPI_ID},
        {"MsgId": SMSAPI_ID, "status": ""},
        {"MsgId": SMSAPI_ID, "status": "DELIVERED"},
        {"MsgId": SMSAPI_ID, "status": "4o5"},
        {"MsgId": SMSAPI_ID, "status": "٤٠٥"},  # digits, but not ASCII ones
        {"MsgId": f"{SMSAPI_ID},OTHER", "status": "405"},
        {"MsgId": f"{SMSAPI_ID},", "status": "405,405"},
        {"MsgId": "bad\x00id", "status": "405"},
        {"MsgId": "x" * 201, "status": "405"},
        {"MsgId": ",".join(["A"] * 101), "status": ",".join(["405"] * 101)},
    ],
)
def test_garbage_is_a_bad_request(client, params):
    delivery = sent_sms()
    response = client.get(report_url(), params)
    assert response.status_code == 400
    assert state_of(delivery) == (Delivery.State.SENT, "")


def test_garbage_body_is_a_bad_request(client):
    sent_sms()
    response = client.generic(
        "POST", report_url(), b"--x\r\nnot multipart", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400


def test_other_methods_are_refused(client):
    assert client.put(report_url(), "MsgId=A&status=405").status_code == 405


def test_callback_needs_no_csrf_token(db):
    from django.test import Client

    delivery = sent_sms()
    response = Client(enforce_csrf_checks=True).post(report_url(), {"MsgId": SMSAPI_ID, "status": "405"})
    assert (response.status_code, response.content) == (200, b"OK")
    assert state_of(delivery)[0] == Delivery.State.BOUNCED
