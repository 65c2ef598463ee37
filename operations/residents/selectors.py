"""Reads of the residents app that depend on who is asking; each returns a queryset.

Resolvers and views ask these, so "whose memberships, which units" is decided once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import APIToken

from cms.core.exceptions import ServiceError

from .errors import MembershipErrorCode
from .models import Membership, SignInAttempt, Unit
from .roles import STAFF_GROUP_NAMES, StaffRole, staff_roles_from_group_names

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

User = get_user_model()


def memberships_of(user) -> QuerySet[Membership]:
    """All of a person's memberships, newest first, with unit, building and estate joined."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("unit__building__estate")


def verified_units_of(user) -> QuerySet[Unit]:
    """Units in which `user` holds a verified, not ended membership: what operational data they may see."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    # A subquery rather than a join: no duplicate rows to remove with DISTINCT when a
    # person holds a unit in two roles.
    return Unit.objects.filter(pk__in=Membership.objects.live().filter(user=user).values("unit_id")).select_related(
        "building__estate"
    )


def live_tokens() -> QuerySet[APIToken]:
    """API tokens that still authenticate: not revoked and younger than API_TOKEN_TTL_DAYS."""
    return APIToken.objects.filter(
        revoked_at__isnull=True, created__gt=timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS)
    )


def api_token_for(raw: str) -> APIToken | None:
    """The live token a plaintext bearer token is, with its user, or None."""
    if not raw or not APIToken.validate_token_format(raw):
        return None
    return live_tokens().select_related("user").filter(key_hash__in=APIToken.candidate_key_hashes(raw)).first()


def user_by_username(*, username: str) -> AbstractUser | None:
    """The account a typed user name belongs to, or None.

    A sign-in name that is an e-mail address (every self-registered account's) matches
    in any letter case, as people type addresses; other names match as stored.
    """
    if not username or "\x00" in username:  # no account has one; PostgreSQL refuses it in a query
        return None
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        pass
    if "@" not in username:
        return None
    matches = list(User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username})[:2])
    return matches[0] if len(matches) == 1 else None


def api_token_id(*, raw_token: str) -> int | None:
    """The id of the live token `raw_token` is, or None."""
    if not raw_token or not APIToken.validate_token_format(raw_token):
        return None
    return (
        live_tokens().filter(key_hash__in=APIToken.candidate_key_hashes(raw_token)).values_list("pk", flat=True).first()
    )


def sign_in_history_of(user) -> QuerySet[SignInAttempt]:
    """Attempts on `user`'s own account (their own and anyone else's), newest first."""
    if not getattr(user, "is_authenticated", False):
        return SignInAttempt.objects.none()
    return SignInAttempt.objects.filter(user=user).order_by("-created_at", "-pk")


def pending_memberships() -> QuerySet[Membership]:
    """Requests waiting for staff, oldest first (first come, first served)."""
    return (
        Membership.objects.filter(status=Membership.Status.PENDING)
        .select_related("user", "unit__building__estate")
        .order_by("requested_at", "pk")
    )


def staff_roles_of(user) -> list[StaffRole]:
    """The staff roles `user` holds through group membership (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_staff_roles_cache", None)
    if cached is None:
        names = Group.objects.filter(user=user, name__in=STAFF_GROUP_NAMES.values()).values_list("name", flat=True)
        cached = staff_roles_from_group_names(names)
        user._staff_roles_cache = cached
    return cached


def unit_for_request(
    *,
    unit_id: int | str | None = None,
    estate_slug: str | None = None,
    building_code: str | None = None,
    unit_number: str | None = None,
) -> Unit:
    """The unit a person means, by id or by building code and unit number.

    Building codes repeat between estates; then the estate's slug tells them apart.
    Raises ServiceError (UNIT_NOT_FOUND, BUILDING_AMBIGUOUS) naming the field to fix.
    """
    if unit_id not in (None, ""):
        try:
            return Unit.objects.select_related("building__estate").get(pk=int(unit_id))
        except (Unit.DoesNotExist, ValueError, TypeError):
            raise ServiceError(MembershipErrorCode.UNIT_NOT_FOUND, _unit_not_found(), "unit_id") from None
    code, number = (building_code or "").strip(), (unit_number or "").strip()
    if not code or not number:
        field = "unit_number" if code else "building_code"
        raise ServiceError(MembershipErrorCode.UNIT_NOT_FOUND, _unit_not_found(), field)
    units = Unit.objects.select_related("building__estate").filter(building__code__iexact=code, number__iexact=number)
    if estate_slug:
        units = units.filter(building__estate__slug=estate_slug.strip())
    found = list(units[:2])
    if not found:
        raise ServiceError(MembershipErrorCode.UNIT_NOT_FOUND, _unit_not_found(), "unit_number")
    if len(found) > 1:
        raise ServiceError(
            MembershipErrorCode.BUILDING_AMBIGUOUS,
            gettext("Several estates have a building with this code; choose the estate."),
            "estate_slug",
        )
    return found[0]


def _unit_not_found() -> str:
    return gettext("There is no such unit. Check the building and the unit number.")
