"""The residents' panels of the situation centre, the admin's first page (issue 13): the
requests awaiting verification, and the portal's adoption by building. Who sees which,
that every linked number is the length of the list it opens, the adoption shares against
counts made by hand, and that the page costs the same queries however many buildings,
units and people there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from cms.core.admin.dashboard import percent
from operations.residents import selectors, services
from operations.residents.models import Membership, SignInAttempt
from operations.residents.roles import StaffRole
from tests.factories.admin import staff_client
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Channel = SignInAttempt.Channel
ROLES = [StaffRole.EDITOR, StaffRole.DISPATCHER, StaffRole.ADMINISTRATOR, StaffRole.BOARD, StaffRole.ACCOUNTANT]


# --- Reading the page ------------------------------------------------------------------------------


def _page(client):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _panel(page, name: str):
    return page.find("section", attrs={"aria-labelledby": f"hub-dashboard-{name}"})


def _cards(panel) -> dict[str, dict]:
    cards = {}
    for card in panel.select(".hub-dashboard__card"):
        link = card.find("a")
        note = card.select_one(".hub-dashboard__note")
        cards[card.select_one(".hub-dashboard__label").get_text(strip=True)] = {
            "value": int(card.select_one(".hub-dashboard__value").get_text(strip=True)),
            "url": link["href"] if link else "",
            "note": note.get_text(strip=True) if note else "",
            "urgent": "hub-dashboard__card--urgent" in card["class"],
        }
    return cards


def _table(panel) -> list[list[tuple[str, str]]]:
    """The adoption table's rows, each cell as (text, link)."""
    rows = []
    for tr in panel.select("tbody tr"):
        cells = []
        for cell in tr.find_all(["th", "td"]):
            link = cell.find("a")
            cells.append((" ".join(cell.get_text(" ", strip=True).split()), link["href"] if link else ""))
        rows.append(cells)
    return rows


def _listed(client, url: str) -> int:
    """How many rows the admin list at `url` holds (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["paginator"].count


# --- Who sees which panel ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_administrators_see_the_verification_queue_and_all_staff_the_adoption(role):
    page = _page(staff_client(role))
    assert (_panel(page, "verification") is not None) == (role == StaffRole.ADMINISTRATOR)
    assert _panel(page, "adoption") is not None


def test_residents_reach_no_panel():
    resident = UserFactory(username="mieszkaniec")
    MembershipFactory(user=resident, verified=True)
    client = Client()
    client.force_login(resident)
    assert client.get("/admin/").status_code in (302, 403)


# --- Requests awaiting verification --------------------------------------------------------------------


def test_the_queue_counts_pending_requests_and_opens_exactly_them():
    verifier = SuperUserFactory(username="weryfikator")
    old = MembershipFactory()
    Membership.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=9, hours=1))
    MembershipFactory()
    MembershipFactory(verified=True)
    services.membership_reject(membership=MembershipFactory(), decided_by=verifier, reason="Brak dowodu.")
    client = staff_client(StaffRole.ADMINISTRATOR)

    cards = _cards(_panel(_page(client), "verification"))

    assert list(cards) == ["wnioski czekają na weryfikację"]
    card = cards["wnioski czekają na weryfikację"]
    assert card["value"] == 2 == selectors.verification_queue().pending
    assert card["url"] == "/admin/verification/?status=pending"
    assert _listed(client, card["url"]) == 2
    oldest = timezone.localtime(timezone.now() - timedelta(days=9, hours=1)).strftime("%d.%m.%Y")
    assert card["note"] == f"Najstarszy czeka od {oldest} (9 dni)"
    assert card["urgent"]  # more than a week


@pytest.mark.parametrize(
    ("pending", "label"),
    [(0, "wniosków czeka na weryfikację"), (1, "wniosek czeka na weryfikację"), (5, "wniosków czeka na weryfikację")],
)
def test_the_queue_speaks_polish_grammar_and_calm_when_recent(pending, label):
    for _ in range(pending):
        MembershipFactory()
    card = _cards(_panel(_page(staff_client(StaffRole.ADMINISTRATOR)), "verification"))[label]
    assert card["value"] == pending
    assert not card["urgent"]
    assert card["note"] == ("" if not pending else f"Najstarszy czeka od {timezone.localdate():%d.%m.%Y} (0 dni)")


# --- Adoption ------------------------------------------------------------------------------------------


def _signed_in(user, channel, days_ago: float, outcome=SignInAttempt.Outcome.SUCCESS):
    SignInAttempt.objects.create(
        user=user,
        username=user.username,
        channel=channel,
        outcome=outcome,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def _used_app(user, days_ago: float):
    services.api_token_issue(user=user, client_name="Telefon")
    APIToken.objects.filter(user=user).update(last_used_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def estates():
    """Two estates: A (4 units) and B (2) on "Zielone Wzgórze", C (no units) on "Bursztynowe".

    Units covered (a verified membership of an active account): a1, a4, b1, b2 of the six.
    Residents (people with a live membership) and who of them is active in 30 days:
    - anna (a1): portal sign-in 5 days ago                       -> active
    - bogdan (a1, tenant): e-mail link 10 days ago               -> active
    - celina (a2): disabled account, portal sign-in 3 days ago   -> resident, not active; a2 not covered
    - damian (a4 and b1): the app used his token 2 days ago      -> active, in A and in B, once in total
    - ewa (b2): portal 40 days ago, admin yesterday, a failed portal sign-in today -> not active
    Not residents: filip (a3, ended) and grzegorz (a4, pending), both active in the portal.
    """
    near = EstateFactory(name="Zielone Wzgórze", slug="zielone")
    far = EstateFactory(name="Bursztynowe", slug="bursztynowe")
    a = BuildingFactory(estate=near, code="A", street="ul. Lipowa", number="1")
    b = BuildingFactory(estate=near, code="B", street="ul. Lipowa", number="3")
    c = BuildingFactory(estate=far, code="C", street="ul. Bursztynowa", number="7")
    a1, a2, a3, a4 = (UnitFactory(building=a, number=str(n)) for n in range(1, 5))
    b1, b2 = UnitFactory(building=b, number="1"), UnitFactory(building=b, number="2")
    people = {name: UserFactory(username=name) for name in ["anna", "bogdan", "celina", "damian", "ewa", "filip"]}
    people["grzegorz"] = UserFactory(username="grzegorz")

    def holds(name, unit, role=Membership.Role.OWNER, verified=True):
        return MembershipFactory(user=people[name], unit=unit, role=role, verified=verified)

    holds("anna", a1)
    holds("bogdan", a1, role=Membership.Role.TENANT)
    holds("celina", a2)
    holds("damian", a4)
    holds("damian", b1)
    holds("ewa", b2)
    ended = holds("filip", a3)
    services.membership_end(membership=ended, ended_by=SuperUserFactory(username="weryfikator"))
    holds("grzegorz", a4, role=Membership.Role.TENANT, verified=False)

    _signed_in(people["anna"], Channel.SESSION, 5)
    _signed_in(people["bogdan"], Channel.EMAIL_LINK, 10)
    _signed_in(people["celina"], Channel.SESSION, 3)
    people["celina"].is_active = False
    people["celina"].save(update_fields=["is_active"])
    _used_app(people["damian"], 2)
    _signed_in(people["ewa"], Channel.SESSION, 40)
    _signed_in(people["ewa"], Channel.ADMIN, 1)
    _signed_in(people["ewa"], Channel.SESSION, 0, outcome=SignInAttempt.Outcome.FAILURE)
    _signed_in(people["filip"], Channel.SESSION, 1)
    _signed_in(people["grzegorz"], Channel.TOKEN, 1)
    return {"a": a, "b": b, "c": c}


def _counts(adoption) -> tuple[int, int, int, int]:
    return (adoption.units, adoption.units_with_account, adoption.residents, adoption.active_residents)


def test_adoption_counts_units_with_an_account_and_active_residents(estates):
    report = selectors.adoption_by_building()

    by_code = {row.building.code: _counts(row) for row in report.buildings}
    assert by_code == {"A": (4, 2, 4, 3), "B": (2, 2, 2, 1), "C": (0, 0, 0, 0)}
    # Damian lives in A and in B: a resident of each, one person in the total.
    assert _counts(report.total) == (6, 4, 5, 3)
    assert [row.building.code for row in report.buildings] == ["C", "A", "B"]  # by estate, then code


def test_adoption_table_shows_shares_and_counts_in_polish(estates):
    client = staff_client(StaffRole.ADMINISTRATOR)
    panel = _panel(_page(client), "adoption")

    headings = [th.get_text(strip=True) for th in panel.select("thead th")]
    assert headings == ["Budynek", "Osiedle", "Lokale ze zweryfikowanym kontem mieszkańca", (
        "Mieszkańcy aktywni w ciągu ostatnich 30 dni"
    )]  # fmt: skip
    texts = [[text for text, _link in row] for row in _table(panel)]
    assert texts == [
        ["C – ul. Bursztynowa 7", "Bursztynowe", "brak lokali", "brak mieszkańców"],
        ["A – ul. Lipowa 1", "Zielone Wzgórze", "50% (2 z 4 lokali)", "75% (3 z 4 mieszkańców)"],
        ["B – ul. Lipowa 3", "Zielone Wzgórze", "100% (2 z 2 lokali)", "50% (1 z 2 mieszkańców)"],
        ["Razem", "", "67% (4 z 6 lokali)", "60% (3 z 5 mieszkańców)"],
    ]
    assert panel.select_one(".hub-scroll[role=region]") is not None  # scrolls on a phone


def test_every_unit_count_opens_the_list_of_exactly_those_units(estates):
    client = staff_client(StaffRole.ADMINISTRATOR)
    rows = _table(_panel(_page(client), "adoption"))
    expected = {"C": (0, None), "A": (4, 2), "B": (2, 2), "Razem": (6, 4)}
    for row in rows:
        (label, building_url), _estate, (_units, units_url), (_people, people_url) = row
        key = label.split(" ", 1)[0]
        units, with_account = expected[key]
        assert _listed(client, building_url) == units, label
        if with_account is None:
            assert units_url == ""  # a building without units has nothing to open
        else:
            assert "resident_account=with" in units_url
            assert _listed(client, units_url) == with_account, label
        assert people_url == ""  # the admin has no list of people that one count would match
    without = "/admin/unit/?resident_account=without"
    assert _listed(client, without) == 2  # a2 (a disabled account) and a3 (an ended membership)


def test_editors_see_adoption_without_links_to_units_they_may_not_read(estates):
    panel = _panel(_page(staff_client(StaffRole.EDITOR)), "adoption")
    assert panel.find("a") is None
    assert ["Razem", "", "67% (4 z 6 lokali)", "60% (3 z 5 mieszkańców)"] in [
        [text for text, _link in row] for row in _table(panel)
    ]


def test_no_buildings_yet():
    panel = _panel(_page(staff_client(StaffRole.BOARD)), "adoption")
    assert "Nie ma jeszcze budynków." in panel.get_text()


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(0, 0, "–"), (0, 5, "0%"), (5, 5, "100%"), (1, 3, "33%"), (2, 3, "67%"), (1, 8, "13%"), (1, 1000, "1%"),
     (999, 1000, "99%"), (1, 200, "1%"), (199, 200, "99%")],
)  # fmt: skip
def test_shares_round_half_up_and_never_hide_a_few(part, whole, shown):
    assert percent(part, whole) == shown


def test_singular_counts_speak_polish():
    estate = EstateFactory(name="Małe", slug="male")
    unit = UnitFactory(building=BuildingFactory(estate=estate, code="M", street="ul. Krótka", number="2"))
    MembershipFactory(unit=unit, verified=True)
    rows = _table(_panel(_page(staff_client(StaffRole.BOARD)), "adoption"))
    assert [text for text, _link in rows[0]][2:] == ["100% (1 z 1 lokalu)", "0% (0 z 1 mieszkańca)"]


# --- Queries -------------------------------------------------------------------------------------------


def _town(buildings: int, units: int, people: int) -> None:
    """`buildings` new buildings of `units` units each, and `people` residents in each
    building (some pending, some active in the portal or the app)."""
    estate = EstateFactory()
    for _ in range(buildings):
        building = BuildingFactory(estate=estate)
        made = [UnitFactory(building=building) for _ in range(units)]
        for n in range(people):
            person = UserFactory()
            MembershipFactory(user=person, unit=made[n % units], verified=n % 3 != 2)
            if n % 2:
                _signed_in(person, Channel.SESSION, 1)
            else:
                _used_app(person, 1)
        BuildingFactory(estate=estate)  # and one without units


def test_the_page_costs_the_same_queries_with_more_buildings_units_and_people():
    client = staff_client(StaffRole.ADMINISTRATOR)
    _town(buildings=1, units=1, people=1)
    _page(client)  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as few:
        _page(client)
    _town(buildings=4, units=3, people=5)
    with CaptureQueriesContext(connection) as many:
        _page(client)
    assert len(many) == len(few)
    ours = [q["sql"] for q in many.captured_queries if "residents_membership" in q["sql"]]
    # The queue (1) and adoption: units by building (1), people by building (1), in total (1).
    assert len(ours) == 4, ours
