"""Independent tests of issue 9: with the cache server unreachable, the everyday
operations answer without INTERNAL_SERVER_ERROR and do what they do with the cache up.

Written from the specification through public interfaces only; the README's numbers and
the helpers are `issue9_kit.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client

from operations.residents import services as residents
from tests.api.issue9_kit import (
    COMMENT_ADD,
    NEWS,
    OK,
    PAIR_HARD,
    TICKET_ANONYMOUS,
    TICKET_CREATE,
    VIEWER,
    WRONG,
    _anonymous_input,
    _register,
    _reset_request,
    cache_in,
    client_for,
    codes,
    fail,
    gql,
    person,
    reset_password_from,
    sign_in,
)
from tests.factories import accounts as acc
from tests.factories import content as f
from tests.factories import tickets as t
from tests.factories.graphql import gid
from tests.factories.residents import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


# --- Cache down --------------------------------------------------------------------------


def test_cache_down_premise():
    """The outage the tests below rely on: with CACHE_DOWN nothing is stored or read."""
    from django.core.cache import cache

    with cache_in("down"):
        cache.set("issue9-probe", 1, 60)
        assert cache.get("issue9-probe") is None
    cache.set("issue9-probe", 1, 60)
    assert cache.get("issue9-probe") == 1


KINDS = ["anonymous", "resident", "tenant", "other_building", "contractor", "staff"]


def cast_viewer(cast, kind: str):
    return {
        "anonymous": None,
        "resident": cast.reporter,
        "tenant": cast.co_resident,
        "other_building": cast.stranger,
        "contractor": cast.firm_worker,
        "staff": cast.dispatcher,
    }[kind]


@pytest.fixture
def cast():
    return t.build_cast()


@pytest.mark.parametrize("kind", KINDS)
def test_ticket_create_with_the_cache_down(cast, kind):
    user = cast_viewer(cast, kind)

    def report(ip):
        variables = {
            "input": {
                "categoryId": str(cast.category.pk),
                "unitId": str(cast.unit.pk),
                "title": "Cieknie kran w kuchni",
                "description": "Od wczoraj kapie z kranu.",
            }
        }
        payload = gql(client_for(user, ip), TICKET_CREATE, variables)["ticketCreate"]
        return payload["ticket"] is not None, codes(payload)

    up = report("192.0.2.160")
    with cache_in("down"):
        down = report("192.0.2.161")
    assert down == up
    if kind in ("resident", "tenant"):
        assert down == (True, [])
    if kind in ("anonymous", "other_building", "contractor"):
        assert down[0] is False and down[1], down


@pytest.mark.parametrize("state", ["up", "down"])
@pytest.mark.parametrize("ip", ["192.0.2.170", "2001:db8:170:1::5"])
def test_anonymous_report_with_the_cache_down(state, ip):
    cast = t.build_cast(with_firms=False)
    with cache_in(state):
        payload = gql(Client(REMOTE_ADDR=ip), TICKET_ANONYMOUS, _anonymous_input(cast, "600 555 111"))
    payload = payload["ticketAnonymousCreate"]
    assert payload["errors"] == [] and payload["reference"], payload
    # Staff find it.
    listed = gql(client_for(cast.dispatcher), "{ tickets(first: 50) { edges { node { reference } } } }")
    assert payload["reference"] in {edge["node"]["reference"] for edge in listed["tickets"]["edges"]}


@pytest.mark.parametrize("state", ["up", "down"])
def test_user_register_with_the_cache_down(state, django_capture_on_commit_callbacks):
    existing = person("resident")
    new = f"nowa.{state}@example.pl"
    with cache_in(state):
        for email, purpose in ((new, "potwierdz"), (existing.email, "nowe-haslo")):
            payload = _register("192.0.2.180", email, django_capture_on_commit_callbacks)
            assert payload == {"accepted": True, "errors": []}, payload
            link = acc.the_link(email, purpose)
        link = acc.the_link(new, "potwierdz")
        browser = acc.Browser(REMOTE_ADDR="192.0.2.180")
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = browser.data(
                acc.ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": acc.NEW_PASSWORD}
            )["accountConfirm"]
        assert confirmed["errors"] == [], confirmed
        assert browser.viewer().lower() == new
        assert sign_in("session", new, acc.NEW_PASSWORD, "192.0.2.181") == OK


@pytest.mark.parametrize("state", ["up", "down"])
def test_password_reset_request_with_the_cache_down(state, django_capture_on_commit_callbacks):
    owner = person("tenant")
    with cache_in(state):
        unknown = _reset_request("192.0.2.185", "nikogo.tu.nie.ma@example.pl", django_capture_on_commit_callbacks)
        assert unknown == {"accepted": True, "errors": []}, unknown
        assert acc.mails_to("nikogo.tu.nie.ma@example.pl") == []
        reset_password_from("192.0.2.185", owner, capture=django_capture_on_commit_callbacks)
        assert sign_in("session", owner.username, acc.NEW_PASSWORD, "192.0.2.186") == OK


@pytest.mark.parametrize("state", ["up", "down"])
@pytest.mark.parametrize("kind", ["resident", "tenant", "contractor", "staff"])
def test_session_and_token_sign_in_with_the_cache_down(state, kind):
    someone = person(kind)
    with cache_in(state):
        assert sign_in("session", someone.username, WRONG, "192.0.2.190") == "INVALID_CREDENTIALS"
        assert sign_in("token", someone.username, WRONG, "192.0.2.190") == "INVALID_CREDENTIALS"
        assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.190") == OK
        assert sign_in("token", someone.username, DEFAULT_PASSWORD, "2001:db8:190:1::1") == OK


@pytest.mark.parametrize("state", ["up", "down"])
def test_sign_in_throttling_works_with_the_cache_down(state):
    """Sign-in throttling lives in the database: an outage must not switch it off."""
    someone = person("resident")
    with cache_in(state):
        fail(someone.username, "192.0.2.195", times=PAIR_HARD)
        assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.195") == "THROTTLED"
        assert sign_in("token", someone.username, DEFAULT_PASSWORD, "192.0.2.195") == "THROTTLED"
        assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.196") == OK


@pytest.mark.parametrize("kind", KINDS)
def test_ticket_comment_add_with_the_cache_down(cast, kind):
    user = cast_viewer(cast, kind)
    ticket = t.report(cast.reporter, category=cast.category, unit=cast.unit)

    def comment(body, ip):
        payload = gql(client_for(user, ip), COMMENT_ADD, {"id": gid("Ticket", ticket.pk), "body": body})
        payload = payload["ticketCommentAdd"]
        return payload["comment"] is not None, codes(payload)

    up = comment("Przy włączonym cache", "192.0.2.210")
    with cache_in("down"):
        down = comment("Przy wyłączonym cache", "192.0.2.211")
    assert down == up
    if kind in ("resident", "staff"):
        assert down == (True, [])
    if kind in ("anonymous", "other_building"):
        assert down[0] is False and down[1], down
    if down[0]:
        seen = gql(
            client_for(cast.dispatcher),
            "query($id: ID!) { ticket(id: $id) { comments { body } } }",
            {"id": gid("Ticket", ticket.pk)},
        )
        assert "Przy wyłączonym cache" in [c["body"] for c in seen["ticket"]["comments"]]


@pytest.fixture
def news_world(cast, site_tree):
    image = f.make_image(title="Elewacja")
    f.make_news(site_tree.news, title="Dla wszystkich", slug="dla-wszystkich", image=image)
    restricted = f.make_news(site_tree.news, title="Tylko budynek A", slug="tylko-budynek-a", image=image)
    f.restrict_page(restricted, groups=[residents.audience_group(building=cast.building)])
    return cast


@pytest.mark.parametrize("kind", KINDS)
def test_news_and_viewer_with_the_cache_down(news_world, kind):
    cast = news_world
    user = cast_viewer(cast, kind)
    up_news = gql(client_for(user, "192.0.2.220"), NEWS)
    up_viewer = gql(client_for(user, "192.0.2.220"), VIEWER)
    with cache_in("down"):
        down_news = gql(client_for(user, "192.0.2.221"), NEWS)
        down_viewer = gql(client_for(user, "192.0.2.221"), VIEWER)
    slugs = {edge["node"]["slug"] for edge in down_news["news"]["edges"]}
    assert {edge["node"]["slug"] for edge in up_news["news"]["edges"]} == slugs
    assert up_news["news"]["totalCount"] == down_news["news"]["totalCount"]
    assert all(edge["node"]["leadImage"]["rendition"]["url"] for edge in down_news["news"]["edges"])
    assert up_viewer == down_viewer
    if kind in ("resident", "tenant"):
        assert {"dla-wszystkich", "tylko-budynek-a"} <= slugs
    if kind in ("anonymous", "other_building", "contractor"):
        assert "dla-wszystkich" in slugs and "tylko-budynek-a" not in slugs
    if user is None:
        assert down_viewer["viewer"] is None
    else:
        assert down_viewer["viewer"]["username"] == user.username
