"""Every write of the residents app: estates, buildings, units, memberships, audiences,
staff roles, sign-in, registration and passwords.

Admin views, GraphQL mutations, signals and management commands call these functions;
none of them writes the ORM on its own. Each function is keyword-only and atomic, and
refuses bad input with `ServiceError(code, message, field)`, where `code` is a value of
the error-code enum of its domain below and `field` the snake_case name of the input.

Audience groups (see models.Audience) are derived data: `user_audiences_sync` computes a
person's audience groups from their verified memberships, staff roles and contractor
link, and every service that changes one of those calls it in the same transaction.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
import unicodedata
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.models import APIToken

from cms.core.exceptions import ServiceError, model_validate, raise_if_any
from cms.core.queue import enqueue_after_commit

from . import throttling
from .errors import (
    AccountLinkErrorCode,
    MembershipErrorCode,
    PasswordChangeErrorCode,
    PasswordResetErrorCode,
    PropertyErrorCode,
    RegistrationErrorCode,
    SignInErrorCode,
    TokenErrorCode,
)
from .middleware import live_tokens
from .models import (
    AccountConfirmation,
    AccountEmailRequest,
    Audience,
    Building,
    Estate,
    Membership,
    SignInAttempt,
    Unit,
)
from .roles import STAFF_GROUP_NAMES, StaffRole, staff_group_name, staff_groups_ensure

logger = logging.getLogger(__name__)
User = get_user_model()


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
    model_validate(estate, code=PropertyErrorCode.INVALID)
    estate.save()
    _estate_audience(estate)
    return estate


@transaction.atomic
def estate_update(*, estate: Estate, name: str, slug: str) -> Estate:
    estate.name, estate.slug = name.strip(), slug.strip()
    model_validate(estate, code=PropertyErrorCode.INVALID)
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
    model_validate(building, code=PropertyErrorCode.INVALID)
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
    model_validate(building, code=PropertyErrorCode.INVALID)
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
    model_validate(unit, code=PropertyErrorCode.INVALID)
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


# Set on a user while `password_change` saves their new password: the token the request
# is signed with survives the revocation a new password causes (the pre_save signal in
# signals.py calls api_tokens_revoke_all with that user).
KEEP_TOKEN_ATTR = "_residents_keep_api_token"


def api_token_id(raw_token: str) -> int | None:
    """The id of the live token `raw_token` is, or None."""
    if not raw_token or not APIToken.validate_token_format(raw_token):
        return None
    return (
        live_tokens().filter(key_hash__in=APIToken.candidate_key_hashes(raw_token)).values_list("pk", flat=True).first()
    )


@transaction.atomic
def api_tokens_revoke_all(*, user, keep_token_id: int | None = None) -> int:
    """Revoke every live token of `user` (their password changed: a stolen phone signs out),
    except `keep_token_id` (or the one `KEEP_TOKEN_ATTR` on `user` names), the token of the
    request that changed the password."""
    keep = keep_token_id if keep_token_id is not None else getattr(user, KEEP_TOKEN_ATTR, None)
    tokens = live_tokens().filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep)
    return tokens.update(revoked_at=timezone.now())


# --- Registration, confirmation and passwords by e-mail ---------------------------------------------
#
# None of these tells a stranger whether an address has an account. Registration and a
# reset request answer the same for a new address, an unconfirmed account and a confirmed
# one, and do the same work: they check the input's shape and the limits per network,
# write one AccountEmailRequest row and queue one task after commit. The task (or the
# periodic sweep, if the broker lost it) then looks the address up and sends the e-mail,
# which only the mailbox's owner reads:
#
# - new address: an inactive account with no usable password and a pending
#   AccountConfirmation; the e-mail carries a link to confirm and choose the password;
# - unconfirmed account: a fresh link is sent (older ones keep working: they only let the
#   mailbox's owner choose the password); its names are never changed by another sign-up,
#   only by whoever opens the link (accountConfirm's firstName and lastName);
# - confirmed account: nothing is created; the e-mail says an account exists, its sign-in
#   name, and carries a link to set a new password;
# - an account staff disabled: nothing is sent.
#
# The password is chosen when the link is opened, never at registration, so nobody can
# register someone else's address with a password they know (account pre-hijacking).
# At most ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR such e-mails go to one address an hour
# (beyond it: the same answer, nothing sent). They greet nobody by name (a registrant may
# have typed anything as a name) and never appear in the inbox (whoever holds a session
# could read the link there and set the password). Links name the account by its id
# (urlsafe base64) and carry a token of Django's PasswordResetTokenGenerator with a salt
# of its own per purpose; a token dies when the password changes, when the account signs
# in, and after PASSWORD_RESET_TIMEOUT seconds. The rendered e-mail, link included, stays
# in messaging's outbox (Message.body_text) like every message; the link dies as above.


class AccountConfirmTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of account confirmation links: valid while the account is unconfirmed."""

    key_salt = "operations.residents.services.AccountConfirmTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


class NewPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of "set a new password" links (a salt of their own, apart from Django's admin)."""

    key_salt = "operations.residents.services.NewPasswordTokenGenerator"


account_confirm_tokens = AccountConfirmTokenGenerator()
password_reset_tokens = NewPasswordTokenGenerator()

ACCOUNT_EMAIL_SCOPE = "residents:account-emails"
PASSWORD_RESET_SCOPE = "residents:password-resets"
PASSWORD_RESET_EMAIL_SCOPE = "residents:password-resets-per-email"
# Requests are personal data (an e-mail address, names): deleted this long after they came.
ACCOUNT_EMAIL_REQUESTS_KEPT = timedelta(days=1)
# The task queued after commit normally acts on a request within a second; the sweep takes
# up what is older than this (the broker lost the task, the worker died).
ACCOUNT_EMAIL_REQUEST_GRACE = timedelta(minutes=1)
# Names as people write them: two given names or a double-barrelled surname fit easily,
# a sentence does not.
NAME_MAX_LENGTH = 60
# An address shared by more accounts than this is an oddity staff made; a bound keeps
# every request at a fixed cost.
MAX_ACCOUNTS_PER_ADDRESS = 5
TOKEN_INVALID_MESSAGE = _("This link is not valid (any more). Ask for a new one.")


def _email_clean(email: str, *, code: str, as_username: bool = False) -> str:
    """`email` trimmed, with its domain in lower case; refused with `code` unless valid.

    `as_username`: the address will also be the account's sign-in name, so it must fit
    that field (length, allowed characters) too.
    """
    email = User.objects.normalize_email((email or "").strip())
    max_length = User._meta.get_field("email").max_length
    try:
        if len(email) > max_length:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ServiceError(code, _("Enter a valid e-mail address."), "email") from None
    if as_username:
        username_field = User._meta.get_field(User.USERNAME_FIELD)
        try:
            if len(email) > username_field.max_length:
                raise ValidationError("too long")
            for validator in username_field.validators:
                validator(email.lower())
        except ValidationError:
            raise ServiceError(
                code,
                _(
                    "This address cannot be a sign-in name: use one of at most %(max)d letters, digits and "
                    "the characters @ . + - _."
                )
                % {"max": username_field.max_length},
                "email",
            ) from None
    return email


NAME_APOSTROPHES = "'\u2019"


def _name_shape_ok(name: str) -> bool:
    """Letters (any script, with their accents), single spaces, hyphens, apostrophes, and a
    full stop only after a letter and before a space or the end ("J. R."): no digits,
    control or formatting characters (a right-to-left override), links or addresses."""
    if not any(unicodedata.category(char).startswith("L") for char in name):
        return False
    for index, char in enumerate(name):
        if unicodedata.category(char)[0] in "LM" or char in " -" + NAME_APOSTROPHES:
            continue
        after_letter = index > 0 and unicodedata.category(name[index - 1]).startswith("L")
        if char == "." and after_letter and name[index + 1 : index + 2] in ("", " "):
            continue
        return False
    return True


def _name_clean(value: str | None, *, field: str, codes) -> tuple[str, ServiceError | None]:
    """A first or last name as a person gives it: composed (NFC), spaces of any kind
    made one plain space, trimmed; with the error (of `codes`, an error-code enum with
    NAME_REQUIRED and NAME_INVALID) if it is empty, too long or not shaped like a name."""
    # Spaces of any kind (a pasted no-break space) become one plain space; tabs, line
    # breaks and other invisible characters are refused below.
    value = unicodedata.normalize("NFC", value or "")
    spaced = "".join(" " if unicodedata.category(char) == "Zs" else char for char in value)
    value = " ".join(part for part in spaced.split(" ") if part)
    if not value:
        return value, ServiceError(codes.NAME_REQUIRED, _("This field is required."), field)
    if len(value) > NAME_MAX_LENGTH:
        message = _("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        return value, ServiceError(codes.NAME_INVALID, message, field)
    if not _name_shape_ok(value):
        return value, ServiceError(
            codes.NAME_INVALID,
            _("Use letters, spaces, hyphens and apostrophes (a full stop only after an initial)."),
            field,
        )
    return value, None


def _names_clean(first_name: str | None, last_name: str | None, *, codes=RegistrationErrorCode):
    """(first name, last name, errors) as `_name_clean` makes them."""
    first_name, first_error = _name_clean(first_name, field="first_name", codes=codes)
    last_name, last_error = _name_clean(last_name, field="last_name", codes=codes)
    return first_name, last_name, [error for error in (first_error, last_error) if error is not None]


def _accounts_with_email(email: str, *, or_username: bool = False) -> list:
    """The accounts whose e-mail address (and, with `or_username`, sign-in name) is
    `email`, in any letter case, with their confirmation state: one query."""
    matches = Q(email__iexact=email)
    if or_username:
        matches |= Q(**{f"{User.USERNAME_FIELD}__iexact": email})
    return list(
        User._default_manager.filter(matches)
        .select_related("account_confirmation")
        .order_by("pk")[:MAX_ACCOUNTS_PER_ADDRESS]
    )


def is_unconfirmed(user) -> bool:
    """Whether `user` registered and has not confirmed their e-mail address yet."""
    try:
        return user.account_confirmation.confirmed_at is None
    except AccountConfirmation.DoesNotExist:
        return False


def _email_digest(email: str) -> str:
    """What the limits count an e-mail address by (any letter case), so that the cache
    holds no e-mail addresses."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def _account_email_allowed(email: str) -> bool:
    """Count one more account e-mail to `email` this hour; False past the limit."""
    return throttling.hourly_count_allows(
        ACCOUNT_EMAIL_SCOPE, _email_digest(email), settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR
    )


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def account_confirm_link(user) -> str:
    return f"{settings.PORTAL_URL}/konto/potwierdz/{_uid(user)}/{account_confirm_tokens.make_token(user)}/"


def password_reset_link(user) -> str:
    return f"{settings.PORTAL_URL}/konto/nowe-haslo/{_uid(user)}/{password_reset_tokens.make_token(user)}/"


def _local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _account_email(*, user, template_key: str, link: str, **context) -> None:
    """Queue an account e-mail to `user`: by e-mail only (links do not belong in SMS or
    push) and not in the inbox (whoever holds a session or token of the account could read
    the link there and set the password). The recipient's names are left out of the
    template's context: an unconfirmed account's names are whatever its registrant typed.

    Each request is its own event (a fresh dedupe key), so asking again sends again,
    within the hourly limit per address.
    """
    from operations.messaging import services as messaging
    from operations.messaging.kinds import Channel, MessageKind

    valid_until = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    messaging.message_send(
        kind=MessageKind.ACCOUNT,
        template_key=template_key,
        recipients=[user],
        context={
            "recipient": {"first_name": "", "last_name": "", "name": "", "email": user.email},
            "link": link,
            "username": user.get_username(),
            "valid_until": _local_time(valid_until),
            **context,
        },
        dedupe_key=f"{template_key}:{uuid.uuid4().hex}",
        channels=[Channel.EMAIL],
        inbox=False,
    )


def _account_email_request_queue(*, purpose: str, email: str, first_name: str = "", last_name: str = "") -> None:
    """Write the request and queue its task after commit: the one thing a sign-up or a
    reset request does, whatever the address (see the section's comment)."""
    from .tasks import account_email_request_send

    request = AccountEmailRequest.objects.create(
        purpose=purpose, email=email, first_name=first_name, last_name=last_name
    )
    enqueue_after_commit(account_email_request_send, request.pk, fallback="the account e-mail sweep will send it")


@transaction.atomic
def user_register(*, email: str, first_name: str, last_name: str, ip_address: str | None = None) -> None:
    """Ask for an account for `email`; the e-mail sent there says what comes next.

    Returns nothing and raises only for the input's shape (all problems at once, as a
    ServiceErrorList) or for too many sign-ups from the address (REGISTRATION_LIMIT_PER_HOUR):
    nothing tells the caller whether the address has an account (see above). The real
    name is required: staff compare it with the cooperative's records. The account is
    looked up, made and written to after commit (`account_email_request_process`).
    """
    if not throttling.registration_allowed(ip_address):
        raise ServiceError(
            RegistrationErrorCode.THROTTLED, _("Too many sign-ups from your network. Try again in an hour.")
        )
    errors: list[ServiceError] = []
    try:
        email = _email_clean(email, code=RegistrationErrorCode.EMAIL_INVALID, as_username=True)
    except ServiceError as error:
        errors.append(error)
    first_name, last_name, name_errors = _names_clean(first_name, last_name)
    raise_if_any(errors + name_errors)
    _account_email_request_queue(
        purpose=AccountEmailRequest.Purpose.REGISTER, email=email, first_name=first_name, last_name=last_name
    )


def _register_act(*, email: str, first_name: str, last_name: str) -> None:
    """What a sign-up for `email` does once the address is looked up (see above)."""
    accounts = _accounts_with_email(email, or_username=True)
    confirmed = [account for account in accounts if account.is_active and not is_unconfirmed(account)]
    pending = [account for account in accounts if is_unconfirmed(account)]
    if confirmed:
        if _account_email_allowed(email):
            for account in confirmed:
                _account_email(user=account, template_key="account-exists", link=password_reset_link(account))
        return
    if pending:
        # The names stay as they are: whoever signed up first may be the owner, and only
        # the mailbox's holder may change them (accountConfirm).
        if _account_email_allowed(email):
            _account_email(user=pending[0], template_key="account-confirm", link=account_confirm_link(pending[0]))
        return
    if accounts:  # disabled by staff: the person must ask the office, not the form
        logger.info("Registration for the address of a disabled account (id %s); nothing sent", accounts[0].pk)
        return
    if not _account_email_allowed(email):
        return
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                username=email.lower(),
                email=email,
                password=None,  # unusable until the mailbox's owner chooses one
                first_name=first_name,
                last_name=last_name,
                is_active=False,
            )
            AccountConfirmation.objects.create(user=user)
    except IntegrityError:
        return  # a concurrent registration of the same address won and sent the link
    _account_email(user=user, template_key="account-confirm", link=account_confirm_link(user))


def _user_of_uid(uid: str):
    """The account a link's uid names, locked for the change, or None."""
    try:
        if not uid or len(uid) > 24:
            raise ValueError(uid)
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 1 <= pk < 2**63:
        return None
    return User._default_manager.select_for_update().filter(pk=pk).first()


def _new_password_errors(password: str, *, user, code: str, field: str) -> list[ServiceError]:
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as error:
        return [ServiceError(code, message, field) for message in error.messages]
    if not password:  # no validator configured to refuse an empty one
        return [ServiceError(code, _("Choose a password."), field)]
    return []


def _record_email_link_sign_in(user, *, ip_address: str | None, user_agent: str) -> None:
    """A link from the mailbox proves the person as a password would: recorded as a
    successful sign-in, which clears the failures counted against the account (throttling)."""
    sign_in_attempt_record(
        username=user.get_username(),
        user=user,
        channel=SignInAttempt.Channel.EMAIL_LINK,
        outcome=SignInAttempt.Outcome.SUCCESS,
        ip_address=ip_address,
        user_agent=user_agent,
    )


@transaction.atomic
def account_confirm(
    *,
    uid: str,
    token: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
):
    """Confirm a registered account by the link e-mailed to it and set its password.

    Activates the account and returns it (the caller signs the session in). A link that
    is malformed, expired, already used or not for an unconfirmed account is TOKEN_INVALID,
    whatever the reason. `first_name` and `last_name`, when given, replace the names the
    account was registered with: whoever signed the address up may not be its owner, and
    the mailbox's holder decides.
    """
    user = _user_of_uid(uid)
    confirmation = AccountConfirmation.objects.filter(user=user, confirmed_at__isnull=True).first() if user else None
    if confirmation is None or not account_confirm_tokens.check_token(user, token or ""):
        raise ServiceError(AccountLinkErrorCode.TOKEN_INVALID, TOKEN_INVALID_MESSAGE)
    names = {}
    errors = []
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            names[field], error = _name_clean(value, field=field, codes=AccountLinkErrorCode)
            errors += [error] if error is not None else []
    # Checked with the new names, so a password like the person's own name is refused.
    for field, value in names.items():
        setattr(user, field, value)
    errors += _new_password_errors(password, user=user, code=AccountLinkErrorCode.PASSWORD_INVALID, field="password")
    raise_if_any(errors)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active", *names])
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    _record_email_link_sign_in(user, ip_address=ip_address, user_agent=user_agent)
    return user


@transaction.atomic
def password_reset_request(*, email: str, ip_address: str | None = None) -> None:
    """Ask for a link to set a new password; the answer never tells whether `email` has an account.

    A confirmed, active account gets the link; an unconfirmed one gets its confirmation
    link again; a disabled account and an unknown address get nothing (all decided after
    commit, `account_email_request_process`). Limited per network address and e-mail
    address (PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR), then per network
    address (PASSWORD_RESET_LIMIT_PER_HOUR), both THROTTLED. A stranger behind the same
    router who keeps asking for a few other addresses spends their quotas, not a
    neighbour's; only as many accepted requests as the network's limit (for at least
    limit / per-e-mail-limit distinct addresses) spend the network's. Per e-mail address,
    silently and shared with registration: ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR.
    """
    email = _email_clean(email, code=PasswordResetErrorCode.EMAIL_INVALID)
    network = throttling.address_key(ip_address)
    # Per network and e-mail first: requests it refuses do not count against the network.
    if network and not throttling.hourly_count_allows(
        PASSWORD_RESET_EMAIL_SCOPE,
        f"{network}:{_email_digest(email)}",
        settings.PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR,
    ):
        raise ServiceError(
            PasswordResetErrorCode.THROTTLED,
            _("Too many requests for this e-mail address from your network. Try again in an hour."),
        )
    if network and not throttling.hourly_count_allows(
        PASSWORD_RESET_SCOPE, network, settings.PASSWORD_RESET_LIMIT_PER_HOUR
    ):
        raise ServiceError(
            PasswordResetErrorCode.THROTTLED, _("Too many requests from your network. Try again in an hour.")
        )
    _account_email_request_queue(purpose=AccountEmailRequest.Purpose.RESET, email=email)


def _reset_act(*, email: str) -> None:
    """What a reset request for `email` does once the address is looked up (see above)."""
    accounts = _accounts_with_email(email)
    confirmed = [account for account in accounts if account.is_active and not is_unconfirmed(account)]
    pending = [account for account in accounts if is_unconfirmed(account)]
    if not (confirmed or pending) or not _account_email_allowed(email):
        return
    for account in confirmed:
        _account_email(user=account, template_key="password-reset", link=password_reset_link(account))
    if not confirmed:
        _account_email(user=pending[0], template_key="account-confirm", link=account_confirm_link(pending[0]))


def account_email_request_process(*, request_id: int) -> bool:
    """Act on one sign-up or reset request: look the address up and send what it needs.

    The request is claimed by a conditional update in the same transaction as what it
    sends, so two workers (the task and the sweep) never both act on it, and an error
    rolls the claim back for the sweep to try again. Returns whether it was acted on now.
    """
    with transaction.atomic():
        claimed = AccountEmailRequest.objects.filter(pk=request_id, processed_at__isnull=True).update(
            processed_at=timezone.now()
        )
        if not claimed:
            return False
        request = AccountEmailRequest.objects.get(pk=request_id)
        if request.purpose == AccountEmailRequest.Purpose.REGISTER:
            _register_act(email=request.email, first_name=request.first_name, last_name=request.last_name)
        else:
            _reset_act(email=request.email)
    return True


def account_email_requests_process(*, waiting_at_least: timedelta = timedelta(0)) -> int:
    """Act on every request not acted on yet that came at least `waiting_at_least` ago
    (the sweep: what a lost task left); one failing request does not stop the others.
    Returns how many were acted on."""
    due = AccountEmailRequest.objects.filter(
        processed_at__isnull=True, created_at__lte=timezone.now() - waiting_at_least
    ).order_by("created_at", "pk")
    processed = 0
    for request_id in list(due.values_list("pk", flat=True)[:1000]):
        try:
            processed += account_email_request_process(request_id=request_id)
        except Exception:  # retried by the next sweep, until the request is deleted
            logger.exception("Account e-mail request %s could not be processed", request_id)
    return processed


@transaction.atomic
def account_email_requests_prune(*, before) -> int:
    """Delete requests that came before `before` (personal data). One never acted on by
    then is dropped too, with a warning: its link would come too late to be expected."""
    old = AccountEmailRequest.objects.filter(created_at__lt=before)
    unprocessed = old.filter(processed_at__isnull=True).count()
    if unprocessed:
        logger.warning("Dropping %d account e-mail requests never processed", unprocessed)
    deleted, _per_model = old.delete()
    return deleted


@transaction.atomic
def password_reset_confirm(
    *, uid: str, token: str, new_password: str, ip_address: str | None = None, user_agent: str = ""
):
    """Set a new password by the link e-mailed to the account, and return the account.

    Every API token of the account is revoked and its other sessions end (the session
    hash changes with the password). The reset counts as a successful sign-in, so the
    failures that strangers made on purpose stop delaying or refusing the owner.
    """
    user = _user_of_uid(uid)
    if (
        user is None
        or not user.is_active
        or AccountConfirmation.objects.filter(user=user, confirmed_at__isnull=True).exists()
        or not password_reset_tokens.check_token(user, token or "")
    ):
        raise ServiceError(AccountLinkErrorCode.TOKEN_INVALID, TOKEN_INVALID_MESSAGE)
    raise_if_any(
        _new_password_errors(new_password, user=user, code=AccountLinkErrorCode.PASSWORD_INVALID, field="new_password")
    )
    user.set_password(new_password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)
    _record_email_link_sign_in(user, ip_address=ip_address, user_agent=user_agent)
    return user


def password_change(
    *,
    user,
    current_password: str,
    new_password: str,
    channel: str,
    ip_address: str | None = None,
    user_agent: str = "",
    raw_token: str = "",
):
    """A signed-in person changes their password, proving the current one.

    A wrong current password counts as a failed sign-in (throttling.py), so a stolen
    session cannot be used to guess it; while sign-ins are refused, so is this. Every
    API token of the account except `raw_token` (the request's own) is revoked; the
    caller keeps the request's session (other sessions end with the session hash). The
    person gets an e-mail about it. Not atomic as a whole: the record of a failed attempt
    must survive the error it raises.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ServiceError(PasswordChangeErrorCode.NOT_AUTHENTICATED, _("Sign in to change your password."))
    username = user.get_username()
    ip_address = _valid_ip(ip_address)

    def record(outcome: str) -> None:
        sign_in_attempt_record(
            username=username,
            user=user,
            channel=channel,
            outcome=outcome,
            ip_address=ip_address,
            user_agent=user_agent,
        )

    decision = throttling.sign_in_throttle(username=username, ip_address=ip_address)
    if decision.refused:
        record(SignInAttempt.Outcome.THROTTLED)
        raise ServiceError(
            PasswordChangeErrorCode.THROTTLED,
            ngettext(
                "Too many failed attempts. Try again in %(minutes)d minute.",
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                settings.SIGNIN_WINDOW_MINUTES,
            )
            % {"minutes": settings.SIGNIN_WINDOW_MINUTES},
        )
    if decision.delay:
        time.sleep(decision.delay)
    errors = []
    if not user.check_password(current_password or ""):
        record(SignInAttempt.Outcome.FAILURE)
        errors.append(
            ServiceError(
                PasswordChangeErrorCode.CURRENT_PASSWORD_WRONG,
                _("This is not your current password."),
                "current_password",
            )
        )
    errors += _new_password_errors(
        new_password, user=user, code=PasswordChangeErrorCode.PASSWORD_INVALID, field="new_password"
    )
    raise_if_any(errors)
    with transaction.atomic():
        keep = api_token_id(raw_token)
        setattr(user, KEEP_TOKEN_ATTR, keep)
        try:
            user.set_password(new_password)
            user.save(update_fields=["password"])
        finally:
            delattr(user, KEEP_TOKEN_ATTR)
        api_tokens_revoke_all(user=user, keep_token_id=keep)
        _account_email(
            user=user,
            template_key="password-changed",
            link=password_reset_link(user),
            changed_at=_local_time(timezone.now()),
        )
    return user
