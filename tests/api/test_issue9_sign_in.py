"""Independent tests of issue 9: sign-in throttling, slowed down, then refused, per
(account, address) and per address; never for an account as a whole; an address's lock
spares accounts that signed in from it before; a password reset from the e-mailed link
always lets the owner in; the history shows every attempt; the admin's form shares the
counts (a pair slowed after 3 failures and refused after 5; an address slowed after 10
and refused after 20).

Written from the specification through public interfaces only; the README's numbers and
the helpers are `issue9_kit.py`.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.api.issue9_kit import (
    ADDRESS_HARD,
    ADDRESS_SOFT,
    HISTORY,
    OK,
    PAIR_HARD,
    PAIR_SOFT,
    REFUSED,
    WRONG,
    attempt,
    fail,
    people,
    person,
    reset_password_from,
    sign_in,
    slash64,
)
from tests.factories import accounts as acc
from tests.factories.residents import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


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
