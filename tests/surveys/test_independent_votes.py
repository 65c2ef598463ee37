"""Independent tests of votes on resolutions (issue 15), written from the issue and the
law, not from the author's tests: every expected number below was computed by hand.

- Weighted tallies by shares (art. 23 ust. 2 of the Act on Ownership of Premises: a
  majority of all shares, counted against every owner, not only those who voted), with
  twelve units whose shares sum to exactly 1, co-owners, one owner of two units, a unit
  whose owners are not in the hub, a pending owner and a tenant.
- Each counting rule exactly at its threshold, one millionth of a share above and below;
  one vote per owner; one vote per member of a cooperative counting the votes cast.
- Proxies, changes of vote, the moment the majority was reached.
- The electorate fixed when voting opens.
- Closing: the result fixed once, the notification, six weeks to challenge.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.core.exceptions import ServiceError
from operations.messaging.models import Message
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.surveys import selectors, services
from operations.surveys.errors import ResolutionErrorCode as E
from operations.surveys.models import CountingRule, Resolution, Seat, Vote
from tests.factories.residents import (
    BuildingFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Warsaw
CLOSES = T0 + timedelta(days=14)

SHARES = "wspolnota-udzialy"
OWNERS = "wspolnota-jeden-glos"
MEMBERS = "spoldzielnia-czlonek"


def d(value: str) -> Decimal:
    return Decimal(value)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def rule(code: str) -> CountingRule:
    return CountingRule.objects.filter(code=code).order_by("-version").first()


@pytest.fixture
def staff(db):
    return SuperUserFactory(username="zarzad-glosowania")


def owner(unit, *, role=Membership.Role.OWNER, user=None, **names):
    user = user or UserFactory(**names)
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return user


def unit(building, number, share, **extra):
    return UnitFactory(building=building, number=number, share=Decimal(share), **extra)


_numbers = iter(range(1, 10_000))


def resolution(buildings, code, *, allow_changes=False, opens=T0, closes=CLOSES, staff=None, open_now=True):
    made = Resolution.objects.create(
        number=f"{next(_numbers)}/2026",
        title="Wymiana dźwigów",
        text="Właściciele wyrażają zgodę na wymianę dźwigów osobowych.",
        rule=rule(code),
        opens_at=opens,
        closes_at=closes,
        allow_changes=allow_changes,
    )
    made.buildings.set(buildings)
    if open_now:
        made = services.resolution_schedule(resolution=made, by=staff or SuperUserFactory(), now=opens)
        assert made.state == Resolution.State.OPEN
    return made


def seat_of(res, the_unit) -> Seat:
    return Seat.objects.get(resolution=res, units=the_unit)


def cast(res, person, choice, hours):
    return services.vote_cast(resolution=res, person=person, choice=choice, now=at(hours))


def paper(res, seat, choice, *, signed, entered, by, name="Jan Kowalski"):
    return services.vote_record_paper(
        resolution=res,
        seat=seat,
        choice=choice,
        voter_name=name,
        ballot_scan=ContentFile(b"%PDF-1.4 karta do glosowania", name="karta.pdf"),
        signed_at=signed,
        by=by,
        now=entered,
    )


def refused(code, call, *args, **kwargs):
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


# --- A community of twelve units, shares summing to exactly 1 ------------------------------


class Community:
    """Building A: A/1 Anna 0.072341; A/2 Jan and Katarzyna together 0.081234; A/3 Piotr
    0.065432 (who also owns B/2); A/4 0.093210 whose owners are not in the hub; A/5 0.077777
    whose owner's request is pending; A/6 Marek 0.088888 with a tenant Tomasz; A/7 Ewa
    0.069999. Building B: B/1 Adam 0.091001; B/2 Piotr 0.084321; B/3 Barbara 0.079876; B/4
    Celina 0.098765; B/5 Dorota 0.097156. Sum: 1.000000."""

    def __init__(self, estate):
        self.a = BuildingFactory(estate=estate, code="A", street="ul. Lipowa", number="1")
        self.b = BuildingFactory(estate=estate, code="B", street="ul. Lipowa", number="3")
        a, b = self.a, self.b
        self.a1 = unit(a, "1", "0.072341")
        self.a2 = unit(a, "2", "0.081234")
        self.a3 = unit(a, "3", "0.065432")
        self.a4 = unit(a, "4", "0.093210")
        self.a5 = unit(a, "5", "0.077777")
        self.a6 = unit(a, "6", "0.088888")
        self.a7 = unit(a, "7", "0.069999")
        self.b1 = unit(b, "1", "0.091001")
        self.b2 = unit(b, "2", "0.084321")
        self.b3 = unit(b, "3", "0.079876")
        self.b4 = unit(b, "4", "0.098765")
        self.b5 = unit(b, "5", "0.097156")
        self.anna = owner(self.a1, first_name="Anna", last_name="Nowak")
        self.jan = owner(self.a2, first_name="Jan", last_name="Kowalski")
        self.katarzyna = owner(self.a2, first_name="Katarzyna", last_name="Kowalska")
        self.piotr = owner(self.a3, first_name="Piotr", last_name="Wójcik")
        owner(self.b2, user=self.piotr)
        self.zofia = UserFactory(first_name="Zofia", last_name="Kamińska")
        MembershipFactory(user=self.zofia, unit=self.a5, role=Membership.Role.OWNER)  # pending
        self.marek = owner(self.a6, first_name="Marek", last_name="Zieliński")
        self.tomasz = owner(self.a6, role=Membership.Role.TENANT, first_name="Tomasz", last_name="Lewandowski")
        self.ewa = owner(self.a7, first_name="Ewa", last_name="Dąbrowska")
        self.adam = owner(self.b1, first_name="Adam", last_name="Mazur")
        self.barbara = owner(self.b3, first_name="Barbara", last_name="Krawczyk")
        self.celina = owner(self.b4, first_name="Celina", last_name="Piotrowska")
        self.dorota = owner(self.b5, first_name="Dorota", last_name="Grabowska")


@pytest.fixture
def community(estate):
    return Community(estate)


def test_shares_sum_to_one_and_electorate_is_every_unit_with_a_share(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    assert res.total_weight == d("1.000000")
    seats = {seat.label: seat for seat in res.seats.prefetch_related("holders")}
    assert len(seats) == 12  # every unit, also A/4 (nobody in the hub) and A/5 (pending)
    assert seats["A/4"].weight == d("0.093210") and not seats["A/4"].holders.exists()
    assert not seats["A/5"].holders.exists()  # a pending request gives no vote
    assert set(seats["A/2"].holders.all()) == {c.jan, c.katarzyna}
    assert set(seats["A/6"].holders.all()) == {c.marek}  # never the tenant
    assert {s.label for s in res.seats.filter(holders=c.piotr)} == {"A/3", "B/2"}


def test_weighted_tally_matches_a_hand_computation(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    cast(res, c.anna, "for", 1)  # A/1 0.072341
    cast(res, c.jan, "for", 2)  # A/2 0.081234, for him and Katarzyna
    votes = cast(res, c.piotr, "against", 3)  # A/3 0.065432 + B/2 0.084321
    assert sorted(v.weight for v in votes) == [d("0.065432"), d("0.084321")]
    paper(res, seat_of(res, c.a4), "for", signed=at(3.5), entered=at(4), by=staff)  # 0.093210
    cast(res, c.marek, "abstain", 5)  # 0.088888
    cast(res, c.ewa, "for", 6)  # 0.069999
    cast(res, c.adam, "for", 7)  # 0.091001
    cast(res, c.barbara, "against", 8)  # 0.079876

    counted = selectors.tally(res)
    # for: .072341 + .081234 + .093210 + .069999 + .091001 = .407785
    assert counted.weight_for == d("0.407785")
    # against: .065432 + .084321 + .079876 = .229629
    assert counted.weight_against == d("0.229629")
    assert counted.weight_abstained == d("0.088888")
    assert (counted.seats_for, counted.seats_against, counted.seats_abstained) == (5, 3, 1)
    assert counted.seats == 12 and counted.total_weight == d("1.000000")
    # More for than against among those who voted, but not more than half of all shares.
    assert counted.adopted is False
    assert counted.threshold_crossed_at is None

    cast(res, c.celina, "for", 9)  # + 0.098765 = 0.506550 > 0.5
    counted = selectors.tally(res)
    assert counted.weight_for == d("0.506550")
    assert counted.adopted is True
    assert counted.threshold_crossed_at == at(9)


def test_who_may_not_vote_in_the_community(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    cast(res, c.jan, "for", 1)
    refused(E.ALREADY_VOTED, cast, res, c.katarzyna, "against", 2)  # one vote for the unit
    refused(E.NOT_ENTITLED, cast, res, c.tomasz, "for", 2)  # a tenant
    refused(E.NOT_ENTITLED, cast, res, c.zofia, "for", 2)  # a pending request
    refused(E.NOT_ENTITLED, cast, res, UserFactory(), "for", 2)
    counted = selectors.tally(res)
    assert counted.weight_for == d("0.081234") and counted.weight_against == 0


def test_one_vote_per_owner_same_community(community, staff):
    """Owners: A/1 Anna, A/2 Jan+Katarzyna, Piotr (A/3 and B/2), A/4 unknown, A/5 unknown
    (pending), A/6 Marek, A/7 Ewa, B/1 Adam, B/3 Barbara, B/4 Celina, B/5 Dorota: 11."""
    c = community
    res = resolution([c.a, c.b], OWNERS, staff=staff)
    assert res.seats.count() == 11
    assert res.total_weight == 11
    piotr_seats = list(res.seats.filter(holders=c.piotr))
    assert len(piotr_seats) == 1 and set(piotr_seats[0].units.all()) == {c.a3, c.b2}
    assert cast(res, c.piotr, "for", 1)[0].weight == 1  # one vote for two units
    cast(res, c.jan, "for", 2)
    refused(E.ALREADY_VOTED, cast, res, c.katarzyna, "for", 3)  # co-owners are one owner
    cast(res, c.anna, "for", 3)
    paper(res, seat_of(res, c.a4), "for", signed=at(3), entered=at(4), by=staff)
    cast(res, c.ewa, "for", 5)
    counted = selectors.tally(res)
    assert (counted.weight_for, counted.seats_for) == (5, 5)
    assert counted.adopted is False  # 5 of 11 is not more than half
    cast(res, c.barbara, "against", 6)
    cast(res, c.dorota, "for", 7)  # 6 of 11
    counted = selectors.tally(res)
    assert counted.adopted is True and counted.threshold_crossed_at == at(7)


def test_per_owner_switch_decides_differently_on_the_same_votes(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    big, small1, small2 = unit(building, "1", "0.600000"), unit(building, "2", "0.200000"), unit(building, "3", "0.2")
    anna, jan, kasia = owner(big), owner(small1), owner(small2)
    by_shares = resolution([building], SHARES, staff=staff)
    by_owners = resolution([building], OWNERS, staff=staff)
    for res in (by_shares, by_owners):
        cast(res, anna, "for", 1)
        cast(res, jan, "against", 2)
        cast(res, kasia, "against", 3)
    assert selectors.tally(by_shares).adopted is True  # 0.6 of 1
    assert selectors.tally(by_owners).adopted is False  # 1 of 3
    assert by_shares.rule.legal_basis and by_owners.rule.legal_basis
    assert by_shares.rule.method == CountingRule.Method.SHARES and by_owners.rule.method == CountingRule.Method.OWNERS


# --- Exactly at each threshold --------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "adopted"),
    [(Decimal("-0.000001"), False), (Decimal("0"), False), (Decimal("0.000001"), True)],
    ids=["one-millionth-below-half", "exactly-half", "one-millionth-above-half"],
)
def test_shares_threshold_is_more_than_half_of_all_shares(estate, staff, delta, adopted):
    building = BuildingFactory(estate=estate, code="A")
    p = unit(building, "1", "0.300000")
    q = unit(building, "2", str(Decimal("0.200000") + delta))
    r = unit(building, "3", str(Decimal("0.250000") - delta))
    s = unit(building, "4", "0.250000")  # does not vote, counts in the base all the same
    pp, qq, rr = owner(p), owner(q), owner(r)
    owner(s)
    res = resolution([building], SHARES, staff=staff)
    assert res.total_weight == d("1.000000")
    cast(res, pp, "for", 1)
    cast(res, qq, "for", 2)
    cast(res, rr, "against", 3)
    counted = selectors.tally(res)
    assert counted.weight_for == d("0.500000") + delta
    assert counted.adopted is adopted
    assert counted.threshold_crossed_at == (at(2) if adopted else None)
    closed = services.resolution_close(resolution=res, now=CLOSES)
    assert closed.result == (Resolution.Result.ADOPTED if adopted else Resolution.Result.NOT_ADOPTED)
    assert closed.weight_for == d("0.500000") + delta


def test_shares_threshold_when_shares_do_not_sum_to_one(estate, staff):
    """Shares as written in the land register need not sum to 1 (e.g. 4/7 and 3/7 rounded):
    the base is the sum of all shares. 0.571429 + 0.428571 = 1.000000; a third unit of
    0.142857 makes 1.142857, half of it 0.5714285: 0.571429 is more."""
    building = BuildingFactory(estate=estate, code="A")
    a, b, c = unit(building, "1", "0.571429"), unit(building, "2", "0.428571"), unit(building, "3", "0.142857")
    aa, _bb, _cc = owner(a), owner(b), owner(c)
    res = resolution([building], SHARES, staff=staff)
    assert res.total_weight == d("1.142857")
    cast(res, aa, "for", 1)
    assert selectors.tally(res).adopted is True


@pytest.mark.parametrize(("for_votes", "adopted"), [(2, False), (3, True)])
def test_one_vote_per_owner_threshold_with_co_owners_and_two_units(estate, staff, for_votes, adopted):
    """Owners: Anna (A/1 and A/2: one owner), Jan and Kasia together (A/3: one owner),
    Piotr (A/4), and the unknown owner of A/5: 4 owners, so 3 votes are needed."""
    building = BuildingFactory(estate=estate, code="A")
    u = [unit(building, str(n), "0.200000") for n in range(1, 6)]
    anna = owner(u[0])
    owner(u[1], user=anna)
    jan, kasia = owner(u[2]), owner(u[2])
    piotr = owner(u[3])
    res = resolution([building], OWNERS, staff=staff)
    assert res.total_weight == 4
    assert res.seats.filter(holders=kasia).get() == res.seats.filter(holders=jan).get()
    for hours, person in enumerate([anna, jan, piotr][:for_votes], start=1):
        cast(res, person, "for", hours)
    counted = selectors.tally(res)
    assert counted.weight_for == for_votes
    assert counted.adopted is adopted  # 3 of 4 is more than half; 2 of 4 is not


def test_one_vote_per_owner_exactly_half_is_not_a_majority(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    people = [owner(unit(building, str(n), "0.250000")) for n in range(1, 5)]
    res = resolution([building], OWNERS, staff=staff)
    cast(res, people[0], "for", 1)
    cast(res, people[1], "for", 2)
    assert selectors.tally(res).adopted is False  # 2 of 4
    cast(res, people[2], "for", 3)
    assert selectors.tally(res).adopted is True  # 3 of 4
    assert selectors.tally(res).threshold_crossed_at == at(3)


class Cooperative:
    """Members by member number: M-1 holds A/1 and A/2 (one member, Anna); M-2 A/3 (Jan and
    Katarzyna, spouses, one member number); M-3 A/4 Piotr; M-4 A/5 Ewa; M-5 A/6 Adam; M-6
    A/7 whose holder is not in the hub; A/8 has no member number (an owner who is not a
    member: no vote); A/9 a tenant of M-5's flat."""

    def __init__(self, estate):
        self.a = BuildingFactory(estate=estate, code="A")
        a = self.a
        self.u1 = unit(a, "1", "0.1", member_number="M-1")
        self.u2 = unit(a, "2", "0.1", member_number="M-1")
        self.u3 = unit(a, "3", "0.1", member_number="M-2")
        self.u4 = unit(a, "4", "0.1", member_number="M-3")
        self.u5 = unit(a, "5", "0.1", member_number="M-4")
        self.u6 = unit(a, "6", "0.1", member_number="M-5")
        self.u7 = unit(a, "7", "0.1", member_number="M-6")
        self.u8 = unit(a, "8", "0.1", member_number="")
        self.anna = owner(self.u1)
        owner(self.u2, user=self.anna)
        self.jan, self.kasia = owner(self.u3), owner(self.u3)
        self.piotr = owner(self.u4)
        self.ewa = owner(self.u5)
        self.adam = owner(self.u6)
        self.tenant = owner(self.u6, role=Membership.Role.TENANT)
        self.outsider = owner(self.u8)


def test_cooperative_one_vote_per_member_counting_votes_cast(estate, staff):
    c = Cooperative(estate)
    res = resolution([c.a], MEMBERS, staff=staff)
    assert res.seats.count() == 6 and res.total_weight == 6
    refused(E.NOT_ENTITLED, cast, res, c.outsider, "for", 1)  # not a member
    refused(E.NOT_ENTITLED, cast, res, c.tenant, "for", 1)
    assert len(cast(res, c.anna, "for", 1)) == 1  # one member, two flats: one vote
    cast(res, c.jan, "against", 2)
    refused(E.ALREADY_VOTED, cast, res, c.kasia, "for", 3)
    counted = selectors.tally(res)
    assert (counted.weight_for, counted.weight_against) == (1, 1)
    assert counted.adopted is False  # a tie among votes cast
    cast(res, c.piotr, "abstain", 3)
    assert selectors.tally(res).adopted is False  # an abstention tips nothing
    cast(res, c.ewa, "for", 4)  # 2 for, 1 against, 1 abstain, 2 did not vote
    counted = selectors.tally(res)
    assert counted.adopted is True and counted.threshold_crossed_at == at(4)
    cast(res, c.adam, "against", 5)  # 2 : 2 again
    counted = selectors.tally(res)
    assert counted.adopted is False and counted.threshold_crossed_at is None


def test_a_rule_version_in_force_at_opening_stays_with_the_resolution(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    anna = owner(unit(building, "1", "0.5"))
    owner(unit(building, "2", "0.5"))
    res = resolution([building], SHARES, staff=staff)
    old = res.rule
    newer = CountingRule.objects.create(
        code=old.code,
        version=old.version + 1,
        name=old.name,
        legal_basis=old.legal_basis + " (nowelizacja)",
        method=CountingRule.Method.SHARES,
        base=CountingRule.Base.CAST,
        effective_from=date(2026, 3, 3),
    )
    cast(res, anna, "for", 30)
    res.refresh_from_db()
    assert res.rule_id == old.pk != newer.pk
    assert selectors.tally(res).adopted is False  # half of all shares under the old rule


# --- Proxies ---------------------------------------------------------------------------------


def test_a_proxy_votes_for_a_seat_and_the_owner_no_longer_can(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    attorney = UserFactory(first_name="Halina", last_name="Pełnomocnik")
    services.seat_proxy_set(seat=seat_of(res, c.b4), proxy=attorney, by=staff)
    refused(E.NOT_ENTITLED, cast, res, c.celina, "for", 1)
    votes = cast(res, attorney, "against", 2)
    assert [(v.seat.label, v.weight, v.cast_by) for v in votes] == [("B/4", d("0.098765"), attorney)]
    # The proxy's vote stands for the seat: it is in the tally with the seat's weight.
    counted = selectors.tally(res)
    assert counted.weight_against == d("0.098765") and counted.seats_against == 1


def test_a_proxy_holding_two_seats_votes_the_one_not_yet_voted(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    attorney = UserFactory()
    services.seat_proxy_set(seat=seat_of(res, c.b4), proxy=attorney, by=staff)
    cast(res, attorney, "for", 1)
    services.seat_proxy_set(seat=seat_of(res, c.a4), proxy=attorney, by=staff)
    votes = cast(res, attorney, "for", 2)
    assert [v.seat.label for v in votes] == ["A/4"]
    counted = selectors.tally(res)
    assert counted.weight_for == d("0.098765") + d("0.093210")  # 0.191975
    assert counted.weight_for == d("0.191975")
    # The co-owners' seat with a proxy: neither co-owner votes.
    services.seat_proxy_set(seat=seat_of(res, c.a2), proxy=attorney, by=staff)
    refused(E.NOT_ENTITLED, cast, res, c.jan, "for", 3)
    refused(E.NOT_ENTITLED, cast, res, c.katarzyna, "for", 3)
    # Piotr's proxy for A/3 leaves him B/2.
    services.seat_proxy_set(seat=seat_of(res, c.a3), proxy=attorney, by=staff)
    assert [v.seat.label for v in cast(res, c.piotr, "against", 4)] == ["B/2"]


def test_naming_a_proxy_is_staff_work_while_voting_is_open(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    refused(E.FORBIDDEN, services.seat_proxy_set, seat=seat_of(res, c.a1), proxy=c.jan, by=c.anna)
    services.resolution_close(resolution=res, now=CLOSES)
    refused(E.PROXY_INVALID, services.seat_proxy_set, seat=seat_of(res, c.a1), proxy=c.jan, by=staff)


# --- Changes of vote and the moment of the majority -------------------------------------------


def test_a_changed_vote_replaces_the_earlier_one(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, allow_changes=True, staff=staff)
    cast(res, c.piotr, "for", 1)
    cast(res, c.piotr, "against", 2)
    cast(res, c.jan, "for", 3)
    cast(res, c.katarzyna, "abstain", 4)  # the co-owner's later vote for the same unit
    counted = selectors.tally(res)
    assert counted.weight_for == 0
    assert counted.weight_against == d("0.149753")  # 0.065432 + 0.084321, counted once
    assert counted.weight_abstained == d("0.081234")
    assert (counted.seats_for, counted.seats_against, counted.seats_abstained) == (0, 2, 1)
    assert Vote.objects.filter(resolution=res).count() == 6  # the log keeps every vote


def test_without_changes_the_first_vote_stays(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, allow_changes=False, staff=staff)
    cast(res, c.anna, "for", 1)
    refused(E.ALREADY_VOTED, cast, res, c.anna, "against", 2)
    refused(E.ALREADY_VOTED, paper, res, seat_of(res, c.a1), "against", signed=at(2), entered=at(3), by=staff)
    assert selectors.tally(res).weight_for == d("0.072341")
    assert Vote.objects.filter(resolution=res).count() == 1


def test_majority_crossing_falling_back_and_crossing_again(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    x, y, z, w = (unit(building, str(n), s) for n, s in enumerate(["0.3", "0.25", "0.3", "0.15"], start=1))
    xx, yy, zz, _ = owner(x), owner(y), owner(z), owner(w)
    res = resolution([building], SHARES, allow_changes=True, staff=staff)
    cast(res, xx, "for", 1)  # 0.30
    assert selectors.tally(res).threshold_crossed_at is None
    cast(res, yy, "for", 2)  # 0.55: crossed
    assert selectors.tally(res).threshold_crossed_at == at(2)
    cast(res, zz, "against", 3)  # still 0.55: the moment stays
    assert selectors.tally(res).threshold_crossed_at == at(2)
    cast(res, yy, "against", 4)  # 0.30: fell back
    counted = selectors.tally(res)
    assert counted.adopted is False and counted.threshold_crossed_at is None
    cast(res, zz, "for", 5)  # 0.60: crossed again
    counted = selectors.tally(res)
    assert counted.adopted is True and counted.threshold_crossed_at == at(5)
    closed = services.resolution_close(resolution=res, now=CLOSES)
    assert closed.threshold_crossed_at == at(5)
    assert (closed.weight_for, closed.weight_against) == (d("0.600000"), d("0.250000"))


def test_majority_moment_with_a_paper_ballot_signed_before_the_deciding_online_vote(estate, staff):
    """X (0.30) signs a paper ballot "for" on day 2; staff enter it on day 6. Y (0.25)
    votes "for" online on day 5. The majority of all shares (0.55) existed from day 5: on
    day 2 only 0.30 had voted for. The tally must not say it was reached on day 2."""
    building = BuildingFactory(estate=estate, code="A")
    x, y, z = unit(building, "1", "0.3"), unit(building, "2", "0.25"), unit(building, "3", "0.45")
    owner(z)
    yy = owner(y)
    res = resolution([building], SHARES, staff=staff)
    cast(res, yy, "for", 24 * 5)
    paper(res, seat_of(res, x), "for", signed=at(24 * 2), entered=at(24 * 6), by=staff)
    counted = selectors.tally(res)
    assert counted.adopted is True
    assert counted.threshold_crossed_at == at(24 * 5)


def test_with_changes_the_latest_cast_vote_counts_not_the_latest_entered(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    x, y = unit(building, "1", "0.6"), unit(building, "2", "0.4")
    xx = owner(x)
    owner(y)
    res = resolution([building], SHARES, allow_changes=True, staff=staff)
    cast(res, xx, "against", 24 * 4)  # changed their mind online on day 4
    paper(res, seat_of(res, x), "for", signed=at(24 * 2), entered=at(24 * 6), by=staff, name="X")
    assert selectors.tally(res).weight_against == d("0.600000")


# --- The electorate fixed when voting opens ----------------------------------------------------


def test_changes_after_opening_change_nothing(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    total, seats = res.total_weight, res.seats.count()
    # Zofia's pending request is verified after opening: she still may not vote.
    membership = Membership.objects.get(user=c.zofia, unit=c.a5)
    residents.membership_verify(membership=membership, decided_by=staff)
    refused(E.NOT_ENTITLED, cast, res, c.zofia, "for", 1)
    # Dorota sells B/5 after opening: her membership ends; she was the owner when it opened.
    residents.membership_end(membership=Membership.objects.get(user=c.dorota, unit=c.b5), ended_by=staff)
    buyer = owner(c.b5)
    refused(E.NOT_ENTITLED, cast, res, buyer, "for", 1)
    cast(res, c.dorota, "for", 2)
    # The tenant becomes an owner after opening: still no vote.
    owner(c.a6, user=c.tomasz)
    refused(E.NOT_ENTITLED, cast, res, c.tomasz, "for", 2)
    # B/4's share is corrected after opening: its seat and vote keep the old weight.
    residents.unit_update(
        unit=c.b4, building=c.b, number="4", floor=1, area=Decimal("48.50"), share=Decimal("0.2"), kind="residential"
    )
    # A unit added to building A after opening is not in the electorate.
    newcomer = owner(unit(c.a, "8", "0.050000"))
    refused(E.NOT_ENTITLED, cast, res, newcomer, "for", 3)
    cast(res, c.celina, "for", 4)
    res.refresh_from_db()
    assert (res.total_weight, res.seats.count()) == (total, seats) == (d("1.000000"), 12)
    counted = selectors.tally(res)
    assert counted.weight_for == d("0.097156") + d("0.098765")  # 0.195921
    assert counted.weight_for == d("0.195921")


# --- Closing --------------------------------------------------------------------------------


def test_closing_fixes_the_result_notifies_every_owner_and_proxy_once(community, staff):
    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    attorney = UserFactory(first_name="Halina")
    services.seat_proxy_set(seat=seat_of(res, c.b4), proxy=attorney, by=staff)
    cast(res, c.anna, "for", 1)
    cast(res, c.piotr, "for", 2)
    cast(res, attorney, "for", 3)  # B/4
    cast(res, c.adam, "for", 4)
    cast(res, c.dorota, "for", 5)
    # 0.072341 + 0.065432 + 0.084321 + 0.098765 + 0.091001 + 0.097156 = 0.509016
    assert services.resolutions_advance(now=CLOSES - timedelta(seconds=1)) == {"opened": 0, "closed": 0}
    refused(E.CLOSED, cast, res, c.ewa, "against", 24 * 14)  # exactly at the close
    assert services.resolutions_advance(now=CLOSES + timedelta(minutes=3)) == {"opened": 0, "closed": 1}
    res.refresh_from_db()
    assert res.state == Resolution.State.CLOSED
    assert res.result == Resolution.Result.ADOPTED
    assert res.weight_for == d("0.509016")
    assert res.threshold_crossed_at == at(5)
    decided, notified = res.decided_at, res.notified_at
    messages = Message.objects.filter(dedupe_key__startswith=f"resolution:{res.pk}:")
    expected = {c.anna, c.jan, c.katarzyna, c.piotr, c.marek, c.ewa, c.adam, c.barbara, c.celina, c.dorota, attorney}
    assert {m.recipient for m in messages} == expected  # not the tenant, not the pending owner
    assert messages.count() == len(expected)
    first = set(messages.values_list("pk", flat=True))

    # Running the task again, later, changes nothing and sends nothing.
    assert services.resolutions_advance(now=CLOSES + timedelta(days=1)) == {"opened": 0, "closed": 0}
    refused(E.STATE_INVALID, services.resolution_close, resolution=res, now=CLOSES + timedelta(days=2))
    res.refresh_from_db()
    assert (res.decided_at, res.notified_at, res.result) == (decided, notified, Resolution.Result.ADOPTED)
    assert set(Message.objects.filter(dedupe_key__startswith=f"resolution:{res.pk}:").values_list("pk", flat=True)) == (
        first
    )
    # A vote after the close is refused, online and on paper.
    refused(E.CLOSED, cast, res, c.ewa, "against", 24 * 15)
    refused(
        E.CLOSED,
        paper,
        res,
        seat_of(res, c.a4),
        "against",
        signed=at(24 * 13),
        entered=CLOSES + timedelta(days=1),
        by=staff,
    )
    assert selectors.tally(res).weight_for == d("0.509016")


@pytest.mark.parametrize(
    ("closed_at", "challenge_until"),
    [
        # Monday 16 March 2026, 10:00 in Warsaw: six weeks end on Monday 27 April.
        (datetime(2026, 3, 16, 9, 0, tzinfo=UTC), date(2026, 4, 27)),
        # 23:30 UTC on Saturday 31 January is already Sunday 1 February in Warsaw.
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), date(2026, 3, 15)),
        # 22:30 UTC on 28 March (CET) is 23:30 in Warsaw, still the 28th; DST starts on the 29th.
        (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), date(2026, 5, 9)),
    ],
)
def test_six_weeks_to_challenge_from_the_notifications_day(estate, staff, closed_at, challenge_until):
    building = BuildingFactory(estate=estate, code="A")
    anna = owner(unit(building, "1", "1"))
    res = resolution(
        [building], SHARES, opens=closed_at - timedelta(days=7), closes=closed_at - timedelta(minutes=1), staff=staff
    )
    services.vote_cast(resolution=res, person=anna, choice="for", now=closed_at - timedelta(days=1))
    closed = services.resolution_close(resolution=res, now=closed_at)
    assert closed.notified_at == closed_at
    assert closed.challenge_until == challenge_until
    assert closed.result == Resolution.Result.ADOPTED


# --- Query counts ----------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_tally_and_chain_check_queries_do_not_grow_with_votes(estate, staff):
    from operations.surveys.services import protocol as protocols

    building = BuildingFactory(estate=estate, code="A")
    people = [owner(unit(building, str(n), "0.05")) for n in range(1, 21)]
    res = resolution([building], SHARES, allow_changes=True, staff=staff)
    for hours, person in enumerate(people[:3], start=1):
        cast(res, person, "for", hours)
    few_tally = _queries(lambda: selectors.tally(Resolution.objects.get(pk=res.pk)))
    few_chain = _queries(lambda: selectors.chain_breaks(Resolution.objects.get(pk=res.pk)))
    few_protocol = _queries(lambda: protocols.protocol_sheets(protocols.protocol(res), for_csv=True))
    for hours, person in enumerate(people * 2, start=10):
        cast(res, person, "against" if hours % 3 else "for", hours)
    assert Vote.objects.filter(resolution=res).count() == 43
    assert _queries(lambda: selectors.tally(Resolution.objects.get(pk=res.pk))) == few_tally
    assert _queries(lambda: selectors.chain_breaks(Resolution.objects.get(pk=res.pk))) == few_chain
    assert _queries(lambda: protocols.protocol_sheets(protocols.protocol(res), for_csv=True)) == few_protocol
    assert selectors.chain_breaks(res) == []


# --- Refusals with the right reason ----------------------------------------------------------


def test_an_owner_voting_before_the_opening_is_told_it_has_not_opened(estate, staff):
    """Announced, opening tomorrow: the owner will vote, so "not entitled" would be wrong
    (and alarming); the error codes have NOT_OPEN for "voting has not started"."""
    building = BuildingFactory(estate=estate, code="A")
    anna = owner(unit(building, "1", "1"))
    res = resolution([building], SHARES, opens=T0 + timedelta(days=1), closes=CLOSES, open_now=False)
    res = services.resolution_schedule(resolution=res, by=staff, now=T0)
    assert res.state == Resolution.State.SCHEDULED
    refused(E.NOT_OPEN, services.vote_cast, resolution=res, person=anna, choice="for", now=T0 + timedelta(hours=1))


def test_votes_at_the_edges_of_the_window(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    anna, jan = owner(unit(building, "1", "0.5")), owner(unit(building, "2", "0.5"))
    res = resolution([building], SHARES, staff=staff)
    services.vote_cast(resolution=res, person=anna, choice="for", now=T0)  # the opening instant counts
    refused(E.CLOSED, services.vote_cast, resolution=res, person=jan, choice="for", now=CLOSES)
    refused(E.CHOICE_INVALID, services.vote_cast, resolution=res, person=jan, choice="FOR", now=at(1))
    refused(E.CHOICE_INVALID, services.vote_cast, resolution=res, person=jan, choice="", now=at(1))


def test_paper_ballot_checks(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    u1, u2 = unit(building, "1", "0.5"), unit(building, "2", "0.5")
    anna = owner(u1)
    res = resolution([building], SHARES, staff=staff)
    other = resolution([building], SHARES, staff=staff)
    seat = seat_of(res, u2)
    refused(E.FORBIDDEN, paper, res, seat, "for", signed=at(1), entered=at(2), by=anna)
    refused(E.SEAT_INVALID, paper, res, seat_of(other, u2), "for", signed=at(1), entered=at(2), by=staff)
    refused(E.DATE_INVALID, paper, res, seat, "for", signed=T0 - timedelta(seconds=1), entered=at(2), by=staff)
    refused(E.DATE_INVALID, paper, res, seat, "for", signed=at(3), entered=at(2), by=staff)  # in the future
    refused(E.CHOICE_INVALID, paper, res, seat, "maybe", signed=at(1), entered=at(2), by=staff)
    refused(E.VOTER_REQUIRED, paper, res, seat, "for", signed=at(1), entered=at(2), by=staff, name="   ")
    refused(
        E.BALLOT_REQUIRED,
        services.vote_record_paper,
        resolution=res,
        seat=seat,
        choice="for",
        voter_name="Jan Kowalski",
        ballot_scan=None,
        signed_at=at(1),
        by=staff,
        now=at(2),
    )
    assert not Vote.objects.filter(resolution=res).exists()
    vote = paper(res, seat, "for", signed=at(1), entered=at(2), by=staff, name="  Jan   Kowalski ")
    assert (vote.channel, vote.recorded_by, vote.cast_by, vote.cast_at, vote.voter_name) == (
        Vote.Channel.PAPER,
        staff,
        None,
        at(1),
        "Jan Kowalski",
    )
    assert vote.ballot_scan.name and vote.ballot_scan.name != "karta.pdf"


def test_a_secret_vote_protocol_gives_counts_only(estate, staff):
    from operations.surveys.services import protocol as protocols

    building = BuildingFactory(estate=estate, code="A")
    people = [owner(unit(building, str(n), "0.25"), first_name="Imię", last_name=f"Tajemniczy{n}") for n in range(1, 5)]
    res = resolution([building], SHARES, staff=staff, open_now=False)
    res.secret = True
    res.save()
    res = services.resolution_schedule(resolution=res, by=staff, now=T0)
    for hours, (person, choice) in enumerate(zip(people, ["for", "for", "against", "for"], strict=True), start=1):
        cast(res, person, choice, hours)
    services.resolution_close(resolution=res, now=CLOSES)
    made = protocols.protocol(res)
    assert made.votes == []
    assert sorted((c.seats, c.weight) for c in made.counts if c.seats) == [(1, d("0.250000")), (3, d("0.750000"))]
    sheets = protocols.protocol_sheets(made, for_csv=True)
    assert len(sheets) == 3  # the facts, the electorate, the counts: no sheet of votes
    facts, _electorate, counts = sheets
    assert sorted(row[1:] for row in counts[2] if row[1]) == [[1, "0,250000"], [3, "0,750000"]]
    told = " ".join(str(cell) for sheet in (facts, counts) for row in sheet[2] for cell in row)
    for person in people:
        assert person.last_name not in told  # the electorate may name them; nothing says how they voted


def test_the_electorate_is_fixed_at_the_opening_not_at_the_announcement(community, staff):
    """Announced a day before it opens: a request verified and a sale made in between
    count, because the electorate is the one standing when voting opens."""
    c = community
    res = resolution([c.a, c.b], SHARES, opens=T0 + timedelta(days=1), open_now=False)
    res = services.resolution_schedule(resolution=res, by=staff, now=T0)
    assert res.state == Resolution.State.SCHEDULED and not res.seats.exists()
    residents.membership_verify(membership=Membership.objects.get(user=c.zofia, unit=c.a5), decided_by=staff)
    residents.membership_end(membership=Membership.objects.get(user=c.dorota, unit=c.b5), ended_by=staff)
    assert services.resolutions_advance(now=T0 + timedelta(days=1)) == {"opened": 1, "closed": 0}
    res.refresh_from_db()
    assert res.state == Resolution.State.OPEN
    assert set(seat_of(res, c.a5).holders.all()) == {c.zofia}
    assert not seat_of(res, c.b5).holders.exists()  # still a seat: B/5's share counts, on paper
    assert res.total_weight == d("1.000000")
    refused(E.NOT_ENTITLED, cast, res, c.dorota, "for", 25)
    assert [v.weight for v in cast(res, c.zofia, "for", 25)] == [d("0.077777")]
    assert services.resolutions_advance(now=T0 + timedelta(days=1, minutes=5)) == {"opened": 0, "closed": 0}
    assert res.seats.count() == 12


def test_closing_with_no_votes_is_not_adopted(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    owner(unit(building, "1", "1"))
    res = resolution([building], SHARES, staff=staff)
    closed = services.resolution_close(resolution=res, now=CLOSES)
    assert closed.result == Resolution.Result.NOT_ADOPTED
    assert (closed.weight_for, closed.weight_against, closed.weight_abstained) == (0, 0, 0)
    assert closed.threshold_crossed_at is None
    assert closed.challenge_until == date(2026, 4, 27)  # 16 March (Monday) + six weeks


def test_spouses_holding_a_flat_jointly_are_two_members(estate, staff):
    """Art. 3 of the Act on Housing Cooperatives: where a cooperative right to a flat is
    held by several people only one of them is a member, unless it is held jointly by
    spouses, who are then both members; art. 36 § 1 of the Cooperative Law gives each
    member one vote. The hub cannot tell spouses from other co-holders of one member
    number, so staff say so on the unit (`held_by_spouses`): M-77's flat then gives Jan
    and Kasia a vote each, M-78 one: three members, two votes for."""
    building = BuildingFactory(estate=estate, code="A")
    flat = unit(building, "1", "0.5", member_number="M-77", held_by_spouses=True)
    jan, kasia = owner(flat), owner(flat)
    owner(unit(building, "2", "0.5", member_number="M-78"))
    res = resolution([building], MEMBERS, staff=staff)
    assert res.total_weight == 3
    cast(res, jan, "for", 1)
    cast(res, kasia, "for", 2)
    assert selectors.tally(res).weight_for == 2


def test_who_sees_a_resolution_and_its_tally(community, staff):
    from operations.surveys import policy

    c = community
    res = resolution([c.a, c.b], SHARES, staff=staff)
    attorney = UserFactory()
    services.seat_proxy_set(seat=seat_of(res, c.a4), proxy=attorney, by=staff)
    outsider = UserFactory()
    for person in (c.anna, c.katarzyna, c.piotr, attorney):
        assert policy.may_view_resolution(person, res), person
        assert not policy.may_see_tally(person, res), person  # not while voting
    for person in (c.tomasz, c.zofia, outsider):
        assert not policy.may_view_resolution(person, res), person
    assert policy.may_see_tally(staff, res)
    services.resolution_close(resolution=res, now=CLOSES)
    res.refresh_from_db()
    assert policy.may_see_tally(c.anna, res) and policy.may_see_tally(attorney, res)
    assert not policy.may_see_tally(c.tomasz, res)
