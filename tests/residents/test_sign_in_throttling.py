"""Every sign-in attempt is recorded; repeated failures are slowed down, then refused."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

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
        assert refused.value.code == services.SignInErrorCode.INVALID_CREDENTIALS


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
    assert refused.value.code == services.SignInErrorCode.INACTIVE
    assert SignInAttempt.objects.filter(outcome=SignInAttempt.Outcome.INACTIVE).count() == 1


def test_soft_limit_delays_each_further_attempt(person, settings):
    settings.SIGNIN_DELAY_SECONDS = 2.0
    decisions = []
    for _ in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT):
        decisions.append(throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.0.0.1").delay)
        SignInAttempt.objects.create(
            username="jan.kowalski", user=person, ip_address="10.0.0.1", channel=SESSION, outcome="failure"
        )
    # Soft limit 3: the first three attempts are free, then 1×, 2× the delay.
    assert decisions == [0.0, 0.0, 0.0, 2.0, 4.0]
    assert throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.0.0.1").refused


def test_delay_is_capped(settings):
    settings.SIGNIN_DELAY_SECONDS = 5.0
    settings.SIGNIN_MAX_DELAY_SECONDS = 7.0
    for _ in range(settings.SIGNIN_SOFT_LIMIT + 2):
        SignInAttempt.objects.create(username="x", ip_address="10.9.9.9", channel=SESSION, outcome="failure")
    decision = throttling.sign_in_throttle(username="y", ip_address="10.9.9.9")
    assert not decision.refused and decision.delay == 7.0


def test_the_delay_is_really_slept(person, password, settings, make_request):
    settings.SIGNIN_DELAY_SECONDS = 0.2
    request = make_request()
    fail(request, "jan.kowalski", times=settings.SIGNIN_SOFT_LIMIT)
    started = time.monotonic()
    sign_in(request, "jan.kowalski", password)
    assert time.monotonic() - started >= 0.2


def test_hard_limit_per_account_refuses_even_the_right_password(person, password, settings, make_request):
    fail(make_request(ip="10.0.0.1"), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    # From another address and with the right password: still refused, without checking it.
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip="10.0.0.2"), "JAN.KOWALSKI", password)
    assert refused.value.code == services.SignInErrorCode.THROTTLED
    last = SignInAttempt.objects.order_by("-created_at", "-pk").first()
    assert last.outcome == SignInAttempt.Outcome.THROTTLED and last.ip_address == "10.0.0.2"


def test_refusals_do_not_extend_the_lock(person, settings, make_request):
    fail(make_request(), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    for _ in range(3):
        with pytest.raises(services.ServiceError):
            sign_in(make_request(), "jan.kowalski", "x")
    assert throttling.account_failures("jan.kowalski") == settings.SIGNIN_HARD_LIMIT_ACCOUNT


def test_other_accounts_are_not_locked_by_one(person, password, settings, make_request):
    other = UserFactory(username="anna")
    fail(make_request(ip="10.0.0.1"), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    assert sign_in(make_request(ip="10.0.0.3"), "anna", password) == other


def test_hard_limit_per_address_covers_every_account(person, password, settings, make_request):
    request = make_request(ip="203.0.113.9")
    for n in range(settings.SIGNIN_HARD_LIMIT_ADDRESS):
        fail(request, f"guess{n}")  # one try per name: no account reaches its own limit
    with pytest.raises(services.ServiceError) as refused:
        sign_in(request, "jan.kowalski", password)
    assert refused.value.code == services.SignInErrorCode.THROTTLED
    # The same person from home is fine.
    assert sign_in(make_request(ip="198.51.100.1"), "jan.kowalski", password) == person


def test_success_clears_the_account_count_but_not_the_address_count(person, password, settings, make_request):
    request = make_request(ip="10.0.0.5")
    fail(request, "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT - 1)
    sign_in(request, "jan.kowalski", password)
    assert throttling.account_failures("jan.kowalski") == 0
    assert throttling.address_failures("10.0.0.5") == settings.SIGNIN_HARD_LIMIT_ACCOUNT - 1


def test_lock_lifts_when_the_window_has_passed(person, password, settings, make_request, monkeypatch):
    fail(make_request(), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    with pytest.raises(services.ServiceError):
        sign_in(make_request(), "jan.kowalski", password)

    later = timezone.now() + timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert sign_in(make_request(), "jan.kowalski", password) == person
    assert SignInAttempt.objects.order_by("-created_at").first().created_at == later


def test_failures_just_inside_the_window_still_count(person, password, settings, make_request, monkeypatch):
    fail(make_request(), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    almost = timezone.now() + timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES - 1)
    monkeypatch.setattr(timezone, "now", lambda: almost)
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(), "jan.kowalski", password)
    assert refused.value.code == services.SignInErrorCode.THROTTLED


def test_forwarded_for_header_is_not_trusted(person, settings, make_request):
    request = make_request(ip="10.1.1.1")
    request.META["HTTP_X_FORWARDED_FOR"] = "1.2.3.4"
    fail(request, "jan.kowalski")
    assert SignInAttempt.objects.get().ip_address == "10.1.1.1"


def test_prune_deletes_old_attempts(person, make_request):
    fail(make_request(), "jan.kowalski")
    assert services.sign_in_attempts_prune(before=timezone.now() - timedelta(days=1)) == 0
    assert services.sign_in_attempts_prune(before=timezone.now() + timedelta(seconds=1)) == 1


def test_failures_elsewhere_do_not_lock_the_owner_out_of_a_known_address(person, password, settings, make_request):
    home = "198.51.100.7"
    assert sign_in(make_request(ip=home), "jan.kowalski", password) == person
    for n in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT):
        fail(make_request(ip=f"203.0.113.{n + 1}"), "jan.kowalski")  # someone trying to lock Jan out
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip="192.0.2.50"), "jan.kowalski", password)  # a new address is locked
    assert refused.value.code == services.SignInErrorCode.THROTTLED
    assert sign_in(make_request(ip=home), "jan.kowalski", password) == person  # home is not


def test_a_known_address_is_still_locked_by_its_own_failures(person, password, settings, make_request):
    home = "198.51.100.8"
    sign_in(make_request(ip=home), "jan.kowalski", password)
    fail(make_request(ip=home), "jan.kowalski", times=settings.SIGNIN_HARD_LIMIT_ACCOUNT)
    with pytest.raises(services.ServiceError) as refused:
        sign_in(make_request(ip=home), "jan.kowalski", password)
    assert refused.value.code == services.SignInErrorCode.THROTTLED
