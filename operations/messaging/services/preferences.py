"""Writes of a person's own messaging settings: language and phone, channels per kind,
e-mail links that manage them without signing in, push devices, and the inbox's read state.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError, raise_if_any, service_errors
from cms.core.portal_links import hub_url

from .. import policy, selectors
from ..errors import MessagingErrorCode
from ..kinds import Channel, MessageKind
from ..models import NotificationPreference, NotificationSettings, PushDevice
from ..providers.sms import is_e164

User = get_user_model()


PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def phone_normalise(raw: str) -> str:
    """A phone number as E.164; Polish numbers may be given without +48. '' clears it."""
    number = PHONE_SEPARATORS.sub("", raw or "")
    if not number:
        return ""
    if number.startswith("00"):
        number = "+" + number[2:]
    if re.fullmatch(r"[0-9]{9}", number):
        number = "+48" + number
    if not is_e164(number) or (number.startswith("+48") and len(number) != 12):
        raise ServiceError(
            MessagingErrorCode.PHONE_INVALID,
            gettext("Give a mobile number such as +48 600 123 456."),
            "phone",
        )
    return number


@transaction.atomic
def notification_settings_update(
    *, user: AbstractBaseUser, language: str | None = None, phone: str | None = None
) -> NotificationSettings:
    current, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    if language is not None:
        if language not in {code for code, _label in settings.LANGUAGES}:
            raise ServiceError(MessagingErrorCode.LANGUAGE_INVALID, gettext("Choose Polish or English."), "language")
        current.language = language
    if phone is not None:
        current.phone = phone_normalise(phone)
    current.save()
    return current


@transaction.atomic
def notification_preferences_update(*, user: AbstractBaseUser, choices: Iterable[tuple[str, str, bool]]) -> None:
    """Set channels per kind: `choices` are (kind, channel, enabled). All or nothing."""
    rows = []
    for index, (kind, channel, enabled) in enumerate(choices):
        if kind not in MessageKind.values:
            raise ServiceError(
                MessagingErrorCode.KIND_INVALID, gettext("Unknown kind of message."), f"choices.{index}.kind"
            )
        if channel not in Channel.values:
            raise ServiceError(
                MessagingErrorCode.CHANNEL_INVALID, gettext("Unknown channel."), f"choices.{index}.channel"
            )
        if not enabled and (refusal := policy.channel_off_refusal(kind, channel, field=f"choices.{index}.enabled")):
            raise refusal
        rows.append((kind, channel, bool(enabled)))
    for kind, channel, enabled in rows:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
        )


@transaction.atomic
def notification_preferences_save(
    *,
    user: AbstractBaseUser,
    language: str | None = None,
    phone: str | None = None,
    choices: Iterable[tuple[str, str, bool]] = (),
) -> None:
    """Language, phone and channels in one go, as a settings form sends them.

    Every problem is reported at once (ServiceErrorList) and then nothing is saved.
    """
    choices = list(choices)
    steps = []
    if language is not None or phone is not None:
        steps.append(lambda: notification_settings_update(user=user, language=language, phone=phone))
    if choices:
        steps.append(lambda: notification_preferences_update(user=user, choices=choices))
    problems: list[ServiceError] = []
    for step in steps:
        try:
            with transaction.atomic():
                step()
        except ServiceError as error:
            problems.extend(service_errors(error))
    raise_if_any(problems)


UNSUBSCRIBE_SALT = "messaging.email-preferences"


def _address_digest(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:16]


def email_preferences_token(*, user_id: int, kind: str = "") -> str:
    """A link token that lets its holder manage one person's e-mail preferences (and
    unsubscribe from `kind`) without signing in. Signed with SECRET_KEY: changing the
    person or the kind in it breaks the signature. It is bound to the address the e-mail
    went to, so a link in an old mailbox stops working once the person changes address."""
    email = User.objects.filter(pk=user_id).values_list("email", flat=True).first() or ""
    return signing.dumps({"u": user_id, "k": kind, "e": _address_digest(email)}, salt=UNSUBSCRIBE_SALT, compress=True)


def email_preferences_url(*, user_id: int, kind: str = "") -> str:
    path = reverse("messaging:email_preferences", args=[email_preferences_token(user_id=user_id, kind=kind)])
    return hub_url(path)


def email_preferences_token_read(token: str) -> tuple[AbstractBaseUser, str]:
    """(user, kind) named by a valid token; ServiceError(TOKEN_INVALID) otherwise."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]), is_active=True)
        kind = str(data.get("k") or "")
        if data.get("e") != _address_digest(user.email):
            raise ValueError("the link was sent to another address")
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise ServiceError(MessagingErrorCode.TOKEN_INVALID, gettext("This link is not valid.")) from None
    return user, (kind if kind in MessageKind.values else "")


def email_unsubscribe(*, user: AbstractBaseUser, kind: str) -> bool:
    """Turn off e-mail for one kind; False when e-mail cannot be turned off for it."""
    if not policy.may_turn_off(kind, Channel.EMAIL):
        return False
    notification_preferences_update(user=user, choices=[(kind, Channel.EMAIL.value, False)])
    return True


# --- Devices ---------------------------------------------------------------------------------


@transaction.atomic
def push_device_register(*, user: AbstractBaseUser, token: str, name: str = "") -> PushDevice:
    from ..providers.push import is_valid_push_token

    token = (token or "").strip()
    if not is_valid_push_token(token):
        raise ServiceError(MessagingErrorCode.PUSH_TOKEN_INVALID, gettext("This is not a push token."), "token")
    # A phone passed to another person (or reinstalled) belongs to whoever registered last.
    device, _created = PushDevice.objects.update_or_create(
        token=token, defaults={"user": user, "name": name[:100], "last_seen_at": timezone.now()}
    )
    return device


@transaction.atomic
def push_device_unregister(*, user: AbstractBaseUser, token: str) -> bool:
    # The person's own devices only: someone else's token is not removed.
    return bool(selectors.push_devices_of(user).filter(token=(token or "").strip()).delete()[0])


# --- Inbox -----------------------------------------------------------------------------------


@transaction.atomic
def messages_mark_read(
    *, user: AbstractBaseUser, message_ids: Iterable[int] | None = None, everything: bool = False
) -> int:
    """Mark the person's messages read (the named ones, or all); someone else's, and
    messages that are not in the inbox (`in_inbox` off), are not found."""
    inbox = selectors.inbox_of(user)  # the person's own: anyone else's message is not found
    unread = inbox.filter(read_at__isnull=True)
    if not everything:
        ids = set(message_ids or [])
        owned = set(inbox.filter(pk__in=ids).values_list("pk", flat=True))
        if ids - owned:
            raise ServiceError(MessagingErrorCode.MESSAGE_NOT_FOUND, gettext("Message not found."), "ids")
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
