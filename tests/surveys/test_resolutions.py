"""Resolutions voted between meetings (operations/surveys): the electorate fixed at the
opening by each counting rule, who votes and how often, paper ballots and proxies, the
thresholds exactly at their edge, the moment the majority was reached, the hash chain,
and closing with the owners' notification.

Building A has units A/1–A/4 with shares 0.25 each (unless a test sets others); A/1 is
co-owned by Anna and Adam, A/2 is Bogdan's, A/3 Bogdan's too, A/4's owner is not in the
hub; Tomasz rents A/2. Building B's owner Celina votes on nothing here.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.core.exceptions import ServiceError
from cms.core.immutable import ImmutableRecordError
from operations.messaging.models import Message
from operations.residents.models import Membership
from operations.surveys import policy, selectors, services
from operations.surveys.errors import ResolutionErrorCode as E
from operations.surveys.models import CountingRule, Resolution, Seat, Vote
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def owner_of(unit, username, role=Membership.Role.OWNER):
    user = UserFactory(username=username, first_name=username.capitalize(), last_name="Testowy")
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return user


@pytest.fixture
def place():
    estate = EstateFactory()
    a = BuildingFactory(estate=estate, code="A")
    b = BuildingFactory(estate=estate, code="B")
    units = {n: UnitFactory(building=a, number=str(n), share=Decimal("0.250000")) for n in (1, 2, 3, 4)}
    units[1].member_number, units[2].member_number, units[3].member_number = "M-1", "M-2", "M-2"
    units[4].member_number = ""  # a flat owned outright, its owner no member
    for unit in units.values():
        unit.save()
    b1 = UnitFactory(building=b, number="1", share=Decimal("1.000000"), member_number="")
    anna, adam = owner_of(units[1], "anna"), owner_of(units[1], "adam")
    bogdan = owner_of(units[2], "bogdan", role=Membership.Role.BOARD)
    MembershipFactory(user=bogdan, unit=units[3], role=Membership.Role.OWNER, verified=True)
    tomasz = owner_of(units[2], "tomasz", role=Membership.Role.TENANT)
    celina = owner_of(b1, "celina")
    staff = UserFactory(username="sekretariat")
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_survey", "view_resolution", "change_resolution", "record_paper_vote"]
        )
    )
    staff = type(staff).objects.get(pk=staff.pk)
    return type(
        "Place",
        (),
        dict(a=a, b=b, units=units, anna=anna, adam=adam, bogdan=bogdan, tomasz=tomasz, celina=celina, staff=staff),
    )


def rule(code):
    return CountingRule.objects.get(code=code, version=1)


def make_resolution(place, *, code="wspolnota-udzialy", schedule=True, **fields) -> Resolution:
    now = timezone.now()
    values = {
        "number": f"{Resolution.objects.count() + 1}/2026",
        "title": "Wymiana dźwigów osobowych",
        "text": "Właściciele lokali wyrażają zgodę na wymianę dźwigów.",
        "rule": rule(code),
        "opens_at": now - timedelta(minutes=5),
        "closes_at": now + timedelta(days=7),
    }
    values.update(fields)
    resolution = Resolution.objects.create(**values)
    resolution.buildings.set([place.a])
    if schedule:
        resolution = services.resolution_schedule(resolution=resolution, by=place.staff)
    return resolution


def scan():
    return ContentFile(b"%PDF-1.4 karta do glosowania", name="karta.pdf")


def codes_of(call) -> str:
    with pytest.raises(ServiceError) as refused:
        call()
    return refused.value.code


# --- the electorate -------------------------------------------------------------------------


def test_by_shares_every_unit_is_a_seat_weighing_its_share_whoever_is_in_the_hub(place):
    resolution = make_resolution(place)
    assert resolution.state == Resolution.State.OPEN
    seats = {seat.label: seat for seat in resolution.seats.all()}
    assert set(seats) == {"A/1", "A/2", "A/3", "A/4"}
    assert resolution.total_weight == Decimal("1.000000")
    assert set(seats["A/1"].holders.all()) == {place.anna, place.adam}
    assert set(seats["A/2"].holders.all()) == {place.bogdan}  # the board member owns it; the tenant does not vote
    assert list(seats["A/4"].holders.all()) == []  # votes on paper


def test_one_vote_per_owner_joins_co_owners_and_a_persons_units(place):
    resolution = make_resolution(place, code="wspolnota-jeden-glos")
    seats = {seat.label: seat for seat in resolution.seats.all()}
    assert set(seats) == {"A/1", "A/2, A/3", "A/4"}
    assert {seat.weight for seat in seats.values()} == {Decimal(1)}
    assert resolution.total_weight == 3


def test_one_vote_per_member_by_member_number(place):
    resolution = make_resolution(place, code="spoldzielnia-czlonek")
    assert sorted(seat.label for seat in resolution.seats.all()) == ["A/1", "A/2, A/3"]


def test_the_electorate_stays_as_fixed_at_the_opening(place):
    resolution = make_resolution(place)
    newcomer = owner_of(place.units[4], "nowy")
    assert selectors.seats_of(newcomer, resolution) == []
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=newcomer, choice="for")) == E.NOT_ENTITLED


def test_announced_for_later_it_opens_when_due_fixing_the_electorate_then(place):
    later = timezone.now() + timedelta(hours=2)
    resolution = make_resolution(place, opens_at=later, closes_at=later + timedelta(days=3))
    assert resolution.state == Resolution.State.SCHEDULED and not resolution.seats.exists()
    assert policy.may_view_resolution(place.anna, resolution)
    assert not policy.may_view_resolution(place.tomasz, resolution)
    assert not policy.may_view_resolution(place.celina, resolution)
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.anna, choice="for")) in (
        E.NOT_ENTITLED,
        E.NOT_OPEN,
    )
    assert services.resolutions_advance(now=later) == {"opened": 1, "closed": 0}
    assert services.resolutions_advance(now=later) == {"opened": 0, "closed": 0}
    resolution.refresh_from_db()
    assert resolution.state == Resolution.State.OPEN and resolution.seats.count() == 4


def test_a_draft_is_nobodys_but_staffs(place):
    resolution = make_resolution(place, schedule=False)
    assert not policy.may_view_resolution(place.anna, resolution)
    assert policy.may_view_resolution(place.staff, resolution)


# --- voting --------------------------------------------------------------------------------


def test_an_owner_votes_for_every_seat_they_hold_once(place):
    resolution = make_resolution(place)
    votes = services.vote_cast(resolution=resolution, person=place.bogdan, choice="for")
    assert sorted(vote.seat.label for vote in votes) == ["A/2", "A/3"]
    assert all(v.channel == Vote.Channel.ONLINE and v.cast_by == place.bogdan for v in votes)
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.bogdan, choice="against")) == (
        E.ALREADY_VOTED
    )


def test_co_owners_cast_one_vote_between_them(place):
    resolution = make_resolution(place)
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.adam, choice="against")) == (
        E.ALREADY_VOTED
    )


def test_tenants_strangers_and_firms_are_not_entitled(place):
    resolution = make_resolution(place)
    for person in (place.tomasz, place.celina):
        assert codes_of(lambda p=person: services.vote_cast(resolution=resolution, person=p, choice="for")) == (
            E.NOT_ENTITLED
        )


def test_a_changed_vote_counts_where_the_resolution_allows_it(place):
    resolution = make_resolution(place, allow_changes=True)
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    services.vote_cast(resolution=resolution, person=place.adam, choice="against")
    counted = selectors.tally(resolution)
    assert counted.weight_for == 0 and counted.weight_against == Decimal("0.25")
    assert resolution.votes.count() == 2  # both kept in the log


def test_before_the_opening_and_after_the_close(place):
    resolution = make_resolution(place)
    early = resolution.opens_at - timedelta(seconds=1)
    late = resolution.closes_at
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.anna, choice="for", now=early)) == (
        E.NOT_OPEN
    )
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.anna, choice="for", now=late)) == (
        E.CLOSED
    )
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.anna, choice="maybe")) == (
        E.CHOICE_INVALID
    )
    assert not resolution.votes.exists()


def test_a_proxy_casts_the_seats_vote_and_its_owners_no_longer_do(place):
    resolution = make_resolution(place)
    seat = resolution.seats.get(label="A/1")
    services.seat_proxy_set(seat=seat, proxy=place.celina, by=place.staff)
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.anna, choice="for")) == (
        E.NOT_ENTITLED
    )
    [vote] = services.vote_cast(resolution=resolution, person=place.celina, choice="against")
    assert vote.seat == seat and vote.cast_by == place.celina
    assert codes_of(lambda: services.seat_proxy_set(seat=seat, proxy=None, by=place.anna)) == E.FORBIDDEN


def test_a_paper_ballot_is_recorded_by_staff_with_its_scan(place):
    resolution = make_resolution(place)
    seat = resolution.seats.get(label="A/4")
    signed = timezone.now() - timedelta(minutes=1)

    def record(**changes):
        values = dict(
            resolution=resolution,
            seat=seat,
            choice="for",
            voter_name="Zenon Papierowy",
            ballot_scan=scan(),
            signed_at=signed,
            by=place.staff,
        )
        values.update(changes)
        return services.vote_record_paper(**values)

    assert codes_of(lambda: record(by=place.anna)) == E.FORBIDDEN
    assert codes_of(lambda: record(ballot_scan=None)) == E.BALLOT_REQUIRED
    assert codes_of(lambda: record(voter_name="  ")) == E.VOTER_REQUIRED
    assert codes_of(lambda: record(signed_at=resolution.opens_at - timedelta(minutes=1))) == E.DATE_INVALID
    assert codes_of(lambda: record(signed_at=timezone.now() + timedelta(hours=1))) == E.DATE_INVALID
    other = make_resolution(place)
    assert codes_of(lambda: record(seat=other.seats.first())) == E.SEAT_INVALID
    vote = record()
    assert vote.channel == Vote.Channel.PAPER and vote.recorded_by == place.staff and vote.cast_at == signed
    assert vote.ballot_scan.name.startswith("ballots/") and "karta" not in vote.ballot_scan.name
    stored = Vote.objects.get(pk=vote.pk)
    assert stored.ballot_scan.name == vote.ballot_scan.name and stored.ballot_scan.read().startswith(b"%PDF")
    assert selectors.chain_breaks(resolution) == []  # the hash covers the file's final name
    assert codes_of(lambda: record(ballot_scan=scan())) == E.ALREADY_VOTED


# --- thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share_for", "adopted"),
    [(Decimal("0.500000"), False), (Decimal("0.500001"), True), (Decimal("0.499999"), False)],
)
def test_by_shares_more_than_half_of_all_shares_exactly_at_the_edge(place, share_for, adopted):
    units = place.units
    units[1].share, units[2].share = share_for, Decimal("0.100000")
    units[3].share, units[4].share = Decimal("0.100000"), Decimal("0.800000") - share_for
    for unit in units.values():
        unit.save()
    resolution = make_resolution(place)
    assert resolution.total_weight == Decimal("1.000000")
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")  # A/1 only
    assert selectors.tally(resolution).adopted is adopted


def test_by_shares_the_votes_not_cast_count_against(place):
    resolution = make_resolution(place)
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")  # 0.25 of 1: all who voted are for
    counted = selectors.tally(resolution)
    assert counted.weight_for == Decimal("0.25") and counted.seats_voted == 1 and not counted.adopted


def test_one_vote_per_owner_needs_more_than_half_of_all_owners(place):
    resolution = make_resolution(place, code="wspolnota-jeden-glos")  # 3 owners
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    assert not selectors.tally(resolution).adopted  # 1 of 3
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="for")
    assert selectors.tally(resolution).adopted  # 2 of 3, whatever the shares


def test_a_cooperative_counts_the_votes_cast(place):
    resolution = make_resolution(place, code="spoldzielnia-czlonek")  # members M-1 and M-2
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    assert selectors.tally(resolution).adopted  # 1 for, 0 against
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="against")
    assert not selectors.tally(resolution).adopted  # 1 for, 1 against: not more


def test_the_tally_shows_when_the_majority_was_reached_and_held(place):
    resolution = make_resolution(place, allow_changes=True)
    start = timezone.now()
    services.vote_cast(resolution=resolution, person=place.anna, choice="for", now=start)
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="for", now=start + timedelta(minutes=1))
    assert selectors.tally(resolution).threshold_crossed_at == start + timedelta(minutes=1)  # 0.75 of 1
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="against", now=start + timedelta(minutes=2))
    assert selectors.tally(resolution).threshold_crossed_at is None  # back to 0.25
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="for", now=start + timedelta(minutes=3))
    assert selectors.tally(resolution).threshold_crossed_at == start + timedelta(minutes=3)


def test_the_tally_costs_the_same_queries_for_any_number_of_votes(place):
    few = make_resolution(place, allow_changes=True)
    services.vote_cast(resolution=few, person=place.anna, choice="for")
    many = make_resolution(place, allow_changes=True)
    for choice in ["for", "against", "abstain"] * 4:
        services.vote_cast(resolution=many, person=place.anna, choice=choice)
        services.vote_cast(resolution=many, person=place.bogdan, choice=choice)
    for resolution in (few, many):
        resolution.refresh_from_db()
    with CaptureQueriesContext(connection) as one:
        selectors.tally(few)
    with CaptureQueriesContext(connection) as lots:
        selectors.tally(many)
    assert len(one) == len(lots)


# --- the hash chain -------------------------------------------------------------------------


def _cast_some(place) -> Resolution:
    resolution = make_resolution(place, allow_changes=True)
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="against")
    services.vote_cast(resolution=resolution, person=place.adam, choice="abstain")
    return resolution


def test_an_untouched_log_is_one_chain(place):
    resolution = _cast_some(place)
    votes = list(resolution.votes.order_by("sequence"))
    assert [v.sequence for v in votes] == [1, 2, 3, 4]
    assert votes[0].previous_hash == selectors.GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(votes, votes[1:], strict=False))
    assert selectors.chain_breaks(resolution) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [("choice", "'for'"), ("weight", "0.9"), ("voter_name", "'Ktoś Inny'"), ("cast_at", "cast_at")],
)
def test_editing_any_stored_vote_breaks_the_chain(place, column, value):
    resolution = _cast_some(place)
    target = resolution.votes.get(sequence=2)
    table = Vote._meta.db_table
    if column == "cast_at":
        later = (target.cast_at - timedelta(hours=1)).isoformat(sep=" ")
        sql, params = f"UPDATE {table} SET cast_at = %s WHERE id = %s", [later, target.pk]  # noqa: S608
    else:
        sql, params = f"UPDATE {table} SET {column} = {value} WHERE id = %s", [target.pk]  # noqa: S608
    with connection.cursor() as cursor:  # an edit behind the hub's back, as a database user could
        cursor.execute(sql, params)
    assert selectors.chain_breaks(resolution) == [2]


def test_removing_a_stored_vote_breaks_the_chain(place):
    resolution = _cast_some(place)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Vote._meta.db_table} WHERE resolution_id = %s AND sequence = 3", [resolution.pk])  # noqa: S608
    assert selectors.chain_breaks(resolution) == [4]


def test_the_hub_itself_never_edits_or_deletes_a_vote(place):
    resolution = _cast_some(place)
    vote = resolution.votes.first()
    vote.choice = "against"
    with pytest.raises(ImmutableRecordError):
        vote.save()
    with pytest.raises(ImmutableRecordError):
        Vote.objects.filter(pk=vote.pk).update(choice="against")
    with pytest.raises(ImmutableRecordError):
        resolution.votes.all().delete()


# --- closing ------------------------------------------------------------------------------------


def test_closing_fixes_the_result_and_notifies_every_owner_with_the_challenge_deadline(place):
    resolution = make_resolution(place)
    services.vote_cast(resolution=resolution, person=place.anna, choice="for")
    services.vote_cast(resolution=resolution, person=place.bogdan, choice="for")
    assert codes_of(lambda: services.resolution_close(resolution=resolution)) == E.STATE_INVALID  # still open
    end = resolution.closes_at + timedelta(minutes=3)
    assert services.resolutions_advance(now=end) == {"opened": 0, "closed": 1}
    assert services.resolutions_advance(now=end) == {"opened": 0, "closed": 0}
    resolution.refresh_from_db()
    assert resolution.state == Resolution.State.CLOSED and resolution.result == Resolution.Result.ADOPTED
    assert resolution.weight_for == Decimal("0.75") and resolution.decided_at == end
    assert resolution.notified_at == end
    assert resolution.challenge_until == timezone.localdate(end) + timedelta(weeks=6)
    told = set(
        Message.objects.filter(dedupe_key=f"resolution:{resolution.pk}:result").values_list("recipient_id", flat=True)
    )
    assert told == {place.anna.pk, place.adam.pk, place.bogdan.pk}
    # Each notice leads to the resolution in the portal, by the API's id of it.
    links = set(Message.objects.filter(dedupe_key=f"resolution:{resolution.pk}:result").values_list("link", flat=True))
    [link] = links
    assert "/glosowania/" in link
    assert base64.b64decode(unquote(link.rsplit("/", 1)[1])).decode() == f"Resolution:{resolution.pk}"
    assert codes_of(lambda: services.vote_cast(resolution=resolution, person=place.adam, choice="for")) == E.CLOSED


def test_residents_see_the_tally_after_the_close_staff_while_it_runs(place):
    resolution = make_resolution(place)
    assert policy.may_see_tally(place.staff, resolution)
    assert not policy.may_see_tally(place.anna, resolution)
    services.resolutions_advance(now=resolution.closes_at)
    resolution.refresh_from_db()
    assert policy.may_see_tally(place.anna, resolution)
    assert not policy.may_see_tally(place.celina, resolution)


def test_announcing_needs_the_permission_and_someone_to_vote(place):
    resolution = make_resolution(place, schedule=False)
    assert codes_of(lambda: services.resolution_schedule(resolution=resolution, by=place.anna)) == E.FORBIDDEN
    empty = Resolution.objects.create(
        number="99/2026",
        title="Pusta",
        text="-",
        rule=rule("spoldzielnia-czlonek"),
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    empty.buildings.set([place.b])  # B/1 has no member number
    assert codes_of(lambda: services.resolution_schedule(resolution=empty, by=place.staff)) == E.ELECTORATE_EMPTY
    assert Seat.objects.filter(resolution=empty).count() == 0
