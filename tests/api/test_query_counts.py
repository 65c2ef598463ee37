"""N+1 is a bug: every list costs the same number of SQL queries for 5 items as for 100.

Each test builds 5 items, measures, adds 95 more and measures again, asking for every
related object a frontend shows (images with renditions and srcset, buildings, gallery,
collection, trade). The first request after new images are added renders them once
(writes); it is a warm-up, and the second request is the one measured. Items sit under
view restrictions and in restricted collections, so the visibility path is exercised too.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.contractors.models import ContractorPage
from cms.investments.models import InvestmentGalleryImage, InvestmentPage
from cms.news.models import NewsPage
from tests.factories import content as f
from tests.factories.residents import BuildingFactory, EstateFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 100


@pytest.fixture
def world(site_tree):
    """Two buildings, a group with a member, a restricted collection and a restricted page."""
    estate = EstateFactory()
    buildings = [BuildingFactory(estate=estate, code="A"), BuildingFactory(estate=estate, code="B")]
    insiders = Group.objects.create(name="Insiders")
    member = get_user_model().objects.create_user("member")
    member.groups.add(insiders)
    restricted = f.make_collection("Restricted")
    f.restrict_collection(restricted, groups=[insiders])
    nested = f.make_collection("Nested", parent=restricted)
    hidden = f.make_news(site_tree.news, title="hidden", kind=NewsPage.Kind.OUTAGE)  # lists filter it out
    f.restrict_page(hidden, groups=[insiders])
    return {
        "tree": site_tree,
        "buildings": buildings,
        "member": member,
        "collections": [Collection.get_first_root_node(), restricted, nested],
    }


def _image(world, n: int):
    """A small image (rendering it is cheap) in a public, restricted or nested collection."""
    image = get_image_model()(
        title=f"Image {n}",
        file=ImageFile(io.BytesIO(f.make_jpeg(48, 32)), name=f"small-{n}.jpg"),
        collection=world["collections"][n % 3],
    )
    image.save()
    return image


def _add(parent, page):
    # Added live straight away: faster than publishing a revision, same rows to read.
    parent.add_child(instance=page)
    return page


def _measure(gql, world, viewer: str, query: str, key: str, count: int) -> int:
    if viewer == "member":
        gql.login(world["member"])
    else:
        gql.logout()
    gql.execute(query)  # warm-up: renders new images once
    queries, data = gql.count_queries(query)
    edges = len(data[key]["edges"])
    assert edges == data[key]["totalCount"]
    # The member sees everything; anonymous visitors only what is not restricted.
    assert edges == count if viewer == "member" else 0 < edges <= count
    return queries


def _grows(gql, world, query: str, key: str, add, visible_per_item=1):
    """Query counts at FEW and at MANY items, per viewer."""
    counts = {}
    add(0, FEW)
    for viewer in ("anonymous", "member"):
        counts[(viewer, FEW)] = _measure(gql, world, viewer, query, key, FEW)
    add(FEW, MANY)
    for viewer in ("anonymous", "member"):
        counts[(viewer, MANY)] = _measure(gql, world, viewer, query, key, MANY)
    return counts


def _assert_flat(counts):
    for viewer in ("anonymous", "member"):
        assert counts[(viewer, FEW)] == counts[(viewer, MANY)], counts


NEWS = """
{ news(first: 100, filter: {kind: ANNOUNCEMENT}) { totalCount edges { node {
    title urlPath kind priority date lead isCurrentAlert
    leadImage { title alt width height rendition(size: CARD) { url width height }
                thumb: rendition(size: THUMBNAIL) { url } srcset }
    affectedBuildings { id code address }
} } } }
"""


def test_news_list_query_count_does_not_grow(gql, world):
    tree, buildings = world["tree"], world["buildings"]

    def add(start, stop):
        for n in range(start, stop):
            page = NewsPage(title=f"News {n}", slug=f"news-{n}", lead="lead", lead_image=_image(world, n))
            page.affected_buildings.set(buildings)
            _add(tree.news, page)

    counts = _grows(gql, world, NEWS, "news", add)
    _assert_flat(counts)


DOCUMENTS = """
{ documents(first: 100, filter: {category: FORM}) { totalCount edges { node {
    title category year description fileExtension fileSize downloadUrl
    collection { id name } building { id code address }
} } } }
"""


def test_documents_list_query_count_does_not_grow(gql, world):
    buildings = world["buildings"]

    def add(start, stop):
        for n in range(start, stop):
            f.make_document(
                title=f"Doc {n}",
                collection=world["collections"][n % 2 * 2],
                category="form",
                building=buildings[n % 2],
            )

    counts = _grows(gql, world, DOCUMENTS, "documents", add)
    _assert_flat(counts)


INVESTMENTS = """
{ investments(first: 100) { totalCount edges { node {
    title urlPath status summary budget startDate endDate progress
    leadImage { title rendition(size: MEDIUM) { url } srcset }
    gallery { caption image { title alt rendition(size: THUMBNAIL) { url width height } srcset } }
    buildings { id code address }
} } } }
"""


def test_investments_list_query_count_does_not_grow(gql, world):
    tree, buildings = world["tree"], world["buildings"]

    def add(start, stop):
        for n in range(start, stop):
            page = InvestmentPage(title=f"Inv {n}", slug=f"inv-{n}", lead_image=_image(world, n))
            for k in range(2):
                page.gallery_images.add(InvestmentGalleryImage(image=_image(world, n + k), caption=f"{n}.{k}"))
            page.buildings.set(buildings)
            _add(tree.investments, page)

    counts = _grows(gql, world, INVESTMENTS, "investments", add)
    _assert_flat(counts)


CONTRACTORS = """
{ contractors(first: 100) { totalCount edges { node {
    title urlPath services areaServed phone email website openingHours notes
    trade { name slug }
} } } }
"""


def test_contractors_list_query_count_does_not_grow(gql, world):
    tree = world["tree"]
    trades = [f.make_trade(name=f"Trade {k}", slug=f"trade-{k}", sort_order=k) for k in range(3)]

    def add(start, stop):
        for n in range(start, stop):
            _add(
                tree.contractors,
                ContractorPage(title=f"Firm {n}", slug=f"firm-{n}", trade=trades[n % 3], services="a\nb"),
            )

    counts = _grows(gql, world, CONTRACTORS, "contractors", add)
    _assert_flat(counts)


def test_news_list_query_count_is_small(gql, world):
    """Not just flat but small: a handful of queries for a full page of news with images."""
    tree, buildings = world["tree"], world["buildings"]
    for n in range(FEW):
        page = NewsPage(title=f"News {n}", slug=f"news-{n}", lead_image=_image(world, n))
        page.affected_buildings.set(buildings)
        _add(tree.news, page)
    gql.execute(NEWS)
    queries, _data = gql.count_queries(NEWS)
    # Today 7: restrictions, count, page, images, renditions, buildings, site root.
    assert queries <= 10, queries
