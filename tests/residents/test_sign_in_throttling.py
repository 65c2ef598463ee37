"""Every sign-in attempt is recorded; repeated failures are slowed down, then refused."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from operations.residents import errors as residents_errors
from operations.residents import services, throttling
from operations.residents.models import SignInAttempt
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

SESSION = SignInAttempt.Channel.SESSION


def sign_in(request, username, password):
    return services.user_sign_in(request=request, username=username, password=password, channel=SESSION)


def fail(request, username, times=1):
    for _ in range(times):
        with pytest.raises(services.ServiceError) as refused:
            sign_in(request, username, "wrong password")
        assert refused.value.code == residents_errors.SignInErrorCode.INVALID_CREDENTIALS


def test_success_is_recorded_with_address_and_client(person, password, make_request):
    user = sign_in(make_request(ip="192.0.2.7", user_agent="Firefox/140"), "jan.kowalski", password)
    assert user == person
    attempt = SignInAttempt.objects.get()
    assert (
        attempt.user,
        attempt.username,
        attempt.ip_address,
        attempt.user_agent,
        attempt.channel,
        attempt.outcome,
    ) == (
        person,
        "jan.kowalski",
        "192.0.2.7",
        "Firefox/140",
        SESSION,
        SignInAttempt.Outcome.SUCCESS,
    )


def test_failure_is_recorded_against_the_account(person, make_request):
    fail(make_request(), "jan.kowalski")
    attempt = SignInAttempt.objects.get()
    assert attempt.user == person and attempt.outcome == SignInAttempt.Outcome.FAILURE


def test_unknown_user_is_recorded_without_an_account(make_request):
    fail(make_request(), "nobody")
    attempt = SignInAttempt.objects.get()
    assert attempt.user is None and attempt.username == "nobody"


def test_inactive_account_is_told_only_with_the_right_password(person, password, make_request):
    person.is_active = False
    person.save()
    fail(make_request(), "jan.kowalski")  # wrong password: nothing revealed
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(), "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.INACTIVE
    assert SignInAttempt.objects.filter(outcome=SignInAttempt.Outcome.INACTIVE).count() == 1


def test_soft_limit_delays_each_further_attempt(person, settings):
    settings.SIGNIN_DELAY_SECONDS = 2.0
    decisions = []
    for _ in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        decisions.append(throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.0.0.1").delay)
        SignInAttempt.objects.create(
            username="jan.kowalski",
            user=person,
            ip_address="10.0.0.1",
            network="10.0.0.1",
            channel=SESSION,
            outcome="failure",
        )
    # Soft limit 3: the first three attempts are free, then 1×, 2× the delay.
    assert decisions == [0.0, 0.0, 0.0, 2.0, 4.0]
    assert throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.0.0.1").refused


def test_delay_is_capped(settings):
    settings.SIGNIN_DELAY_SECONDS = 5.0
    settings.SIGNIN_MAX_DELAY_SECONDS = 7.0
    for _ in range(settings.SIGNIN_SOFT_LIMIT_ADDRESS + 2):
        SignInAttempt.objects.create(
            username="x", ip_address="10.9.9.9", network="10.9.9.9", channel=SESSION, outcome="failure"
        )
    decision = throttling.sign_in_throttle(username="y", ip_address="10.9.9.9")
    assert not decision.refused and decision.delay == 7.0


def test_the_delay_is_really_slept(person, password, settings, make_request):
    settings.SIGNIN_DELAY_SECONDS = 0.2
    request = make_request()
    fail(request, "jan.kowalski", times=settings.SIGNIN_SOFT_LIMIT)
    started = time.monotonic()
    sign_in(request, "jan.kowalski", password)
    assert time.monotonic() - started >= 0.2


def test_hard_limit_per_account_and_address_refuses_even_the_right_password(person, password, settings, make_request):
    fail(make_request(ip="10.0.0.1"), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS)
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip="10.0.0.1"), "JAN.KOWALSKI", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED
    last = SignInAttempt.objects.order_by("-created_at", "-pk").first()
    assert last.outcome == SignInAttempt.Outcome.THROTTLED and last.ip_address == "10.0.0.1"


def test_a_stranger_cannot_lock_the_owner_out_of_a_new_address(person, password, settings, make_request):
    # Issue 9: five wrong passwords from anywhere used to lock the account everywhere
    # but the owner's known addresses. Now failures elsewhere only slow the owner down.
    for n in range(4 * settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        fail(make_request(ip=f"203.0.113.{n % 4 + 1}"), "jan.kowalski")
    decision = throttling.sign_in_throttle(username="jan.kowalski", ip_address="192.0.2.50")
    assert not decision.refused and decision.account_failures == 4 * settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS
    assert sign_in(make_request(ip="192.0.2.50"), "jan.kowalski", password) == person


def test_guessing_spread_over_addresses_is_slowed_down(person, settings):
    settings.SIGNIN_DELAY_SECONDS = 1.0
    for n in range(settings.SIGNIN_SOFT_LIMIT + 2):
        SignInAttempt.objects.create(
            username="jan.kowalski",
            user=person,
            ip_address=f"203.0.113.{n + 1}",
            network=f"203.0.113.{n + 1}",
            channel=SESSION,
            outcome="failure",
        )
    decision = throttling.sign_in_throttle(username="jan.kowalski", ip_address="192.0.2.1")
    assert not decision.refused and decision.delay == 3.0


def test_other_accounts_are_not_locked_by_one(person, password, settings, make_request):
    other = UserFactory(username="anna")
    fail(make_request(ip="10.0.0.1"), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS)
    assert sign_in(make_request(ip="10.0.0.1"), "anna", password) == other


def test_hard_limit_per_address_covers_every_account(person, password, settings, make_request):
    request = make_request(ip="203.0.113.9")
    for n in range(settings.SIGNIN_HARD_LIMIT_ADDRESS):
        fail(request, f"guess{n}")  # one try per name: no pair reaches its own limit
    with pytest.raises(services.ServiceError) as refused:
        sign_in(request, "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED
    # The same person from home is fine.
    assert sign_in(make_request(ip="198.51.100.1"), "jan.kowalski", password) == person


def test_an_address_lock_spares_accounts_that_signed_in_from_it(person, password, settings, make_request):
    # A whole block of flats behind one router: one guesser must not lock every resident out.
    router = "203.0.113.20"
    assert sign_in(make_request(ip=router), "jan.kowalski", password) == person
    for n in range(settings.SIGNIN_HARD_LIMIT_ADDRESS):
        fail(make_request(ip=router), f"guess{n}")
    assert sign_in(make_request(ip=router), "jan.kowalski", password) == person
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip=router), "guess0", "anything")
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED


def test_an_ipv6_slash_64_is_one_address(person, password, settings, make_request):
    # Issue 9: every IPv6 address used to count apart, so a /64 never throttled.
    for n in range(settings.SIGNIN_HARD_LIMIT_ADDRESS):
        fail(make_request(ip=f"2001:db8:1:2::{n + 1:x}"), f"guess{n}")
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip="2001:db8:1:2:ffff::1"), "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED
    assert SignInAttempt.objects.filter(network="2001:db8:1:2::/64").count() == settings.SIGNIN_HARD_LIMIT_ADDRESS + 1
    # The neighbouring /64 is another household.
    assert sign_in(make_request(ip="2001:db8:1:3::1"), "jan.kowalski", password) == person


def test_one_account_from_one_slash_64_is_one_pair(person, password, settings, make_request):
    for n in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        fail(make_request(ip=f"2001:db8:5:6::{n + 1:x}"), "jan.kowalski")
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip="2001:db8:5:6::abcd"), "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED


def test_the_address_slows_down_before_it_refuses(settings):
    settings.SIGNIN_DELAY_SECONDS = 1.0
    for n in range(settings.SIGNIN_SOFT_LIMIT_ADDRESS - 1):
        SignInAttempt.objects.create(
            username=f"g{n}", ip_address="10.2.2.2", network="10.2.2.2", channel=SESSION, outcome="failure"
        )
    assert throttling.sign_in_throttle(username="new", ip_address="10.2.2.2").delay == 0.0
    SignInAttempt.objects.create(
        username="g", ip_address="10.2.2.2", network="10.2.2.2", channel=SESSION, outcome="failure"
    )
    assert throttling.sign_in_throttle(username="new", ip_address="10.2.2.2").delay == 1.0


def test_success_clears_the_account_count_but_not_the_address_count(person, password, settings, make_request):
    request = make_request(ip="10.0.0.5")
    fail(request, "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS - 1)
    sign_in(request, "jan.kowalski", password)
    assert throttling.account_failures("jan.kowalski") == 0
    assert throttling.pair_failures("jan.kowalski", "10.0.0.5") == 0
    assert throttling.address_failures("10.0.0.5") == settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS - 1


def test_lock_lifts_when_the_window_has_passed(person, password, settings, make_request, monkeypatch):
    fail(make_request(), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS)
    with pytest.raises(services.ServiceError):
        sign_in(make_request(), "jan.kowalski", password)

    later = timezone.now() + timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert sign_in(make_request(), "jan.kowalski", password) == person
    assert SignInAttempt.objects.order_by("-created_at").first().created_at == later


def test_failures_just_inside_the_window_still_count(person, password, settings, make_request, monkeypatch):
    fail(make_request(), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS)
    almost = timezone.now() + timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES - 1)
    monkeypatch.setattr(timezone, "now", lambda: almost)
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(), "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED


def test_forwarded_for_header_is_not_trusted(person, settings, make_request):
    request = make_request(ip="10.1.1.1")
    request.META["HTTP_X_FORWARDED_FOR"] = "1.2.3.4"
    fail(request, "jan.kowalski")
    assert SignInAttempt.objects.get().ip_address == "10.1.1.1"


def test_prune_deletes_old_attempts(person, make_request):
    fail(make_request(), "jan.kowalski")
    assert services.sign_in_attempts_prune(before=timezone.now() - timedelta(days=1)) == 0
    assert services.sign_in_attempts_prune(before=timezone.now() + timedelta(seconds=1)) == 1


def test_a_known_address_is_still_locked_by_its_own_failures(person, password, settings, make_request):
    home = "198.51.100.8"
    sign_in(make_request(ip=home), "jan.kowalski", password)
    fail(make_request(ip=home), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS)
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip=home), "jan.kowalski", password)
    assert refused.value.code == residents_errors.SignInErrorCode.THROTTLED


def test_registrations_count_an_ipv6_slash_64_as_one_address(settings):
    # Issue 9: registration was unlimited from a /64, one fresh address per attempt.
    settings.REGISTRATION_LIMIT_PER_HOUR = 3
    allowed = [throttling.registration_allowed(f"2001:db8:9:9::{n + 1:x}") for n in range(4)]
    assert allowed == [True, True, True, False]
    assert throttling.registration_allowed("2001:db8:9:a::1")


def test_an_e_mail_sign_in_name_matches_in_any_letter_case(password, make_request):
    # Self-registered accounts sign in with their address, stored in lower case.
    person = UserFactory(username="maria.nowak@example.pl")
    assert sign_in(make_request(), "Maria.Nowak@Example.PL", password) == person
    assert SignInAttempt.objects.get().username == "maria.nowak@example.pl"


def test_other_sign_in_names_still_match_only_as_stored(person, password, make_request):
    fail(make_request(), "JAN.KOWALSKI")
