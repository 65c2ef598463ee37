"""A restriction inherited through an alias among a page's ancestors (issue 9, item 6).

Wagtail 8.0 collects the restrictions of a page in `Page.get_view_restrictions`
(wagtail/models/pages.py, lines 1984-2010): those stored on the page and on each of its
ancestors, where each of those pages that is an alias is replaced by its source page
(`alias_of`, followed to the end of a chain). So a page published *under an alias* of a
restricted section carries the section's restriction, although its own path is outside
the section and it is not an alias itself. The API looked at a page's own path and its
`alias_of` only, and handed such a page to everyone: `page(urlPath:)`, the lists, rich
text links, and the readers of a news broadcast.

The page-type rules keep editors from building this tree in the admin today (a section
sits under the home page, once). The tests build it anyway, with Wagtail's own
`create_alias` and tree API, which apply no page-type rules: the leak is in the
visibility rule, and it opens the day the page types allow it.

Each viewer gets a test that asks Wagtail's own page serving and the API the same
question, for a news item, an investment and a contractor under aliases of restricted
sections: the API must answer as Wagtail does.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cms.contractors import services as contractor_services
from cms.contractors.models import ContractorIndexPage
from cms.investments.models import InvestmentIndexPage
from cms.news.models import NewsIndexPage
from operations.broadcasts import selectors as broadcasts
from operations.residents import services as residents
from operations.residents.models import Audience, Membership
from operations.residents.roles import StaffRole
from tests.factories import broadcasts as bf
from tests.factories import content as f
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

PAGE = "query($path: String!) { page(urlPath: $path) { title } }"
LISTS = """{
  news(first: 100) { edges { node { slug } } }
  investments(first: 100) { edges { node { slug } } }
  contractors(first: 100) { edges { node { slug } } }
}"""
LIST_OF_KIND = {"news": "news", "investment": "investments", "contractor": "contractors"}
LINKS = "query($path: String!) { page(urlPath: $path) { ... on NewsItem { body } } }"


@pytest.fixture
def world(site_tree):
    """For each kind of item: a section restricted to building A and the office, an alias
    of that section beside it under the home page, and an item published under the alias.
    Plus a public news item whose body links to the three items."""
    estate = EstateFactory(name="Osiedle", slug="osiedle")
    building_a = BuildingFactory(estate=estate, code="A", street="Lipowa", number="1")
    building_b = BuildingFactory(estate=estate, code="B", street="Lipowa", number="3")
    people = {"anonymous": None}
    for username, building in (("resident_a", building_a), ("resident_b", building_b)):
        people[username] = User.objects.create_user(username)
        unit = UnitFactory(building=building, number="1")
        MembershipFactory(user=people[username], unit=unit, role=Membership.Role.OWNER, verified=True)
    # Signed in, asked for a unit, not verified yet: in no audience.
    people["pending"] = User.objects.create_user("pending")
    MembershipFactory(
        user=people["pending"], unit=UnitFactory(building=building_a, number="2"), role=Membership.Role.OWNER
    )
    people["staff"] = User.objects.create_user("staff")
    residents.staff_role_assign(user=people["staff"], role=StaffRole.DISPATCHER)
    people["contractor"] = User.objects.create_user("contractor")
    firm = f.make_contractor(site_tree.contractors, title="Hydraulika Nowak")
    contractor_services.contractor_staff_add(user=people["contractor"], firm=firm)
    people["superuser"] = User.objects.create_superuser("root")
    audience = [residents.audience_group(building=building_a), residents.audience_group(role=Audience.Role.STAFF)]

    home = site_tree.home
    items, restrictions = {}, {}
    for kind, section_model, make in (
        ("news", NewsIndexPage, f.make_news),
        ("investment", InvestmentIndexPage, f.make_investment),
        ("contractor", ContractorIndexPage, f.make_contractor),
    ):
        section = f.publish(home, section_model(title=f"{kind} A", slug=f"{kind}-a"))
        alias = section.create_alias(parent=home, update_slug=f"{kind}-a-alias")
        # Restricted after the alias exists: `create_alias` copies the source's own
        # restrictions onto a new alias, which would hide the item by the alias's own row.
        # The leak needs an alias with no restriction of its own, which is what Wagtail
        # expects an alias to be (it never reads one there).
        restrictions[kind] = f.restrict_page(section, groups=audience)
        item = make(alias, title=f"Tylko dla A: {kind}")
        items[kind] = {"page": item, "section": section, "alias": alias}
    body = "".join(f'<p><a linktype="page" id="{item["page"].pk}">{kind}</a></p>' for kind, item in items.items())
    f.make_news(site_tree.news, title="Publiczny", slug="publiczny", body=body)
    return {"people": people, "items": items, "restrictions": restrictions}


def _relative(page) -> str:
    """The page's path within the site, as `page(urlPath:)` takes it."""
    return "/" + page.url_path.split("/", 2)[2]


def _sign_in(gql, world, viewer: str):
    gql.logout()
    user = world["people"][viewer]
    if user is not None:
        gql.login(user)
    return gql


def _assert_answers(gql, world, viewer: str, *, may_read: bool) -> None:
    """Wagtail's serving and every API path give `viewer` the items, or none of them."""
    gql = _sign_in(gql, world, viewer)
    lists = gql.data(LISTS)
    links = gql.data(LINKS, {"path": "/aktualnosci/publiczny/"})["page"]["body"]
    for kind, item in world["items"].items():
        page = item["page"]
        # Wagtail's own serving: the reference answer.
        response = gql.client.get(page.url)
        assert (response.status_code == 200) is may_read, (kind, response.status_code)
        if not may_read:
            assert page.title not in response.content.decode()
        # The API, by path and in its list.
        found = gql.data(PAGE, {"path": _relative(page)})["page"]
        assert (found is not None) is may_read, (kind, found)
        slugs = {edge["node"]["slug"] for edge in lists[LIST_OF_KIND[kind]]["edges"]}
        assert (page.slug in slugs) is may_read, (kind, slugs)
        # A public item's link gives away the address only to a reader who may follow it.
        assert (_relative(page) in links) is may_read, (kind, links)


def test_wagtail_applies_the_sections_restriction_through_the_alias(world):
    """The premise: Wagtail restricts each item by its section's restriction, though the
    item is neither inside the section nor an alias, and the alias has no row of its own."""
    for kind, item in world["items"].items():
        page, section, alias = item["page"], item["section"], item["alias"]
        assert alias.alias_of_id == section.pk
        assert page.alias_of_id is None and not page.path.startswith(section.path)
        assert not alias.view_restrictions.exists()
        assert list(page.get_view_restrictions()) == [world["restrictions"][kind]]


def test_anonymous_visitor_gets_none_of_them(gql, world):
    _assert_answers(gql, world, "anonymous", may_read=False)


def test_unverified_account_gets_none_of_them(gql, world):
    # Signed in but in no audience: not in the restriction's groups.
    _assert_answers(gql, world, "pending", may_read=False)


def test_resident_of_another_building_gets_none_of_them(gql, world):
    # A verified resident, but of building B: outside the audience.
    _assert_answers(gql, world, "resident_b", may_read=False)


def test_contractor_gets_none_of_them(gql, world):
    # Recognised (the contractors audience), but not named by the restriction.
    _assert_answers(gql, world, "contractor", may_read=False)


def test_resident_of_the_building_reads_them(gql, world):
    # In building A's audience group, which the restriction names.
    _assert_answers(gql, world, "resident_a", may_read=True)


def test_staff_read_them(gql, world):
    # The staff audience group is named by the restriction too.
    _assert_answers(gql, world, "staff", may_read=True)


def test_superuser_reads_them(gql, world):
    # Wagtail lets superusers through every group restriction.
    _assert_answers(gql, world, "superuser", may_read=True)


def test_broadcast_of_an_item_under_an_alias_reaches_only_its_readers(world):
    """A news broadcast goes to those who may read the item, by the same rule: a resident
    of building B must not get building A's item in a message either."""
    broadcast = bf.make_broadcast(everyone=True, news_page=world["items"]["news"]["page"])
    got = set(broadcasts.broadcast_recipients(broadcast).values_list("username", flat=True))
    assert got == {"resident_a"}, got
