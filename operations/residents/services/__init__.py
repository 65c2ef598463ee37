"""Every write of the residents app, one module per concern:

- `properties` — estates, buildings, units;
- `audiences` — the audience groups and keeping a person's in step;
- `memberships` — requests to be recognised in a unit, and staff's decisions;
- `staff` — staff roles and the staff groups;
- `sign_in` — signing in, the record of attempts, the throttle;
- `tokens` — API tokens of mobile clients;
- `accounts` — registration, confirmation and passwords by e-mail.

Admin views, GraphQL mutations, tasks, signals and management commands call these
functions; none of them writes the ORM on its own. Each is keyword-only and atomic (a
few, documented, are deliberately not: a failed sign-in's record must survive its error)
and refuses bad input with `ServiceError(code, message, field)`, where `code` is a value
of the app's error codes (errors.py) and `field` the snake_case name of the input.

Callers import this package (`from operations.residents import services`), never the
modules: what they use is re-exported below, so a function can move between modules
without touching them. To replace a function in a test, patch it in the module that
calls it (`services.accounts._register_act`), not here.
"""

from cms.core.exceptions import ServiceError

from ..errors import (
    AccountLinkErrorCode,
    MembershipErrorCode,
    PasswordChangeErrorCode,
    PasswordResetErrorCode,
    PropertyErrorCode,
    RegistrationErrorCode,
    SignInErrorCode,
    TokenErrorCode,
)

# Reads that callers found here before they moved to selectors.
from ..selectors import api_token_id, user_by_username
from .accounts import (
    ACCOUNT_EMAIL_REQUEST_GRACE,
    ACCOUNT_EMAIL_REQUESTS_KEPT,
    ACCOUNT_EMAIL_SCOPE,
    MAX_ACCOUNTS_PER_ADDRESS,
    NAME_MAX_LENGTH,
    PASSWORD_RESET_EMAIL_SCOPE,
    PASSWORD_RESET_SCOPE,
    TOKEN_INVALID_MESSAGE,
    AccountConfirmTokenGenerator,
    NewPasswordTokenGenerator,
    _register_act,
    _uid,
    account_confirm,
    account_confirm_link,
    account_confirm_tokens,
    account_email_request_process,
    account_email_requests_process,
    account_email_requests_prune,
    is_unconfirmed,
    password_change,
    password_reset_confirm,
    password_reset_link,
    password_reset_request,
    password_reset_tokens,
    user_register,
)
from .audiences import (
    MEMBERSHIP_ROLE_AUDIENCE,
    ROLE_AUDIENCE_NAMES,
    audience_group,
    audiences_ensure,
    building_group_name,
    estate_group_name,
    user_audiences_sync,
)
from .memberships import (
    LIVE_STATUSES,
    MAX_PENDING_REQUESTS,
    PROOF_FORMATS,
    membership_end,
    membership_reject,
    membership_request,
    membership_verify,
    notify_membership_decision,
)
from .properties import (
    POSTAL_CODE,
    building_create,
    building_delete,
    building_update,
    estate_create,
    estate_delete,
    estate_update,
    unit_create,
    unit_delete,
    unit_update,
)
from .sign_in import (
    RECORDED_MARKER,
    sign_in_attempt_record,
    sign_in_attempts_prune,
    sign_in_throttle_enforce,
    user_sign_in,
)
from .staff import staff_groups_ensure, staff_role_assign, staff_role_remove
from .tokens import (
    KEEP_TOKEN_ATTR,
    api_token_client_name_clean,
    api_token_issue,
    api_token_revoke,
    api_token_use,
    api_tokens_revoke_all,
)

__all__ = [
    "ACCOUNT_EMAIL_REQUESTS_KEPT",
    "ACCOUNT_EMAIL_REQUEST_GRACE",
    "ACCOUNT_EMAIL_SCOPE",
    "KEEP_TOKEN_ATTR",
    "LIVE_STATUSES",
    "MAX_ACCOUNTS_PER_ADDRESS",
    "MAX_PENDING_REQUESTS",
    "MEMBERSHIP_ROLE_AUDIENCE",
    "NAME_MAX_LENGTH",
    "PASSWORD_RESET_EMAIL_SCOPE",
    "PASSWORD_RESET_SCOPE",
    "POSTAL_CODE",
    "PROOF_FORMATS",
    "RECORDED_MARKER",
    "ROLE_AUDIENCE_NAMES",
    "TOKEN_INVALID_MESSAGE",
    "AccountConfirmTokenGenerator",
    "AccountLinkErrorCode",
    "MembershipErrorCode",
    "NewPasswordTokenGenerator",
    "PasswordChangeErrorCode",
    "PasswordResetErrorCode",
    "PropertyErrorCode",
    "RegistrationErrorCode",
    "ServiceError",
    "SignInErrorCode",
    "TokenErrorCode",
    "_register_act",
    "_uid",
    "account_confirm",
    "account_confirm_link",
    "account_confirm_tokens",
    "account_email_request_process",
    "account_email_requests_process",
    "account_email_requests_prune",
    "api_token_client_name_clean",
    "api_token_id",
    "api_token_issue",
    "api_token_revoke",
    "api_token_use",
    "api_tokens_revoke_all",
    "audience_group",
    "audiences_ensure",
    "building_create",
    "building_delete",
    "building_group_name",
    "building_update",
    "estate_create",
    "estate_delete",
    "estate_group_name",
    "estate_update",
    "is_unconfirmed",
    "membership_end",
    "membership_reject",
    "membership_request",
    "membership_verify",
    "notify_membership_decision",
    "password_change",
    "password_reset_confirm",
    "password_reset_link",
    "password_reset_request",
    "password_reset_tokens",
    "sign_in_attempt_record",
    "sign_in_attempts_prune",
    "sign_in_throttle_enforce",
    "staff_groups_ensure",
    "staff_role_assign",
    "staff_role_remove",
    "unit_create",
    "unit_delete",
    "unit_update",
    "user_audiences_sync",
    "user_by_username",
    "user_register",
    "user_sign_in",
]
