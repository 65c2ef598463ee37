"""The residents API's mutations: sign-in and sign-out, tokens, registration, passwords and
membership requests.

Each maps its arguments to one service (reads through selectors) and every refusal a
person can fix comes back as a typed error in the payload (`errors`), never as a GraphQL
error.
"""

from __future__ import annotations

import strawberry
from django.contrib.auth import login, logout, update_session_auth_hash
from django.utils.translation import gettext
from strawberry.types import Info

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.errors import typed_errors
from cms.core.views import csrf_rejects

from .. import policy, selectors, services, throttling
from ..middleware import bearer_token
from ..models import SignInAttempt
from .types import (
    AccountConfirmPayload,
    AccountLinkError,
    AccountLinkErrorCode,
    MembershipErrorCode,
    MembershipRequestError,
    MembershipRequestPayload,
    MembershipRole,
    PasswordChangeError,
    PasswordChangeErrorCode,
    PasswordChangePayload,
    PasswordResetConfirmPayload,
    PasswordResetErrorCode,
    PasswordResetRequestError,
    PasswordResetRequestPayload,
    ProofKind,
    RegistrationError,
    RegistrationErrorCode,
    SignInError,
    SignInErrorCode,
    SignInPayload,
    SignOutError,
    SignOutErrorCode,
    SignOutPayload,
    TokenError,
    TokenErrorCode,
    TokenRevokePayload,
    TokenSignInPayload,
    UserRegisterPayload,
)


def _csrf_error(error_type, code_enum):
    """The errors of a session-starting mutation sent without a valid CSRF token."""
    return [
        error_type(field=None, message=gettext("The page has expired. Reload it and try again."), code=code_enum.CSRF)
    ]


def _client(request) -> dict:
    return {"ip_address": throttling.client_ip(request), "user_agent": throttling.client_user_agent(request)}


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
        if not policy.may_sign_out_session(via_token=getattr(request, "auth_via_token", False)):
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
            client_name = services.api_token_client_name_clean(client_name=client_name)
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
        raw_token = bearer_token(request) or ""
        if refusal := policy.token_revoke_refusal(request.user, raw_token=raw_token):
            return TokenRevokePayload(revoked=False, errors=typed_errors(TokenError, TokenErrorCode, refusal))
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
                raw_token=(bearer_token(request) or "") if via_token else "",
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
            # Asked before the unit is looked up, so nobody anonymous can probe which units exist.
            if refusal := policy.membership_request_refusal(user):
                raise refusal
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
