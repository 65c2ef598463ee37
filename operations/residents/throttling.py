"""Slowing down and then refusing repeated failed sign-ins, per account and address.

"An address" is what every limit of the hub counts as one: the address for IPv4, its
/64 network for IPv6 (`address_key`; stored with each attempt as `network`). The counters
are the `SignInAttempt` rows themselves, so every process and every channel (web, mobile,
admin) shares them, and nothing is lost on restart or when the cache is down. Within the
last SIGNIN_WINDOW_MINUTES, counting failures (wrong password, disabled account):

- per account and address, since that pair's last success: from SIGNIN_SOFT_LIMIT on,
  each attempt waits SIGNIN_DELAY_SECONDS × (failures − soft limit + 1), capped; at
  SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS attempts are refused without checking the password;
- per address, over every account: from SIGNIN_SOFT_LIMIT_ADDRESS on, the same delay;
  at SIGNIN_HARD_LIMIT_ADDRESS attempts are refused, except for accounts that signed in
  from this address within SIGNIN_HISTORY_DAYS: one guesser behind a block of flats'
  router must not lock out every resident behind it;
- per account, over every address, since its last success: only the delay, never a
  refusal. Failures that strangers make elsewhere must not lock the owner out of a new
  address; guessing spread over many addresses still gets slow.

So no one can lock an account from outside: the worst a stranger causes is a delay.
A password reset by e-mail (a link only the mailbox owner has) stays available at any
time and counts as a success.

Refusals are recorded but not counted, so a refusal does not extend the lock.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from cms.core.cache import counter_incr

from .models import SignInAttempt

logger = logging.getLogger(__name__)

COUNTED_OUTCOMES = [SignInAttempt.Outcome.FAILURE, SignInAttempt.Outcome.INACTIVE]
# A sleeping request holds a worker; beyond this the refusal does the work.
DEFAULT_MAX_DELAY_SECONDS = 10.0


@dataclass(frozen=True)
class ThrottleDecision:
    refused: bool
    delay: float
    account_failures: int
    pair_failures: int
    address_failures: int


def _window_start():
    return timezone.now() - timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)


def _attempts_on(username: str):
    # Stored without NUL bytes (PostgreSQL cannot hold them); looked up the same way.
    return SignInAttempt.objects.filter(username__iexact=username.replace("\x00", ""))


def _failures_since_last_success(attempts) -> int:
    attempts = attempts.filter(created_at__gt=_window_start())
    last_success = attempts.filter(outcome=SignInAttempt.Outcome.SUCCESS).aggregate(at=Max("created_at"))["at"]
    if last_success is not None:
        attempts = attempts.filter(created_at__gt=last_success)
    return attempts.filter(outcome__in=COUNTED_OUTCOMES).count()


def account_failures(username: str) -> int:
    """Failures for `username` (any letter case), from anywhere, since its last success."""
    return _failures_since_last_success(_attempts_on(username))


def pair_failures(username: str, ip_address: str | None) -> int:
    """Failures for `username` from the address of `ip_address` since the pair's last success."""
    return _failures_since_last_success(_attempts_on(username).filter(network=address_key(ip_address)))


def address_failures(ip_address: str | None) -> int:
    """Failures from the address of `ip_address`, on any account (successes do not clear
    them, or one valid account would reset the count for guessing at others)."""
    if not ip_address:
        return 0
    return SignInAttempt.objects.filter(
        network=address_key(ip_address), created_at__gt=_window_start(), outcome__in=COUNTED_OUTCOMES
    ).count()


def is_known_address(username: str, ip_address: str | None) -> bool:
    """Whether `username` has signed in from the address of `ip_address` within the kept history."""
    if not ip_address:
        return False
    return (
        _attempts_on(username)
        .filter(
            network=address_key(ip_address),
            outcome=SignInAttempt.Outcome.SUCCESS,
            created_at__gt=timezone.now() - timedelta(days=settings.SIGNIN_HISTORY_DAYS),
        )
        .exists()
    )


def _delay(failures: int, soft_limit: int) -> float:
    excess = failures - soft_limit + 1
    if excess <= 0:
        return 0.0
    cap = getattr(settings, "SIGNIN_MAX_DELAY_SECONDS", DEFAULT_MAX_DELAY_SECONDS)
    return min(settings.SIGNIN_DELAY_SECONDS * excess, cap)


def sign_in_throttle(*, username: str, ip_address: str | None) -> ThrottleDecision:
    """How to treat the next attempt for `username` from `ip_address` (see the module docstring)."""
    by_account = account_failures(username) if username else 0
    by_pair = pair_failures(username, ip_address) if username else 0
    by_address = address_failures(ip_address)
    address_locked = by_address >= settings.SIGNIN_HARD_LIMIT_ADDRESS and not (
        username and is_known_address(username, ip_address)
    )
    # Without the client's address every attempt would share one "pair", and a stranger's
    # failures would lock the owner out everywhere: then the account is only slowed down.
    pair_locked = bool(ip_address) and by_pair >= settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS
    refused = pair_locked or address_locked
    delay = 0.0
    if not refused:
        delay = max(
            _delay(by_pair, settings.SIGNIN_SOFT_LIMIT),
            _delay(by_account, settings.SIGNIN_SOFT_LIMIT),
            _delay(by_address, settings.SIGNIN_SOFT_LIMIT_ADDRESS),
        )
    return ThrottleDecision(
        refused=refused,
        delay=delay,
        account_failures=by_account,
        pair_failures=by_pair,
        address_failures=by_address,
    )


def registration_allowed(ip_address: str | None) -> bool:
    """Count a registration attempt from the address of `ip_address`; False once the
    hourly limit is spent. Attempts, not accounts, are counted. Counters live in the
    cache (Redis in production), which is enough for a limit measured in tens per hour.
    """
    if not ip_address:
        return True
    return hourly_count_allows(
        "residents:registrations", address_key(ip_address), settings.REGISTRATION_LIMIT_PER_HOUR
    )


def hourly_count_allows(scope: str, subject: str, limit: int, amount: int = 1) -> bool:
    """Count `amount` more attempts by `subject` (an address, a phone, a user id) in
    `scope` this clock hour; False once more than `limit` were made. Counters live in the
    cache (Redis in production, shared by every process); a limit of tens per hour needs
    no more. With the cache unreachable the attempt is allowed (and the outage logged by
    the cache): a fault report or a sign-up matters more than an hour's count."""
    key = f"{scope}:{subject}:{int(timezone.now().timestamp() // 3600)}"
    count = counter_incr(key, amount=amount, timeout=3600)
    return count is None or count <= limit


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
    if address.version == 6 and address.ipv4_mapped is not None:
        # An IPv4 client of a server listening on [::] (::ffff:192.0.2.7) is that IPv4 address.
        return str(address.ipv4_mapped)
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
    address = request.META.get("REMOTE_ADDR") or None
    if address is None and not _missing_address_logged:
        _missing_address_logged.append(True)
        logger.warning(
            "A request arrived without REMOTE_ADDR: limits per address cannot apply and sign-in "
            "only slows down. Make the server or proxy set it (e.g. gunicorn over TCP, or a proxy header middleware)."
        )
    return address


# Logged once per process: a deployment that drops the address drops it for every request.
_missing_address_logged: list[bool] = []


def client_user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:300]
