"""policy.py: who may compose, edit, send and cancel a broadcast, read the delivery log,
edit templates, and manage their own messages and channels, answered once for the
services, the API and the admin's buttons.

Every rule is asked of every kind of viewer: nobody, the anonymous user, a resident, a
resident of another building, a tenant, a contractor's worker, each staff role and a
superuser. The broadcast rules whose refusals a service raises are checked against the
service too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction

from cms.core.exceptions import ServiceError
from operations.messaging import policy, services
from operations.messaging.errors import MessagingErrorCode
from operations.messaging.kinds import KIND_RULES, Channel, MessageKind
from operations.messaging.models import Broadcast, Message
from operations.residents.models import Membership
from operations.residents.roles import StaffRole
from tests.factories import tickets as people
from tests.factories.content import make_news, restrict_page
from tests.factories.messaging import make_broadcast, message_template, push_device
from tests.factories.residents import SuperUserFactory

B = Broadcast.Status
STAFF_ROLES = [role.value for role in StaffRole]
SIGNED_IN = ["resident", "other_resident", "tenant", "contractor", *STAFF_ROLES, "superuser"]
EVERYONE = ["anonymous", *SIGNED_IN]
# The staff roles' permissions (roles.py): broadcasting is the editors', dispatchers' and
# administrators'; reading tickets also the board's; ticket templates the dispatchers'.
BROADCASTERS = {"editor", "dispatcher", "administrator", "superuser"}
TICKET_READERS = {"dispatcher", "administrator", "board", "superuser"}
TICKET_TEMPLATE_EDITORS = {"dispatcher", "administrator", "superuser"}


@pytest.fixture
def viewers(unit_a1, unit_b1):
    found = {
        "anonymous": AnonymousUser(),
        "resident": people.resident(unit_a1),
        "other_resident": people.resident(unit_b1),
        "tenant": people.resident(unit_a1, role=Membership.Role.TENANT),
        "contractor": people.worker(people.firm()),
        "superuser": SuperUserFactory(),
    }
    for role in STAFF_ROLES:
        found[role] = people.staff(role)
    return found


def code(refusal) -> str | None:
    return None if refusal is None else refusal.code


def broadcast_in(status: str) -> Broadcast:
    return Broadcast(status=status)


@pytest.mark.django_db
@pytest.mark.parametrize("status", B.values)
def test_broadcast_actions_follow_the_permissions_and_the_status(viewers, status):
    subject = broadcast_in(status)
    editable = status in {B.DRAFT, B.SCHEDULED}
    cancellable = status in {B.DRAFT, B.SCHEDULED, B.SENDING}
    assert code(policy.broadcast_edit_refusal(subject)) == (None if editable else "BROADCAST_NOT_EDITABLE")
    assert code(policy.broadcast_cancel_refusal(subject)) == (None if cancellable else "BROADCAST_NOT_CANCELLABLE")
    for name in EVERYONE:
        viewer = viewers[name]
        broadcasts = name in BROADCASTERS
        assert policy.may_compose_broadcast(viewer) == broadcasts, name
        assert policy.broadcast_actions_open(viewer, subject) == policy.BroadcastActions(
            edit=broadcasts and editable,
            send=broadcasts and editable,
            cancel=broadcasts and cancellable,
            export=broadcasts,
        ), name


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
def test_news_is_broadcast_by_broadcasters_who_may_read_or_edit_it(viewers, site_tree, building_a):
    public = make_news(site_tree.news, title="Przerwa w dostawie wody")
    board_only = make_news(site_tree.news, title="Dla zarządu")
    restrict_page(board_only, groups=[Group.objects.get(name="Zarząd")])
    for name in EVERYONE:
        viewer = viewers[name]
        assert policy.may_broadcast_news(viewer, public) == (name in BROADCASTERS), name
        # Editors edit every page; the others must be able to read it.
        may_reach = name in {"editor", "superuser"}
        assert policy.may_broadcast_news(viewer, board_only) == (name in BROADCASTERS and may_reach), name


def _refused_by_service(call) -> str | None:
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except ServiceError as error:
        return error.code
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("status", B.values)
def test_the_services_refuse_exactly_what_the_policy_refuses(viewers, unit_a1, status):
    subject = make_broadcast(units=[unit_a1])
    Broadcast.objects.filter(pk=subject.pk).update(status=status)
    subject.refresh_from_db()
    administrator = viewers["administrator"]
    cancelled = _refused_by_service(lambda: services.broadcast_cancel(broadcast=subject, user=administrator))
    assert cancelled == code(policy.broadcast_cancel_refusal(subject))
    saved = _refused_by_service(lambda: services.broadcast_draft_save(broadcast=subject, user=administrator))
    assert saved == code(policy.broadcast_edit_refusal(subject))
    if policy.broadcast_edit_refusal(subject):
        scheduled = _refused_by_service(lambda: services.broadcast_schedule(broadcast=subject, user=administrator))
        assert scheduled == MessagingErrorCode.BROADCAST_NOT_EDITABLE
    gone = Broadcast(pk=subject.pk + 1000, status=B.DRAFT)
    assert _refused_by_service(lambda: services.broadcast_draft_save(broadcast=gone)) == "BROADCAST_NOT_EDITABLE"
    assert code(policy.broadcast_edit_refusal(None)) == MessagingErrorCode.BROADCAST_NOT_EDITABLE


@pytest.mark.django_db
def test_ones_own_messages_preferences_and_devices_need_a_signed_in_person(viewers):
    assert code(policy.personal_refusal(None)) == MessagingErrorCode.NOT_AUTHENTICATED
    for name in EVERYONE:
        expected = None if name in SIGNED_IN else MessagingErrorCode.NOT_AUTHENTICATED
        assert code(policy.personal_refusal(viewers[name])) == expected, name


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
        refused = _refused_by_service(
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
            assert code(refusal) == (MessagingErrorCode.CHANNEL_LOCKED if is_locked else None)
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
