"""Sign-in: checking a name and password, recording every attempt, and the throttle.

Every way in (GraphQL, the admin's login form, a token sign-in, a password change that
proves the current password) goes through `user_sign_in` or
`sign_in_throttle_enforce`, so one set of counters (throttling.py) sees them all.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cms.core.exceptions import ServiceError

from .. import throttling
from ..errors import SignInErrorCode
from ..models import SignInAttempt
from ..selectors import user_by_username

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

User = get_user_model()

# Set on a request whose sign-in user_sign_in has recorded, so that the auth signals
# (which Django sends for the same sign-in) do not record it twice.
RECORDED_MARKER = "_residents_sign_in_recorded"


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def sign_in_attempt_record(
    *,
    username: str,
    channel: str,
    outcome: str,
    user: AbstractUser | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> SignInAttempt:
    """Store one attempt; `user` is the account the name belongs to, if any (see user_by_username)."""
    return SignInAttempt.objects.create(
        created_at=timezone.now(),
        # Stored as typed, minus NUL bytes, which PostgreSQL cannot store in text.
        username=(username or "").replace("\x00", "")[:150],
        user=user,
        ip_address=_valid_ip(ip_address),
        network=throttling.address_key(_valid_ip(ip_address)),
        user_agent=(user_agent or "").replace("\x00", "")[:300],
        channel=channel,
        outcome=outcome,
    )


@transaction.atomic
def sign_in_attempts_prune(*, before: datetime) -> int:
    """Delete attempts older than `before` (personal data: keep only what throttling and history need)."""
    deleted, _per_model = SignInAttempt.objects.filter(created_at__lt=before).delete()
    return deleted


def sign_in_throttle_enforce(
    *, username: str, ip_address: str | None, code: str, record: Callable[[str], None]
) -> None:
    """Refuse or slow down an attempt to prove a password, as throttling.py decides.

    One place for both ways a password is proved (signing in, changing it), so that a
    refusal reads and costs the same whichever was tried: refused, the attempt is recorded
    as THROTTLED through `record` and ServiceError(`code`) is raised; otherwise the caller
    waits out the delay. No transaction may be open here: the wait would hold it.
    """
    decision = throttling.sign_in_throttle(username=username, ip_address=ip_address)
    if decision.refused:
        record(SignInAttempt.Outcome.THROTTLED)
        raise ServiceError(
            code,
            ngettext(
                "Too many failed attempts. Try again in %(minutes)d minute.",
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                settings.SIGNIN_WINDOW_MINUTES,
            )
            % {"minutes": settings.SIGNIN_WINDOW_MINUTES},
        )
    if decision.delay:
        time.sleep(decision.delay)


def user_sign_in(*, request: HttpRequest, username: str, password: str, channel: str) -> AbstractUser:
    """Check a user name and password, slowed down and refused as throttling.py says.

    Records the attempt whatever its outcome and returns the user; it does not start a
    session (the caller calls `login()` or issues a token). Deliberately not atomic as a
    whole: the record of a failed attempt must survive the error it raises, and no
    transaction should stay open while the attempt is delayed.
    """
    username = (username or "").strip()
    ip_address = _valid_ip(throttling.client_ip(request))
    user_agent = throttling.client_user_agent(request)
    setattr(request, RECORDED_MARKER, True)
    # Attempts on an existing account appear in its owner's history, whoever made them.
    account = user_by_username(username=username)
    if account is not None:
        username = account.get_username()  # as stored: e-mail addresses match in any case

    def record(outcome: str) -> None:
        sign_in_attempt_record(
            username=username,
            channel=channel,
            outcome=outcome,
            user=account,
            ip_address=ip_address,
            user_agent=user_agent,
        )

    sign_in_throttle_enforce(username=username, ip_address=ip_address, code=SignInErrorCode.THROTTLED, record=record)

    # Exactly one password hash per attempt, whatever the name belongs to (an unknown
    # name, a disabled or unconfirmed account, a working one), so that timing does not
    # tell which: Django's backend hashes once for an unknown name, check_password once
    # for a disabled account (and once for an unusable password too).
    if account is not None and not account.is_active:
        if password and account.check_password(password):
            record(SignInAttempt.Outcome.INACTIVE)
            raise ServiceError(SignInErrorCode.INACTIVE, _("This account is disabled. Contact the office."))
        user = None
    else:
        plausible = username and password and "\x00" not in username
        user = authenticate(request, username=username, password=password) if plausible else None
    if user is None:
        record(SignInAttempt.Outcome.FAILURE)
        raise ServiceError(SignInErrorCode.INVALID_CREDENTIALS, _("Wrong user name or password."))
    account = user  # the same person, also when a backend matched them by something else than the name
    record(SignInAttempt.Outcome.SUCCESS)
    return user
