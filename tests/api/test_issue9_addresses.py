"""Independent tests of issue 9: one address for every limit, an IPv4 address or an IPv6
/64 (10 sign-ups and 10 reset requests an hour per address; 5 anonymous reports an hour
per address), and registration and reset requests whose query count does not grow with
the accounts.

Written from the specification through public interfaces only; the README's numbers and
the helpers are `issue9_kit.py`.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.issue9_kit import (
    ADDRESS_HARD,
    ANONYMOUS_PER_ADDRESS,
    OK,
    PAIR_HARD,
    REGISTER_PER_ADDRESS,
    RESET_PER_ADDRESS,
    TICKET_ANONYMOUS,
    User,
    _anonymous_input,
    _register,
    _reset_request,
    codes,
    fail,
    gql,
    people,
    person,
    sign_in,
    slash64,
)
from tests.factories import accounts as acc
from tests.factories import tickets as t
from tests.factories.residents import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


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
