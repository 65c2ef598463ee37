"""The one visibility mechanism, checked against Wagtail's own `accept_request`.

For every restriction kind and every kind of user, the set-based answer of
`cms.core.visibility` must equal what Wagtail decides page by page, with the hub's two
deliberate differences: password-protected content is never served by the API, and a
`login` restriction admits only users the cooperative recognises (audience members,
superusers), not every account someone registered.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import RequestFactory
from wagtail.documents import get_document_model
from wagtail.models import Page

from cms.core import visibility
from operations.residents import services
from tests.factories import content as f

pytestmark = pytest.mark.django_db


def _audience_group(name: str) -> Group:
    """An estate's audience group, made the way the hub makes it."""
    estate = services.estate_create(name=name, slug=name.lower())
    return services.audience_group(estate=estate)


@pytest.fixture
def people():
    insiders = _audience_group("Insiders")
    others = _audience_group("Others")
    member = User.objects.create_user("member")
    member.groups.add(insiders)
    outsider = User.objects.create_user("outsider")
    outsider.groups.add(others)
    registered = User.objects.create_user("registered")  # signed in, in no audience yet
    registered.groups.add(Group.objects.create(name="Not an audience"))
    return {
        "anonymous": AnonymousUser(),
        "registered": registered,
        "member": member,
        "outsider": outsider,
        "superuser": User.objects.create_superuser("root"),
        "insiders": insiders,
    }


@pytest.fixture
def pages(site_tree, people):
    news = site_tree.news
    public = f.make_news(news, title="public")
    login = f.make_news(news, title="login")
    f.restrict_page(login, login=True)
    groups = f.make_news(news, title="groups")
    f.restrict_page(groups, groups=[people["insiders"]])
    password = f.make_news(news, title="password")
    f.restrict_page(password, password="sekret")
    draft = f.make_news(news, title="draft", live=False)
    return {"public": public, "login": login, "groups": groups, "password": password, "draft": draft}


EXPECTED = {
    "anonymous": {"public"},
    "registered": {"public"},
    "member": {"public", "login", "groups"},
    "outsider": {"public", "login"},
    "superuser": {"public", "login", "groups"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_pages_visible_match_expectation(pages, people, who):
    visible = visibility.restrict_pages(Page.objects.filter(title__in=list(pages)), people[who])
    assert set(visible.values_list("title", flat=True)) == EXPECTED[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_set_answer_equals_wagtails_own_answer(pages, people, who):
    request = RequestFactory().get("/")
    request.user = people[who]
    request.session = {}
    visible = set(visibility.restrict_pages(Page.objects.all(), people[who]).values_list("pk", flat=True))
    for page in Page.objects.live().filter(depth__gt=1):
        restrictions = page.get_view_restrictions()
        wagtail_says = all(r.accept_request(request) for r in restrictions)
        is_password = any(r.restriction_type == "password" for r in restrictions)
        needs_recognition = any(r.restriction_type == "login" for r in restrictions)
        recognised = visibility.is_recognised(people[who])
        expected = wagtail_says and not is_password and (recognised or not needs_recognition)
        assert (page.pk in visible) == expected, page.title


def test_restriction_covers_descendants(site_tree, people):
    section = site_tree.investments
    f.restrict_page(section, groups=[people["insiders"]])
    child = f.make_investment(section, title="child")
    assert not visibility.page_is_visible(child, people["outsider"])
    assert not visibility.page_is_visible(child, people["anonymous"])
    assert visibility.page_is_visible(child, people["member"])


def test_nested_restrictions_all_apply(site_tree, people):
    # Inside a login-only section, a groups restriction still excludes non-members.
    f.restrict_page(site_tree.news, login=True)
    inner = f.make_news(site_tree.news, title="inner")
    f.restrict_page(inner, groups=[people["insiders"]])
    assert not visibility.page_is_visible(inner, people["outsider"])
    assert visibility.page_is_visible(inner, people["member"])


def test_collection_restriction_covers_sub_collections(people):
    restricted = f.make_collection("Zarząd")
    nested = f.make_collection("Protokoły", parent=restricted)
    f.restrict_collection(restricted, groups=[people["insiders"]])
    deep = f.make_document(title="deep", collection=nested)
    public = f.make_document(title="public")
    documents = get_document_model().objects.all()
    assert set(visibility.restrict_by_collection(documents, people["outsider"]).values_list("title", flat=True)) == {
        "public"
    }
    assert set(visibility.restrict_by_collection(documents, people["member"]).values_list("title", flat=True)) == {
        "public",
        "deep",
    }
    assert visibility.collection_is_visible(nested, people["member"])
    assert not visibility.collection_is_visible(nested, people["anonymous"])
    assert deep.pk and public.pk


def test_password_collection_never_listed(people):
    locked = f.make_collection("Hasło")
    f.restrict_collection(locked, password="sekret")
    f.make_document(title="locked", collection=locked)
    for who in ("anonymous", "member", "superuser"):
        assert not visibility.restrict_by_collection(get_document_model().objects.all(), people[who]).exists()


def test_what_a_viewer_may_not_read_costs_one_query(pages, people, django_assert_num_queries):
    with django_assert_num_queries(1):
        denial = visibility.denial_of(people["member"])
    with django_assert_num_queries(1):
        denial.may_read_collection("0001")  # listed on first use, for answers made in Python
    with django_assert_num_queries(0):
        denial.may_read_collection("00010001")


def test_alias_follows_its_source_restriction(site_tree, people):
    source = f.make_news(site_tree.news, title="source")
    alias = source.create_alias(update_slug="source-alias")
    # Restricted after the alias exists: Wagtail copies restrictions only when aliasing.
    f.restrict_page(source, groups=[people["insiders"]])
    for who in ("anonymous", "outsider", "registered"):
        assert not visibility.page_is_visible(alias, people[who]), who
    assert visibility.page_is_visible(alias, people["member"])


def test_alias_of_a_page_in_a_restricted_section_is_covered(site_tree, people):
    inner = f.make_investment(site_tree.investments, title="inner")
    f.restrict_page(site_tree.investments, groups=[people["insiders"]])
    alias = inner.create_alias(parent=site_tree.news, update_slug="inner-alias")
    assert not visibility.page_is_visible(alias, people["outsider"])
    assert visibility.page_is_visible(alias, people["member"])
