"""What the independent tests of issue 9 (`test_issue9_*.py`) share: the README's numbers,
the operations they send, a cache up or down, signing in (and failing to) through the API
or the admin's form, people of every kind, and a password reset from the e-mailed link."""

from __future__ import annotations

import ipaddress
from contextlib import contextmanager, nullcontext
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings

from operations.residents.models import Membership
from operations.residents.services import sign_in as sign_in_services
from tests.factories import accounts as acc
from tests.factories import tickets as t
from tests.factories.residents import SuperUserFactory, UnitFactory, UserFactory

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
    body = acc.post(client, query, variables, **extra)
    assert not body.get("errors"), body["errors"]
    return body["data"]


def client_for(user, ip: str = "192.0.2.200") -> Client:
    client = Client(REMOTE_ADDR=ip)
    if user is not None:
        client.force_login(user)
    return client


def codes(payload: dict) -> list[str]:
    return sorted(error["code"] for error in payload["errors"])


@contextmanager
def waits():
    """The delays sign-in throttling asks for while inside, recorded instead of slept."""
    recorded: list[float] = []
    with mock.patch.object(sign_in_services.time, "sleep", side_effect=recorded.append):
        yield recorded


def attempt(channel: str, username: str, password: str, ip: str) -> tuple[str, float]:
    """One sign-in through `channel` (session, token or admin) from `ip`: its outcome
    (OK, the error code, or REFUSED for the admin form) and how long the hub made the
    request wait. The wait is read from the delays the throttle asked `time.sleep` for,
    recorded instead of slept: a machine under load must not decide a test."""
    if channel == "session":
        browser = acc.Browser(REMOTE_ADDR=ip)
        with waits() as waited:
            payload = browser.data(acc.SESSION_SIGN_IN, {"username": username, "password": password})["sessionSignIn"]
        elapsed = sum(waited)
        if not payload["errors"]:
            assert payload["viewer"]["username"].lower() == username.lower(), payload
            assert (browser.viewer() or "").lower() == username.lower()
            return OK, elapsed
        assert payload["viewer"] is None and browser.viewer() is None, payload
        assert len(payload["errors"]) == 1, payload
        return payload["errors"][0]["code"], elapsed
    if channel == "token":
        client = Client(REMOTE_ADDR=ip)
        with waits() as waited:
            payload = gql(client, acc.TOKEN_SIGN_IN, {"username": username, "password": password})["tokenSignIn"]
        elapsed = sum(waited)
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
        with waits() as waited:
            response = client.post("/admin/login/", {"username": username, "password": password})
        elapsed = sum(waited)
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


def _register(ip: str, email: str, capture) -> dict:
    with capture(execute=True):
        return acc.Browser(REMOTE_ADDR=ip).data(acc.REGISTER, acc.register_form(email))["userRegister"]


def _reset_request(ip: str, email: str, capture) -> dict:
    with capture(execute=True):
        return acc.Browser(REMOTE_ADDR=ip).data(acc.RESET_REQUEST, {"email": email})["passwordResetRequest"]


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
