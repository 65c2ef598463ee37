"""GraphQL for residents: the `viewer`, sign-in and sign-out, tokens, registration,
passwords and membership requests.

Resolvers only translate: reads come from selectors, writes from services, and every
refusal a person can fix comes back as a typed error in the payload (`errors`), never
as a GraphQL error. `cms/schema.py` merges `Query` and `Mutation` into the one schema;
`BuildingType`, `UnitType` and `EstateType` are there for other apps to reuse.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from django.utils.translation import gettext
from strawberry import auto
from strawberry.types import Info

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.values import bad_input, graphql_enum
from cms.core.views import csrf_rejects
from operations.messaging.schema import ViewerMessagingFields

from . import errors as domain_errors
from . import selectors, services, throttling
from .models import Building, Estate, Membership, SignInAttempt, Unit
from .roles import StaffRole

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


@strawberry_django.type(Estate, name="Estate")
class EstateType:
    id: auto
    name: auto
    slug: auto


@strawberry_django.type(Building, name="Building")
class BuildingType:
    # Descriptions are given here, not taken from the models' translated help texts, so
    # that the schema reads the same whatever language it is built in.
    id: auto
    code: auto = strawberry_django.field(description="Short name residents use, e.g. A.")
    street: auto
    number: auto
    postal_code: auto = strawberry_django.field(description="Polish postal code, 00-950.")
    city: auto
    estate: EstateType

    @strawberry_django.field(
        only=["street", "number", "postal_code", "city"], description="Street, number, postal code and city."
    )
    def address(self) -> str:
        return self.address


@strawberry_django.type(Unit, name="Unit")
class UnitType:
    """A unit's public facts; the proofs the cooperative holds (land register, codes) are never exposed."""

    id: auto
    number: auto
    floor: auto
    area: Decimal = strawberry_django.field(description="Floor area in square metres.")
    share: Decimal = strawberry_django.field(description="Share of the common property, the weight of its vote.")
    building: BuildingType

    @strawberry_django.field(only=["kind"])
    def kind(self) -> UnitKind:
        return UnitKind(self.kind)


@strawberry_django.type(Membership, name="Membership")
class MembershipType:
    id: auto
    unit: UnitType
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None

    @strawberry_django.field(only=["role"])
    def role(self) -> MembershipRole:
        return MembershipRole(self.role)

    @strawberry_django.field(only=["status"])
    def status(self) -> MembershipStatus:
        return MembershipStatus(self.status)

    @strawberry_django.field(
        only=["status", "decision_note"], description="Why the request was refused; null unless it was."
    )
    def rejection_reason(self) -> str | None:
        return self.decision_note if self.status == Membership.Status.REJECTED else None


@strawberry_django.type(SignInAttempt, name="SignInAttempt")
class SignInAttemptType:
    created_at: datetime.datetime
    ip_address: str | None
    user_agent: auto

    @strawberry_django.field(only=["channel"])
    def channel(self) -> SignInChannel:
        return SignInChannel(self.channel)

    @strawberry_django.field(only=["outcome"])
    def outcome(self) -> SignInOutcome:
        return SignInOutcome(self.outcome)


# Messaging's fields (inbox, notificationPreferences) are defined in that app and inherited.
@strawberry_django.type(User, name="Viewer", description="The signed-in person.")
class Viewer(ViewerMessagingFields):
    id: auto
    username: auto = strawberry_django.field(description="The name the person signs in with.")
    first_name: auto
    last_name: auto
    email: auto

    @strawberry_django.field(description="Whether the person works for the cooperative (any staff role).")
    def is_staff(self) -> bool:
        return bool(self.is_staff or self.is_superuser or selectors.staff_roles_of(self))

    @strawberry_django.field
    def staff_roles(self) -> list[StaffRoleEnum]:
        return [StaffRoleEnum(role.value) for role in selectors.staff_roles_of(self)]

    @strawberry_django.field(description="Every membership the person asked for, newest first.")
    def memberships(self) -> list[MembershipType]:
        return list(selectors.memberships_of(self))

    @strawberry_django.field(
        description=f"The latest sign-in attempts on this account (at most {MAX_SIGN_IN_HISTORY})."
    )
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


def _bearer_token(request) -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""


def _csrf_error(error_type, code_enum):
    """The errors of a session-starting mutation sent without a valid CSRF token."""
    return [
        error_type(field=None, message=gettext("The page has expired. Reload it and try again."), code=code_enum.CSRF)
    ]


def _client(request) -> dict:
    return {"ip_address": throttling.client_ip(request), "user_agent": throttling.client_user_agent(request)}


# --- Root fields -----------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in person; null when anonymous.")
    def viewer(self, info: Info) -> Viewer | None:
        return signed_in_user(info)

    @strawberry.field(
        description=(
            "A CSRF token for the web portal; also sets the csrftoken cookie. Send it as the "
            "X-CSRFToken header with sessionSignIn and with every request that carries the session cookie."
        )
    )
    def csrf_token(self, info: Info) -> str:
        return get_token(info.context.request)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in to the web portal (session cookie). Needs the CSRF token.")
    def session_sign_in(self, info: Info, username: str, password: str) -> SignInPayload:
        request = info.context.request
        if csrf_rejects(request):
            message = gettext("The page has expired. Reload it and try again.")
            return SignInPayload(
                viewer=None, errors=[SignInError(field=None, message=message, code=SignInErrorCode.CSRF)]
            )
        try:
            user = services.user_sign_in(
                request=request, username=username, password=password, channel=SignInAttempt.Channel.SESSION
            )
        except ServiceError as error:
            return SignInPayload(viewer=None, errors=typed_errors(SignInError, SignInErrorCode, error))
        login(request, user)
        return SignInPayload(viewer=user, errors=[])

    @strawberry.mutation(description="End the web portal session.")
    def session_sign_out(self, info: Info) -> SignOutPayload:
        request = info.context.request
        if getattr(request, "auth_via_token", False):
            message = gettext("This request is signed with a token; revoke the token instead.")
            return SignOutPayload(
                signed_out=False,
                errors=[SignOutError(field=None, message=message, code=SignOutErrorCode.TOKEN_AUTHENTICATED)],
            )
        logout(request)
        return SignOutPayload(signed_out=True, errors=[])

    @strawberry.mutation(description="Sign in a mobile app or other client; returns a bearer token once.")
    def token_sign_in(self, info: Info, username: str, password: str, client_name: str) -> TokenSignInPayload:
        request = info.context.request
        try:
            # The client name is checked first, so a typo there costs no sign-in attempt.
            client_name = services.api_token_client_name_clean(client_name)
            user = services.user_sign_in(
                request=request, username=username, password=password, channel=SignInAttempt.Channel.TOKEN
            )
            token = services.api_token_issue(user=user, client_name=client_name)
        except ServiceError as error:
            return TokenSignInPayload(token=None, viewer=None, errors=typed_errors(SignInError, SignInErrorCode, error))
        return TokenSignInPayload(token=token, viewer=user, errors=[])

    @strawberry.mutation(description="Revoke the bearer token this request is signed with.")
    def token_revoke(self, info: Info) -> TokenRevokePayload:
        request = info.context.request
        raw_token = _bearer_token(request)
        if not raw_token or not request.user.is_authenticated:
            message = gettext("Send the token to revoke in the Authorization header.")
            return TokenRevokePayload(
                revoked=False,
                errors=[TokenError(field=None, message=message, code=TokenErrorCode.NOT_TOKEN_AUTHENTICATED)],
            )
        try:
            services.api_token_revoke(raw_token=raw_token)
        except ServiceError as error:
            return TokenRevokePayload(revoked=False, errors=typed_errors(TokenError, TokenErrorCode, error))
        return TokenRevokePayload(revoked=True, errors=[])

    @strawberry.mutation(
        description=(
            "Ask for an account for an e-mail address, which becomes its sign-in name. An e-mail goes to "
            "the address: a link to confirm it and choose the password (accountConfirm), or, when the "
            "address already has an account, a reminder of its sign-in name and a link to set a new "
            "password. The answer is the same in every case. Then sign in and ask for a unit with "
            "membershipRequest."
        )
    )
    def user_register(self, info: Info, email: str, first_name: str, last_name: str) -> UserRegisterPayload:
        try:
            services.user_register(
                email=email,
                first_name=first_name,
                last_name=last_name,
                ip_address=throttling.client_ip(info.context.request),
            )
        except ServiceError as error:
            return UserRegisterPayload(
                accepted=False, errors=typed_errors(RegistrationError, RegistrationErrorCode, error)
            )
        return UserRegisterPayload(accepted=True, errors=[])

    @strawberry.mutation(
        description=(
            "Confirm a new account with the uid and token of the link e-mailed to it, choosing its "
            "password; signs the web session in (send the CSRF token, as with sessionSignIn). firstName "
            "and lastName, when given, replace the names the account was registered with (whoever signed "
            "the address up may have been someone else): a portal should ask for them here."
        )
    )
    def account_confirm(
        self,
        info: Info,
        uid: str,
        token: str,
        password: str,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> AccountConfirmPayload:
        request = info.context.request
        if csrf_rejects(request):
            return AccountConfirmPayload(viewer=None, errors=_csrf_error(AccountLinkError, AccountLinkErrorCode))
        try:
            user = services.account_confirm(
                uid=uid,
                token=token,
                password=password,
                first_name=first_name,
                last_name=last_name,
                **_client(request),
            )
        except ServiceError as error:
            return AccountConfirmPayload(
                viewer=None, errors=typed_errors(AccountLinkError, AccountLinkErrorCode, error)
            )
        login(request, user)
        return AccountConfirmPayload(viewer=user, errors=[])

    @strawberry.mutation(
        description=(
            "Ask for a link to set a new password, sent to the address if it belongs to an account. "
            "The answer is the same whether or not it does."
        )
    )
    def password_reset_request(self, info: Info, email: str) -> PasswordResetRequestPayload:
        try:
            services.password_reset_request(email=email, ip_address=throttling.client_ip(info.context.request))
        except ServiceError as error:
            return PasswordResetRequestPayload(
                accepted=False, errors=typed_errors(PasswordResetRequestError, PasswordResetErrorCode, error)
            )
        return PasswordResetRequestPayload(accepted=True, errors=[])

    @strawberry.mutation(
        description=(
            "Set a new password with the uid and token of the link from passwordResetRequest. Ends every "
            "other session and revokes every token of the account; signs the web session in (send the "
            "CSRF token, as with sessionSignIn)."
        )
    )
    def password_reset_confirm(
        self, info: Info, uid: str, token: str, new_password: str
    ) -> PasswordResetConfirmPayload:
        request = info.context.request
        if csrf_rejects(request):
            return PasswordResetConfirmPayload(viewer=None, errors=_csrf_error(AccountLinkError, AccountLinkErrorCode))
        try:
            user = services.password_reset_confirm(uid=uid, token=token, new_password=new_password, **_client(request))
        except ServiceError as error:
            return PasswordResetConfirmPayload(
                viewer=None, errors=typed_errors(AccountLinkError, AccountLinkErrorCode, error)
            )
        login(request, user)
        return PasswordResetConfirmPayload(viewer=user, errors=[])

    @strawberry.mutation(
        description=(
            "Change the signed-in person's password. This session (or token) stays signed in; every "
            "other session and token is signed out, and the person gets an e-mail about it."
        )
    )
    def password_change(self, info: Info, current_password: str, new_password: str) -> PasswordChangePayload:
        request = info.context.request
        via_token = getattr(request, "auth_via_token", False)
        try:
            user = services.password_change(
                user=signed_in_user(info),
                current_password=current_password,
                new_password=new_password,
                channel=SignInAttempt.Channel.TOKEN if via_token else SignInAttempt.Channel.SESSION,
                raw_token=_bearer_token(request) if via_token else "",
                **_client(request),
            )
        except ServiceError as error:
            return PasswordChangePayload(
                viewer=None, errors=typed_errors(PasswordChangeError, PasswordChangeErrorCode, error)
            )
        if not via_token:
            update_session_auth_hash(request, user)
        return PasswordChangePayload(viewer=user, errors=[])

    @strawberry.mutation(
        description=(
            "Ask to be recognised as owner, tenant or board member of a unit, named by unitId or by "
            "buildingCode and unitNumber (with estateSlug where building codes repeat). Staff verify it."
        )
    )
    def membership_request(
        self,
        info: Info,
        role: MembershipRole,
        proof_kind: ProofKind,
        proof_value: str,
        unit_id: strawberry.ID | None = None,
        estate_slug: str | None = None,
        building_code: str | None = None,
        unit_number: str | None = None,
    ) -> MembershipRequestPayload:
        user = signed_in_user(info)
        unit_field = "unitId" if unit_id else "unitNumber"
        try:
            if user is None:
                raise ServiceError(
                    domain_errors.MembershipErrorCode.NOT_AUTHENTICATED, gettext("Sign in to ask for access to a unit.")
                )
            unit = selectors.unit_for_request(
                unit_id=unit_id, estate_slug=estate_slug, building_code=building_code, unit_number=unit_number
            )
            membership = services.membership_request(
                user=user, unit=unit, role=role.value, proof_kind=proof_kind.value, proof_value=proof_value
            )
        except ServiceError as error:
            errors = typed_errors(MembershipRequestError, MembershipErrorCode, error, {"unit": unit_field})
            return MembershipRequestPayload(membership=None, errors=errors)
        return MembershipRequestPayload(membership=membership, errors=[])


__all__ = ["BuildingType", "EstateType", "Mutation", "Query", "UnitType", "Viewer"]
