"""Independent tests of issue 9, items 2, 3, 4 and 6, written from the specification
(README "Accounts and sign-in", "Production configuration", "When Redis or the mail
server is down") through public interfaces only: GraphQL posted as JSON to /graphql, the
admin's login form, and Wagtail's page serving.

- Cache down: with the cache server unreachable, the everyday operations answer without
  INTERNAL_SERVER_ERROR and do what they do with the cache up.
- Sign-in throttling: slowed down, then refused, per (account, address) and per address;
  never for an account as a whole; an address's lock spares accounts that signed in from
  it before; a password reset from the e-mailed link always lets the owner in; the
  history shows every attempt; the admin's form shares the counts.
- One address for every limit: an IPv4 address, or an IPv6 /64.
- Aliases of restricted sections: what is published under them is hidden from those the
  restriction leaves out, in the API and on the website alike.

Numbers are the README's: a pair slowed after 3 failures and refused after 5; an address
slowed after 10 and refused after 20; 10 sign-ups and 10 reset requests an hour per
address; 5 anonymous reports an hour per address.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections import Counter
from contextlib import contextmanager, nullcontext

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from strawberry import relay

from operations.residents import services as residents
from operations.residents.models import Audience, Membership
from tests.factories import accounts as acc
from tests.factories import content as f
from tests.factories import tickets as t
from tests.factories.residents import DEFAULT_PASSWORD, MembershipFactory, SuperUserFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

CACHE_DOWN = {"default": {"BACKEND": "cms.core.cache.DegradingRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
WRONG = "to-nie-jest-haslo"
OK = "OK"
REFUSED = "REFUSED"  # the admin form shown again, nobody signed in

# README numbers.
PAIR_SOFT, PAIR_HARD = 3, 5
ADDRESS_SOFT, ADDRESS_HARD = 10, 20
REGISTER_PER_ADDRESS = 10  # README: sign-ups from one network address an hour
RESET_PER_ADDRESS = 30  # README: 30 reset requests an hour from one network address, in all
ANONYMOUS_PER_ADDRESS = 5

HISTORY = "{ viewer { username signInHistory(first: 100) { outcome ipAddress channel } } }"
VIEWER = "{ viewer { username isStaff memberships { role status unit { number } } } }"
TICKET_CREATE = """
mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { reference status } errors { field code message } }
}
"""
TICKET_ANONYMOUS = """
mutation($input: TicketAnonymousCreateInput!) {
  ticketAnonymousCreate(input: $input) { reference errors { field code message } }
}
"""
COMMENT_ADD = """
mutation($id: ID!, $body: String!) {
  ticketCommentAdd(ticketId: $id, body: $body) { comment { body } errors { field code message } }
}
"""
NEWS = """{ news(first: 100) { totalCount edges { node { slug title
  leadImage { title rendition(size: CARD) { url width height } srcset } } } } }"""
NEWS_SLUGS = "{ news(first: 100) { totalCount edges { node { slug } } } }"
PAGE = "query($path: String!) { page(urlPath: $path) { title urlPath } }"


# --- Helpers ------------------------------------------------------------------------------


@contextmanager
def cache_in(state: str):
    """`up`: the test's own cache; `down`: a Redis cache nobody listens on."""
    with override_settings(CACHES=CACHE_DOWN) if state == "down" else nullcontext():
        yield


def gql(client: Client, query: str, variables: dict | None = None, **extra) -> dict:
    """`data` of one operation; any error (INTERNAL_SERVER_ERROR above all) fails the test."""
    response = client.post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **extra,
    )
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def client_for(user, ip: str = "192.0.2.200") -> Client:
    client = Client(REMOTE_ADDR=ip)
    if user is not None:
        client.force_login(user)
    return client


def codes(payload: dict) -> list[str]:
    return sorted(error["code"] for error in payload["errors"])


def gid(type_name: str, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def attempt(channel: str, username: str, password: str, ip: str) -> tuple[str, float]:
    """One sign-in through `channel` (session, token or admin) from `ip`: its outcome
    (OK, the error code, or REFUSED for the admin form) and how long the request took."""
    if channel == "session":
        browser = acc.Browser(REMOTE_ADDR=ip)
        started = time.monotonic()
        payload = browser.data(acc.SESSION_SIGN_IN, {"username": username, "password": password})["sessionSignIn"]
        elapsed = time.monotonic() - started
        if not payload["errors"]:
            assert payload["viewer"]["username"].lower() == username.lower(), payload
            assert (browser.viewer() or "").lower() == username.lower()
            return OK, elapsed
        assert payload["viewer"] is None and browser.viewer() is None, payload
        assert len(payload["errors"]) == 1, payload
        return payload["errors"][0]["code"], elapsed
    if channel == "token":
        client = Client(REMOTE_ADDR=ip)
        started = time.monotonic()
        payload = gql(client, acc.TOKEN_SIGN_IN, {"username": username, "password": password})["tokenSignIn"]
        elapsed = time.monotonic() - started
        if not payload["errors"]:
            assert payload["token"], payload
            who = gql(Client(REMOTE_ADDR=ip), acc.WHO, HTTP_AUTHORIZATION=f"Bearer {payload['token']}")
            assert who["viewer"]["username"].lower() == username.lower(), who
            return OK, elapsed
        assert payload["token"] is None, payload
        assert len(payload["errors"]) == 1, payload
        return payload["errors"][0]["code"], elapsed
    if channel == "admin":
        client = Client(REMOTE_ADDR=ip)
        started = time.monotonic()
        response = client.post("/admin/login/", {"username": username, "password": password})
        elapsed = time.monotonic() - started
        if response.status_code == 302:
            assert "_auth_user_id" in client.session
            return OK, elapsed
        assert response.status_code == 200, response.status_code
        assert "_auth_user_id" not in client.session
        return REFUSED, elapsed
    raise ValueError(channel)


def sign_in(channel: str, username: str, password: str, ip: str) -> str:
    return attempt(channel, username, password, ip)[0]


def fail(username: str, ip: str, times: int = 1, channel: str = "session") -> None:
    """`times` failed sign-ins with a wrong password (each must be refused)."""
    for _ in range(times):
        outcome = sign_in(channel, username, WRONG, ip)
        assert outcome != OK


def people(prefix: str, n: int) -> list:
    return [UserFactory(username=f"{prefix}{i}") for i in range(n)]


def person(kind: str):
    """A signed-up person of `kind`, with the factories' password."""
    if kind in ("resident", "tenant"):
        unit = UnitFactory()
        role = Membership.Role.OWNER if kind == "resident" else Membership.Role.TENANT
        return t.resident(unit, role=role)
    if kind == "contractor":
        return t.worker(t.firm())
    if kind == "staff":
        return t.staff("dispatcher")
    if kind == "superuser":
        return SuperUserFactory()
    raise ValueError(kind)


def slash64(prefix: str, host: str) -> str:
    """An address in the /64 `prefix` (four hextets) with interface id `host` (up to four
    hextets, zeros filled in on the left, or written with `::`)."""
    if "::" not in host:
        groups = host.split(":")
        host = ":".join(["0"] * (4 - len(groups)) + groups)
    address = ipaddress.IPv6Address(f"{prefix}:{host}")
    assert address in ipaddress.IPv6Network(f"{prefix}::/64"), (prefix, host)
    return str(address)


def reset_password_from(ip: str, user, new_password: str = acc.NEW_PASSWORD, *, capture) -> None:
    """passwordResetRequest from `ip`, the link from the e-mail, passwordResetConfirm from `ip`."""
    with capture(execute=True):
        payload = acc.Browser(REMOTE_ADDR=ip).data(acc.RESET_REQUEST, {"email": user.email})["passwordResetRequest"]
    assert payload == {"accepted": True, "errors": []}, payload
    link = acc.the_link(user.email, "nowe-haslo")
    browser = acc.Browser(REMOTE_ADDR=ip)
    with capture(execute=True):
        confirmed = browser.data(
            acc.RESET_CONFIRM, {"uid": link.uid, "token": link.token, "newPassword": new_password}
        )["passwordResetConfirm"]
    assert confirmed["errors"] == [], confirmed
    assert confirmed["viewer"]["username"] == user.username
    assert browser.viewer() == user.username


# --- Sign-in throttling per (account, address) -------------------------------------------


@pytest.mark.parametrize("channel", ["session", "token", "admin"])
def test_failures_of_one_account_from_one_address_slow_down_after_three(settings, channel):
    """After 3 failures of one account from one address, each further attempt waits, and
    longer than the one before; the admin form is slowed like the API."""
    settings.SIGNIN_DELAY_SECONDS = 0.3
    victim = person("staff")
    other = person("resident")
    sign_in("session", other.username, DEFAULT_PASSWORD, "192.0.2.99")  # warm-up elsewhere
    quick = [attempt("session", victim.username, WRONG, "192.0.2.10")[1] for _ in range(PAIR_SOFT)]
    assert max(quick) < 0.3, quick
    fourth_outcome, fourth = attempt(channel, victim.username, WRONG, "192.0.2.10")
    fifth_outcome, fifth = attempt(channel, victim.username, WRONG, "192.0.2.10")
    assert fourth_outcome != OK and fifth_outcome != OK
    assert fourth > max(quick) + 0.1, (quick, fourth)
    assert fifth > fourth + 0.1, (fourth, fifth)


@pytest.mark.parametrize("kind", ["resident", "tenant", "contractor", "staff"])
def test_four_failures_still_let_the_right_password_in(kind):
    someone = person(kind)
    fail(someone.username, "192.0.2.20", times=PAIR_HARD - 1)
    assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.20") == OK


@pytest.mark.parametrize("kind", ["resident", "tenant", "contractor", "staff"])
def test_five_failures_refuse_that_account_from_that_address_only(kind):
    someone = person(kind)
    bystander = person("resident")
    outcomes = [sign_in("session", someone.username, WRONG, "192.0.2.21") for _ in range(PAIR_HARD)]
    assert outcomes == ["INVALID_CREDENTIALS"] * PAIR_HARD
    # Refused, even with the right password, through every channel.
    assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.21") == "THROTTLED"
    assert sign_in("token", someone.username, DEFAULT_PASSWORD, "192.0.2.21") == "THROTTLED"
    # Never for the account as a whole: from another address the owner gets in.
    assert sign_in("session", someone.username, DEFAULT_PASSWORD, "192.0.2.22") == OK
    # Nor for the address as a whole: another account signs in from it.
    assert sign_in("session", bystander.username, DEFAULT_PASSWORD, "192.0.2.21") == OK


# --- Sign-in throttling per address ------------------------------------------------------


def test_an_address_with_ten_failures_slows_down_a_new_account(settings):
    targets = people("cel", ADDRESS_SOFT)
    newcomer = person("resident")
    sign_in("session", targets[0].username, DEFAULT_PASSWORD, "192.0.2.98")  # warm-up elsewhere
    _, baseline = attempt("session", newcomer.username, DEFAULT_PASSWORD, "192.0.2.97")
    for target in targets:
        fail(target.username, "192.0.2.30")
    settings.SIGNIN_DELAY_SECONDS = 0.3
    outcome, slowed = attempt("session", newcomer.username, DEFAULT_PASSWORD, "192.0.2.30")
    assert outcome == OK
    assert slowed > baseline + 0.1, (baseline, slowed)


def test_an_address_with_twenty_failures_refuses_new_accounts_but_spares_earlier_ones():
    regular = person("resident")  # signs in from the block's router first
    newcomer = person("tenant")  # never signed in from it
    boundary = person("resident")
    assert sign_in("session", regular.username, DEFAULT_PASSWORD, "192.0.2.40") == OK
    targets = people("sasiedzi", ADDRESS_HARD)
    for target in targets[: ADDRESS_HARD - 1]:
        fail(target.username, "192.0.2.40")
    # 19 failures: slowed, not refused.
    assert sign_in("token", boundary.username, DEFAULT_PASSWORD, "192.0.2.40") == OK
    fail(targets[-1].username, "192.0.2.40")
    # 20 failures on any accounts: a new account is refused from this address...
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, "192.0.2.40") == "THROTTLED"
    assert sign_in("token", newcomer.username, DEFAULT_PASSWORD, "192.0.2.40") == "THROTTLED"
    # ...an account that signed in from it before is spared...
    assert sign_in("session", regular.username, DEFAULT_PASSWORD, "192.0.2.40") == OK
    assert sign_in("token", regular.username, DEFAULT_PASSWORD, "192.0.2.40") == OK
    # ...and the newcomer gets in from anywhere else.
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, "192.0.2.41") == OK


@pytest.mark.parametrize("kind", ["resident", "tenant", "contractor", "staff"])
def test_strangers_failures_from_elsewhere_never_lock_the_owner_out(kind):
    """Strangers fail on the account from many IPv4 addresses and IPv6 networks, each until
    refused; the owner, from an address of their own, still gets in."""
    owner = person(kind)
    attackers = [f"203.0.113.{n}" for n in range(1, 8)] + [f"2001:db8:66:{n}::1" for n in range(1, 4)]
    for ip in attackers:
        fail(owner.username, ip, times=PAIR_HARD + 1, channel="token")
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, "198.51.100.7") == OK
    assert sign_in("token", owner.username, DEFAULT_PASSWORD, "2001:db8:77:1::5") == OK


# --- A password reset from the e-mailed link always lets the owner in --------------------


@pytest.mark.parametrize("lock", ["pair", "address", "both"])
def test_reset_from_the_emailed_link_lets_the_owner_in_from_the_locked_address(
    lock, django_capture_on_commit_callbacks
):
    owner = person("resident")
    shared = "192.0.2.50"  # the block of flats' router; the owner never signed in from it
    if lock in ("pair", "both"):
        fail(owner.username, shared, times=PAIR_HARD)
    if lock in ("address", "both"):
        for target in people("blok", ADDRESS_HARD):
            fail(target.username, shared)
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, shared) == "THROTTLED"

    reset_password_from(shared, owner, capture=django_capture_on_commit_callbacks)

    assert sign_in("session", owner.username, acc.NEW_PASSWORD, shared) == OK
    assert sign_in("token", owner.username, acc.NEW_PASSWORD, shared) == OK


def test_reset_lets_the_owner_in_from_a_locked_ipv6_network(django_capture_on_commit_callbacks):
    owner = person("tenant")
    net = "2001:db8:50:7"
    for n in range(1, PAIR_HARD + 1):
        fail(owner.username, slash64(net, f"{n}"))
    for n, target in enumerate(people("siec", ADDRESS_HARD + 5), start=100):
        fail(target.username, slash64(net, f"{n:x}"))
    home = slash64(net, "aaaa:bbbb:cccc:1")
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, home) == "THROTTLED"
    reset_password_from(home, owner, capture=django_capture_on_commit_callbacks)
    assert sign_in("session", owner.username, acc.NEW_PASSWORD, home) == OK


# --- Sign-in history ------------------------------------------------------------------------


def test_sign_in_history_shows_every_attempt_with_its_outcome_address_and_channel():
    owner = person("staff")
    stranger = person("resident")
    ip, home = "192.0.2.60", "198.51.100.60"
    assert sign_in("session", owner.username, WRONG, ip) == "INVALID_CREDENTIALS"
    assert sign_in("token", owner.username, WRONG, ip) == "INVALID_CREDENTIALS"
    assert sign_in("admin", owner.username, WRONG, ip) == REFUSED
    assert sign_in("session", owner.username, WRONG, ip) == "INVALID_CREDENTIALS"
    assert sign_in("session", owner.username, WRONG, ip) == "INVALID_CREDENTIALS"
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, ip) == "THROTTLED"
    fail(stranger.username, ip)  # someone else's attempt: not in the owner's history
    assert sign_in("token", owner.username, DEFAULT_PASSWORD, home) == OK

    browser = acc.Browser(REMOTE_ADDR=home)
    signed = browser.data(acc.SESSION_SIGN_IN, {"username": owner.username, "password": DEFAULT_PASSWORD})
    assert signed["sessionSignIn"]["errors"] == []
    history = browser.data(HISTORY)["viewer"]["signInHistory"]
    got = Counter((row["outcome"], row["ipAddress"], row["channel"]) for row in history)
    assert got == Counter(
        {
            ("FAILURE", ip, "SESSION"): 3,
            ("FAILURE", ip, "TOKEN"): 1,
            ("FAILURE", ip, "ADMIN"): 1,
            ("THROTTLED", ip, "SESSION"): 1,
            ("SUCCESS", home, "TOKEN"): 1,
            ("SUCCESS", home, "SESSION"): 1,
        }
    ), history


def test_sign_in_history_shows_the_sign_in_by_the_emailed_link(django_capture_on_commit_callbacks):
    owner = person("resident")
    ip = "198.51.100.61"
    fail(owner.username, ip, times=PAIR_HARD)
    reset_password_from(ip, owner, capture=django_capture_on_commit_callbacks)
    browser = acc.Browser(REMOTE_ADDR=ip)
    signed = browser.data(acc.SESSION_SIGN_IN, {"username": owner.username, "password": acc.NEW_PASSWORD})
    assert signed["sessionSignIn"]["errors"] == []
    history = browser.data(HISTORY)["viewer"]["signInHistory"]
    got = Counter((row["outcome"], row["ipAddress"], row["channel"]) for row in history)
    assert got[("FAILURE", ip, "SESSION")] == PAIR_HARD, history
    assert got[("SUCCESS", ip, "EMAIL_LINK")] == 1, history
    assert got[("SUCCESS", ip, "SESSION")] == 1, history


# --- The admin's login form obeys the same rules and shares the counts --------------------


def test_admin_form_failures_and_api_failures_add_up_for_one_pair():
    staffer = person("staff")
    ip = "192.0.2.70"
    fail(staffer.username, ip, times=3, channel="admin")
    fail(staffer.username, ip, times=2, channel="session")
    assert sign_in("admin", staffer.username, DEFAULT_PASSWORD, ip) == REFUSED
    assert sign_in("token", staffer.username, DEFAULT_PASSWORD, ip) == "THROTTLED"
    assert sign_in("session", staffer.username, DEFAULT_PASSWORD, ip) == "THROTTLED"
    # From another address the owner gets in, to the admin as well.
    assert sign_in("admin", staffer.username, DEFAULT_PASSWORD, "192.0.2.71") == OK


def test_api_failures_refuse_the_admin_form_for_that_pair():
    superuser = person("superuser")
    ip = "192.0.2.72"
    fail(superuser.username, ip, times=3, channel="token")
    fail(superuser.username, ip, times=2, channel="session")
    assert sign_in("admin", superuser.username, DEFAULT_PASSWORD, ip) == REFUSED
    assert sign_in("admin", superuser.username, DEFAULT_PASSWORD, "192.0.2.73") == OK


def test_admin_form_obeys_the_address_lock_and_its_exception():
    regular = person("superuser")
    newcomer = person("staff")
    ip = "192.0.2.74"
    assert sign_in("admin", regular.username, DEFAULT_PASSWORD, ip) == OK
    targets = people("admin-cel", ADDRESS_HARD)
    for n, target in enumerate(targets):
        fail(target.username, ip, channel="admin" if n % 2 else "session")
    assert sign_in("admin", newcomer.username, DEFAULT_PASSWORD, ip) == REFUSED
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, ip) == "THROTTLED"
    assert sign_in("admin", regular.username, DEFAULT_PASSWORD, ip) == OK
    assert sign_in("admin", newcomer.username, DEFAULT_PASSWORD, "192.0.2.75") == OK


def test_admin_form_is_never_locked_for_the_owner_by_failures_elsewhere():
    superuser = person("superuser")
    for n in range(1, 8):
        fail(superuser.username, f"203.0.113.{100 + n}", times=PAIR_HARD + 1, channel="admin")
    assert sign_in("admin", superuser.username, DEFAULT_PASSWORD, "198.51.100.74") == OK


# --- One address: an IPv4 address or an IPv6 /64 -----------------------------------------


def test_25_failures_spread_over_one_64_throttle_it_and_not_its_neighbours():
    net, neighbour = "2001:db8:aa:1", "2001:db8:aa:2"
    newcomer = person("resident")
    targets = people("v6cel", 25)
    hosts = [f"{n:x}" for n in range(1, 13)] + [f"{n:x}:0:0:{n:x}" for n in range(1, 7)]
    hosts += [f"ffff:{n:x}:abcd:{n:x}" for n in range(1, 8)]
    assert len(set(hosts)) == 25
    for target, host in zip(targets, hosts, strict=True):
        fail(target.username, slash64(net, host))
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, slash64(net, "9999")) == "THROTTLED"
    assert sign_in("token", newcomer.username, DEFAULT_PASSWORD, slash64(net, "1:2:3:4")) == "THROTTLED"
    # The same address written another way is the same network.
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, "2001:0db8:00aa:0001:0:0:0:77") == "THROTTLED"
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, slash64(neighbour, "9999")) == OK


def test_failures_of_one_account_spread_over_one_64_count_as_one_address():
    owner = person("resident")
    net, neighbour = "2001:db8:bb:1", "2001:db8:bb:0"
    for n in range(1, PAIR_HARD + 1):
        fail(owner.username, slash64(net, f"{n:x}:{n:x}:{n:x}:{n:x}"))
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, slash64(net, "abc")) == "THROTTLED"
    assert sign_in("session", owner.username, DEFAULT_PASSWORD, slash64(neighbour, "abc")) == OK


def test_every_ipv4_address_is_its_own():
    """An IPv4 address is one address: no grouping by /24, and an IPv4 client of a
    dual-stack server (::ffff:a.b.c.d) is the same IPv4 address."""
    newcomer = person("resident")
    targets = people("v4cel", ADDRESS_HARD + 5)
    for n, target in enumerate(targets, start=1):
        fail(target.username, f"198.51.100.{n}")
    assert sign_in("session", newcomer.username, DEFAULT_PASSWORD, "198.51.100.200") == OK
    # Distinct IPv4 clients seen through IPv4-mapped IPv6 are distinct addresses too.
    for n, target in enumerate(people("v4map", ADDRESS_HARD + 5), start=1):
        fail(target.username, f"::ffff:203.0.113.{n}")
    assert sign_in("token", newcomer.username, DEFAULT_PASSWORD, "::ffff:203.0.113.200") == OK
    # One IPv4 address, written both ways, is one address.
    other = person("tenant")
    for target in people("v4jeden", ADDRESS_HARD):
        fail(target.username, "::ffff:192.0.2.80")
    assert sign_in("session", other.username, DEFAULT_PASSWORD, "192.0.2.80") == "THROTTLED"
    assert sign_in("session", other.username, DEFAULT_PASSWORD, "192.0.2.81") == OK


def _register(ip: str, email: str, capture) -> dict:
    with capture(execute=True):
        return acc.Browser(REMOTE_ADDR=ip).data(acc.REGISTER, acc.register_form(email))["userRegister"]


def _reset_request(ip: str, email: str, capture) -> dict:
    with capture(execute=True):
        return acc.Browser(REMOTE_ADDR=ip).data(acc.RESET_REQUEST, {"email": email})["passwordResetRequest"]


def test_sign_ups_are_limited_per_64_and_neighbours_are_independent(django_capture_on_commit_callbacks):
    net, neighbour = "2001:db8:cc:1", "2001:db8:cc:2"
    for n in range(1, REGISTER_PER_ADDRESS + 1):
        payload = _register(slash64(net, f"{n:x}:0:0:{n:x}"), f"nowy{n}@example.pl", django_capture_on_commit_callbacks)
        assert payload == {"accepted": True, "errors": []}, (n, payload)
    refused = _register(slash64(net, "dead:beef:0:1"), "odmowa@example.pl", django_capture_on_commit_callbacks)
    assert refused["accepted"] is False and codes(refused) == ["THROTTLED"], refused
    assert acc.mails_to("odmowa@example.pl") == []
    taken = _register(slash64(neighbour, "1"), "sasiad@example.pl", django_capture_on_commit_callbacks)
    assert taken == {"accepted": True, "errors": []}, taken
    acc.the_link("sasiad@example.pl", "potwierdz")


def test_sign_ups_are_limited_per_ipv4_address(django_capture_on_commit_callbacks):
    for n in range(1, REGISTER_PER_ADDRESS + 1):
        payload = _register("203.0.113.30", f"v4nowy{n}@example.pl", django_capture_on_commit_callbacks)
        assert payload == {"accepted": True, "errors": []}, (n, payload)
    refused = _register("203.0.113.30", "v4odmowa@example.pl", django_capture_on_commit_callbacks)
    assert refused["accepted"] is False and codes(refused) == ["THROTTLED"], refused
    taken = _register("203.0.113.31", "v4sasiad@example.pl", django_capture_on_commit_callbacks)
    assert taken == {"accepted": True, "errors": []}, taken


def test_reset_requests_are_limited_per_64_and_neighbours_are_independent(django_capture_on_commit_callbacks):
    net, neighbour = "2001:db8:dd:1", "2001:db8:dd:2"
    owner = person("resident")
    for n in range(1, RESET_PER_ADDRESS + 1):
        payload = _reset_request(slash64(net, f"{n:x}"), f"nikt{n}@example.pl", django_capture_on_commit_callbacks)
        assert payload == {"accepted": True, "errors": []}, (n, payload)
    refused = _reset_request(slash64(net, "ffff:ffff:ffff:ffff"), owner.email, django_capture_on_commit_callbacks)
    assert refused["accepted"] is False and codes(refused) == ["THROTTLED"], refused
    assert acc.mails_to(owner.email) == []
    taken = _reset_request(slash64(neighbour, "1"), owner.email, django_capture_on_commit_callbacks)
    assert taken == {"accepted": True, "errors": []}, taken
    acc.the_link(owner.email, "nowe-haslo")


def test_reset_requests_from_one_64_share_one_limit_whatever_the_number(django_capture_on_commit_callbacks):
    """The same property without the README's number: ask from ever new hosts of one /64
    for ever new e-mail addresses until refused; then the whole /64 is refused, and its
    neighbour is not."""
    net, neighbour = "2001:db8:dd:11", "2001:db8:dd:12"
    owner = person("resident")
    for n in range(1, 101):
        payload = _reset_request(
            slash64(net, f"{n:x}:{n:x}:0:1"), f"ktos{n}@example.pl", django_capture_on_commit_callbacks
        )
        if payload["errors"]:
            assert codes(payload) == ["THROTTLED"], payload
            break
    else:
        pytest.fail("100 reset requests from one /64 were all taken")
    refused = _reset_request(slash64(net, "abcd::9"), owner.email, django_capture_on_commit_callbacks)
    assert refused["accepted"] is False and codes(refused) == ["THROTTLED"], refused
    taken = _reset_request(slash64(neighbour, "abcd::9"), owner.email, django_capture_on_commit_callbacks)
    assert taken == {"accepted": True, "errors": []}, taken
    acc.the_link(owner.email, "nowe-haslo")


def _anonymous_input(cast, phone: str) -> dict:
    return {
        "input": {
            "categoryId": str(cast.category.pk),
            "buildingId": str(cast.building.pk),
            "title": "Nie świeci lampa na klatce",
            "description": "Drugie piętro, od wczoraj.",
            "contactPhone": phone,
        }
    }


def test_anonymous_reports_are_limited_per_64_and_neighbours_are_independent():
    cast = t.build_cast(with_firms=False)
    net, neighbour = "2001:db8:ee:1", "2001:db8:ee:2"
    for n in range(1, ANONYMOUS_PER_ADDRESS + 1):
        payload = gql(
            Client(REMOTE_ADDR=slash64(net, f"{n:x}:{n:x}::")),
            TICKET_ANONYMOUS,
            _anonymous_input(cast, f"600 100 10{n}"),
        )["ticketAnonymousCreate"]
        assert payload["errors"] == [] and payload["reference"], (n, payload)
    refused = gql(Client(REMOTE_ADDR=slash64(net, "beef::1")), TICKET_ANONYMOUS, _anonymous_input(cast, "600 100 200"))[
        "ticketAnonymousCreate"
    ]
    assert refused["reference"] is None and codes(refused) == ["RATE_LIMITED"], refused
    taken = gql(
        Client(REMOTE_ADDR=slash64(neighbour, "beef::1")), TICKET_ANONYMOUS, _anonymous_input(cast, "600 100 201")
    )["ticketAnonymousCreate"]
    assert taken["errors"] == [] and taken["reference"], taken


# --- Query counts: registration and reset requests do not grow with the accounts ----------


@pytest.mark.parametrize("operation", ["passwordResetRequest", "userRegister"])
@pytest.mark.parametrize("known", [True, False], ids=["existing-account", "unknown-address"])
def test_query_count_does_not_depend_on_how_many_accounts_exist(operation, known, django_capture_on_commit_callbacks):
    query = acc.RESET_REQUEST if operation == "passwordResetRequest" else acc.REGISTER

    def variables(email):
        return {"email": email} if operation == "passwordResetRequest" else acc.register_form(email)

    def measure(email: str, ip: str) -> int:
        browser = acc.Browser(REMOTE_ADDR=ip)
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=True):
                payload = browser.data(query, variables(email))[operation]
        assert payload == {"accepted": True, "errors": []}, payload
        return len(captured.captured_queries)

    first = UserFactory(username="liczenie0", email="liczenie0@example.pl")
    assert User.objects.count() == 1
    # Warm-up (the process's first request; caches of templates, sites, content types),
    # from other addresses; a known address gets its second e-mail when measured, both times.
    measure("rozgrzewka-a@example.pl", "192.0.2.150")
    if known:
        measure(first.email, "192.0.2.151")
    with_one = measure(first.email if known else "nikt-a@example.pl", "192.0.2.152")
    others = [UserFactory(username=f"liczenie{n}", email=f"liczenie{n}@example.pl") for n in range(1, 50)]
    assert User.objects.filter(username__startswith="liczenie").count() == 50
    measure("rozgrzewka-b@example.pl", "192.0.2.153")
    if known:
        measure(others[-1].email, "192.0.2.154")
    with_fifty = measure(others[-1].email if known else "nikt-b@example.pl", "192.0.2.155")
    assert with_fifty == with_one, (with_one, with_fifty)


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
