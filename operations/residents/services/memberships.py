"""Memberships: a person's request to be recognised in a unit, and staff's decisions on it.

Verifying or ending a membership changes what the person may see, so each decision
brings their audience groups up to date in its own transaction.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cms.core.exceptions import ServiceError

from .. import policy
from ..errors import MembershipErrorCode
from ..models import Membership, Unit
from .audiences import user_audiences_sync

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

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
def membership_request(*, user: AbstractUser, unit: Unit, role: str, proof_kind: str, proof_value: str) -> Membership:
    """A signed-in person asks to be recognised as owner, tenant or board member of `unit`.

    The request waits for staff; `proof_matches` tells them whether the proof equals
    what the cooperative holds. Nothing is granted until it is verified.
    """
    if refusal := policy.membership_request_refusal(user):
        raise refusal
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


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "unit__building__estate")
        .get(pk=membership.pk)
    )


@transaction.atomic
def membership_verify(*, membership: Membership, decided_by: AbstractUser, note: str = "") -> Membership:
    """Accept a pending request: the person gains the unit's audiences in this transaction."""
    if refusal := policy.membership_decision_refusal(decided_by):
        raise refusal
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
def membership_reject(*, membership: Membership, decided_by: AbstractUser, reason: str) -> Membership:
    """Refuse a pending request; the reason is sent to the person."""
    if refusal := policy.membership_decision_refusal(decided_by):
        raise refusal
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
def membership_end(*, membership: Membership, ended_by: AbstractUser | None) -> Membership:
    """End a verified membership (sale, move-out): exactly the access it gave goes away.

    Staff who decide on memberships may end any; a person may end their own (policy).
    """
    if refusal := policy.membership_end_refusal(ended_by, membership):
        raise refusal
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
