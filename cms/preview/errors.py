"""Error codes of the headless preview."""

from enum import StrEnum


class PreviewErrorCode(StrEnum):
    NOT_ALLOWED = "NOT_ALLOWED"
