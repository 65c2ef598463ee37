"""Visibility in a site that has published for years: hundreds of restricted items.

Editors target news at a building by restricting each item to that building's audience,
so the restrictions grow by hundreds a year. The visibility rule once turned every
restriction a viewer failed into its own `path LIKE 'prefix%'` term, and SQLite refused
the news list past about 496 of them ("Expression tree is too large"). These tests keep
that size in the normal suite (1,000 restricted items and 1,000 restricted collections; the old
rule failed on SQLite 3.40 between 700 and 999), so
that such a limit cannot come back, and check that every path still answers exactly.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.core import visibility
from cms.news.models import NewsPage
from tests.factories import bulk_content as bulk
from tests.factories import content as f
from tests.factories.residents import estate_audience_member

pytestmark = pytest.mark.django_db

RESTRICTED = 1000

NEWS = "{ news(first: 20) { totalCount edges { node { title } } } }"
DOCUMENTS = "{ documents(first: 100) { totalCount edges { node { title } } } }"


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end (a second
    to build); each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_site(f.build_site_tree())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build_site(site_tree):
    resident_a, building_a = estate_audience_member("resident-a", "Budynek A")
    resident_b, _ = estate_audience_member("resident-b", "Budynek B")

    public = [f.make_news(site_tree.news, title=f"Publiczny {n}") for n in range(3)]
    for_a = bulk.bulk_news(site_tree.news, RESTRICTED, slug_prefix="dla-a")
    bulk.bulk_restrict_pages(for_a, groups=[building_a])
    # A public item whose body links to one of building A's items.
    linking = f.make_news(
        site_tree.news, title="Odsyłacz", slug="odsylacz", body=f'<p><a linktype="page" id="{for_a[7].pk}">zob.</a></p>'
    )
    # An alias of one of A's items placed in a public section shows A's content.
    alias = for_a[11].create_alias(parent=site_tree.investments, update_slug="kopia-dla-a")

    collections = bulk.bulk_restricted_collections(f.root_collection(), RESTRICTED, groups=[building_a])
    public_docs = [f.make_document(title=f"Jawny {n}") for n in range(2)]
    docs_a = [f.make_document(title=f"Dla A {n}", collection=collections[-n - 1]) for n in range(3)]
    return {
        "anonymous": AnonymousUser(),
        "resident_a": resident_a,
        "resident_b": resident_b,
        "public": public + [linking],
        "for_a": for_a,
        "alias": alias,
        "collections": collections,
        "public_docs": public_docs,
        "docs_a": docs_a,
    }


def _as(gql, user):
    gql.logout()
    if user.is_authenticated:
        gql.login(user)
    return gql


@pytest.mark.parametrize(("viewer", "sees_a"), [("anonymous", False), ("resident_b", False), ("resident_a", True)])
def test_the_news_list_answers_with_hundreds_of_restricted_items(gql, site, viewer, sees_a):
    news = _as(gql, site[viewer]).data(NEWS)["news"]
    # The alias of one of A's items is a news item too (in another section).
    expected = len(site["public"]) + (RESTRICTED + 1 if sees_a else 0)
    assert news["totalCount"] == expected
    titles = {edge["node"]["title"] for edge in news["edges"]}
    restricted_titles = {page.title for page in site["for_a"]}
    assert bool(titles & restricted_titles) == sees_a


@pytest.mark.parametrize(("viewer", "sees_a"), [("anonymous", False), ("resident_b", False), ("resident_a", True)])
def test_a_restricted_item_by_its_address(gql, site, viewer, sees_a):
    item = site["for_a"][RESTRICTED - 1]
    query = "query ($path: String!) { page(urlPath: $path) { title } }"
    path = "/" + item.url_path.split("/", 2)[2]  # the address under the site's root page
    page = _as(gql, site[viewer]).data(query, {"path": path})["page"]
    assert (page is not None) == sees_a


@pytest.mark.parametrize(("viewer", "sees_a"), [("anonymous", False), ("resident_b", False), ("resident_a", True)])
def test_a_link_to_a_restricted_item_in_rich_text(gql, site, viewer, sees_a):
    body = _as(gql, site[viewer]).data('{ page(urlPath: "/aktualnosci/odsylacz/") { ... on NewsItem { body } } }')
    html = body["page"]["body"]
    assert ("href=" in html) == sees_a
    assert "zob." in html  # the editor's link text stays either way


@pytest.mark.parametrize(("viewer", "sees_a"), [("anonymous", False), ("resident_b", False), ("resident_a", True)])
def test_an_alias_of_a_restricted_item_among_hundreds(site, viewer, sees_a):
    assert visibility.page_is_visible(site["alias"], site[viewer]) == sees_a


@pytest.mark.parametrize(("viewer", "sees_a"), [("anonymous", False), ("resident_b", False), ("resident_a", True)])
def test_the_documents_list_answers_with_hundreds_of_restricted_collections(gql, site, viewer, sees_a):
    documents = _as(gql, site[viewer]).data(DOCUMENTS)["documents"]
    titles = {edge["node"]["title"] for edge in documents["edges"]}
    expected = {d.title for d in site["public_docs"]} | ({d.title for d in site["docs_a"]} if sees_a else set())
    assert titles == expected
    assert documents["totalCount"] == len(expected)


def test_the_list_agrees_with_the_one_page_rule_for_every_item(site):
    """The set answer for all 1,000 items equals the one-page rule (`page_restrictions`,
    which the broadcasts use) item by item, for a sample of viewers."""
    resident_a, resident_b = site["resident_a"], site["resident_b"]
    ids = [page.pk for page in site["for_a"]]
    assert set(
        visibility.restrict_pages(NewsPage.objects.filter(pk__in=ids), resident_a).values_list("pk", flat=True)
    ) == set(ids)
    assert not visibility.restrict_pages(NewsPage.objects.filter(pk__in=ids), resident_b).exists()
    readers = User.objects.filter(visibility.page_readers(site["for_a"][42]))
    assert list(readers.values_list("username", flat=True)) == ["resident-a"]


def test_the_cost_does_not_follow_the_number_of_restrictions(site):
    """One query works out what a viewer may not read and one answers the list, with a
    handful of parameters, whether there are ten restrictions or a thousand."""
    viewer = site["resident_b"]
    with CaptureQueriesContext(connection) as captured:
        denial = visibility.denial_of(viewer)
        list(visibility.restrict_pages(NewsPage.objects.all(), viewer, denial=denial).values_list("pk", flat=True))
    assert len(captured.captured_queries) == 2
    for query in captured.captured_queries:
        assert query["sql"].count("LIKE") == 0, query["sql"][:300]
    # The aliases worked out beforehand are the only per-site list, and there is one here.
    assert denial.hidden_alias_ids == {site["alias"].pk}
