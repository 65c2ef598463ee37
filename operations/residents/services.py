"""Every write of the residents app: estates, buildings, units, memberships, audiences,
staff roles, sign-in and registration.

Admin views, GraphQL mutations, signals and management commands call these functions;
none of them writes the ORM on its own. Each function is keyword-only and atomic, and
refuses bad input with `ServiceError(code, message, field)`, where `code` is a value of
the error-code enum of its domain below and `field` the snake_case name of the input.

Audience groups (see models.Audience) are derived data: `user_audiences_sync` computes a
person's audience groups from their verified memberships, staff roles and contractor
link, and every service that changes one of those calls it in the same transaction.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.models import APIToken

from cms.core.graphql.errors import ServiceError, ServiceErrorList

from . import throttling
from .middleware import live_tokens
from .models import Audience, Building, Estate, Membership, SignInAttempt, Unit
from .roles import STAFF_GROUP_NAMES, StaffRole, staff_group_name, staff_groups_ensure

logger = logging.getLogger(__name__)
User = get_user_model()


# --- Error codes -------------------------------------------------------------------------


class SignInErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    THROTTLED = "THROTTLED"
    INACTIVE = "INACTIVE"
    CSRF = "CSRF"
    CLIENT_NAME_INVALID = "CLIENT_NAME_INVALID"


class TokenErrorCode(StrEnum):
    NOT_TOKEN_AUTHENTICATED = "NOT_TOKEN_AUTHENTICATED"
    TOKEN_UNKNOWN = "TOKEN_UNKNOWN"


class RegistrationErrorCode(StrEnum):
    USERNAME_INVALID = "USERNAME_INVALID"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    EMAIL_INVALID = "EMAIL_INVALID"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    PASSWORD_INVALID = "PASSWORD_INVALID"
    NAME_REQUIRED = "NAME_REQUIRED"
    THROTTLED = "THROTTLED"


class MembershipErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    UNIT_NOT_FOUND = "UNIT_NOT_FOUND"
    BUILDING_AMBIGUOUS = "BUILDING_AMBIGUOUS"
    ROLE_INVALID = "ROLE_INVALID"
    PROOF_KIND_INVALID = "PROOF_KIND_INVALID"
    PROOF_FORMAT = "PROOF_FORMAT"
    DUPLICATE = "DUPLICATE"
    TOO_MANY_PENDING = "TOO_MANY_PENDING"
    NOT_PENDING = "NOT_PENDING"
    NOT_VERIFIED = "NOT_VERIFIED"
    REASON_REQUIRED = "REASON_REQUIRED"
    PERMISSION_DENIED = "PERMISSION_DENIED"


class PropertyErrorCode(StrEnum):
    """Errors about estates, buildings and units (mostly for the admin forms)."""

    INVALID = "INVALID"
    IN_USE = "IN_USE"


def _raise_if_any(errors: list[ServiceError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ServiceErrorList(errors)


def model_validate(instance, exclude=None) -> None:
    """Model validation as ServiceErrors, so callers other than forms get field errors too."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        _raise_if_any(
            [
                ServiceError(PropertyErrorCode.INVALID, message, None if field == "__all__" else field)
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        )


# --- Audiences ---------------------------------------------------------------------------

# Names of the role audiences as the cooperative sees them in Wagtail's privacy dialog.
ROLE_AUDIENCE_NAMES: dict[str, str] = {
    Audience.Role.OWNERS: "Właściciele",
    Audience.Role.TENANTS: "Najemcy",
    Audience.Role.BOARD: "Zarząd (członkowie)",
    Audience.Role.STAFF: "Pracownicy",
    Audience.Role.CONTRACTORS: "Wykonawcy",
}

MEMBERSHIP_ROLE_AUDIENCE: dict[str, str] = {
    Membership.Role.OWNER: Audience.Role.OWNERS,
    Membership.Role.TENANT: Audience.Role.TENANTS,
    Membership.Role.BOARD: Audience.Role.BOARD,
}


def estate_group_name(estate: Estate) -> str:
    return f"Osiedle: {estate.name}"


def building_group_name(building: Building) -> str:
    return f"Budynek {building.code} ({building.street} {building.number})"


def _free_group_name(base: str, *, qualifier: str, group: Group | None = None) -> str:
    """`base`, or a variant of it, that no group other than `group` already uses."""
    max_length = Group._meta.get_field("name").max_length
    candidates = [base, f"{base} – {qualifier}"] + [f"{base} – {qualifier} ({n})" for n in range(2, 100)]
    for candidate in candidates:
        candidate = candidate[:max_length]
        taken = Group.objects.filter(name=candidate)
        if group is not None:
            taken = taken.exclude(pk=group.pk)
        if not taken.exists():
            return candidate
    raise RuntimeError(f"No free group name for {base!r}")


def _audience_group(audience: Audience | None, *, kind: str, name: str, qualifier: str, **target) -> Audience:
    """Create the audience (and its group) or bring the group's name up to date."""
    if audience is None:
        group = Group.objects.create(name=_free_group_name(name, qualifier=qualifier))
        return Audience.objects.create(group=group, kind=kind, **target)
    group = audience.group
    if group.name != name and not group.name.startswith(f"{name} – "):
        group.name = _free_group_name(name, qualifier=qualifier, group=group)
        group.save(update_fields=["name"])
    return audience


def _estate_audience(estate: Estate) -> Audience:
    existing = Audience.objects.select_related("group").filter(estate=estate).first()
    return _audience_group(
        existing, kind=Audience.Kind.ESTATE, name=estate_group_name(estate), qualifier=estate.slug, estate=estate
    )


def _building_audience(building: Building) -> Audience:
    existing = Audience.objects.select_related("group").filter(building=building).first()
    return _audience_group(
        existing,
        kind=Audience.Kind.BUILDING,
        name=building_group_name(building),
        qualifier=building.estate.name,
        building=building,
    )


def _role_audience(role: str) -> Audience:
    existing = Audience.objects.select_related("group").filter(role=role).first()
    if existing is not None:
        return existing
    # Adopt a group of that name if someone created it by hand, unless it stands for something else.
    name = ROLE_AUDIENCE_NAMES[role]
    group = Group.objects.filter(name=name, audience__isnull=True).first()
    if group is None:
        group = Group.objects.create(name=_free_group_name(name, qualifier=str(Audience.Role(role).label)))
    return Audience.objects.create(group=group, kind=Audience.Kind.ROLE, role=role)


@transaction.atomic
def audiences_ensure() -> None:
    """Make sure every role, estate and building has its audience group; idempotent.

    Runs after every `migrate`; estate_create and building_create create their own, so
    this only repairs what was made some other way (fixtures, a restored backup).
    """
    for role in ROLE_AUDIENCE_NAMES:
        _role_audience(role)
    for estate in Estate.objects.all():
        _estate_audience(estate)
    for building in Building.objects.select_related("estate"):
        _building_audience(building)


@transaction.atomic
def audience_group(*, role: str | None = None, estate: Estate | None = None, building: Building | None = None) -> Group:
    """The Django group of a role, estate or building audience (created if missing).

    For other apps and for the demo data: a news item for building A is restricted to
    `audience_group(building=a)`.
    """
    if role is not None:
        return _role_audience(role).group
    if estate is not None:
        return _estate_audience(estate).group
    if building is not None:
        return _building_audience(building).group
    raise ValueError("Give a role, an estate or a building.")


def _is_contractor(user) -> bool:
    from cms.contractors.models import ContractorStaff

    return ContractorStaff.objects.filter(user=user).exists()


@transaction.atomic
def user_audiences_sync(*, user) -> None:
    """Bring `user`'s audience groups in line with what they are entitled to now.

    Entitled: the estate, building and role (owners, tenants, board) audiences of every
    verified, not ended membership; the staff audience for any staff role; the
    contractors audience for a contractor link. Groups that are not audiences (staff
    roles, Wagtail's own) are never touched. A person with two units keeps what the
    other unit gives when one membership ends, because nothing is removed that some
    live membership still justifies.
    """
    # Serialise concurrent decisions about one person, so that each computes from the
    # other's committed result (PostgreSQL; SQLite serialises writers anyway).
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))

    wanted: set[int] = set()
    live = Membership.objects.filter(
        user=user, status=Membership.Status.VERIFIED, ended_at__isnull=True
    ).select_related("unit__building__estate")
    seen_buildings: set[int] = set()
    for membership in live:
        building = membership.unit.building
        if building.pk not in seen_buildings:
            seen_buildings.add(building.pk)
            wanted.add(_building_audience(building).group_id)
            wanted.add(_estate_audience(building.estate).group_id)
        wanted.add(_role_audience(MEMBERSHIP_ROLE_AUDIENCE[membership.role]).group_id)
    if user.groups.filter(name__in=STAFF_GROUP_NAMES.values()).exists():
        wanted.add(_role_audience(Audience.Role.STAFF).group_id)
    if _is_contractor(user):
        wanted.add(_role_audience(Audience.Role.CONTRACTORS).group_id)

    current = set(Group.objects.filter(user=user, audience__isnull=False).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))


# --- Estates, buildings, units ------------------------------------------------------------


@transaction.atomic
def estate_create(*, name: str, slug: str) -> Estate:
    estate = Estate(name=name.strip(), slug=slug.strip())
    model_validate(estate)
    estate.save()
    _estate_audience(estate)
    return estate


@transaction.atomic
def estate_update(*, estate: Estate, name: str, slug: str) -> Estate:
    estate.name, estate.slug = name.strip(), slug.strip()
    model_validate(estate)
    estate.save()
    _estate_audience(estate)
    for building in estate.buildings.all():
        # A building group's qualifier may name the estate.
        _building_audience(building)
    return estate


def _delete_with_audience(instance, audience_filter: dict) -> None:
    groups = list(Group.objects.filter(**{f"audience__{k}": v for k, v in audience_filter.items()}))
    instance.delete()
    for group in groups:
        group.delete()


@transaction.atomic
def estate_delete(*, estate: Estate) -> None:
    if estate.buildings.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("Delete or move the estate's buildings first."))
    _delete_with_audience(estate, {"estate": estate})


@transaction.atomic
def building_create(*, estate: Estate, code: str, street: str, number: str, postal_code: str, city: str) -> Building:
    building = Building(
        estate=estate,
        code=code.strip(),
        street=street.strip(),
        number=number.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
    )
    _validate_postal_code(building.postal_code)
    model_validate(building)
    building.save()
    _building_audience(building)
    return building


@transaction.atomic
def building_update(
    *, building: Building, estate: Estate, code: str, street: str, number: str, postal_code: str, city: str
) -> Building:
    # Compared with the stored row: an admin form has already copied its data onto `building`.
    moved = Building.objects.filter(pk=building.pk).values_list("estate_id", flat=True).first() != estate.pk
    building.estate, building.code, building.street = estate, code.strip(), street.strip()
    building.number, building.postal_code, building.city = number.strip(), postal_code.strip(), city.strip()
    _validate_postal_code(building.postal_code)
    model_validate(building)
    building.save()
    _building_audience(building)
    if moved:
        # Residents of the building now belong to another estate's audience.
        for user in User.objects.filter(memberships__unit__building=building).distinct():
            user_audiences_sync(user=user)
    return building


@transaction.atomic
def building_delete(*, building: Building) -> None:
    if building.units.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("Delete the building's units first."))
    _delete_with_audience(building, {"building": building})


POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")


def _validate_postal_code(value: str) -> None:
    if not POSTAL_CODE.match(value):
        raise ServiceError(PropertyErrorCode.INVALID, _("Enter the postal code as 00-950."), "postal_code")


@transaction.atomic
def unit_create(
    *,
    building: Building,
    number: str,
    floor: int,
    area: Decimal,
    share: Decimal,
    kind: str = Unit.Kind.RESIDENTIAL,
    land_register_number: str = "",
    member_number: str = "",
    access_code: str = "",
) -> Unit:
    unit = Unit(building=building)
    return _unit_save(
        unit,
        number=number,
        floor=floor,
        area=area,
        share=share,
        kind=kind,
        land_register_number=land_register_number,
        member_number=member_number,
        access_code=access_code,
    )


@transaction.atomic
def unit_update(
    *,
    unit: Unit,
    building: Building,
    number: str,
    floor: int,
    area: Decimal,
    share: Decimal,
    kind: str,
    land_register_number: str = "",
    member_number: str = "",
    access_code: str = "",
) -> Unit:
    moved = Unit.objects.filter(pk=unit.pk).values_list("building_id", flat=True).first() != building.pk
    unit.building = building
    unit = _unit_save(
        unit,
        number=number,
        floor=floor,
        area=area,
        share=share,
        kind=kind,
        land_register_number=land_register_number,
        member_number=member_number,
        access_code=access_code,
    )
    if moved:
        for user in User.objects.filter(memberships__unit=unit).distinct():
            user_audiences_sync(user=user)
    return unit


def _unit_save(unit: Unit, **fields) -> Unit:
    for name in ("number", "land_register_number", "member_number", "access_code"):
        fields[name] = (fields[name] or "").strip()
    if fields["land_register_number"]:
        fields["land_register_number"] = _normalise_proof(
            Membership.ProofKind.LAND_REGISTER, fields["land_register_number"], field="land_register_number"
        )
    for name, value in fields.items():
        setattr(unit, name, value)
    model_validate(unit)
    unit.save()
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    if unit.memberships.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("The unit has memberships; end them instead of deleting it."))
    unit.delete()


# --- Memberships ----------------------------------------------------------------------------

LIVE_STATUSES = [Membership.Status.PENDING, Membership.Status.VERIFIED]
# A person rarely waits for more than a couple of units; more is likely a mistake or abuse.
MAX_PENDING_REQUESTS = 5

PROOF_FORMATS = {
    # Court code (e.g. WA1M), 8-digit register number, check digit.
    Membership.ProofKind.LAND_REGISTER: (
        re.compile(r"^[A-Z]{2}[0-9][A-Z]/[0-9]{8}/[0-9]$"),
        _("Enter the land-register number as on the document, e.g. WA1M/00012345/6."),
    ),
    Membership.ProofKind.MEMBER_NUMBER: (
        re.compile(r"^[A-Z0-9][A-Z0-9/.\-]{0,29}$"),
        _("Enter the member number as the cooperative gave it (letters, digits, / . -)."),
    ),
    Membership.ProofKind.ACCESS_CODE: (
        re.compile(r"^[A-Z0-9\-]{4,32}$"),
        _("Enter the access code as printed (4 to 32 letters, digits or dashes)."),
    ),
}


def _normalise_proof(kind: str, value: str, *, field: str = "proof_value") -> str:
    value = re.sub(r"\s+", "", value or "").upper()
    if not value:
        raise ServiceError(MembershipErrorCode.PROOF_FORMAT, _("Enter the proof."), field)
    pattern, message = PROOF_FORMATS[kind]
    if not pattern.match(value):
        raise ServiceError(MembershipErrorCode.PROOF_FORMAT, message, field)
    return value


@transaction.atomic
def membership_request(*, user, unit: Unit, role: str, proof_kind: str, proof_value: str) -> Membership:
    """A signed-in person asks to be recognised as owner, tenant or board member of `unit`.

    The request waits for staff; `proof_matches` tells them whether the proof equals
    what the cooperative holds. Nothing is granted until it is verified.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ServiceError(MembershipErrorCode.NOT_AUTHENTICATED, _("Sign in to ask for access to a unit."))
    if role not in Membership.Role.values:
        raise ServiceError(MembershipErrorCode.ROLE_INVALID, _("Choose owner, tenant or board member."), "role")
    if proof_kind not in Membership.ProofKind.values:
        raise ServiceError(MembershipErrorCode.PROOF_KIND_INVALID, _("Choose a kind of proof."), "proof_kind")
    proof_value = _normalise_proof(proof_kind, proof_value)

    mine = Membership.objects.filter(user=user)
    if mine.filter(unit=unit, role=role, status__in=LIVE_STATUSES).exists():
        raise ServiceError(
            MembershipErrorCode.DUPLICATE, _("You have already asked for this unit in this role."), "unit"
        )
    if mine.filter(status=Membership.Status.PENDING).count() >= MAX_PENDING_REQUESTS:
        raise ServiceError(
            MembershipErrorCode.TOO_MANY_PENDING,
            _("You have too many requests waiting; wait until the cooperative decides on them."),
        )
    try:
        with transaction.atomic():
            return Membership.objects.create(
                user=user, unit=unit, role=role, proof_kind=proof_kind, proof_value=proof_value
            )
    except IntegrityError:
        # A concurrent identical request won the race for the unique constraint.
        raise ServiceError(
            MembershipErrorCode.DUPLICATE, _("You have already asked for this unit in this role."), "unit"
        ) from None


def _can_decide(user) -> bool:
    return bool(user) and user.is_active and user.has_perm("residents.change_membership")


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "unit__building__estate")
        .get(pk=membership.pk)
    )


@transaction.atomic
def membership_verify(*, membership: Membership, decided_by, note: str = "") -> Membership:
    """Accept a pending request: the person gains the unit's audiences in this transaction."""
    if not _can_decide(decided_by):
        raise ServiceError(MembershipErrorCode.PERMISSION_DENIED, _("You may not decide on memberships."))
    membership = _locked(membership)
    if membership.status != Membership.Status.PENDING:
        raise ServiceError(MembershipErrorCode.NOT_PENDING, _("This request has already been decided."))
    membership.status = Membership.Status.VERIFIED
    membership.decided_at = timezone.now()
    membership.decided_by = decided_by
    membership.decision_note = (note or "").strip()
    membership.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    user_audiences_sync(user=membership.user)
    notify_membership_decision(membership=membership)
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, decided_by, reason: str) -> Membership:
    """Refuse a pending request; the reason is sent to the person."""
    if not _can_decide(decided_by):
        raise ServiceError(MembershipErrorCode.PERMISSION_DENIED, _("You may not decide on memberships."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            MembershipErrorCode.REASON_REQUIRED, _("Give the reason; the person will read it."), "reason"
        )
    membership = _locked(membership)
    if membership.status != Membership.Status.PENDING:
        raise ServiceError(MembershipErrorCode.NOT_PENDING, _("This request has already been decided."))
    membership.status = Membership.Status.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = decided_by
    membership.decision_note = reason
    membership.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    user_audiences_sync(user=membership.user)
    notify_membership_decision(membership=membership)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, ended_by) -> Membership:
    """End a verified membership (sale, move-out): exactly the access it gave goes away.

    Staff who decide on memberships may end any; a person may end their own.
    """
    if not (_can_decide(ended_by) or (ended_by is not None and ended_by.pk == membership.user_id)):
        raise ServiceError(MembershipErrorCode.PERMISSION_DENIED, _("You may not end this membership."))
    membership = _locked(membership)
    if membership.status != Membership.Status.VERIFIED:
        raise ServiceError(MembershipErrorCode.NOT_VERIFIED, _("Only a verified membership can be ended."))
    membership.status = Membership.Status.ENDED
    membership.ended_at = timezone.now()
    membership.ended_by = ended_by
    membership.save(update_fields=["status", "ended_at", "ended_by"])
    user_audiences_sync(user=membership.user)
    return membership


def notify_membership_decision(*, membership: Membership) -> None:
    """Tell the person that their request was accepted or refused, through messaging.

    The message is written to the outbox in the decision's transaction and sent after
    commit: a rolled-back decision tells nobody anything, and a mail server that is down
    delays the message instead of losing it.
    """
    from operations.messaging import selectors as messaging_selectors
    from operations.messaging import services as messaging

    person = membership.user
    verified = membership.status == Membership.Status.VERIFIED
    with translation.override(messaging_selectors.settings_of(person).language):
        role = str(membership.get_role_display())
    messaging.message_send(
        kind="account",
        template_key="membership-verified" if verified else "membership-rejected",
        recipients=[person],
        context={
            "unit": f"{membership.unit.building.code}/{membership.unit.number}",
            "address": membership.unit.building.address,
            "role": role,
            "reason": membership.decision_note,
        },
        dedupe_key=f"membership:{membership.pk}:{membership.status}",
    )


# --- Staff roles -----------------------------------------------------------------------------


def _staff_group(role: str) -> Group:
    group = Group.objects.filter(name=staff_group_name(role)).first()
    return group if group is not None else staff_groups_ensure()[StaffRole(role)]


@transaction.atomic
def staff_role_assign(*, user, role: str) -> None:
    user.groups.add(_staff_group(role))
    user_audiences_sync(user=user)


@transaction.atomic
def staff_role_remove(*, user, role: str) -> None:
    user.groups.remove(_staff_group(role))
    user_audiences_sync(user=user)


# --- Sign-in ---------------------------------------------------------------------------------

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
    user=None,
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
def sign_in_attempts_prune(*, before) -> int:
    """Delete attempts older than `before` (personal data: keep only what throttling and history need)."""
    deleted, _per_model = SignInAttempt.objects.filter(created_at__lt=before).delete()
    return deleted


def user_by_username(username: str):
    """The account a typed user name belongs to, or None."""
    if not username or "\x00" in username:  # no account has one; PostgreSQL refuses it in a query
        return None
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return None


def user_sign_in(*, request, username: str, password: str, channel: str):
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
    account = user_by_username(username)

    def record(outcome: str) -> None:
        sign_in_attempt_record(
            username=username,
            channel=channel,
            outcome=outcome,
            user=account,
            ip_address=ip_address,
            user_agent=user_agent,
        )

    decision = throttling.sign_in_throttle(username=username, ip_address=ip_address)
    if decision.refused:
        record(SignInAttempt.Outcome.THROTTLED)
        raise ServiceError(
            SignInErrorCode.THROTTLED,
            ngettext(
                "Too many failed attempts. Try again in %(minutes)d minute.",
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                settings.SIGNIN_WINDOW_MINUTES,
            )
            % {"minutes": settings.SIGNIN_WINDOW_MINUTES},
        )
    if decision.delay:
        time.sleep(decision.delay)

    plausible = username and password and "\x00" not in username
    user = authenticate(request, username=username, password=password) if plausible else None
    if user is None:
        if account is not None and not account.is_active and password and account.check_password(password):
            record(SignInAttempt.Outcome.INACTIVE)
            raise ServiceError(SignInErrorCode.INACTIVE, _("This account is disabled. Contact the office."))
        record(SignInAttempt.Outcome.FAILURE)
        raise ServiceError(SignInErrorCode.INVALID_CREDENTIALS, _("Wrong user name or password."))
    account = user  # the same person, also when a backend matched them by something else than the name
    record(SignInAttempt.Outcome.SUCCESS)
    return user


# --- API tokens --------------------------------------------------------------------------------


def api_token_client_name_clean(client_name: str) -> str:
    """The client's name as stored with its token (it tells the person which device it is)."""
    client_name = (client_name or "").strip()
    max_length = APIToken._meta.get_field("name").max_length
    if not client_name or len(client_name) > max_length:
        raise ServiceError(
            SignInErrorCode.CLIENT_NAME_INVALID,
            _("Name the device or app (at most %(max)d characters).") % {"max": max_length},
            "client_name",
        )
    return client_name


@transaction.atomic
def api_token_issue(*, user, client_name: str) -> str:
    """A new bearer token for a mobile client; the plaintext is returned once, never stored."""
    _token, plaintext = APIToken.create_token(user=user, name=api_token_client_name_clean(client_name))
    return plaintext


@transaction.atomic
def api_token_revoke(*, raw_token: str) -> None:
    token = None
    if APIToken.validate_token_format(raw_token or ""):
        token = live_tokens().filter(key_hash__in=APIToken.candidate_key_hashes(raw_token)).first()
    if token is None:
        raise ServiceError(TokenErrorCode.TOKEN_UNKNOWN, _("This token is not valid (any more)."))
    token.revoke()


@transaction.atomic
def api_tokens_revoke_all(*, user) -> int:
    """Revoke every live token of `user` (their password changed: a stolen phone signs out)."""
    return live_tokens().filter(user=user).update(revoked_at=timezone.now())


# --- Registration --------------------------------------------------------------------------------


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str, first_name: str, last_name: str, ip_address: str | None = None
):
    """Create an account for a new person, who can then sign in and ask for a unit.

    All problems are reported at once (ServiceErrorList), so a form can mark every
    field. The real name is required: staff compare it with the cooperative's records.
    Attempts from one address are limited per hour (REGISTRATION_LIMIT_PER_HOUR).
    """
    if not throttling.registration_allowed(ip_address):
        raise ServiceError(
            RegistrationErrorCode.THROTTLED, _("Too many sign-ups from your network. Try again in an hour.")
        )
    username = (username or "").strip()
    email = User.objects.normalize_email((email or "").strip())
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors: list[ServiceError] = []

    username_field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        if not username:
            raise ValidationError(_("Choose a user name."))
        if len(username) > username_field.max_length:
            raise ValidationError(_("The user name is too long."))
        for validator in username_field.validators:
            validator(username)
    except ValidationError as error:
        errors += [ServiceError(RegistrationErrorCode.USERNAME_INVALID, m, "username") for m in error.messages]
    else:
        if User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
            errors.append(ServiceError(RegistrationErrorCode.USERNAME_TAKEN, _("This user name is taken."), "username"))

    try:
        validate_email(email)
    except ValidationError:
        errors.append(ServiceError(RegistrationErrorCode.EMAIL_INVALID, _("Enter a valid e-mail address."), "email"))
    else:
        if User._default_manager.filter(email__iexact=email).exists():
            errors.append(
                ServiceError(
                    RegistrationErrorCode.EMAIL_TAKEN,
                    _("An account with this e-mail address exists; sign in or reset the password."),
                    "email",
                )
            )

    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if not value:
            errors.append(ServiceError(RegistrationErrorCode.NAME_REQUIRED, _("This field is required."), field))

    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as error:
        errors += [ServiceError(RegistrationErrorCode.PASSWORD_INVALID, m, "password") for m in error.messages]

    _raise_if_any(errors)
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                username=username, email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError:
        raise ServiceError(RegistrationErrorCode.USERNAME_TAKEN, _("This user name is taken."), "username") from None
    return user
