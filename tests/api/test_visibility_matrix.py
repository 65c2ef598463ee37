"""Who sees what, through every path the API offers: lists, filters, counts, cursors,
`page(urlPath:)`, document downloads and image files.

The scenario (tests/api/scenario.py) holds one item per kind of restriction; the expected
sets per viewer are spelled out there, next to the data. Every test is parametrized by
viewer, so a leak reads as "resident_b sees building-a".
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.api import scenario as sc
from tests.factories.content import PDF_BYTES

pytestmark = pytest.mark.django_db

VIEWERS = sc.VIEWERS
EVERYONE = pytest.mark.parametrize("viewer", VIEWERS)


def _nodes(connection: dict) -> list[dict]:
    return [edge["node"] for edge in connection["edges"]]


def _keys(connection: dict, field: str = "slug") -> set[str]:
    return {node[field] for node in _nodes(connection)}


def _assert_exact(connection: dict, expected: set[str], *, field: str = "slug") -> None:
    """The list holds exactly `expected`, and its totalCount says so too (no leak through counts)."""
    keys = [node[field] for node in _nodes(connection)]
    assert len(keys) == len(set(keys)), f"duplicates in {keys}"
    assert set(keys) == expected
    assert connection["totalCount"] == len(expected)


# --- News ------------------------------------------------------------------------------------

NEWS_QUERY = """
query News($filter: NewsFilter) {
  news(filter: $filter, first: 100) {
    totalCount
    edges { node {
      slug title lead urlPath kind isCurrentAlert
      affectedBuildings { code }
      leadImage { title rendition(size: CARD) { url } srcset }
    } }
  }
}
"""


@EVERYONE
def test_news_list(as_viewer, scenario, viewer):
    result = as_viewer(viewer).execute(NEWS_QUERY)
    assert not result.get("errors")
    news = result["data"]["news"]
    _assert_exact(news, sc.NEWS[viewer])
    assert not sc.HIDDEN_NEWS & _keys(news)
    # The published text, never a later draft revision's.
    assert "SEKRET" not in json.dumps(result)
    public = next(node for node in _nodes(news) if node["slug"] == "public")
    assert public["title"] == "Komunikat public"


@EVERYONE
def test_news_lead_image_follows_its_collection(as_viewer, scenario, viewer):
    news = {node["slug"]: node for node in _nodes(as_viewer(viewer).data(NEWS_QUERY)["news"])}
    # A public item whose lead image sits in building A's restricted collection.
    image = news["public"]["leadImage"]
    if "img-a" in sc.IMAGES[viewer]:
        assert image is not None and image["title"] == "img-a"
        assert image["rendition"]["url"] and image["srcset"].endswith(" 320w")  # a 320-px original
    else:
        assert image is None
    # A public image is shown to everyone.
    assert news["alert-current"]["leadImage"]["title"] == "img-public"


@EVERYONE
def test_news_current_alerts_only_drops_expired_and_invisible_alerts(as_viewer, scenario, viewer):
    news = as_viewer(viewer).data(NEWS_QUERY, {"filter": {"currentAlertsOnly": True}})["news"]
    _assert_exact(news, sc.NEWS[viewer] & {"alert-current", "alert-b"})
    assert "alert-expired" not in _keys(news)
    assert all(node["isCurrentAlert"] for node in _nodes(news))


@EVERYONE
@pytest.mark.parametrize(
    "kind, items",
    [
        ("OUTAGE", {"alert-current", "alert-expired", "alert-b"}),
        (
            "ANNOUNCEMENT",
            {"public", "login", "building-a", "building-b", "owners", "estate", "staff", "a-or-contractors"},
        ),
    ],
)
def test_news_kind_filter(as_viewer, scenario, viewer, kind, items):
    news = as_viewer(viewer).data(NEWS_QUERY, {"filter": {"kind": kind}})["news"]
    _assert_exact(news, sc.NEWS[viewer] & items)
    assert {node["kind"] for node in _nodes(news)} <= {kind}


NEWS_AFFECTING = {
    "A": {"alert-current", "alert-expired", "building-a", "estate", "a-or-contractors"},
    "B": {"building-b", "alert-b", "estate"},
}


@EVERYONE
@pytest.mark.parametrize("building", ["A", "B"])
def test_news_building_filter(as_viewer, scenario, viewer, building):
    building_id = getattr(scenario, f"building_{building.lower()}").pk
    news = as_viewer(viewer).data(NEWS_QUERY, {"filter": {"buildingId": str(building_id)}})["news"]
    # Filtering by a building narrows what the viewer may see; it never widens it.
    _assert_exact(news, sc.NEWS[viewer] & NEWS_AFFECTING[building])
    for node in _nodes(news):
        assert building in {b["code"] for b in node["affectedBuildings"]}


def test_news_building_filter_combined_with_current_alerts(as_viewer, scenario):
    variables = {"filter": {"buildingId": str(scenario.building_b.pk), "currentAlertsOnly": True}}
    assert _keys(as_viewer("resident_a").data(NEWS_QUERY, variables)["news"]) == set()
    assert _keys(as_viewer("resident_b").data(NEWS_QUERY, variables)["news"]) == {"alert-b"}


PAGED_NEWS = """
query Paged($first: Int, $after: String, $last: Int, $before: String) {
  news(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}
"""


@pytest.mark.parametrize("viewer", ["anonymous", "resident_b", "superuser"])
def test_news_pages_forward_and_backward_hold_exactly_the_visible_items(as_viewer, scenario, viewer):
    client = as_viewer(viewer)
    seen, after = [], None
    for _ in range(20):
        page = client.data(PAGED_NEWS, {"first": 2, "after": after})["news"]
        assert page["totalCount"] == len(sc.NEWS[viewer])
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) and set(seen) == sc.NEWS[viewer]

    last_two = client.data(PAGED_NEWS, {"last": 2})["news"]
    assert [edge["node"]["slug"] for edge in last_two["edges"]] == seen[-2:]


# --- Documents --------------------------------------------------------------------------------

DOCUMENTS_QUERY = """
query Documents($filter: DocumentFilter) {
  documents(filter: $filter, first: 100) {
    totalCount
    edges { node { title category year downloadUrl collection { id name } building { code } } }
  }
}
"""


def _documents(client, **filter_) -> dict:
    return client.data(DOCUMENTS_QUERY, {"filter": filter_ or None})["documents"]


@EVERYONE
def test_documents_list(as_viewer, scenario, viewer):
    documents = _documents(as_viewer(viewer))
    _assert_exact(documents, sc.DOCUMENTS[viewer], field="title")
    assert not sc.HIDDEN_DOCUMENTS & _keys(documents, "title")


@EVERYONE
@pytest.mark.parametrize(
    "filter_, items",
    [
        ({"category": "MINUTES"}, {"owners", "staff-minutes"}),
        ({"category": "TECHNICAL"}, {"building-a", "building-a-inspections"}),
        ({"category": "FINANCIAL"}, set()),  # only the password-protected one
        ({"year": 2024}, {"form-archive", "staff-minutes"}),
        ({"year": 2026}, {"form", "owners", "building-a", "login"}),
        ({"category": "FORM", "year": 2024}, {"form-archive"}),
    ],
    ids=["minutes", "technical", "financial", "2024", "2026", "form-2024"],
)
def test_documents_category_and_year_filters(as_viewer, scenario, viewer, filter_, items):
    _assert_exact(_documents(as_viewer(viewer), **filter_), sc.DOCUMENTS[viewer] & items, field="title")


COLLECTION_CONTENTS = {
    # A public collection whose sub-collections are public and owners-only.
    "forms": {"form", "form-archive", "owners"},
    "forms-archive": {"form-archive"},
    # A restricted collection: its id must not open it to outsiders.
    "building-a": {"building-a", "building-a-inspections"},
    "building-a-inspections": {"building-a-inspections"},
    "staff": {"staff-minutes"},
    "staff-minutes-2024": {"staff-minutes"},
    "password": set(),
}


@EVERYONE
@pytest.mark.parametrize("collection", sorted(COLLECTION_CONTENTS))
def test_documents_collection_filter_includes_sub_collections_and_never_widens(as_viewer, scenario, viewer, collection):
    collection_id = str(scenario.collections[collection].pk)
    documents = _documents(as_viewer(viewer), collectionId=collection_id)
    _assert_exact(documents, sc.DOCUMENTS[viewer] & COLLECTION_CONTENTS[collection], field="title")


def test_documents_unknown_collection_is_empty(as_viewer, scenario):
    documents = _documents(as_viewer("superuser"), collectionId="999999")
    _assert_exact(documents, set(), field="title")


@EVERYONE
def test_documents_building_filter(as_viewer, scenario, viewer):
    documents = _documents(as_viewer(viewer), buildingId=str(scenario.building_a.pk))
    _assert_exact(documents, sc.DOCUMENTS[viewer] & {"building-a", "building-a-inspections"}, field="title")
    assert _documents(as_viewer(viewer), buildingId=str(scenario.building_b.pk))["totalCount"] == 0


# --- Document downloads ----------------------------------------------------------------------


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@EVERYONE
def test_document_download(as_viewer, client, scenario, viewer):
    """Following a download address gives the PDF exactly to those who may see the document."""
    api = as_viewer(viewer)  # signs the shared test client in (or out)
    listed = {node["title"]: node["downloadUrl"] for node in _nodes(_documents(api))}
    for key, document in scenario.documents.items():
        if key in listed:
            # The address the API hands out is the document's own, served by Wagtail.
            assert urlsplit(listed[key]).path == document.url
        response = client.get(document.url)
        served = response.status_code == 200 and _body(response) == PDF_BYTES
        assert served == (key in sc.DOCUMENTS[viewer]), (
            f"{viewer} {'got' if served else 'did not get'} {key}: {response.status_code}"
        )
        if not served:
            # Wagtail asks anonymous users to sign in; others get a refusal or the password form.
            assert response.status_code in (200, 302, 403, 404)
            assert PDF_BYTES not in _body(response)


@pytest.mark.parametrize("viewer", ["anonymous", "resident_b"])
def test_document_files_are_not_served_raw_from_media(as_viewer, client, scenario, viewer):
    as_viewer(viewer)
    document = scenario.documents["building-a"]
    response = client.get(settings.MEDIA_URL + document.file.name)
    assert response.status_code == 404


# --- Investments ------------------------------------------------------------------------------

INVESTMENTS_QUERY = """
query Investments($filter: InvestmentFilter) {
  investments(filter: $filter, first: 100) {
    totalCount
    edges { node {
      slug status urlPath buildings { code }
      leadImage { title }
      gallery { caption image { title rendition(size: THUMBNAIL) { url } srcset } }
    } }
  }
}
"""


@EVERYONE
def test_investments_list_covers_descendants_of_a_restricted_section(as_viewer, scenario, viewer):
    investments = as_viewer(viewer).data(INVESTMENTS_QUERY)["investments"]
    _assert_exact(investments, sc.INVESTMENTS[viewer])
    assert not sc.HIDDEN_INVESTMENTS & _keys(investments)


@EVERYONE
def test_investment_gallery_and_lead_image_follow_their_collections(as_viewer, scenario, viewer):
    investments = {node["slug"]: node for node in _nodes(as_viewer(viewer).data(INVESTMENTS_QUERY)["investments"])}
    public = investments["inv-public"]
    gallery = [item["image"]["title"] for item in public["gallery"]]
    # Gallery order is kept; hidden photos are left out, not replaced.
    assert gallery == [key for key in ("img-public", "img-a", "img-staff-deep") if key in sc.IMAGES[viewer]]
    lead = public["leadImage"]
    assert (lead["title"] if lead else None) == ("img-staff-deep" if "img-staff-deep" in sc.IMAGES[viewer] else None)


@EVERYONE
@pytest.mark.parametrize(
    "filter_, items",
    [
        ("status:FINISHED", {"inv-owners", "inv-owners-b"}),
        ("status:PLANNED", {"inv-building-a"}),
        ("building:A", {"inv-public", "inv-building-a"}),
        ("building:B", {"inv-public", "inv-owners-b"}),
    ],
)
def test_investment_filters(as_viewer, scenario, viewer, filter_, items):
    name, value = filter_.split(":")
    if name == "building":
        variables = {"filter": {"buildingId": str(getattr(scenario, f"building_{value.lower()}").pk)}}
    else:
        variables = {"filter": {"status": value}}
    _assert_exact(as_viewer(viewer).data(INVESTMENTS_QUERY, variables)["investments"], sc.INVESTMENTS[viewer] & items)


# --- Contractors ------------------------------------------------------------------------------

CONTRACTORS_QUERY = """
query Contractors($filter: ContractorFilter) {
  contractors(filter: $filter, first: 100) {
    totalCount
    edges { node { slug notes services trade { slug name } } }
  }
}
"""


@EVERYONE
def test_contractors_list(as_viewer, scenario, viewer):
    contractors = as_viewer(viewer).data(CONTRACTORS_QUERY)["contractors"]
    _assert_exact(contractors, sc.CONTRACTORS[viewer])
    assert not sc.HIDDEN_CONTRACTORS & _keys(contractors)


@EVERYONE
@pytest.mark.parametrize(
    "trade, items",
    [("hydraulik", sc.PLUMBERS), ("elektryk", {"electrician", "electrician-login"}), ("dekarz", set())],
)
def test_contractors_trade_filter(as_viewer, scenario, viewer, trade, items):
    contractors = as_viewer(viewer).data(CONTRACTORS_QUERY, {"filter": {"trade": trade}})["contractors"]
    _assert_exact(contractors, sc.CONTRACTORS[viewer] & items)
    assert {node["trade"]["slug"] for node in _nodes(contractors)} <= {trade}


def test_contractor_directory_is_grouped_by_trade(as_viewer, scenario):
    contractors = as_viewer("superuser").data(CONTRACTORS_QUERY)["contractors"]
    trades = [node["trade"]["slug"] for node in _nodes(contractors)]
    assert trades == sorted(trades, key=["hydraulik", "elektryk", "dekarz"].index)


# --- page(urlPath:) --------------------------------------------------------------------------

PAGE_FIELDS = """
  __typename slug urlPath title
  ... on NewsItem { lead leadImage { title } }
  ... on Investment { summary leadImage { title } gallery { image { title } } }
  ... on Contractor { notes }
"""


def _pages_seen(client, scenario, keys: list[str]) -> dict[str, dict | None]:
    """`page(urlPath:)` for each page, batched with aliases below the alias limit."""
    seen = {}
    for start in range(0, len(keys), 20):
        batch = keys[start : start + 20]
        fields = "\n".join(
            f"p{i}: page(urlPath: {json.dumps(scenario.path(key))}) {{ {PAGE_FIELDS} }}" for i, key in enumerate(batch)
        )
        data = client.data(f"query Pages {{ {fields} }}")
        seen.update({key: data[f"p{i}"] for i, key in enumerate(batch)})
    return seen


@EVERYONE
def test_page_by_url_path(as_viewer, scenario, viewer):
    keys = [*sc.SECTION_KEYS, *sorted(scenario.pages)]
    seen = _pages_seen(as_viewer(viewer), scenario, keys)
    visible = {key for key, page in seen.items() if page is not None}
    assert visible == sc.visible_pages(viewer)
    for key in visible:
        assert seen[key]["urlPath"] == scenario.path(key)
        assert seen[key]["slug"] == scenario.page(key).slug
    assert "SEKRET" not in json.dumps(seen)
    # Images reached through a single page follow their collections as in lists.
    public_news = seen["public"]
    assert (public_news["leadImage"] is not None) == ("img-a" in sc.IMAGES[viewer])
    gallery = [item["image"]["title"] for item in seen["inv-public"]["gallery"]]
    assert set(gallery) == {"img-public", "img-a", "img-staff-deep"} & sc.IMAGES[viewer]


@pytest.mark.parametrize("viewer", ["anonymous", "superuser"])
@pytest.mark.parametrize(
    "path", ["/aktualnosci/public", "aktualnosci/public/", "/aktualnosci/public/"], ids=["no-slash", "no-lead", "both"]
)
def test_page_path_spellings(as_viewer, scenario, viewer, path):
    data = as_viewer(viewer).data("query($p: String!) { page(urlPath: $p) { slug } }", {"p": path})
    assert data["page"] == {"slug": "public"}


@pytest.mark.parametrize("viewer", ["anonymous", "resident_b"])
@pytest.mark.parametrize(
    "path", ["/aktualnosci/building-a/%2e%2e/building-a/", "/../aktualnosci/building-a/", "/aktualnosci//building-a/"]
)
def test_page_path_tricks_do_not_reach_restricted_pages(as_viewer, scenario, viewer, path):
    result = as_viewer(viewer).execute("query($p: String!) { page(urlPath: $p) { slug } }", {"p": path})
    assert not (result.get("data") or {}).get("page")


# --- Image files -------------------------------------------------------------------------------


def _image_urls(as_viewer, scenario) -> dict[str, set[str]]:
    """Every file address of every image: renditions (made as the superuser) and originals."""
    investments = as_viewer("superuser").data(
        """{ investments(first: 100) { edges { node { slug gallery { image {
             title thumb: rendition(size: THUMBNAIL) { url } card: rendition(size: CARD) { url }
             large: rendition(size: LARGE) { url } srcset } } } } } }"""
    )["investments"]
    urls: dict[str, set[str]] = {}
    public = next(node for node in _nodes(investments) if node["slug"] == "inv-public")
    for item in public["gallery"]:
        image = item["image"]
        found = urls.setdefault(image["title"], set())
        found |= {image[size]["url"] for size in ("thumb", "card", "large")}
        found |= {part.strip().split(" ")[0] for part in image["srcset"].split(",")}
    for key, image in scenario.images.items():
        urls[key].add(image.file.url)
    assert all(url.startswith(settings.MEDIA_URL) for found in urls.values() for url in found)
    return {key: {urlsplit(url).path for url in found} for key, found in urls.items()}


@EVERYONE
def test_image_files_are_served_only_to_who_may_see_the_collection(as_viewer, client, scenario, viewer):
    urls = _image_urls(as_viewer, scenario)
    assert set(urls) == {"img-public", "img-a", "img-staff-deep"}
    as_viewer(viewer)
    for key, paths in urls.items():
        allowed = key in sc.IMAGES[viewer]
        for path in sorted(paths):
            response = client.get(path)
            if allowed:
                assert response.status_code == 200, (viewer, key, path)
                assert response["Content-Type"].startswith("image/")
                body = _body(response)
                assert body[:2] == b"\xff\xd8"  # a JPEG
                cache_control = response.get("Cache-Control", "")
                if key != "img-public":
                    # A shared cache must never keep a restricted image for the next visitor.
                    assert "private" in cache_control and "public" not in cache_control, cache_control
            else:
                assert response.status_code == 404, (viewer, key, path, response.status_code)


@EVERYONE
def test_image_addresses_the_api_gives_a_viewer_all_work_for_that_viewer(as_viewer, client, scenario, viewer):
    api = as_viewer(viewer)
    news = _nodes(api.data(NEWS_QUERY)["news"])
    investments = _nodes(api.data(INVESTMENTS_QUERY)["investments"])
    urls = set()
    for node in news:
        if node["leadImage"]:
            urls.add(node["leadImage"]["rendition"]["url"])
            urls |= {part.strip().split(" ")[0] for part in node["leadImage"]["srcset"].split(",")}
    for node in investments:
        for item in node["gallery"]:
            urls.add(item["image"]["rendition"]["url"])
    assert urls
    for url in sorted(urls):
        assert client.get(urlsplit(url).path).status_code == 200, url


def test_unknown_image_file_is_404(client, scenario):
    assert client.get(settings.MEDIA_URL + "images/nothing.jpg").status_code == 404
    assert client.get(settings.MEDIA_URL + "original_images/nothing.jpg").status_code == 404


def test_image_file_refuses_writes(client, scenario):
    path = scenario.images["img-public"].file.url
    assert client.post(path).status_code == 405


# --- Wagtail's own page serving: the same answer on the HTML path ------------------------------


@EVERYONE
def test_wagtail_page_serving_agrees_with_the_api(as_viewer, client, scenario, viewer):
    as_viewer(viewer)
    for key in [*sc.SECTION_KEYS, *sorted(scenario.pages)]:
        page = scenario.page(key)
        response = client.get(scenario.served_path(key))
        body = _body(response).decode(errors="replace")
        served = response.status_code == 200 and f"<h1>{page.title}</h1>" in body
        assert served == (key in sc.visible_pages(viewer)), (viewer, key, response.status_code)
        assert "SEKRET" not in body
        if not served:
            assert response.status_code in (200, 302, 403, 404), (viewer, key, response.status_code)
            assert page.title not in body


def test_section_pages_list_only_public_children(client, scenario):
    client.force_login(scenario.users["superuser"])
    body = _body(client.get(scenario.served_path("news"))).decode()
    assert "Komunikat public" in body
    for restricted in ("building-a", "staff", "login", "password", "draft", "scheduled"):
        assert f"Komunikat {restricted}<" not in body


# --- Bearer tokens: the mobile channel answers the same question ---------------------------------


def _bearer(scenario, viewer: str) -> dict:
    from operations.residents import services

    token = services.api_token_issue(user=scenario.users[viewer], client_name="test phone")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("viewer", ["resident_a", "resident_b", "staff"])
def test_bearer_token_sees_what_the_session_sees(gql, client, scenario, viewer):
    headers = _bearer(scenario, viewer)
    _assert_exact(gql.data(NEWS_QUERY, **headers)["news"], sc.NEWS[viewer])
    _assert_exact(gql.data(DOCUMENTS_QUERY, **headers)["documents"], sc.DOCUMENTS[viewer], field="title")
    for key, document in scenario.documents.items():
        response = client.get(document.url, **headers)
        served = response.status_code == 200 and _body(response) == PDF_BYTES
        assert served == (key in sc.DOCUMENTS[viewer]), (viewer, key)


def test_a_token_speaks_for_itself_not_for_the_session(gql, scenario):
    gql.login(scenario.users["resident_a"])
    headers = _bearer(scenario, "resident_b")
    _assert_exact(gql.data(NEWS_QUERY, **headers)["news"], sc.NEWS["resident_b"])


@pytest.mark.parametrize("token", ["wagtail_" + "x" * 33, "garbage", ""])
def test_unknown_token_is_anonymous_even_with_a_session(gql, scenario, token):
    gql.login(scenario.users["superuser"])
    _assert_exact(gql.data(NEWS_QUERY, HTTP_AUTHORIZATION=f"Bearer {token}")["news"], sc.NEWS["anonymous"])


# --- Access follows memberships at once ---------------------------------------------------------


def test_ending_a_membership_takes_its_access_away_immediately(as_viewer, scenario):
    from operations.residents import services
    from operations.residents.models import Membership

    client = as_viewer("resident_a")
    _assert_exact(client.data(NEWS_QUERY)["news"], sc.NEWS["resident_a"])
    membership = Membership.objects.get(user=scenario.users["resident_a"], status=Membership.Status.VERIFIED)
    services.membership_end(membership=membership, ended_by=scenario.users["office"])
    # Signed in, no verified unit: what an unverified person sees.
    _assert_exact(client.data(NEWS_QUERY)["news"], sc.NEWS["pending"])
    _assert_exact(client.data(DOCUMENTS_QUERY)["documents"], sc.DOCUMENTS["pending"], field="title")
    assert not client.data('{ page(urlPath: "/aktualnosci/building-a/") { slug } }')["page"]


def test_verifying_a_pending_membership_grants_its_access_immediately(as_viewer, scenario):
    from operations.residents import services
    from operations.residents.models import Membership

    client = as_viewer("pending")
    _assert_exact(client.data(NEWS_QUERY)["news"], sc.NEWS["pending"])
    membership = Membership.objects.get(user=scenario.users["pending"], status=Membership.Status.PENDING)
    services.membership_verify(membership=membership, decided_by=scenario.users["office"])
    # Now an owner in building A, exactly like resident_a.
    _assert_exact(client.data(NEWS_QUERY)["news"], sc.NEWS["resident_a"])
    _assert_exact(client.data(INVESTMENTS_QUERY)["investments"], sc.INVESTMENTS["resident_a"])


# --- Passwords: Wagtail's own pages may open, the API never does ---------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "superuser"])
def test_passing_a_page_password_opens_wagtails_page_but_not_the_api(as_viewer, client, scenario, viewer):
    from django.urls import reverse
    from wagtail.models import PageViewRestriction

    api = as_viewer(viewer)
    page = scenario.pages["password"]
    restriction = PageViewRestriction.objects.get(page=page)
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    response = client.post(url, {"password": "tajne", "return_url": scenario.path("password")})
    assert response.status_code == 302
    assert f"<h1>{page.title}</h1>" in client.get(scenario.served_path("password")).content.decode()
    # The session now holds the password, yet the API still never serves the page.
    assert "password" not in _keys(api.data(NEWS_QUERY)["news"])
    assert api.data('{ page(urlPath: "/aktualnosci/password/") { slug } }')["page"] is None


@pytest.mark.parametrize("viewer", ["anonymous", "superuser"])
def test_passing_a_collection_password_opens_the_download_but_not_the_list(as_viewer, client, scenario, viewer):
    from django.urls import reverse
    from wagtail.models import CollectionViewRestriction

    api = as_viewer(viewer)
    document = scenario.documents["password"]
    restriction = CollectionViewRestriction.objects.get(collection=scenario.collections["password"])
    url = reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk])
    assert client.post(url, {"password": "tajne", "return_url": document.url}).status_code == 302
    assert _body(client.get(document.url)) == PDF_BYTES
    assert "password" not in _keys(api.data(DOCUMENTS_QUERY)["documents"], "title")


def test_a_wrong_collection_password_opens_nothing(client, scenario):
    from django.urls import reverse
    from wagtail.models import CollectionViewRestriction

    document = scenario.documents["password"]
    restriction = CollectionViewRestriction.objects.get(collection=scenario.collections["password"])
    url = reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk])
    client.post(url, {"password": "zle", "return_url": document.url})
    assert PDF_BYTES not in _body(client.get(document.url))


# --- A deactivated account is nobody -------------------------------------------------------------


def test_a_deactivated_account_sees_only_public_content(as_viewer, client, scenario):
    api = as_viewer("resident_a")
    user = scenario.users["resident_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    _assert_exact(api.data(NEWS_QUERY)["news"], sc.NEWS["anonymous"])
    assert client.get(scenario.documents["building-a"].url).status_code != 200
