"""The shared response cache: reused only by those who see the same, dropped at once on change.

Every test here runs several viewers one after another in one test (the visibility
matrix runs one viewer per test, so a cache shared between viewers would never show
there). Each answer is checked against what that viewer may see (tests/api/scenario.py)
and, where it was served from the cache, against a fresh answer byte for byte.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.core import content_version
from cms.home.models import CooperativeContact
from cms.news.models import NewsPage
from operations.residents.models import Audience
from tests.api import scenario as sc
from tests.factories import content as f

pytestmark = pytest.mark.django_db

NEWS = "{ news(first: 100) { totalCount edges { node { slug isCurrentAlert affectedBuildings { code address } } } } }"
DOCUMENTS = "{ documents(first: 100) { totalCount edges { node { title } } } }"
INVESTMENTS = "{ investments(first: 100) { edges { node { slug } } } }"
CONTRACTORS = "{ contractors(first: 100) { edges { node { slug } } } }"
SITE = "{ site { name phone } }"
PAGE = "query ($path: String!) { page(urlPath: $path) { title } }"

ORDERS = (sc.VIEWERS, tuple(reversed(sc.VIEWERS)))


def _post(client, query: str, variables: dict | None = None) -> bytes:
    response = client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.content


def _sign_in(client, scenario, viewer: str):
    client.logout()
    user = scenario.user(viewer)
    if user is not None:
        client.force_login(user)
    return client


def _keys(body: bytes, field: str) -> set[str]:
    data = json.loads(body)["data"]
    (connection_,) = data.values()
    return {edge["node"][field] for edge in connection_["edges"]}


def _fresh(client, query: str, variables: dict | None = None) -> bytes:
    with override_settings(GRAPHQL_RESPONSE_CACHE_SECONDS=0):
        return _post(client, query, variables)


@pytest.mark.parametrize("order", ORDERS, ids=["forward", "backward"])
@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        (NEWS, "slug", sc.NEWS),
        (DOCUMENTS, "title", sc.DOCUMENTS),
        (INVESTMENTS, "slug", sc.INVESTMENTS),
        (CONTRACTORS, "slug", sc.CONTRACTORS),
    ],
    ids=["news", "documents", "investments", "contractors"],
)
def test_an_answer_never_crosses_audiences(client, scenario, order, query, field, expected):
    """Every viewer twice in a row, in both orders: each gets exactly their own list, the
    second time from the cache, byte for byte what a fresh computation gives."""
    for _ in range(2):
        for viewer in order:
            _sign_in(client, scenario, viewer)
            body = _post(client, query)
            assert _keys(body, field) == expected[viewer], viewer
            assert body == _fresh(client, query), viewer


def test_pages_by_address_never_cross_audiences(client, scenario):
    for key in ("building-a", "building-b", "owners", "staff", "public", "password"):
        variables = {"path": scenario.path(key)}
        for viewer in (*sc.VIEWERS, *reversed(sc.VIEWERS)):
            _sign_in(client, scenario, viewer)
            page = json.loads(_post(client, PAGE, variables))["data"]["page"]
            assert (page is not None) == (key in sc.visible_pages(viewer)), (key, viewer)


def test_residents_who_see_the_same_share_an_answer(client, scenario):
    """A second resident of building A with the same groups as the first is served the
    first one's answer: besides the session and the user, two queries (the content
    version and the viewer's groups), and none of the content."""
    resident = scenario.users["resident_a"]
    twin = type(resident).objects.create_user("twin-of-a")
    twin.groups.set(resident.groups.all())
    _sign_in(client, scenario, "resident_a")
    first = _post(client, NEWS)
    client.force_login(twin)
    with CaptureQueriesContext(connection) as captured:
        second = _post(client, NEWS)
    assert second == first
    queries = [query["sql"] for query in captured.captured_queries]
    assert len(queries) <= 4, queries
    assert not [sql for sql in queries if "wagtailcore_page" in sql or "news_" in sql], queries


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer { id } }",
        "{ news(first: 5) { totalCount } viewer { id } }",
        "{ tickets(first: 5) { totalCount } }",
        "{ csrfToken }",
        "{ __schema { queryType { name } } }",
        'mutation { signIn(username: "nobody", password: "x") { __typename } }',
    ],
)
def test_personal_answers_are_never_kept(client, scenario, query, monkeypatch):
    kept = []
    monkeypatch.setattr("cms.core.graphql.response_cache.cache.set", lambda *args, **kwargs: kept.append(args))
    _sign_in(client, scenario, "resident_a")
    _post(client, query)
    assert kept == []


def test_a_query_with_an_error_is_not_kept(client, scenario, monkeypatch):
    kept = []
    monkeypatch.setattr("cms.core.graphql.response_cache.cache.set", lambda *args, **kwargs: kept.append(args))
    _post(client, "{ news(first: 5000) { totalCount } }")
    assert kept == []


# --- Each change is seen at once --------------------------------------------------------------


def _news_slugs(client, scenario, viewer="anonymous") -> set[str]:
    _sign_in(client, scenario, viewer)
    return _keys(_post(client, NEWS), "slug")


def test_publishing_is_seen_at_once(client, scenario):
    assert "fresh" not in _news_slugs(client, scenario)
    f.publish(scenario.tree.news, NewsPage(title="Fresh", slug="fresh"))
    assert "fresh" in _news_slugs(client, scenario)


def test_unpublishing_is_seen_at_once(client, scenario):
    assert "public" in _news_slugs(client, scenario)
    scenario.pages["public"].unpublish()
    assert "public" not in _news_slugs(client, scenario)


def test_deleting_is_seen_at_once(client, scenario):
    assert "public" in _news_slugs(client, scenario)
    scenario.pages["public"].delete()
    assert "public" not in _news_slugs(client, scenario)


def test_moving_into_a_restricted_section_is_seen_at_once(client, scenario):
    section = f.publish(scenario.tree.news, NewsPage(title="Section", slug="section"))
    f.restrict_page(section, groups=list(scenario.users["resident_b"].groups.all()))
    assert "public" in _news_slugs(client, scenario)
    scenario.pages["public"].move(section, pos="last-child")
    assert "public" not in _news_slugs(client, scenario)


def test_a_new_restriction_is_seen_at_once(client, scenario):
    assert "public" in _news_slugs(client, scenario)
    f.restrict_page(scenario.pages["public"], login=True)
    assert "public" not in _news_slugs(client, scenario)


def test_a_restriction_lifted_is_seen_at_once(client, scenario):
    assert "building-a" not in _news_slugs(client, scenario)
    PageViewRestriction.objects.get(page=scenario.pages["building-a"]).delete()
    assert "building-a" in _news_slugs(client, scenario)


def test_a_restriction_given_another_group_is_seen_at_once(client, scenario):
    assert "building-a" not in _news_slugs(client, scenario, "resident_b")
    restriction = PageViewRestriction.objects.get(page=scenario.pages["building-a"])
    restriction.groups.add(*scenario.users["resident_b"].groups.all())
    assert "building-a" in _news_slugs(client, scenario, "resident_b")


def test_a_collection_restriction_is_seen_at_once(client, scenario):
    _sign_in(client, scenario, "anonymous")
    assert "public" in _keys(_post(client, DOCUMENTS), "title")
    f.restrict_collection(scenario.documents["public"].collection, login=True)
    assert "public" not in _keys(_post(client, DOCUMENTS), "title")


def test_a_new_document_is_seen_at_once(client, scenario):
    _sign_in(client, scenario, "anonymous")
    assert "Nowy regulamin" not in _keys(_post(client, DOCUMENTS), "title")
    f.make_document(title="Nowy regulamin")
    assert "Nowy regulamin" in _keys(_post(client, DOCUMENTS), "title")


def test_the_contact_card_is_seen_at_once(client, scenario):
    before = json.loads(_post(client, SITE))["data"]["site"]
    contact = CooperativeContact.objects.get()
    contact.phone = "+48 22 000 00 00"
    contact.save()
    after = json.loads(_post(client, SITE))["data"]["site"]
    assert after["phone"] == "+48 22 000 00 00" != before["phone"]


def test_a_building_renamed_is_seen_at_once(client, scenario):
    _sign_in(client, scenario, "resident_a")
    assert "Lipowa" in _post(client, NEWS).decode()
    building = scenario.building_a
    building.street = "Kasztanowa"
    building.save()
    assert "Kasztanowa" in _post(client, NEWS).decode()


def test_an_audience_made_of_a_group_is_seen_at_once(client, scenario):
    """A `login` restriction admits audience members: a group that becomes an audience
    changes what its members see without any change to them."""
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Rada nadzorcza")
    person = type(scenario.users["resident_a"]).objects.create_user("rada")
    person.groups.add(group)
    client.force_login(person)
    assert "login" not in _keys(_post(client, NEWS), "slug")
    from tests.factories.residents import EstateFactory

    estate = EstateFactory(name="Nowe", slug="nowe")
    audience = Audience.objects.filter(estate=estate).first() or Audience(kind=Audience.Kind.ESTATE, estate=estate)
    audience.group = group
    audience.save()
    assert "login" in _keys(_post(client, NEWS), "slug")


def test_an_alert_ending_is_seen_by_the_clock(client, scenario, monkeypatch):
    alert = NewsPage.objects.get(slug="alert-current")
    _sign_in(client, scenario, "resident_a")
    query = "{ news(first: 100, filter: {currentAlertsOnly: true}) { edges { node { slug } } } }"
    assert "alert-current" in _keys(_post(client, query), "slug")
    later = alert.valid_until + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "alert-current" not in _keys(_post(client, query), "slug")


def test_a_rolled_back_change_leaves_the_version_as_it_was(scenario):
    from django.db import transaction

    before = content_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        f.publish(scenario.tree.news, NewsPage(title="Never", slug="never"))
        assert content_version.current() != before
        raise RuntimeError
    assert content_version.current() == before


def test_unrelated_rows_do_not_raise_the_version(scenario):
    before = content_version.current()
    image = scenario.images["img-public"]
    image.get_rendition("width-123")  # a rendition is made on a read
    assert content_version.current() == before


# --- What a shared answer can hold ------------------------------------------------------------

# Every type reachable from the shared top-level fields, reviewed: none of them has a field
# whose answer depends on who asks beyond what they may see. A new type here (a field added
# below news, pages, documents...) fails this test until someone decides whether the
# answer can still be shared; if it depends on the person (a vote, a balance, "mine"), it
# must not be reachable from `SHARED_FIELDS`.
REVIEWED_SHARED_TYPES = {
    "Boolean", "BuildingRef", "Contractor", "ContractorConnection", "ContractorEdge", "ContractorIndexPage",
    "Date", "DateTime", "Decimal", "Department", "Document", "DocumentCategory", "DocumentCollection",
    "DocumentConnection", "DocumentEdge", "DocumentIndexPage", "EmergencyNumbers", "GalleryImage", "HomePage",
    "ID", "Image", "Int", "Investment", "InvestmentConnection", "InvestmentEdge", "InvestmentIndexPage",
    "InvestmentStatus", "NewsIndexPage", "NewsItem", "NewsItemConnection", "NewsItemEdge", "NewsKind",
    "NewsPriority", "Page", "PageInfo", "Rendition", "Site", "String", "Trade",
}  # fmt: skip


def test_what_shared_answers_can_reach_is_reviewed():
    from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type

    from cms.core.graphql.response_cache import SHARED_FIELDS
    from cms.schema import schema

    graphql_schema = schema._schema
    root = graphql_schema.query_type.fields
    assert SHARED_FIELDS - {"__typename"} <= set(root)
    reached: set[str] = set()
    pending = [get_named_type(root[name].type) for name in SHARED_FIELDS if name in root]
    while pending:
        named = pending.pop()
        if named.name in reached:
            continue
        reached.add(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            pending.extend(get_named_type(field.type) for field in named.fields.values())
        if isinstance(named, GraphQLInterfaceType):
            pending.extend(graphql_schema.get_implementations(named).objects)
        if isinstance(named, GraphQLUnionType):
            pending.extend(named.types)
    assert reached == REVIEWED_SHARED_TYPES
