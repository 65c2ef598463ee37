"""API tokens: bearer tokens for mobile clients (Wagtail's APIToken), issued, used and revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import APIToken

from cms.core.exceptions import ServiceError

from ..errors import SignInErrorCode, TokenErrorCode
from ..selectors import live_tokens

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser


def api_token_client_name_clean(*, client_name: str) -> str:
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
def api_token_issue(*, user: AbstractUser, client_name: str) -> str:
    """A new bearer token for a mobile client; the plaintext is returned once, never stored."""
    _token, plaintext = APIToken.create_token(user=user, name=api_token_client_name_clean(client_name=client_name))
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


@transaction.atomic
def api_tokens_revoke_all(*, user: AbstractUser, keep_token_id: int | None = None) -> int:
    """Revoke every live token of `user` (their password changed: a stolen phone signs out),
    except `keep_token_id` (or the one `KEEP_TOKEN_ATTR` on `user` names), the token of the
    request that changed the password."""
    keep = keep_token_id if keep_token_id is not None else getattr(user, KEEP_TOKEN_ATTR, None)
    tokens = live_tokens().filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep)
    return tokens.update(revoked_at=timezone.now())


def api_token_use(*, token: APIToken) -> None:
    """Note that `token` authenticated a request just now (people see it in the admin, to
    tell a device they use from one they lost).

    One UPDATE, atomic on its own: no transaction.atomic here, because the bearer-token
    middleware calls this on every API request and a savepoint would add two queries to
    each (tests count them).
    """
    APIToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
