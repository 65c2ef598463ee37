"""Slowing down and then refusing repeated failed sign-ins, per account and per address.

The counters are the `SignInAttempt` rows themselves, so every process (and every
channel: web, mobile, admin) shares them and nothing is lost on restart. Within the last
SIGNIN_WINDOW_MINUTES:

- once an account or an address has SIGNIN_SOFT_LIMIT failures, each further attempt
  waits SIGNIN_DELAY_SECONDS × (failures − soft limit + 1), capped, before the password
  is even checked: guessing gets slow, a person who mistyped barely notices;
- once an account has SIGNIN_HARD_LIMIT_ACCOUNT failures, or an address
  SIGNIN_HARD_LIMIT_ADDRESS, attempts are refused without checking the password until
  the oldest counted failure leaves the window;
- except that an address the account has signed in from before (a known address) is
  not locked by failures made elsewhere, only by its own: otherwise anyone could lock
  the administrator out by failing on purpose from a few addresses.

Only failures count (wrong password, disabled account), not refusals, so a refusal
does not extend the lock. For an account, a successful sign-in clears the count (the
owner proved who they are); for an address it does not, or one valid account would let
an attacker reset the counter for guessing at others.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from .models import SignInAttempt

COUNTED_OUTCOMES = [SignInAttempt.Outcome.FAILURE, SignInAttempt.Outcome.INACTIVE]
# A sleeping request holds a worker; beyond this the refusal does the work.
DEFAULT_MAX_DELAY_SECONDS = 10.0


@dataclass(frozen=True)
class ThrottleDecision:
    refused: bool
    delay: float
    account_failures: int
    address_failures: int


def _window_start():
    return timezone.now() - timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)


def account_failures(username: str) -> int:
    """Failures for `username` (any letter case) in the window since its last success."""
    since = _window_start()
    # Attempts are stored without NUL bytes (PostgreSQL cannot hold them); count them so.
    username = username.replace("\x00", "")
    attempts = SignInAttempt.objects.filter(username__iexact=username, created_at__gt=since)
    last_success = attempts.filter(outcome=SignInAttempt.Outcome.SUCCESS).aggregate(at=Max("created_at"))["at"]
    if last_success is not None:
        attempts = attempts.filter(created_at__gt=last_success)
    return attempts.filter(outcome__in=COUNTED_OUTCOMES).count()


def pair_failures(username: str, ip_address: str | None) -> int:
    """Failures for `username` from `ip_address` in the window since its last success."""
    if not ip_address:
        return account_failures(username)
    since = _window_start()
    attempts = SignInAttempt.objects.filter(
        username__iexact=username.replace("\x00", ""), ip_address=ip_address, created_at__gt=since
    )
    last_success = attempts.filter(outcome=SignInAttempt.Outcome.SUCCESS).aggregate(at=Max("created_at"))["at"]
    if last_success is not None:
        attempts = attempts.filter(created_at__gt=last_success)
    return attempts.filter(outcome__in=COUNTED_OUTCOMES).count()


def is_known_address(username: str, ip_address: str | None) -> bool:
    """Whether `username` has signed in from `ip_address` within the kept history."""
    if not ip_address:
        return False
    return SignInAttempt.objects.filter(
        username__iexact=username.replace("\x00", ""),
        ip_address=ip_address,
        outcome=SignInAttempt.Outcome.SUCCESS,
        created_at__gt=timezone.now() - timedelta(days=settings.SIGNIN_HISTORY_DAYS),
    ).exists()


def address_failures(ip_address: str | None) -> int:
    if not ip_address:
        return 0
    return SignInAttempt.objects.filter(
        ip_address=ip_address, created_at__gt=_window_start(), outcome__in=COUNTED_OUTCOMES
    ).count()


def sign_in_throttle(*, username: str, ip_address: str | None) -> ThrottleDecision:
    """How to treat the next attempt for `username` from `ip_address`."""
    by_account = account_failures(username) if username else 0
    by_address = address_failures(ip_address)
    account_locked = by_account >= settings.SIGNIN_HARD_LIMIT_ACCOUNT
    if account_locked and username and is_known_address(username, ip_address):
        # The owner's usual address: only failures made from here lock it.
        by_account = pair_failures(username, ip_address)
        account_locked = by_account >= settings.SIGNIN_HARD_LIMIT_ACCOUNT
    refused = account_locked or by_address >= settings.SIGNIN_HARD_LIMIT_ADDRESS
    excess = max(by_account, by_address) - settings.SIGNIN_SOFT_LIMIT + 1
    delay = 0.0
    if not refused and excess > 0:
        cap = getattr(settings, "SIGNIN_MAX_DELAY_SECONDS", DEFAULT_MAX_DELAY_SECONDS)
        delay = min(settings.SIGNIN_DELAY_SECONDS * excess, cap)
    return ThrottleDecision(refused=refused, delay=delay, account_failures=by_account, address_failures=by_address)


def registration_allowed(ip_address: str | None) -> bool:
    """Count a registration attempt from `ip_address`; False once the hourly limit is spent.

    Attempts, not accounts, are counted: the answers (user name or e-mail taken) must not
    become a fast way to find out who has an account. Counters live in the cache (Redis
    in production), which is enough for a limit measured in tens per hour.
    """
    if not ip_address:
        return True
    return hourly_count_allows("residents:registrations", ip_address, settings.REGISTRATION_LIMIT_PER_HOUR)


def hourly_count_allows(scope: str, subject: str, limit: int, amount: int = 1) -> bool:
    """Count `amount` more attempts by `subject` (an address, a phone, a user id) in
    `scope` this clock hour; False once more than `limit` were made. Counters live in the
    cache (Redis in production, shared by every process); a limit of tens per hour needs
    no more."""
    key = f"{scope}:{subject}:{int(timezone.now().timestamp() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key, amount)
    except ValueError:  # the key expired between add and incr
        cache.set(key, amount, timeout=3600)
        count = amount
    return count <= limit


def address_key(ip_address: str | None) -> str:
    """What every limit counts as one address: the address itself for IPv4, its /64
    network for IPv6 (one household or phone is given a whole /64 to pick from); "" when
    the address is unknown."""
    if not ip_address:
        return ""
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    if address.version == 6:
        return f"{ipaddress.ip_network(f'{address}/64', strict=False).network_address}/64"
    return str(address)


def client_ip(request) -> str | None:
    """The address the request came from.

    Only REMOTE_ADDR is trusted: X-Forwarded-For is set by the client unless a proxy
    replaces it, and trusting it would let anyone pick a fresh address per guess. Behind
    a reverse proxy, configure the proxy (or a middleware that knows it) to set
    REMOTE_ADDR.
    """
    return request.META.get("REMOTE_ADDR") or None


def client_user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:300]
