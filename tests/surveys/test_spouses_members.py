"""Spouses holding a flat jointly are two members (issue 15).

Art. 3 of the Act on Housing Cooperatives: where a cooperative right to a flat is held by
several people, only one of them is a member, unless it is held jointly by spouses, who
are then both members; art. 36 § 1 of the Cooperative Law: each member has one vote. The
hub cannot tell spouses from other co-holders, so staff mark the unit
(`Unit.held_by_spouses`). A resolution counted one vote per member (MEMBERS) then gives
each spouse registered as an owner a seat of their own, named after them; other
co-holders share the member's seat; the flag changes nothing when counting by shares or
one vote per owner. Every expected number below was counted by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone, translation
from strawberry import relay

from cms.core.exceptions import ServiceError
from operations.residents import services as residents
from operations.residents.models import Membership, Unit
from operations.surveys import selectors, services
from operations.surveys.errors import ResolutionErrorCode as E
from operations.surveys.models import CountingRule, Resolution, Seat
from operations.surveys.services import protocol as protocols
from tests.factories.residents import BuildingFactory, MembershipFactory, SuperUserFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CLOSES = T0 + timedelta(days=14)

SHARES = "wspolnota-udzialy"
OWNERS = "wspolnota-jeden-glos"
MEMBERS = "spoldzielnia-czlonek"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def staff(db):
    return SuperUserFactory(username="zarzad-malzonkowie", first_name="Zofia", last_name="Zarządca")


def owner(unit, *, role=Membership.Role.OWNER, user=None, **names):
    user = user or UserFactory(**names)
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return user


def flat(building, number, member_number, *, share="0.1", spouses=False):
    return UnitFactory(
        building=building, number=number, share=Decimal(share), member_number=member_number, held_by_spouses=spouses
    )


_numbers = iter(range(1, 10_000))


def resolution(buildings, code, *, staff, opens=T0, closes=CLOSES, open_now=True) -> Resolution:
    made = Resolution.objects.create(
        number=f"M-{next(_numbers)}/2026",
        title="Zmiana statutu",
        text="Członkowie spółdzielni wyrażają zgodę na zmianę statutu.",
        rule=CountingRule.objects.filter(code=code).order_by("-version").first(),
        opens_at=opens,
        closes_at=closes,
    )
    made.buildings.set(buildings)
    if open_now:
        made = services.resolution_schedule(resolution=made, by=staff, now=opens)
        assert made.state == Resolution.State.OPEN
    return made


def draft(buildings, code, *, staff) -> Resolution:
    return resolution(buildings, code, staff=staff, open_now=False)


def cast(res, person, choice, hours):
    return services.vote_cast(resolution=res, person=person, choice=choice, now=at(hours))


def refused(code, call, *args, **kwargs):
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)


def seats_by_label(res) -> dict[str, Seat]:
    return {seat.label: seat for seat in res.seats.prefetch_related("holders", "units")}


def set_spouses(unit: Unit, value: bool) -> Unit:
    """Staff change the flag through the service, as the admin's form does."""
    return residents.unit_update(
        unit=unit,
        building=unit.building,
        number=unit.number,
        floor=unit.floor,
        area=unit.area,
        share=unit.share,
        kind=unit.kind,
        land_register_number=unit.land_register_number,
        member_number=unit.member_number,
        held_by_spouses=value,
        access_code=unit.access_code,
    )


def specs(res) -> list[tuple]:
    return [(s.key, s.label, s.weight, sorted(s.unit_ids), sorted(s.holder_ids)) for s in selectors.electorate_now(res)]


# --- Who holds a seat -------------------------------------------------------------------------


def test_without_the_flag_two_co_owners_of_a_flat_share_one_members_seat(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "M-20")
    piotr = owner(home, first_name="Piotr", last_name="Wójcik")
    pawel = owner(home, first_name="Paweł", last_name="Wójcik")
    res = resolution([building], MEMBERS, staff=staff)
    assert res.total_weight == 1
    (seat,) = res.seats.all()
    assert (seat.key, seat.label) == ("member:M-20", "A/1")
    assert set(seat.holders.all()) == {piotr, pawel}
    cast(res, piotr, "for", 1)
    refused(E.ALREADY_VOTED, cast, res, pawel, "against", 2)  # one member between them
    assert selectors.tally(res).weight_for == 1


def test_spouses_each_hold_a_seat_named_after_them(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "M-21", spouses=True)
    jan = owner(home, first_name="Jan", last_name="Kowalski")
    kasia = owner(home, first_name="Katarzyna", last_name="Kowalska")
    res = resolution([building], MEMBERS, staff=staff)
    seats = seats_by_label(res)
    assert set(seats) == {"A/1 (Jan Kowalski)", "A/1 (Katarzyna Kowalska)"}
    assert seats["A/1 (Jan Kowalski)"].key == f"member:M-21:{jan.pk}"
    assert list(seats["A/1 (Jan Kowalski)"].holders.all()) == [jan]
    assert list(seats["A/1 (Katarzyna Kowalska)"].holders.all()) == [kasia]
    assert all(list(seat.units.all()) == [home] and seat.weight == 1 for seat in seats.values())
    assert [s.label for s in selectors.seats_of(jan, res)] == ["A/1 (Jan Kowalski)"]
    assert [s.label for s in selectors.seats_of(kasia, res)] == ["A/1 (Katarzyna Kowalska)"]


def test_a_spouse_without_a_name_is_named_by_the_user_name(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "M-22", spouses=True)
    owner(home, username="malzonka-22", first_name="", last_name="")
    owner(home, first_name="Adam", last_name="Mazur")
    res = resolution([building], MEMBERS, staff=staff)
    assert set(seats_by_label(res)) == {"A/1 (malzonka-22)", "A/1 (Adam Mazur)"}


def test_with_the_flag_and_one_registered_owner_one_seat(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "M-23", spouses=True)
    marek = owner(home, first_name="Marek", last_name="Zieliński")
    MembershipFactory(user=UserFactory(), unit=home, role=Membership.Role.OWNER)  # pending: no seat
    owner(home, role=Membership.Role.TENANT)  # a tenant never
    res = resolution([building], MEMBERS, staff=staff)
    assert res.total_weight == 1
    (seat,) = res.seats.all()
    assert (seat.key, seat.label) == (f"member:M-23:{marek.pk}", "A/1 (Marek Zieliński)")
    assert list(seat.holders.all()) == [marek]


def test_with_the_flag_and_nobody_in_the_hub_one_seat_on_paper(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    flat(building, "1", "M-24", spouses=True)
    res = resolution([building], MEMBERS, staff=staff)
    (seat,) = res.seats.all()
    assert (seat.key, seat.label, seat.weight) == ("member:M-24", "A/1", 1)
    assert not seat.holders.exists()


def test_the_flag_without_a_member_number_gives_no_seat(estate, staff):
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "", spouses=True)
    owner(home)
    owner(home)
    member = owner(flat(building, "2", "M-25"))
    res = resolution([building], MEMBERS, staff=staff)
    assert [(s.label, list(s.holders.all())) for s in res.seats.all()] == [("A/2", [member])]


def test_spouses_holding_two_units_under_one_member_number_are_still_two_members(estate, staff):
    """A flat and a garage under M-26, the flag on the flat: two members, each seat both units."""
    building = BuildingFactory(estate=estate, code="A")
    home = flat(building, "1", "M-26", spouses=True)
    garage = flat(building, "G1", "M-26")
    jan = owner(home, first_name="Jan", last_name="Nowak")
    ewa = owner(home, first_name="Ewa", last_name="Nowak")
    owner(garage, user=jan)
    owner(garage, user=ewa)
    res = resolution([building], MEMBERS, staff=staff)
    seats = seats_by_label(res)
    assert set(seats) == {"A/1, A/G1 (Jan Nowak)", "A/1, A/G1 (Ewa Nowak)"}
    assert all(set(seat.units.all()) == {home, garage} for seat in seats.values())
    assert res.total_weight == 2


# --- The tally -----------------------------------------------------------------------------


class Cooperative:
    """Building A, members by member number:
    - M-10 A/1, held by spouses Jan Kowalski and Katarzyna Kowalska: two members;
    - M-11 A/2, Piotr and Paweł Wójcik, brothers: one member;
    - M-12 A/3 and A/4, Anna Nowak: one member, two flats;
    - M-13 A/5, held by spouses, neither in the hub: one seat, on paper;
    - M-14 A/6, held by spouses, only Marek Zieliński registered: one seat;
    - M-15 A/7, Ewa Dąbrowska, with a tenant Tomasz;
    - A/8 without a member number, held by spouses: not members, no seat.
    Seats: 2 + 1 + 1 + 1 + 1 + 1 = 7."""

    def __init__(self, estate):
        self.a = a = BuildingFactory(estate=estate, code="A")
        self.u1 = flat(a, "1", "M-10", spouses=True)
        self.u2 = flat(a, "2", "M-11")
        self.u3, self.u4 = flat(a, "3", "M-12"), flat(a, "4", "M-12")
        self.u5 = flat(a, "5", "M-13", spouses=True)
        self.u6 = flat(a, "6", "M-14", spouses=True)
        self.u7 = flat(a, "7", "M-15")
        self.u8 = flat(a, "8", "", spouses=True)
        self.jan = owner(self.u1, first_name="Jan", last_name="Kowalski")
        self.kasia = owner(self.u1, first_name="Katarzyna", last_name="Kowalska")
        self.piotr = owner(self.u2, first_name="Piotr", last_name="Wójcik")
        self.pawel = owner(self.u2, first_name="Paweł", last_name="Wójcik")
        self.anna = owner(self.u3, first_name="Anna", last_name="Nowak")
        owner(self.u4, user=self.anna)
        self.marek = owner(self.u6, first_name="Marek", last_name="Zieliński")
        self.ewa = owner(self.u7, first_name="Ewa", last_name="Dąbrowska")
        self.tomasz = owner(self.u7, role=Membership.Role.TENANT, first_name="Tomasz", last_name="Lewandowski")
        self.outsider = owner(self.u8, first_name="Olga", last_name="Obca")


def test_one_vote_per_member_with_spouses_matches_a_hand_count(estate, staff):
    c = Cooperative(estate)
    res = resolution([c.a], MEMBERS, staff=staff)
    assert res.total_weight == 7 and res.seats.count() == 7
    assert sorted(seats_by_label(res)) == [
        "A/1 (Jan Kowalski)",
        "A/1 (Katarzyna Kowalska)",
        "A/2",
        "A/3, A/4",
        "A/5",
        "A/6 (Marek Zieliński)",
        "A/7",
    ]
    refused(E.NOT_ENTITLED, cast, res, c.outsider, "for", 0.5)  # not a member
    refused(E.NOT_ENTITLED, cast, res, c.tomasz, "for", 0.5)  # a tenant
    assert [v.weight for v in cast(res, c.jan, "for", 1)] == [1]  # 1 : 0
    assert [v.weight for v in cast(res, c.kasia, "against", 2)] == [1]  # spouses disagree: 1 : 1
    cast(res, c.piotr, "for", 3)  # 2 : 1, the majority from here on
    refused(E.ALREADY_VOTED, cast, res, c.pawel, "against", 3.5)  # brothers are one member
    assert len(cast(res, c.anna, "for", 4)) == 1  # two flats, one member: 3 : 1
    services.vote_record_paper(
        resolution=res,
        seat=res.seats.get(key="member:M-13"),
        choice="against",
        voter_name="Helena Kowalczyk",
        ballot_scan=ContentFile(b"%PDF-1.4 karta", name="karta.pdf"),
        signed_at=at(4.5),
        by=staff,
        now=at(5),
    )  # 3 : 2
    cast(res, c.marek, "abstain", 6)

    counted = selectors.tally(res)
    assert (counted.weight_for, counted.weight_against, counted.weight_abstained) == (3, 2, 1)
    assert (counted.seats_for, counted.seats_against, counted.seats_abstained) == (3, 2, 1)
    assert counted.seats == 7 and counted.total_weight == 7
    assert counted.adopted is True  # more for than against among the votes cast
    assert counted.threshold_crossed_at == at(3)

    closed = services.resolution_close(resolution=res, now=CLOSES)
    assert closed.result == Resolution.Result.ADOPTED
    assert (closed.weight_for, closed.weight_against, closed.weight_abstained) == (3, 2, 1)
    assert selectors.chain_breaks(closed) == [] and selectors.electorate_intact(closed)


def test_the_same_votes_without_the_flag_count_the_spouses_once(estate, staff):
    """Without the flag M-10 is one member: Jan's vote counts, Katarzyna's is refused; the
    rest as above: 3 for, 1 against (the paper ballot), 1 abstention, of 6 seats."""
    c = Cooperative(estate)
    set_spouses(c.u1, False)
    res = resolution([c.a], MEMBERS, staff=staff)
    assert res.total_weight == 6
    cast(res, c.jan, "for", 1)
    refused(E.ALREADY_VOTED, cast, res, c.kasia, "against", 2)
    cast(res, c.piotr, "for", 3)
    cast(res, c.anna, "for", 4)
    cast(res, c.marek, "abstain", 6)
    counted = selectors.tally(res)
    assert (counted.weight_for, counted.weight_against, counted.weight_abstained) == (3, 0, 1)


# --- The other methods ----------------------------------------------------------------------


@pytest.mark.parametrize("code", [SHARES, OWNERS])
def test_the_flag_does_not_change_shares_or_owners_electorates(estate, staff, code):
    c = Cooperative(estate)
    res = draft([c.a], code, staff=staff)
    flagged = specs(res)
    for unit in (c.u1, c.u5, c.u6, c.u8):
        set_spouses(unit, False)
    assert specs(res) == flagged
    # Jan and Katarzyna are one seat between them under both methods.
    (seat,) = [spec for spec in selectors.electorate_now(res) if c.u1.pk in spec.unit_ids]
    assert (seat.label, sorted(seat.holder_ids)) == ("A/1", sorted([c.jan.pk, c.kasia.pk]))
    opened = services.resolution_schedule(resolution=res, by=staff, now=T0)
    cast(opened, c.jan, "for", 1)
    refused(E.ALREADY_VOTED, cast, opened, c.kasia, "against", 2)


def test_shares_and_owners_weights_with_a_flagged_flat(estate, staff):
    """By shares: 8 units of 0.1 = 0.8, A/1 one seat of 0.1. One vote per owner: Jan and
    Katarzyna one owner, the brothers one, Anna one (two flats), A/5 unknown, Marek, Ewa,
    Olga (A/8): 7."""
    c = Cooperative(estate)
    by_shares = resolution([c.a], SHARES, staff=staff)
    by_owners = resolution([c.a], OWNERS, staff=staff)
    assert by_shares.total_weight == Decimal("0.8") and by_shares.seats.count() == 8
    assert by_owners.total_weight == 7
    for res, weight in ((by_shares, Decimal("0.1")), (by_owners, 1)):
        (seat,) = res.seats.filter(holders=c.kasia)
        assert seat.label == "A/1" and seat.weight == weight
        assert set(seat.holders.all()) == {c.jan, c.kasia}


# --- The electorate once fixed ---------------------------------------------------------------


def test_changing_the_flag_after_opening_changes_nothing_fixed(estate, staff):
    c = Cooperative(estate)
    res = resolution([c.a], MEMBERS, staff=staff)
    fixed = res.electorate_hash
    assert fixed == selectors.electorate_hash(res) and selectors.electorate_intact(res)
    set_spouses(c.u1, False)
    set_spouses(c.u2, True)
    res.refresh_from_db()
    assert res.seats.count() == 7 and res.total_weight == 7
    assert selectors.electorate_hash(res) == fixed and selectors.electorate_intact(res)
    cast(res, c.kasia, "for", 1)  # still her own seat
    cast(res, c.piotr, "for", 2)
    refused(E.ALREADY_VOTED, cast, res, c.pawel, "for", 3)  # still the brothers' one seat


def test_a_spouses_seat_edited_afterwards_breaks_the_electorate_hash(estate, staff):
    c = Cooperative(estate)
    res = resolution([c.a], MEMBERS, staff=staff)
    seat = res.seats.get(key=f"member:M-10:{c.kasia.pk}")
    seat.holders.add(c.jan)  # Jan would cast his wife's vote too
    assert not selectors.electorate_intact(res)


# --- Where the seats are read: protocol, admin, portal ------------------------------------------


def test_the_protocol_and_the_admin_tell_the_spouses_apart(estate, staff):
    c = Cooperative(estate)
    res = resolution(
        [c.a],
        MEMBERS,
        staff=staff,
        opens=timezone.now() - timedelta(minutes=5),
        closes=timezone.now() + timedelta(days=7),
    )
    services.vote_cast(resolution=res, person=c.jan, choice="for")
    services.vote_cast(resolution=res, person=c.kasia, choice="against")
    with translation.override("en"):
        made = protocols.protocol(res)
        sheets = protocols.protocol_sheets(made, for_csv=True)
    seats = {s.label: s.holders for s in made.seats}
    assert seats["A/1 (Jan Kowalski)"] == "Jan Kowalski"
    assert seats["A/1 (Katarzyna Kowalska)"] == "Katarzyna Kowalska"
    assert seats["A/2"] == "Paweł Wójcik, Piotr Wójcik"
    assert [(v.seat, v.choice) for v in made.votes] == [
        ("A/1 (Jan Kowalski)", "for"),
        ("A/1 (Katarzyna Kowalska)", "against"),
    ]
    electorate = dict((title, rows) for title, _header, rows in sheets)["Electorate"]
    assert ["A/1 (Katarzyna Kowalska)", "1", "Katarzyna Kowalska", ""] == [str(v) for v in electorate[1]]
    assert protocols.protocol_pdf(res)[:4] == b"%PDF"

    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/resolutions/inspect/{res.pk}/").content.decode()
    assert "A/1 (Jan Kowalski)" in page and "A/1 (Katarzyna Kowalska)" in page


def test_the_portal_shows_each_spouse_their_own_seat(estate, staff, gql):
    c = Cooperative(estate)
    now = timezone.now()
    res = resolution([c.a], MEMBERS, staff=staff, opens=now - timedelta(minutes=5), closes=now + timedelta(days=7))
    query = """query($id: ID!) { resolution(id: $id) { canVote mySeats { label weight voted byMe } } }"""
    variables = {"id": str(relay.GlobalID("Resolution", str(res.pk)))}
    services.vote_cast(resolution=res, person=c.jan, choice="for")
    mine = gql.login(c.kasia).data(query, variables)["resolution"]
    assert mine["canVote"] is True
    assert mine["mySeats"] == [
        {"label": "A/1 (Katarzyna Kowalska)", "weight": "1.000000", "voted": False, "byMe": False}
    ]
    his = gql.login(c.jan).data(query, variables)["resolution"]
    assert his["canVote"] is False
    assert his["mySeats"] == [{"label": "A/1 (Jan Kowalski)", "weight": "1.000000", "voted": True, "byMe": True}]


# --- Staff set the flag ----------------------------------------------------------------------


def test_staff_mark_a_unit_as_held_by_spouses_in_the_admin(admin_client, building_a):
    unit = UnitFactory(building=building_a, number="9", member_number="M-90")
    assert unit.held_by_spouses is False
    form = admin_client.get(f"/admin/unit/edit/{unit.pk}/").content.decode()
    assert 'name="held_by_spouses"' in form
    data = {
        "building": building_a.pk,
        "number": "9",
        "kind": "residential",
        "floor": "1",
        "area": "48.50",
        "share": "0.012345",
        "land_register_number": unit.land_register_number,
        "member_number": "M-90",
        "held_by_spouses": "on",
        "access_code": unit.access_code,
    }
    response = admin_client.post(f"/admin/unit/edit/{unit.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    unit.refresh_from_db()
    assert unit.held_by_spouses is True and unit.member_number == "M-90"
    del data["held_by_spouses"]  # an unticked box is not sent
    assert admin_client.post(f"/admin/unit/edit/{unit.pk}/", data).status_code == 302
    unit.refresh_from_db()
    assert unit.held_by_spouses is False


def test_the_unit_services_take_the_flag(building_a):
    unit = residents.unit_create(
        building=building_a,
        number="10",
        floor=2,
        area=Decimal("60.00"),
        share=Decimal("0.02"),
        member_number="M-91",
        held_by_spouses=True,
    )
    assert Unit.objects.get(pk=unit.pk).held_by_spouses is True
    assert (
        residents.unit_create(
            building=building_a, number="11", floor=2, area=Decimal("60.00"), share=Decimal("0.02")
        ).held_by_spouses
        is False
    )
    set_spouses(unit, False)
    assert Unit.objects.get(pk=unit.pk).held_by_spouses is False
