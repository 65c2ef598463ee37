"""Strawberry types of the residents API: enums, the objects (`Estate`, `Building`,
`Unit`, `Membership`, `SignInAttempt`, `Viewer`) and the mutations' errors and payloads.

`BuildingType`, `UnitType` and `EstateType` are for other apps to reuse; the objects'
list fields read through selectors, so who may see what is decided there.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from strawberry import auto

from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import UserError, bad_input
from cms.core.graphql.fields import instance_field, model_type
from operations.messaging.api import ViewerMessagingFields

from .. import errors as domain_errors
from .. import policy, selectors
from ..models import Building, Estate, Membership, SignInAttempt, Unit
from ..roles import StaffRole

User = get_user_model()

MAX_SIGN_IN_HISTORY = 100


MembershipRole = graphql_enum(Membership.Role, "MembershipRole", "How a person holds a unit.")
MembershipStatus = graphql_enum(Membership.Status, "MembershipStatus", "Where a membership request stands.")
ProofKind = graphql_enum(Membership.ProofKind, "ProofKind", "What a person shows to prove their claim to a unit.")
UnitKind = graphql_enum(Unit.Kind, "UnitKind", "Flat or commercial premises.")
SignInChannel = graphql_enum(SignInAttempt.Channel, "SignInChannel", "Where a sign-in came from.")
SignInOutcome = graphql_enum(SignInAttempt.Outcome, "SignInOutcome", "What became of a sign-in attempt.")
StaffRoleEnum = graphql_enum(StaffRole, "StaffRole", "A role of the cooperative's staff.")

SignInErrorCode = graphql_enum(domain_errors.SignInErrorCode, "SignInErrorCode", "Why a sign-in was refused.")
SignOutErrorCode = strawberry.enum(
    Enum("SignOutErrorCode", {"TOKEN_AUTHENTICATED": "TOKEN_AUTHENTICATED"}),
    description="Why a sign-out was refused.",
)
TokenErrorCode = graphql_enum(domain_errors.TokenErrorCode, "TokenErrorCode", "Why a token operation was refused.")
RegistrationErrorCode = graphql_enum(
    domain_errors.RegistrationErrorCode,
    "RegistrationErrorCode",
    "Why a registration was refused (never: that the address has an account).",
)
PasswordResetErrorCode = graphql_enum(
    domain_errors.PasswordResetErrorCode,
    "PasswordResetErrorCode",
    "Why a request for a new-password link was refused (never: that the address is unknown).",
)
AccountLinkErrorCode = graphql_enum(
    domain_errors.AccountLinkErrorCode,
    "AccountLinkErrorCode",
    "Why a link from an account e-mail (confirmation, new password) did not work.",
)
PasswordChangeErrorCode = graphql_enum(
    domain_errors.PasswordChangeErrorCode, "PasswordChangeErrorCode", "Why a password change was refused."
)
MembershipErrorCode = graphql_enum(
    domain_errors.MembershipErrorCode, "MembershipErrorCode", "Why a membership request was refused."
)


# --- Types -------------------------------------------------------------------------------------


@model_type(Estate, name="Estate")
class EstateType:
    id: auto
    name: auto
    slug: auto


@model_type(Building, name="Building")
class BuildingType:
    # Descriptions are given here, not taken from the models' translated help texts, so
    # that the schema reads the same whatever language it is built in.
    id: auto
    code: auto = instance_field(description="Short name residents use, e.g. A.")
    street: auto
    number: auto
    postal_code: auto = instance_field(description="Polish postal code, 00-950.")
    city: auto
    estate: EstateType

    @instance_field(
        only=["street", "number", "postal_code", "city"], description="Street, number, postal code and city."
    )
    def address(self) -> str:
        return self.address


@model_type(Unit, name="Unit")
class UnitType:
    """A unit's public facts; the proofs the cooperative holds (land register, codes) are never exposed."""

    id: auto
    number: auto
    floor: auto
    area: Decimal = instance_field(description="Floor area in square metres.")
    share: Decimal = instance_field(description="Share of the common property, the weight of its vote.")
    building: BuildingType

    @instance_field(only=["kind"])
    def kind(self) -> UnitKind:
        return UnitKind(self.kind)


# Described here rather than by the model's docstring, which speaks to developers
# (`Membership.objects.live()`) and would change the published schema with every edit.
@model_type(
    Membership,
    name="Membership",
    description=(
        "A person's claim to a unit, as owner, tenant or board member, and its verification.\n\n"
        "Only verified, not ended memberships give access; services keep the audience groups\n"
        "in step with them in the same transaction."
    ),
)
class MembershipType:
    id: auto
    unit: UnitType
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None

    @instance_field(only=["role"])
    def role(self) -> MembershipRole:
        return MembershipRole(self.role)

    @instance_field(only=["status"])
    def status(self) -> MembershipStatus:
        return MembershipStatus(self.status)

    @instance_field(only=["status", "decision_note"], description="Why the request was refused; null unless it was.")
    def rejection_reason(self) -> str | None:
        return self.decision_note if self.status == Membership.Status.REJECTED else None


@model_type(SignInAttempt, name="SignInAttempt")
class SignInAttemptType:
    created_at: datetime.datetime
    ip_address: str | None
    user_agent: auto

    @instance_field(only=["channel"])
    def channel(self) -> SignInChannel:
        return SignInChannel(self.channel)

    @instance_field(only=["outcome"])
    def outcome(self) -> SignInOutcome:
        return SignInOutcome(self.outcome)


# Messaging's fields (inbox, notificationPreferences) are defined in that app and inherited.
@model_type(User, name="Viewer", description="The signed-in person.")
class Viewer(ViewerMessagingFields):
    id: auto
    username: auto = instance_field(description="The name the person signs in with.")
    first_name: auto
    last_name: auto
    email: auto

    @instance_field(description="Whether the person works for the cooperative (any staff role).")
    def is_staff(self) -> bool:
        return policy.is_staff_member(self)

    @strawberry_django.field
    def staff_roles(self) -> list[StaffRoleEnum]:
        return [StaffRoleEnum(role.value) for role in selectors.staff_roles_of(self)]

    @instance_field(description="Every membership the person asked for, newest first.")
    def memberships(self) -> list[MembershipType]:
        return list(selectors.memberships_of(self))

    @instance_field(description=f"The latest sign-in attempts on this account (at most {MAX_SIGN_IN_HISTORY}).")
    def sign_in_history(self, first: int = 20) -> list[SignInAttemptType]:
        if not 1 <= first <= MAX_SIGN_IN_HISTORY:
            raise bad_input(gettext("Ask for 1 to %(max)d items.") % {"max": MAX_SIGN_IN_HISTORY}, field="first")
        return list(selectors.sign_in_history_of(self)[:first])


# --- Errors and payloads -------------------------------------------------------------------------


@strawberry.type
class SignInError(UserError):
    code: SignInErrorCode


@strawberry.type
class SignOutError(UserError):
    code: SignOutErrorCode


@strawberry.type
class TokenError(UserError):
    code: TokenErrorCode


@strawberry.type
class RegistrationError(UserError):
    code: RegistrationErrorCode


@strawberry.type
class PasswordResetRequestError(UserError):
    code: PasswordResetErrorCode


@strawberry.type
class AccountLinkError(UserError):
    code: AccountLinkErrorCode


@strawberry.type
class PasswordChangeError(UserError):
    code: PasswordChangeErrorCode


@strawberry.type
class MembershipRequestError(UserError):
    code: MembershipErrorCode


@strawberry.type
class SignInPayload:
    viewer: Viewer | None
    errors: list[SignInError]


@strawberry.type
class SignOutPayload:
    signed_out: bool
    errors: list[SignOutError]


@strawberry.type
class TokenSignInPayload:
    token: str | None = strawberry.field(description="The bearer token; shown this once, store it safely.")
    viewer: Viewer | None
    errors: list[SignInError]


@strawberry.type
class TokenRevokePayload:
    revoked: bool
    errors: list[TokenError]


ACCEPTED_DESCRIPTION = (
    "True when the request was taken. It says nothing about whether the address has an "
    "account: what comes next is in the e-mail sent to it."
)


@strawberry.type
class UserRegisterPayload:
    accepted: bool = strawberry.field(description=ACCEPTED_DESCRIPTION)
    errors: list[RegistrationError]


@strawberry.type
class PasswordResetRequestPayload:
    accepted: bool = strawberry.field(description=ACCEPTED_DESCRIPTION)
    errors: list[PasswordResetRequestError]


@strawberry.type
class AccountConfirmPayload:
    viewer: Viewer | None = strawberry.field(description="The confirmed account, now signed in.")
    errors: list[AccountLinkError]


@strawberry.type
class PasswordResetConfirmPayload:
    viewer: Viewer | None = strawberry.field(description="The account, signed in with its new password.")
    errors: list[AccountLinkError]


@strawberry.type
class PasswordChangePayload:
    viewer: Viewer | None
    errors: list[PasswordChangeError]


@strawberry.type
class MembershipRequestPayload:
    membership: MembershipType | None
    errors: list[MembershipRequestError]
