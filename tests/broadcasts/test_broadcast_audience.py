"""Who a broadcast reaches, end to end: the chosen places and roles, narrowed by a news
item's view restrictions, on the channels each person allowed, with an address for it.

Every test queues the broadcast through the services and reads the written outbox
(messages and deliveries), so it checks what would be sent, not an intermediate query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from cms.contractors.services import contractor_staff_add
from cms.core.exceptions import ServiceError
from operations.broadcasts import selectors, services
from operations.broadcasts.errors import BroadcastErrorCode
from operations.broadcasts.models import Broadcast
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.residents.roles import StaffRole
from tests.factories import broadcasts as bf
from tests.factories import content as cf
from tests.factories import messaging as mf
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
ALL_CHANNELS = [Channel.EMAIL.value, Channel.SMS.value, Channel.PUSH.value]
RESIDENTS = {"a.owner", "a.tenant", "a.board", "ab.owner", "b.owner", "c.owner"}


@dataclass
class Town:
    estate: object
    north: object  # a second estate
    building_a: object
    building_b: object
    building_c: object  # in `north`
    unit_a1: object
    unit_a2: object
    unit_a3: object
    unit_b1: object
    unit_c1: object
    group_a: object  # building A's audience group


@pytest.fixture
def town(db, site_tree):
    estate = EstateFactory(name="Zielone Wzgórze", slug="zielone-wzgorze")
    north = EstateFactory(name="Północ", slug="polnoc")
    building_a = BuildingFactory(estate=estate, code="A", street="ul. Lipowa", number="1")
    building_b = BuildingFactory(estate=estate, code="B", street="ul. Lipowa", number="3")
    building_c = BuildingFactory(estate=north, code="C", street="ul. Długa", number="5")
    town = Town(
        estate=estate,
        north=north,
        building_a=building_a,
        building_b=building_b,
        building_c=building_c,
        unit_a1=UnitFactory(building=building_a, number="1"),
        unit_a2=UnitFactory(building=building_a, number="2"),
        unit_a3=UnitFactory(building=building_a, number="3"),
        unit_b1=UnitFactory(building=building_b, number="1"),
        unit_c1=UnitFactory(building=building_c, number="1"),
        group_a=residents.audience_group(building=building_a),
    )
    decider = SuperUserFactory(username="verifier")

    def verified(username, unit, role=Membership.Role.OWNER):
        user = UserFactory(username=username)
        MembershipFactory(user=user, unit=unit, role=role, verified=True)
        return user

    a_owner = verified("a.owner", town.unit_a1)
    a_tenant = verified("a.tenant", town.unit_a2, Membership.Role.TENANT)
    a_board = verified("a.board", town.unit_a3, Membership.Role.BOARD)
    ab_owner = verified("ab.owner", town.unit_a2)  # owns A2 and B1
    MembershipFactory(user=ab_owner, unit=town.unit_b1, verified=True)
    verified("b.owner", town.unit_b1)
    verified("c.owner", town.unit_c1)

    # Near misses: none of these may ever be reached by a residents' broadcast.
    MembershipFactory(user=UserFactory(username="a.pending"), unit=town.unit_a1, role=Membership.Role.TENANT)
    rejected = MembershipFactory(user=UserFactory(username="a.rejected"), unit=town.unit_a2)
    residents.membership_reject(membership=rejected, decided_by=decider, reason="Brak dokumentu.")
    ended_user = UserFactory(username="a.ended")
    ended = MembershipFactory(user=ended_user, unit=town.unit_a3, verified=True)
    residents.membership_end(membership=ended, ended_by=decider)
    inactive = verified("a.inactive", town.unit_a1, Membership.Role.TENANT)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    staff = UserFactory(username="staff.dispatcher")
    residents.staff_role_assign(user=staff, role=StaffRole.DISPATCHER)
    firm = cf.make_contractor(site_tree.contractors, title="Hydro-Serwis")
    contractor_staff_add(user=UserFactory(username="contractor.plumber"), firm=firm)

    # Channels: a.owner allowed SMS and has a phone and an app; a.tenant has a phone and an
    # app but allowed neither; a.board allowed SMS without a phone and turned e-mail off.
    mf.notification_settings(a_owner, phone="+48600100100")
    mf.preference(a_owner, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    mf.push_device(a_owner)
    mf.notification_settings(a_tenant, phone="+48600200200")
    mf.preference(a_tenant, MessageKind.ANNOUNCEMENT, Channel.PUSH, False)
    mf.push_device(a_tenant)
    mf.preference(a_board, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    mf.preference(a_board, MessageKind.ANNOUNCEMENT, Channel.EMAIL, False)
    return town


def reached(broadcast: Broadcast) -> dict[str, set[str]]:
    """Usernames with an inbox message, and per channel with a delivery, for `broadcast`."""
    result = {"inbox": set(Message.objects.filter(broadcast=broadcast).values_list("recipient__username", flat=True))}
    for channel in Channel:
        result[channel.value] = set(
            Delivery.objects.filter(broadcast=broadcast, channel=channel).values_list(
                "message__recipient__username", flat=True
            )
        )
    return result


def send(**fields) -> tuple[Broadcast, dict[str, set[str]]]:
    broadcast = bf.make_broadcast(**fields)
    bf.broadcast_now(broadcast)
    broadcast.refresh_from_db()
    return broadcast, reached(broadcast)


def recipients(broadcast) -> set[str]:
    return set(selectors.broadcast_recipients(broadcast).values_list("username", flat=True))


def test_building_reaches_its_verified_residents_on_the_channels_they_allowed(town):
    broadcast, got = send(buildings=[town.building_a], channels=ALL_CHANNELS)

    assert got["inbox"] == {"a.owner", "a.tenant", "a.board", "ab.owner"}
    assert got["email"] == {"a.owner", "a.tenant", "ab.owner"}  # a.board turned e-mail off
    assert got["sms"] == {"a.owner"}  # a.tenant did not allow SMS, a.board has no phone
    assert got["push"] == {"a.owner"}  # a.tenant turned push off; others have no device
    assert broadcast.recipient_count == 4
    assert broadcast.status == Broadcast.Status.SENDING
    # One message per person even for someone holding two units in the building's estate.
    assert Message.objects.filter(broadcast=broadcast, recipient__username="ab.owner").count() == 1
    phone = Delivery.objects.get(broadcast=broadcast, channel=Channel.SMS)
    assert phone.address == "+48600100100" and phone.state == Delivery.State.QUEUED


def test_nobody_outside_the_chosen_audience_is_reached(town):
    _broadcast, got = send(buildings=[town.building_a], channels=ALL_CHANNELS)
    everybody_reached = set().union(*got.values())
    for outsider in ["a.pending", "a.rejected", "a.ended", "a.inactive", "b.owner", "c.owner"]:
        assert outsider not in everybody_reached, outsider
    for outsider in ["staff.dispatcher", "contractor.plumber", "verifier"]:
        assert outsider not in everybody_reached, outsider


def test_owners_only(town):
    _broadcast, got = send(buildings=[town.building_a], roles=[Broadcast.Role.OWNERS])
    assert got["inbox"] == {"a.owner", "ab.owner"}


def test_tenants_and_board(town):
    _broadcast, got = send(buildings=[town.building_a], roles=[Broadcast.Role.TENANTS, Broadcast.Role.BOARD])
    assert got["inbox"] == {"a.tenant", "a.board"}


def test_owners_without_a_place_means_owners_everywhere(town):
    _broadcast, got = send(roles=[Broadcast.Role.OWNERS])
    assert got["inbox"] == {"a.owner", "ab.owner", "b.owner", "c.owner"}


def test_units(town):
    _broadcast, got = send(units=[town.unit_a2])
    assert got["inbox"] == {"a.tenant", "ab.owner"}


def test_estates(town):
    _broadcast, got = send(estates=[town.north])
    assert got["inbox"] == {"c.owner"}
    _broadcast, got = send(estates=[town.estate])
    assert got["inbox"] == {"a.owner", "a.tenant", "a.board", "ab.owner", "b.owner"}


def test_everyone_means_every_verified_active_resident_and_no_staff(town):
    _broadcast, got = send(everyone=True)
    assert got["inbox"] == RESIDENTS


def test_staff_only_when_the_staff_role_is_chosen(town):
    _broadcast, got = send(buildings=[town.building_b], roles=[Broadcast.Role.STAFF])
    # Staff are added to the place's residents (all roles of them, since no resident role was chosen).
    assert got["inbox"] == {"ab.owner", "b.owner", "staff.dispatcher"}
    _broadcast, got = send(roles=[Broadcast.Role.CONTRACTORS])
    assert got["inbox"] == {"contractor.plumber"}


def test_news_item_restricted_to_building_a_never_reaches_building_b(town, site_tree):
    item = cf.make_news(site_tree.news, title="Wymiana wodomierzy w A")
    cf.restrict_page(item, groups=[town.group_a])

    both = bf.make_broadcast(buildings=[town.building_a, town.building_b], news_page=item)
    assert recipients(both) == {"a.owner", "a.tenant", "a.board", "ab.owner"}  # ab.owner lives in A too
    bf.broadcast_now(both)
    assert reached(both)["inbox"] == {"a.owner", "a.tenant", "a.board", "ab.owner"}

    only_b = bf.make_broadcast(buildings=[town.building_b], news_page=item)
    assert recipients(only_b) == {"ab.owner"}
    everyone = bf.make_broadcast(everyone=True, news_page=item)
    assert recipients(everyone) == {"a.owner", "a.tenant", "a.board", "ab.owner"}


def test_news_item_restricted_to_building_b_alone_refuses_to_schedule_for_c(town, site_tree):
    item = cf.make_news(site_tree.news, title="Tylko dla B")
    cf.restrict_page(item, groups=[residents.audience_group(building=town.building_b)])
    broadcast = bf.make_broadcast(buildings=[town.building_c], news_page=item)
    with pytest.raises(ServiceError) as refused:
        services.broadcast_schedule(broadcast=broadcast, user=None)
    assert refused.value.code == BroadcastErrorCode.BROADCAST_NO_AUDIENCE
    # Forced through anyway (e.g. scheduled before the restriction was added), it writes nothing.
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SCHEDULED, send_at=mf.now())
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    assert not Message.objects.filter(broadcast=broadcast).exists()


def test_restriction_on_the_news_index_covers_the_item(town, site_tree):
    item = cf.make_news(site_tree.news)
    cf.restrict_page(site_tree.news, groups=[town.group_a])
    assert recipients(bf.make_broadcast(everyone=True, news_page=item)) == {
        "a.owner",
        "a.tenant",
        "a.board",
        "ab.owner",
    }


@pytest.mark.parametrize("on_index", [False, True])
def test_password_restricted_news_reaches_nobody(town, site_tree, on_index):
    item = cf.make_news(site_tree.news)
    cf.restrict_page(site_tree.news if on_index else item, password="tajne")
    broadcast = bf.make_broadcast(everyone=True, roles=[Broadcast.Role.STAFF], news_page=item)
    assert recipients(broadcast) == set()
    with pytest.raises(ServiceError) as refused:
        services.broadcast_schedule(broadcast=broadcast, user=None)
    assert refused.value.code == BroadcastErrorCode.BROADCAST_NO_AUDIENCE


def test_login_restricted_news_reaches_the_chosen_residents(town, site_tree):
    item = cf.make_news(site_tree.news)
    cf.restrict_page(item, login=True)
    assert recipients(bf.make_broadcast(everyone=True, news_page=item)) == RESIDENTS


def test_news_item_without_a_chosen_audience_goes_to_its_affected_buildings(town, site_tree):
    item = cf.make_alert(site_tree.news, buildings=[town.building_b])
    _broadcast, got = send(news_page=item, kind=MessageKind.OUTAGE_ALERT)
    assert got["inbox"] == {"ab.owner", "b.owner"}


def test_unpublished_news_item_is_refused_and_a_scheduled_one_is_cancelled(town, site_tree):
    item = cf.make_news(site_tree.news)
    broadcast = bf.make_broadcast(everyone=True, news_page=item)
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=1))
    item.unpublish()
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now())
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    assert not Message.objects.filter(broadcast=broadcast).exists()


def test_sms_needs_permission_for_the_kind_and_a_phone(town):
    # a.owner allowed SMS for announcements, not for outage alerts.
    _broadcast, got = send(buildings=[town.building_a], channels=[Channel.SMS.value], kind=MessageKind.OUTAGE_ALERT)
    assert got["sms"] == set()
    assert got["inbox"] == {"a.owner", "a.tenant", "a.board", "ab.owner"}


def test_no_sms_when_the_broadcast_has_no_sms_text_and_push_needs_a_device(town):
    _broadcast, got = send(buildings=[town.building_a], channels=ALL_CHANNELS, sms_text="")
    assert got["sms"] == set()
    assert got["push"] == {"a.owner"}
    with_text, got = send(buildings=[town.building_a], channels=ALL_CHANNELS, sms_text="Jutro brak wody.")
    assert got["sms"] == {"a.owner"}
    assert Delivery.objects.get(broadcast=with_text, channel=Channel.SMS).message.sms_text == "Jutro brak wody."


def test_every_push_device_gets_its_own_delivery(town):
    a_owner = User.objects.get(username="a.owner")
    second = mf.push_device(a_owner, name="tablet")
    broadcast, got = send(buildings=[town.building_a], channels=[Channel.PUSH.value])
    addresses = set(
        Delivery.objects.filter(broadcast=broadcast, channel=Channel.PUSH).values_list("address", flat=True)
    )
    assert second.token in addresses and len(addresses) == 2


def test_offers_need_explicit_consent_on_every_channel(town):
    a_owner = User.objects.get(username="a.owner")
    mf.preference(a_owner, MessageKind.OFFERS, Channel.EMAIL, True)
    b_owner = User.objects.get(username="b.owner")
    mf.notification_settings(b_owner, phone="+48600300300")
    mf.push_device(b_owner)
    # Allowing announcements by SMS is not consent to offers.
    _broadcast, got = send(everyone=True, channels=ALL_CHANNELS, kind=MessageKind.OFFERS, sms_text="Promocja!")

    assert got["email"] == {"a.owner"}
    assert got["sms"] == set()
    assert got["push"] == set()
    # Nor does the offer land in the inbox of anyone who never said yes to offers on some channel.
    assert got["inbox"] == {"a.owner"}


def test_offers_without_any_consent_write_nothing_and_finish_at_once(town):
    broadcast, got = send(everyone=True, channels=ALL_CHANNELS, kind=MessageKind.OFFERS)
    assert got["email"] == got["sms"] == got["push"] == got["inbox"] == set()
    assert broadcast.status == Broadcast.Status.SENT
