"""Independent tests of issue 9: aliases of restricted sections. What is published under
them is hidden from those the restriction leaves out, in the API and on the website alike.

Written from the specification through public interfaces only; the README's numbers and
the helpers are `issue9_kit.py`.
"""

from __future__ import annotations

import pytest

from operations.residents import services as residents
from operations.residents.models import Audience, Membership
from tests.api.issue9_kit import (
    NEWS_SLUGS,
    PAGE,
    User,
    _register,
    cache_in,
    client_for,
    gql,
)
from tests.factories import accounts as acc
from tests.factories import content as f
from tests.factories import tickets as t
from tests.factories.residents import MembershipFactory, SuperUserFactory

pytestmark = pytest.mark.django_db


# --- Aliases of restricted sections ---------------------------------------------------------


ALIAS_VIEWERS_HIDDEN = ["anonymous", "other_building", "unverified", "contractor"]
ALIAS_VIEWERS_SHOWN = ["resident", "tenant", "staff", "superuser"]


@pytest.fixture
def alias_world(site_tree, django_capture_on_commit_callbacks):
    """Sections restricted to building A and the staff audience, each with an alias
    outside it and a news item published under the alias, four ways:
    - `after`: the section restricted after its alias was made;
    - `before`: restricted before (the alias is a copy of a restricted section);
    - `ancestor`: the section sits inside a restricted section, with no row of its own;
    - `chain`: an alias of an alias of the restricted section."""
    from cms.news.models import NewsIndexPage

    cast = t.build_cast()
    audience = [residents.audience_group(building=cast.building), residents.audience_group(role=Audience.Role.STAFF)]
    home = site_tree.home
    items = {}

    after = f.publish(home, NewsIndexPage(title="Sekcja A po", slug="sekcja-a-po"))
    after_alias = after.create_alias(parent=home, update_slug="sekcja-a-po-alias")
    f.restrict_page(after, groups=audience)
    items["after"] = f.make_news(after_alias, title="Pod aliasem: po", slug="pod-aliasem-po")

    before = f.publish(home, NewsIndexPage(title="Sekcja A przed", slug="sekcja-a-przed"))
    f.restrict_page(before, groups=audience)
    before_alias = before.create_alias(parent=home, update_slug="sekcja-a-przed-alias")
    items["before"] = f.make_news(before_alias, title="Pod aliasem: przed", slug="pod-aliasem-przed")

    zone = f.publish(home, NewsIndexPage(title="Strefa A", slug="strefa-a"))
    f.restrict_page(zone, groups=audience)
    inner = f.publish(zone, NewsIndexPage(title="Komunikaty strefy", slug="komunikaty-strefy"))
    inner_alias = inner.create_alias(parent=home, update_slug="komunikaty-strefy-alias")
    items["ancestor"] = f.make_news(inner_alias, title="Pod aliasem: przodek", slug="pod-aliasem-przodek")

    source = f.publish(home, NewsIndexPage(title="Sekcja A łańcuch", slug="sekcja-a-lancuch"))
    f.restrict_page(source, groups=audience)
    first_alias = source.create_alias(parent=home, update_slug="sekcja-a-lancuch-alias")
    second_alias = first_alias.create_alias(parent=home, update_slug="sekcja-a-lancuch-alias-2")
    items["chain"] = f.make_news(second_alias, title="Pod aliasem: łańcuch", slug="pod-aliasem-lancuch")

    f.make_news(site_tree.news, title="Jawny komunikat", slug="jawny-komunikat")

    # An unverified registered account: signed up through the API, asked for a unit in
    # building A, not verified yet.
    email = "niezweryfikowana@example.pl"
    assert _register("192.0.2.230", email, django_capture_on_commit_callbacks)["accepted"] is True
    link = acc.the_link(email, "potwierdz")
    browser = acc.Browser(REMOTE_ADDR="192.0.2.230")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = browser.data(
            acc.ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": acc.NEW_PASSWORD}
        )["accountConfirm"]
    assert confirmed["errors"] == [], confirmed
    unverified = User.objects.get(email__iexact=email)
    MembershipFactory(user=unverified, unit=cast.other_unit, role=Membership.Role.OWNER)

    viewers = {
        "anonymous": None,
        "other_building": cast.stranger,
        "unverified": unverified,
        "contractor": cast.firm_worker,
        "resident": cast.reporter,
        "tenant": cast.co_resident,
        "staff": cast.dispatcher,
        "superuser": SuperUserFactory(username="alias-root"),
    }
    return {"items": items, "viewers": viewers, "audience": audience, "cast": cast}


def _site_path(page) -> str:
    return "/" + page.url_path.split("/", 2)[2]


def _check_alias_items(world, kind: str, *, may_read: bool) -> None:
    user = world["viewers"][kind]
    client = client_for(user, "192.0.2.240")
    listed = gql(client, NEWS_SLUGS)["news"]
    slugs = {edge["node"]["slug"] for edge in listed["edges"]}
    assert "jawny-komunikat" in slugs, slugs
    failures = []
    for variant, item in world["items"].items():
        found = gql(client, PAGE, {"path": _site_path(item)})["page"]
        response = client.get(item.url)
        served = response.status_code == 200
        if not may_read:
            served = served or item.title in response.content.decode()
        answers = {"page": found is not None, "news": item.slug in slugs, "website": served}
        if any(shown is not may_read for shown in answers.values()):
            failures.append((variant, answers, response.status_code))
    assert not failures, f"{kind} should {'read' if may_read else 'not read'}: {failures}"


def test_alias_premise(alias_world):
    """The people are who the tests say: the resident and tenant are verified in building
    A's audience, the dispatcher in the staff audience; the others in neither."""
    groups = set(alias_world["audience"])
    for kind in ("resident", "tenant", "staff"):
        assert groups & set(alias_world["viewers"][kind].groups.all()), kind
    for kind in ("other_building", "unverified", "contractor"):
        assert not groups & set(alias_world["viewers"][kind].groups.all()), kind
    for item in alias_world["items"].values():
        assert item.live


@pytest.mark.parametrize("kind", ALIAS_VIEWERS_HIDDEN)
def test_items_under_aliases_of_restricted_sections_are_hidden(alias_world, kind):
    _check_alias_items(alias_world, kind, may_read=False)


@pytest.mark.parametrize("kind", ALIAS_VIEWERS_SHOWN)
def test_items_under_aliases_of_restricted_sections_are_shown_to_their_audience(alias_world, kind):
    _check_alias_items(alias_world, kind, may_read=True)


@pytest.mark.parametrize("kind", ALIAS_VIEWERS_HIDDEN)
def test_items_under_aliases_stay_hidden_with_the_cache_down(alias_world, kind):
    with cache_in("down"):
        _check_alias_items(alias_world, kind, may_read=False)
