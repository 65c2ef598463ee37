"""Independent security review of the situation centre, the Wagtail admin's first page
(issue 13: 42b0d84, 755ecb1, 2810be7): who sees which panel, where its links lead, what
it reveals, and the page list it adds (`/admin/editorial-pages/`). Everything goes
through real requests to /admin/ and the lists its numbers link to.

The second file, `test_dashboard_review_lists.py`, holds the rest of the review: escaping,
the lists' filters with odd values, every number against its list, query counts and
time zones.

Findings proven here (see the final report of the review for the reasoning):

- held: each panel is shown to exactly the roles meant; residents, a contractor's
  worker, staff without a role and a disabled administrator reach no panel (the admin
  sends them to its sign-in page); every link a role is shown opens (200) for that role,
  and every list the panels link to refuses the roles its permissions leave out (Wagtail's
  redirect or a 403, never a 500); no panel names a resident, their e-mail or their unit;
- held: the editors' list shows only pages the viewer may *edit* (an editor limited to
  one subtree sees nothing of another: searching, filtering, ordering and `?export=csv`
  included), and
  refuses those who may edit no page with a redirect, not a 500;
- accepted (info): the outage alerts panel shows every member of staff the title,
  buildings and audience of alerts restricted to groups they are not in. Each role that
  reaches the admin already reads more than that (editors edit every page, the other
  roles read every resident's membership), and staff answer residents' calls about
  outages; `test_restricted_alerts_are_listed_for_staff_by_decision` pins the decision.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from wagtail.models import GroupPagePermission

from cms.news.models import NewsPage
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.tickets.models import Ticket
from tests.factories import content as f
from tests.factories import tickets as tf
from tests.factories.broadcasts import make_broadcast
from tests.factories.residents import MembershipFactory, SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PANELS = {
    "tickets",
    "tickets-month",
    "verification",
    "adoption",
    "broadcasts",
    "outage-alerts",
    "editorial",
    "billing",
    "surveys",
}
EVERY_STAFF = {"adoption", "outage-alerts"}
EXPECTED = {
    "editor": EVERY_STAFF | {"broadcasts", "editorial"},
    "dispatcher": EVERY_STAFF | {"tickets", "tickets-month", "broadcasts"},
    "administrator": EVERY_STAFF | {"tickets", "tickets-month", "broadcasts", "verification", "surveys"},
    "accountant": EVERY_STAFF | {"billing"},
    "board": EVERY_STAFF | {"tickets", "tickets-month", "billing", "surveys"},
    "superuser": PANELS,
}
NO_ADMIN = ["resident", "contractor", "django_staff", "disabled_administrator", "disabled_superuser"]
_serial = itertools.count(1)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def home(client) -> BeautifulSoup:
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def panels(page: BeautifulSoup) -> dict[str, object]:
    found = {}
    for section in page.select("section.hub-dashboard"):
        found[section["aria-labelledby"].removeprefix("hub-dashboard-")] = section
    return found


def viewer(name: str, cast):
    """A person of the kind `name`, signed in through the test client."""
    if name in {"dispatcher", "administrator", "board"}:
        return tf.fresh(getattr(cast, name))
    if name in {"editor", "accountant"}:
        return tf.staff(name, username=f"{name}{next(_serial)}")
    if name == "superuser":
        return SuperUserFactory()
    if name == "resident":
        return tf.fresh(cast.reporter)
    if name == "contractor":
        return tf.fresh(cast.firm_worker)
    if name == "django_staff":
        return UserFactory(is_staff=True)
    if name == "disabled_administrator":
        user = tf.staff("administrator", username=f"byly{next(_serial)}")
    else:
        user = SuperUserFactory()
    user.is_active = False
    user.save(update_fields=["is_active"])
    return tf.fresh(user)


def failed_broadcast() -> Broadcast:
    made = make_broadcast(
        title=f"Rozsyłka {next(_serial)}",
        status=Broadcast.Status.SENT,
        queued_at=timezone.now(),
        finished_at=timezone.now() - timedelta(days=1),
    )
    person = UserFactory(first_name="Halina", last_name="Adresatka")
    message = Message.objects.create(
        recipient=person, kind=made.kind, broadcast=made, dedupe_key=f"broadcast:{made.pk}", subject="x", body_text="x"
    )
    Delivery.objects.create(
        message=message, broadcast=made, channel="email", address=person.email, state=Delivery.State.FAILED
    )
    return made


@pytest.fixture
def world(cast, site_tree):
    """Something behind every panel and link: a cluster of tickets reported by Anna Nowak
    this week (one done and rated), a pending request of Iwona Wnioskująca, a failed
    broadcast, an outage alert restricted to building A's audience, a draft and a page
    scheduled to go live."""
    first = tf.report(cast.reporter, category=cast.category)
    second = tf.report(cast.reporter, category=cast.category)
    Ticket.objects.filter(pk=second.pk).update(
        status=Ticket.Status.CLOSED, done_at=timezone.now(), closed_at=timezone.now(), rating=4
    )
    applicant = UserFactory(first_name="Iwona", last_name="Wnioskująca", username="iwona.wniosek")
    MembershipFactory(user=applicant, unit=cast.other_unit)
    failed_broadcast()
    alert = f.make_alert(site_tree.news, title="Brak wody w A", buildings=[cast.building])
    f.restrict_page(alert, groups=[residents.audience_group(building=cast.building)])
    draft = f.draft(site_tree.news, NewsPage(title="Szkic ogłoszenia", slug=f"szkic-{next(_serial)}"))
    scheduled = f.schedule(
        site_tree.news,
        NewsPage(title="Ogłoszenie na jutro", slug=f"jutro-{next(_serial)}"),
        timezone.now() + timedelta(days=1),
    )
    return {"tickets": [first, second], "applicant": applicant, "alert": alert, "draft": draft, "scheduled": scheduled}


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_sees_exactly_its_panels(cast, world, name):
    assert set(panels(home(login(viewer(name, cast))))) == EXPECTED[name]


@pytest.mark.parametrize("name", NO_ADMIN)
def test_those_without_admin_access_reach_no_panel_and_no_list(cast, world, name):
    client = login(viewer(name, cast))
    for url in [
        "/admin/",
        "/admin/tickets/?now=open",
        "/admin/ticket-statistics/",
        "/admin/unit/?resident_account=with",
        "/admin/broadcasts/?now=failed",
        "/admin/editorial-pages/?state=unpublished",
        "/admin/reports/workflow/?status=in_progress",
        "/admin/verification/?status=pending",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url
        assert b"hub-dashboard" not in response.content
        assert b"Brak wody" not in response.content


def _links(section) -> list[str]:
    return [a["href"] for a in section.find_all("a", href=True)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_link_a_role_is_shown_opens_for_that_role(cast, world, name):
    client = login(viewer(name, cast))
    shown = panels(home(client))
    links = sorted({href for section in shown.values() for href in _links(section)})
    assert links, "the world should give every role something to follow"
    for href in links:
        assert href.startswith("/admin/"), href
        response = client.get(href)
        assert response.status_code == 200, (name, href, response.status_code)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_panel_names_a_resident_their_address_or_unit(cast, world, name):
    client = login(viewer(name, cast))
    text = " ".join(section.get_text(" ") for section in panels(home(client)).values())
    people = [cast.reporter, world["applicant"], cast.stranger, cast.neighbour]
    for person in people:
        for value in (person.get_full_name(), person.email, person.username):
            assert value not in text, (name, value)
    assert "Halina" not in text and "Adresatka" not in text  # a broadcast's failed recipient
    # Units appear nowhere: the tables name buildings (code and street address) only.
    assert not re.search(r"\b(lokal|unit|m\.)\s*\d", text, re.IGNORECASE)
    assert cast.unit.access_code not in text and cast.unit.member_number not in text


# Every list a panel links to, and who may open it (by the role's permissions), whether or
# not their own panels link there: anyone else is refused with Wagtail's redirect or a 403.
LISTS = {
    "/admin/tickets/?now=open&rating=4": {"dispatcher", "administrator", "board", "superuser"},
    "/admin/ticket-statistics/?date_from=2026-01-01": {"dispatcher", "administrator", "board", "superuser"},
    "/admin/unit/?resident_account=without": {"dispatcher", "administrator", "accountant", "board", "superuser"},
    "/admin/broadcasts/?now=partly_failed": set(EXPECTED),
    "/admin/verification/?status=pending": {"dispatcher", "administrator", "accountant", "board", "superuser"},
    "/admin/editorial-pages/?state=scheduled": {"editor", "superuser"},
    "/admin/reports/workflow/?status=needs_changes": {"editor", "superuser"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_list_opens_for_those_allowed_and_refuses_the_rest(cast, world, name):
    client = login(viewer(name, cast))
    for url, allowed in LISTS.items():
        response = client.get(url)
        if name in allowed:
            assert response.status_code == 200, (name, url)
        else:
            assert response.status_code in (302, 403), (name, url, response.status_code)
            assert b"Anna" not in response.content and b"Szkic" not in response.content


def test_a_dispatcher_sees_no_edit_link_to_an_alert_an_editor_does(cast, world):
    def alert_links(client):
        section = panels(home(client))["outage-alerts"]
        return [href for href in _links(section) if "/pages/" in href]

    assert alert_links(login(viewer("dispatcher", cast))) == []
    assert alert_links(login(viewer("editor", cast))) == [f"/admin/pages/{world['alert'].pk}/edit/"]


def test_units_are_linked_only_for_those_who_may_read_units(cast, world):
    """An editor (no residents.view_unit) gets the adoption figures without links to the
    units list, which would refuse them."""
    client = login(viewer("editor", cast))
    assert not [href for href in _links(panels(home(client))["adoption"]) if "/unit/" in href]
    assert client.get("/admin/unit/?resident_account=with").status_code == 302


# --- The outage alerts of other audiences --------------------------------------------------------


def test_restricted_alerts_are_listed_for_staff_by_decision(cast, world, site_tree):
    """Accepted (info): an accountant is in none of building A's audiences and could not
    read the alert on the portal, yet the panel shows its title, its building and who it
    is for. That is what the panel is for (staff answer residents' calls about outages),
    and every role that reaches the admin reads more than this already. What must hold:
    its body is not shown, a password-protected alert shows no password, and it is a
    title and an audience, never a link the role cannot follow."""
    secret = f.make_alert(site_tree.news, title="Awaria gazu", body=[], buildings=[cast.building])
    f.restrict_page(secret, password="tajne-haslo-123")
    client = login(viewer("accountant", cast))
    section = panels(home(client))["outage-alerts"]
    text = section.get_text(" ")
    assert "Brak wody w A" in text and "Awaria gazu" in text
    assert str(cast.building) in text  # the buildings concerned
    assert residents.audience_group(building=cast.building).name in text  # who may read it
    assert "tajne-haslo-123" not in str(section)
    assert [href for href in _links(section) if "/pages/" in href] == []


def test_a_draft_or_expired_alert_is_not_listed(cast, world, site_tree):
    f.make_alert(site_tree.news, title="Szkic awarii", live=False)
    f.make_alert(site_tree.news, title="Dawna awaria", hours_from=-48, hours_until=-1)
    text = panels(home(login(viewer("accountant", cast))))["outage-alerts"].get_text(" ")
    assert "Szkic awarii" not in text and "Dawna awaria" not in text


# --- The editors' list: only pages one may edit -------------------------------------------------


@pytest.fixture
def news_only_editor(site_tree):
    """An editor who may edit the news section only (Wagtail page permissions on it)."""
    group = Group.objects.create(name="Redaktorzy aktualności")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=site_tree.news, permission=Permission.objects.get(codename=codename)
        )
    user = UserFactory(username="redaktor.aktualnosci")
    user.groups.add(group)
    return tf.fresh(user)


@pytest.fixture
def elsewhere(site_tree):
    """A draft and a scheduled page outside the news section (in the documents one)."""
    draft = f.draft(site_tree.documents, NewsPage(title="Poufny szkic zarządu", slug="poufny-szkic"))
    scheduled = f.schedule(
        site_tree.documents,
        NewsPage(title="Poufna zapowiedź zarządu", slug="poufna-zapowiedz"),
        timezone.now() + timedelta(days=2),
    )
    return {"draft": draft, "scheduled": scheduled}


def _listed(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {page.pk for page in response.context["object_list"]}


def _card_values(section) -> dict[str, int]:
    return {
        a["href"]: int(a.select_one(".hub-dashboard__value").get_text(strip=True))
        for a in section.select(".hub-dashboard__cards a")
    }


def test_an_editor_of_one_section_counts_and_lists_only_its_pages(cast, world, elsewhere, news_only_editor):
    client = login(news_only_editor)
    cards = _card_values(panels(home(client))["editorial"])
    unpublished, scheduled = "/admin/editorial-pages/?state=unpublished", "/admin/editorial-pages/?state=scheduled"
    assert _listed(client, unpublished) == {world["draft"].pk}
    assert _listed(client, scheduled) == {world["scheduled"].pk}
    assert cards[unpublished] == 1 and cards[scheduled] == 1
    # Whatever is added to the address, the other section's pages stay out.
    secret = {elsewhere["draft"].pk, elsewhere["scheduled"].pk}
    for query in [
        "",
        "?q=Poufn",
        "?q=Poufny+szkic&state=unpublished",
        "?q=Poufna&state=scheduled",
        "?state=unpublished&state=scheduled",
        "?ordering=title",
        "?ordering=-approved_go_live_at",
        "?ordering=owner__password",
        f"?id={elsewhere['draft'].pk}",
        f"?content_type={elsewhere['draft'].content_type_id}",
        "?search_all=1&q=Poufn",
        "?p=2",
        "?export=csv",
        "?export=csv&state=unpublished",
    ]:
        response = client.get(f"/admin/editorial-pages/{query}")
        assert response.status_code in (200, 404), query
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # (the search term itself is echoed in the search box: look for the whole titles)
        assert "Poufny szkic zarządu" not in body.decode(), query
        assert "Poufna zapowiedź zarządu" not in body.decode(), query
        if response.streaming:  # an export (no columns: the list offers no export button)
            continue
        if response.status_code == 200:
            assert not secret & {page.pk for page in response.context["object_list"]}, query
    results = client.get("/admin/editorial-pages/results/?q=Poufn")
    assert results.status_code == 200 and "Poufny szkic" not in results.content.decode()


def test_the_whole_sites_editor_sees_both_sections(cast, world, elsewhere):
    client = login(viewer("editor", cast))
    assert _listed(client, "/admin/editorial-pages/?state=unpublished") == {world["draft"].pk, elsewhere["draft"].pk}
    assert _listed(client, "/admin/editorial-pages/?q=Poufn") == {elsewhere["draft"].pk, elsewhere["scheduled"].pk}


@pytest.mark.parametrize("name", ["dispatcher", "accountant", "board", "administrator"])
def test_those_who_edit_no_page_are_refused_the_editors_list(cast, world, name):
    client = login(viewer(name, cast))
    for url in ["/admin/editorial-pages/?state=unpublished", "/admin/editorial-pages/results/?q=Szkic"]:
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        assert b"Szkic" not in response.content


@pytest.mark.parametrize(
    "state", ["", "bogus", "UNPUBLISHED", "scheduled%00", "__class__", "unpublished'--", "x" * 5000, "%F0%9F%92%A5"]
)
def test_an_odd_state_is_a_form_error_never_a_500(cast, world, state):
    client = login(viewer("editor", cast))
    response = client.get(f"/admin/editorial-pages/?state={state}")
    assert response.status_code == 200
    if state:
        assert response.context["filters"].errors
