"""Reads of the residents app that depend on who is asking; each returns a queryset.

Resolvers and views ask these, so "whose memberships, which units" is decided once. The
situation centre's figures (the admin's first page) are here too, at the end: the queue
of requests awaiting verification and the portal's adoption by building.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import APIToken

from cms.core.exceptions import ServiceError

from .errors import MembershipErrorCode
from .models import Building, Membership, SignInAttempt, Unit
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


# --- The situation centre (the admin's first page) --------------------------------------------


@dataclass(frozen=True)
class VerificationQueue:
    pending: int
    oldest_requested_at: datetime | None  # when the request waiting longest was made


def verification_queue() -> VerificationQueue:
    """Requests awaiting verification and when the oldest of them was made, in one query.

    The count is the length of the verification list filtered to "awaiting verification"
    (`admin.views.MembershipFilterSet`'s `status=pending`, also its default): the same
    rows as `pending_memberships`."""
    row = Membership.objects.filter(status=Membership.Status.PENDING).aggregate(
        pending=Count("pk"), oldest=Min("requested_at")
    )
    return VerificationQueue(pending=row["pending"], oldest_requested_at=row["oldest"])


# How far back a resident's use of the hub makes them "active".
ACTIVE_DAYS = 30

# Sign-ins that are a resident's own use of the hub: the portal (a session), the app (a
# token) and the link of an account or password e-mail, which signs the portal in. An
# admin sign-in is staff work, not a resident's use of the portal.
RESIDENT_SIGN_IN_CHANNELS = (
    SignInAttempt.Channel.SESSION,
    SignInAttempt.Channel.TOKEN,
    SignInAttempt.Channel.EMAIL_LINK,
)


def verified_resident_accounts() -> QuerySet[Membership]:
    """Live memberships (verified, not ended) of people whose account is active: confirmed
    (registration leaves an account inactive until its e-mail is confirmed) and not
    disabled by staff. A unit with one of these has a "verified resident account"."""
    return Membership.objects.live().filter(user__is_active=True)


def has_verified_resident_account(prefix: str = "") -> Q:
    """The condition, on units (or on the units `prefix` leads to, e.g. "units__"), of at
    least one verified resident account: counted by `adoption_by_building`, and the units
    list's "resident account" filter (`admin.views.UnitFilterSet`)."""
    return Q(**{f"{prefix}pk__in": verified_resident_accounts().values("unit_id")})


def is_active_resident(since: datetime, prefix: str = "") -> Q:
    """The condition, on users (or on the user `prefix` leads to, e.g. "user__"), of having
    used the hub as a resident since `since`, with an account still active. See
    `adoption_by_building` for what counts."""
    signed_in = SignInAttempt.objects.filter(
        outcome=SignInAttempt.Outcome.SUCCESS,
        channel__in=RESIDENT_SIGN_IN_CHANNELS,
        created_at__gte=since,
        user__isnull=False,
    ).values("user_id")
    used_app = APIToken.objects.filter(last_used_at__gte=since).values("user_id")
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}pk__in": signed_in}) | Q(**{f"{prefix}pk__in": used_app})
    )


@dataclass(frozen=True)
class Adoption:
    units: int
    units_with_account: int  # units with at least one verified resident account
    residents: int  # people with a live membership
    active_residents: int  # of them, those active since `AdoptionReport.since`


@dataclass(frozen=True)
class BuildingAdoption(Adoption):
    building: Building | None = None  # with its estate


@dataclass(frozen=True)
class AdoptionReport:
    buildings: list[BuildingAdoption]  # every building, those without units too
    total: Adoption  # a person with units in two buildings counts once here
    since: datetime


def adoption_by_building(now: datetime | None = None) -> AdoptionReport:
    """How far residents have taken up the portal and the app, by building and in total,
    in three queries whatever the number of buildings, units and people (one grouped by
    building for the units, one for the people, one for the people in total).

    - a unit is covered when it has at least one verified resident account
      (`verified_resident_accounts`: a live membership whose person's account is active);
    - residents are the people with a live membership in the building (a person with units
      in two buildings is a resident of each, and counts once in the total);
    - a resident is active when their account is active and, in the last `ACTIVE_DAYS`
      days, they signed in successfully to the portal, the app or by an e-mail's link
      (`SignInAttempt`, channels `RESIDENT_SIGN_IN_CHANNELS`), or the app used one of their
      tokens (`APIToken.last_used_at`, set on every request a token signs). The app keeps
      its token for up to API_TOKEN_TTL_DAYS without signing in again, hence the token's
      use. Not counted: admin sign-ins (staff work) and `User.last_login` (admin sign-ins
      set it too, token sign-ins do not), nor portal use within a session that began
      before then (a session lasts two weeks by default): only messaging's
      `Message.read_at` would show it, and reading the largest table of the hub, with no
      index on that column, on every visit to the admin's first page is not worth the
      few it would add. The sign-in history is kept SIGNIN_HISTORY_DAYS (90 by default):
      kept shorter than `ACTIVE_DAYS`, it would undercount portal sign-ins.
    """
    since = (now or timezone.now()) - timedelta(days=ACTIVE_DAYS)
    buildings = (
        Building.objects.select_related("estate")
        .annotate(
            unit_count=Count("units"),
            covered=Count("units", filter=has_verified_resident_account("units__")),
        )
        .order_by("estate__name", "code", "pk")
    )
    people = {
        "residents": Count("user_id", distinct=True),
        "active": Count("user_id", distinct=True, filter=is_active_resident(since, "user__")),
    }
    live = Membership.objects.live()
    by_building = {
        row["unit__building_id"]: row for row in live.values("unit__building_id").annotate(**people).order_by()
    }
    rows = []
    for building in buildings:
        found = by_building.get(building.pk, {})
        rows.append(
            BuildingAdoption(
                units=building.unit_count,
                units_with_account=building.covered,
                residents=found.get("residents", 0),
                active_residents=found.get("active", 0),
                building=building,
            )
        )
    total = live.aggregate(**people)
    return AdoptionReport(
        buildings=rows,
        total=Adoption(
            units=sum(row.units for row in rows),
            units_with_account=sum(row.units_with_account for row in rows),
            residents=total["residents"],
            active_residents=total["active"],
        ),
        since=since,
    )
