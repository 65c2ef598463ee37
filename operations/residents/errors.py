"""Error codes of the residents app; the API exposes each as a GraphQL enum of the same name."""

from enum import StrEnum


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
    """Only the input's shape and the limit: never whether the address has an account."""

    EMAIL_INVALID = "EMAIL_INVALID"
    NAME_REQUIRED = "NAME_REQUIRED"
    NAME_INVALID = "NAME_INVALID"
    THROTTLED = "THROTTLED"


class PasswordResetErrorCode(StrEnum):
    """Why a request for a new-password link was refused (never: the address is unknown)."""

    EMAIL_INVALID = "EMAIL_INVALID"
    THROTTLED = "THROTTLED"


class AccountLinkErrorCode(StrEnum):
    """Why a link from an account e-mail (confirmation, new password) did not work."""

    TOKEN_INVALID = "TOKEN_INVALID"
    PASSWORD_INVALID = "PASSWORD_INVALID"
    NAME_REQUIRED = "NAME_REQUIRED"
    NAME_INVALID = "NAME_INVALID"
    CSRF = "CSRF"


class PasswordChangeErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    CURRENT_PASSWORD_WRONG = "CURRENT_PASSWORD_WRONG"
    PASSWORD_INVALID = "PASSWORD_INVALID"
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
