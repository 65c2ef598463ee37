"""Aliases and view restrictions: the hub's set-based rule against Wagtail's, case by case.

Wagtail 8.0 (wagtail/models/pages.py, `Page.get_view_restrictions`, lines 1984-2010)
collects a page's restrictions from the page and each of its ancestors, replacing every
one of those pages that is an alias by its source page, recursively (an alias of an
alias resolves to the end of the chain). The source's *ancestors* are not consulted, and
a restriction row stored on an alias page is never read.

`cms.core.visibility` must deny whatever Wagtail denies, for every shape of alias tree,
and it is stricter in the two cases Wagtail leaves open (pinned at the end of this file).
Trees are built with Wagtail's `create_alias` and tree API, which apply no page-type
rules, so shapes the admin forbids today are covered too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client, RequestFactory
from wagtail.models import Page

from cms.core import visibility
from cms.news.models import NewsIndexPage
from tests.factories import content as f
from tests.factories.residents import estate_audience_member

pytestmark = pytest.mark.django_db

VIEWERS = ("anonymous", "member", "outsider", "superuser")


@pytest.fixture
def people():
    member, insiders = estate_audience_member("member", "Insiders")
    outsider, others = estate_audience_member("outsider", "Others")
    return {
        "anonymous": AnonymousUser(),
        "member": member,
        "outsider": outsider,
        "superuser": User.objects.create_superuser("root"),
        "insiders": insiders,
        "others": others,
    }


def wagtail_lets(page, user) -> bool:
    """Wagtail's own answer: every restriction `get_view_restrictions` finds accepts the
    request (what its `check_view_restrictions` serving hook asks)."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())


def website_status(page, user) -> int:
    """What Wagtail's page serving, with the hub's hooks, answers `user` (None: anonymous)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(page.url).status_code


@pytest.fixture
def tree(site_tree, people):
    """A section restricted to the insiders, and every way a page can show it through aliases.

    Aliases are made before the restriction, so that `create_alias` copies no restriction
    onto them: each page below is restricted only by what Wagtail resolves.
    """
    home = site_tree.home
    section = f.publish(home, NewsIndexPage(title="Zarząd", slug="zarzad"))
    inside = f.make_news(section, slug="inside")
    public_news = f.make_news(site_tree.news, slug="public-news")
    alias = section.create_alias(parent=home, update_slug="zarzad-alias")
    alias_of_alias = alias.create_alias(parent=home, update_slug="zarzad-alias-2")
    # A whole copy: the alias of the section with aliases of its children under it.
    recursive = section.create_alias(parent=home, update_slug="zarzad-copy", recursive=True)
    pages = {
        "section": section,
        "inside": inside,
        "alias": alias,
        # The issue's case: a plain page published under an alias of the section.
        "under-alias": f.make_news(alias, slug="under-alias"),
        "alias-of-alias": alias_of_alias,
        # Under an alias of an alias: Wagtail follows the chain to the section.
        "under-alias-of-alias": f.make_news(alias_of_alias, slug="under-alias-of-alias"),
        # An alias of a public page, standing under the alias of the section.
        "alias-under-alias": public_news.create_alias(parent=alias, update_slug="alias-under-alias"),
        "recursive": recursive,
        "recursive-child": recursive.get_children().get().specific,
    }
    f.restrict_page(section, groups=[people["insiders"]])
    # An alias chain the other way round: a page restricted to the others, aliased into
    # a public section; Wagtail resolves the alias itself to the restricted source.
    for_others = f.make_news(site_tree.news, slug="for-others")
    others_alias = for_others.create_alias(update_slug="for-others-alias")
    f.restrict_page(for_others, groups=[people["others"]])
    pages["for-others-alias"] = others_alias
    pages["under-others-alias"] = f.make_news(others_alias, slug="under-others-alias")
    pages["public-news"] = public_news
    return pages


def test_the_tree_has_the_shapes_it_claims(tree):
    assert tree["alias"].alias_of_id == tree["section"].pk
    # Wagtail keeps the chain: an alias of an alias points at the alias, not the source.
    assert tree["alias-of-alias"].alias_of_id == tree["alias"].pk
    assert tree["alias-under-alias"].alias_of_id == tree["public-news"].pk
    assert tree["recursive-child"].alias_of_id == tree["inside"].pk
    assert tree["under-alias"].alias_of_id is None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_page_is_visible_exactly_when_wagtail_serves_it(tree, people, viewer):
    user = people[viewer]
    for name, page in tree.items():
        assert visibility.page_is_visible(page, user) == wagtail_lets(page, user), (name, viewer)


def test_wagtail_refuses_what_the_issue_says(tree, people):
    """The comparison above means something: the leaking shapes are refused by Wagtail to
    an outsider and allowed to a member (the section's restriction reaches them)."""
    for name in ("under-alias", "alias-of-alias", "under-alias-of-alias", "alias-under-alias", "recursive-child"):
        page = tree[name]
        assert [r.page_id for r in page.get_view_restrictions()] == [tree["section"].pk], name
        assert not wagtail_lets(page, people["outsider"]) and not wagtail_lets(page, AnonymousUser()), name
        assert wagtail_lets(page, people["member"]), name
    assert not wagtail_lets(tree["under-others-alias"], people["member"])


def test_lists_apply_the_same_rule(tree, people):
    """The set-based path (one query for the denied subtrees, then a filter) agrees too."""
    ids = {page.pk for page in tree.values()}
    for viewer in VIEWERS:
        user = people[viewer]
        listed = set(visibility.restrict_pages(Page.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
        assert listed == {page.pk for page in tree.values() if wagtail_lets(page, user)}, viewer


def test_hidden_aliases_cost_one_query(tree, people, django_assert_num_queries):
    with django_assert_num_queries(1):
        denial = visibility.denial_of(people["outsider"])
    # The three aliases that show the restricted section (each with its subtree); the
    # section itself is hidden by the restriction on it, found by the path join.
    expected = {tree[name].pk for name in ("alias", "alias-of-alias", "recursive")}
    assert expected <= denial.hidden_alias_ids


def test_one_page_rule_of_the_broadcasts_covers_wagtails(tree):
    """`page_restrictions` (one page, for a broadcast's readers) finds every restriction
    Wagtail applies."""
    for name, page in tree.items():
        assert set(page.get_view_restrictions()) <= set(visibility.page_restrictions(page)), name


# --- The reverse question: who may read a page ------------------------------------------------


def _agrees_with_page_readers(page, users) -> None:
    readers = set(User.objects.filter(visibility.page_readers(page)).values_list("pk", flat=True))
    for user in users:
        assert (user.pk in readers) == visibility.page_is_visible(page, user), (page.slug, user.username)


def test_the_readers_of_a_page_are_those_it_is_visible_to(tree, people):
    """`page_readers` (who a broadcast announcing the page may reach) answers like
    `page_is_visible` for every shape of alias and every signed-in person."""
    stranger = User.objects.create_user("stranger")  # signed in, in no audience
    users = [people["member"], people["outsider"], people["superuser"], stranger]
    for page in tree.values():
        _agrees_with_page_readers(page, users)


def test_readers_of_login_and_password_pages(site_tree, people):
    """`login` admits recognised people only (not a stranger who registered); `password`
    admits nobody, superusers included, since only Wagtail's serving can ask for it."""
    stranger = User.objects.create_user("stranger")
    users = [people["member"], people["outsider"], people["superuser"], stranger]
    login_only = f.make_news(site_tree.news, slug="login-only")
    f.restrict_page(login_only, login=True)
    with_password = f.make_news(site_tree.news, slug="with-password")
    f.restrict_page(with_password, password="tajne")
    public = f.make_news(site_tree.news, slug="public")
    for page in (login_only, with_password, public):
        _agrees_with_page_readers(page, users)
    assert set(User.objects.filter(visibility.page_readers(login_only))) == set(users) - {stranger}
    assert not User.objects.filter(visibility.page_readers(with_password)).exists()
    assert set(User.objects.filter(visibility.page_readers(public))) == set(users)


# --- Where the hub is stricter than Wagtail, on purpose ------------------------------------


def test_alias_of_a_page_inside_a_restricted_section_stays_hidden(site_tree, people):
    """Wagtail serves this alias to everyone (its source has no restriction of its own,
    and Wagtail reads no ancestor of the source), though it shows restricted content.
    The hub keeps it hidden, and everything under it."""
    section = f.publish(site_tree.home, NewsIndexPage(title="Zarząd", slug="zarzad"))
    f.restrict_page(section, groups=[people["insiders"]])
    inside = f.make_news(section, slug="inside")
    alias = inside.create_alias(parent=site_tree.news, update_slug="inside-alias")
    under = f.make_news(alias, slug="under-inside-alias")
    for page in (alias, under):
        assert wagtail_lets(page, people["outsider"])  # Wagtail's gap
        assert not visibility.page_is_visible(page, people["outsider"])
        assert website_status(page, people["outsider"]) == 403  # the website agrees with the API ("not available")
        assert website_status(page, people["member"]) == 200
        assert website_status(page, None) == 302  # to sign in
        assert visibility.page_is_visible(page, people["member"])
        assert set(visibility.page_restrictions(page)) == set(section.view_restrictions.all())


def test_restriction_stored_on_an_alias_still_counts(site_tree, people):
    """`create_alias` copies the source's restriction onto the alias; Wagtail never reads
    it again (the alias resolves to its source). Once the source is made public, Wagtail
    serves the alias to everyone; the hub still honours the row it can see."""
    source = f.make_news(site_tree.news, slug="source")
    restriction = f.restrict_page(source, groups=[people["insiders"]])
    alias = source.create_alias(update_slug="source-alias")
    assert alias.view_restrictions.exists()  # copied by Wagtail
    restriction.delete()
    assert wagtail_lets(alias, people["outsider"])
    assert not visibility.page_is_visible(alias, people["outsider"])
    assert website_status(alias, people["outsider"]) == 403
    assert website_status(alias, people["member"]) == 200
    assert visibility.page_is_visible(alias, people["member"])
