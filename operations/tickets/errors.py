"""Error codes of the tickets app; the API exposes them as the GraphQL enum TicketErrorCode."""

from enum import StrEnum


class PhotoErrorCode(StrEnum):
    PHOTO_TOO_LARGE = "PHOTO_TOO_LARGE"  # too many bytes
    PHOTO_FORMAT = "PHOTO_FORMAT"  # not an accepted image, whatever its name says
    PHOTO_TOO_BIG = "PHOTO_TOO_BIG"  # too many pixels: a decompression bomb or a huge scan
    PHOTO_UNREADABLE = "PHOTO_UNREADABLE"  # an accepted format, but truncated or corrupt


class TicketErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    TRANSITION_NOT_ALLOWED = "TRANSITION_NOT_ALLOWED"
    NOTE_REQUIRED = "NOTE_REQUIRED"
    CATEGORY_INVALID = "CATEGORY_INVALID"
    PLACE_INVALID = "PLACE_INVALID"
    TITLE_REQUIRED = "TITLE_REQUIRED"
    DESCRIPTION_REQUIRED = "DESCRIPTION_REQUIRED"
    POSITION_INVALID = "POSITION_INVALID"
    CONTRACTOR_INVALID = "CONTRACTOR_INVALID"
    WORKER_INVALID = "WORKER_INVALID"
    DEADLINE_INVALID = "DEADLINE_INVALID"
    RATING_INVALID = "RATING_INVALID"
    REOPEN_EXPIRED = "REOPEN_EXPIRED"
    COMMENT_REQUIRED = "COMMENT_REQUIRED"
    PHOTO_COUNT = "PHOTO_COUNT"
    CONTACT_REQUIRED = "CONTACT_REQUIRED"
    CONTACT_INVALID = "CONTACT_INVALID"
    RATE_LIMITED = "RATE_LIMITED"
    SOURCE_INVALID = "SOURCE_INVALID"  # staff recording for a resident: say phone, e-mail or office
    PHOTO_TOO_LARGE = PhotoErrorCode.PHOTO_TOO_LARGE.value
    PHOTO_FORMAT = PhotoErrorCode.PHOTO_FORMAT.value
    PHOTO_TOO_BIG = PhotoErrorCode.PHOTO_TOO_BIG.value
    PHOTO_UNREADABLE = PhotoErrorCode.PHOTO_UNREADABLE.value
