"""Preview tokens: a PagePreview's random key, signed with the project's secret and the
moment it was signed (`django.core.signing.TimestampSigner`), so that a token can be
neither guessed nor altered, and stops answering after the preview's lifetime."""

from __future__ import annotations

from django.core import signing

from .models import lifetime

SALT = "cms.preview.page-preview"
# A token is a 32-character key, a timestamp and a signature; anything much longer is not one.
MAX_TOKEN_LENGTH = 200


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def token_for(key: str) -> str:
    return _signer().sign(key)


def key_of(token: object) -> str | None:
    """The key a token signs, or None for an expired, altered or malformed token."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return _signer().unsign(token, max_age=lifetime())
    except (signing.BadSignature, UnicodeError, ValueError):  # SignatureExpired is a BadSignature
        return None
