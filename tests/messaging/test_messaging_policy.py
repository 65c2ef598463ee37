"""policy.py: who may read the delivery log and the ticket messages in it, edit templates,
and manage their own messages and channels, answered once for the services, the API and
the admin. (Broadcasts: tests/broadcasts/test_broadcasts_policy.py.)

Every rule is asked of every kind of viewer (tests/factories/viewers.py): the anonymous
user, a resident, a resident of another building, a tenant, a contractor's worker, each
staff role, Django staff without a role and a superuser.
"""

from __future__ import annotations

import pytest

from cms.core.exceptions import ServiceError
from operations.messaging import policy, services
from operations.messaging.errors import MessagingErrorCode
from operations.messaging.kinds import KIND_RULES, Channel, MessageKind
from operations.messaging.models import Message
from tests.factories.messaging import message_template, push_device
from tests.factories.viewers import SIGNED_IN, make_viewers, refusal_code, refused_by_service

EVERYONE = ["anonymous", *SIGNED_IN]
# The staff roles' permissions (roles.py): the delivery log is the broadcasters' (editors,
# dispatchers, administrators); reading tickets also the board's; ticket templates the
# dispatchers'.
BROADCASTERS = {"editor", "dispatcher", "administrator", "superuser"}
TICKET_READERS = {"dispatcher", "administrator", "board", "superuser"}
TICKET_TEMPLATE_EDITORS = {"dispatcher", "administrator", "superuser"}


@pytest.fixture
def viewers(unit_a1, unit_b1):
    return make_viewers(home=unit_a1, other=unit_b1)


@pytest.mark.django_db
def test_only_broadcasters_read_the_delivery_log_and_ticket_messages_need_ticket_readers(viewers):
    for name in EVERYONE:
        viewer = viewers[name]
        assert policy.may_read_delivery_log(viewer) == (name in BROADCASTERS), name
        assert policy.may_read_ticket_messages(viewer) == (name in TICKET_READERS), name


@pytest.mark.django_db
def test_ticket_templates_are_for_ticket_staff_only(viewers):
    ticket_template = message_template("ticket-test", kind=MessageKind.TICKET_UPDATE.value)
    other_template = message_template("announcement-test")
    for name in EVERYONE:
        viewer = viewers[name]
        assert policy.may_edit_template(viewer, ticket_template) == (name in TICKET_TEMPLATE_EDITORS), name
        # Other templates: whoever the admin lets edit templates at all.
        assert policy.may_edit_template(viewer, other_template), name


@pytest.mark.django_db
def test_ones_own_messages_preferences_and_devices_need_a_signed_in_person(viewers):
    assert refusal_code(policy.personal_refusal(None)) == MessagingErrorCode.NOT_AUTHENTICATED
    for name in EVERYONE:
        expected = None if name in SIGNED_IN else MessagingErrorCode.NOT_AUTHENTICATED
        assert refusal_code(policy.personal_refusal(viewers[name])) == expected, name


@pytest.mark.django_db
def test_only_the_owner_marks_a_message_read_or_removes_a_device(viewers):
    owner, other = viewers["resident"], viewers["other_resident"]
    message = Message.objects.create(
        recipient=owner, kind=MessageKind.ANNOUNCEMENT, subject="Woda", body_text="Jutro", dedupe_key="policy-test"
    )
    device = push_device(owner)
    for name in SIGNED_IN:
        if name in {"resident", "superuser"}:
            continue
        viewer = viewers[name]
        refused = refused_by_service(
            lambda viewer=viewer: services.messages_mark_read(user=viewer, message_ids=[message.pk])
        )
        assert refused == MessagingErrorCode.MESSAGE_NOT_FOUND, name
        assert services.push_device_unregister(user=viewer, token=device.token) is False, name
    services.messages_mark_read(user=other, everything=True)  # their own inbox only
    message.refresh_from_db()
    assert message.read_at is None
    assert services.messages_mark_read(user=owner, message_ids=[message.pk]) == 1
    assert services.push_device_unregister(user=owner, token=device.token) is True


def test_locked_channels_cannot_be_turned_off_and_the_others_can():
    locked = 0
    for kind, rules in KIND_RULES.items():
        for channel in Channel:
            is_locked = rules.is_locked(channel)
            locked += is_locked
            assert policy.may_turn_off(kind, channel) == (not is_locked)
            refusal = policy.channel_off_refusal(kind, channel, field="choices.0.enabled")
            assert refusal_code(refusal) == (MessagingErrorCode.CHANNEL_LOCKED if is_locked else None)
            if refusal:
                assert refusal.field == "choices.0.enabled"
    assert locked, "some kind has a locked channel"


@pytest.mark.django_db
def test_the_preference_service_refuses_turning_a_locked_channel_off(viewers):
    locked = next((kind, channel) for kind, rules in KIND_RULES.items() for channel in rules.locked_channels)
    kind, channel = locked
    with pytest.raises(ServiceError) as raised:
        services.notification_preferences_update(user=viewers["resident"], choices=[(kind.value, channel.value, False)])
    assert raised.value.code == MessagingErrorCode.CHANNEL_LOCKED
    assert raised.value.field == "choices.0.enabled"
    assert services.email_unsubscribe(user=viewers["resident"], kind=kind.value) is (
        policy.may_turn_off(kind, Channel.EMAIL)
    )
