"""Accounts by e-mail: registration, confirmation, password reset and password change."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from cms.core.exceptions import ServiceError, raise_if_any
from cms.core.portal_links import portal_url
from cms.core.queue import enqueue_after_commit

from .. import policy, throttling
from ..errors import (
    AccountLinkErrorCode,
    PasswordChangeErrorCode,
    PasswordResetErrorCode,
    RegistrationErrorCode,
)
from ..models import AccountConfirmation, AccountEmailRequest, SignInAttempt
from ..selectors import api_token_id
from .sign_in import _valid_ip, sign_in_attempt_record, sign_in_throttle_enforce
from .tokens import KEEP_TOKEN_ATTR, api_tokens_revoke_all

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)
User = get_user_model()

# None of these tells a stranger whether an address has an account. Registration and a
# reset request answer the same for a new address, an unconfirmed account and a confirmed
# one, and do the same work: they check the input's shape and the limits per network,
# write one AccountEmailRequest row and queue one task after commit. The task (or the
# periodic sweep, if the broker lost it) then looks the address up and sends the e-mail,
# which only the mailbox's owner reads:
#
# - new address: an inactive account with no usable password and a pending
#   AccountConfirmation; the e-mail carries a link to confirm and choose the password;
# - unconfirmed account: a fresh link is sent (older ones keep working: they only let the
#   mailbox's owner choose the password); its names are never changed by another sign-up,
#   only by whoever opens the link (accountConfirm's firstName and lastName);
# - confirmed account: nothing is created; the e-mail says an account exists, its sign-in
#   name, and carries a link to set a new password;
# - an account staff disabled: nothing is sent.
#
# The password is chosen when the link is opened, never at registration, so nobody can
# register someone else's address with a password they know (account pre-hijacking).
# At most ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR such e-mails go to one address an hour
# (beyond it: the same answer, nothing sent). They greet nobody by name (a registrant may
# have typed anything as a name) and never appear in the inbox (whoever holds a session
# could read the link there and set the password). Links name the account by its id
# (urlsafe base64) and carry a token of Django's PasswordResetTokenGenerator with a salt
# of its own per purpose; a token dies when the password changes, when the account signs
# in, and after PASSWORD_RESET_TIMEOUT seconds. The rendered e-mail, link included, stays
# in messaging's outbox (Message.body_text) like every message; the link dies as above.


class AccountConfirmTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of account confirmation links: valid while the account is unconfirmed."""

    key_salt = "operations.residents.services.AccountConfirmTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


class NewPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of "set a new password" links (a salt of their own, apart from Django's admin)."""

    key_salt = "operations.residents.services.NewPasswordTokenGenerator"


account_confirm_tokens = AccountConfirmTokenGenerator()
password_reset_tokens = NewPasswordTokenGenerator()

ACCOUNT_EMAIL_SCOPE = "residents:account-emails"
PASSWORD_RESET_SCOPE = "residents:password-resets"
PASSWORD_RESET_EMAIL_SCOPE = "residents:password-resets-per-email"
# Requests are personal data (an e-mail address, names): deleted this long after they came.
ACCOUNT_EMAIL_REQUESTS_KEPT = timedelta(days=1)
# The task queued after commit normally acts on a request within a second; the sweep takes
# up what is older than this (the broker lost the task, the worker died).
ACCOUNT_EMAIL_REQUEST_GRACE = timedelta(minutes=1)
# Names as people write them: two given names or a double-barrelled surname fit easily,
# a sentence does not.
NAME_MAX_LENGTH = 60
# An address shared by more accounts than this is an oddity staff made; a bound keeps
# every request at a fixed cost.
MAX_ACCOUNTS_PER_ADDRESS = 5
TOKEN_INVALID_MESSAGE = _("This link is not valid (any more). Ask for a new one.")


def _email_clean(email: str, *, code: str, as_username: bool = False) -> str:
    """`email` trimmed, with its domain in lower case; refused with `code` unless valid.

    `as_username`: the address will also be the account's sign-in name, so it must fit
    that field (length, allowed characters) too.
    """
    email = User.objects.normalize_email((email or "").strip())
    max_length = User._meta.get_field("email").max_length
    try:
        if len(email) > max_length:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ServiceError(code, _("Enter a valid e-mail address."), "email") from None
    if as_username:
        username_field = User._meta.get_field(User.USERNAME_FIELD)
        try:
            if len(email) > username_field.max_length:
                raise ValidationError("too long")
            for validator in username_field.validators:
                validator(email.lower())
        except ValidationError:
            raise ServiceError(
                code,
                _(
                    "This address cannot be a sign-in name: use one of at most %(max)d letters, digits and "
                    "the characters @ . + - _."
                )
                % {"max": username_field.max_length},
                "email",
            ) from None
    return email


NAME_APOSTROPHES = "'\u2019"


def _name_shape_ok(name: str) -> bool:
    """Letters (any script, with their accents), single spaces, hyphens, apostrophes, and a
    full stop only after a letter and before a space or the end ("J. R."): no digits,
    control or formatting characters (a right-to-left override), links or addresses."""
    if not any(unicodedata.category(char).startswith("L") for char in name):
        return False
    for index, char in enumerate(name):
        if unicodedata.category(char)[0] in "LM" or char in " -" + NAME_APOSTROPHES:
            continue
        after_letter = index > 0 and unicodedata.category(name[index - 1]).startswith("L")
        if char == "." and after_letter and name[index + 1 : index + 2] in ("", " "):
            continue
        return False
    return True


def _name_clean(value: str | None, *, field: str, codes) -> tuple[str, ServiceError | None]:
    """A first or last name as a person gives it: composed (NFC), spaces of any kind
    made one plain space, trimmed; with the error (of `codes`, an error-code enum with
    NAME_REQUIRED and NAME_INVALID) if it is empty, too long or not shaped like a name."""
    # Spaces of any kind (a pasted no-break space) become one plain space; tabs, line
    # breaks and other invisible characters are refused below.
    value = unicodedata.normalize("NFC", value or "")
    spaced = "".join(" " if unicodedata.category(char) == "Zs" else char for char in value)
    value = " ".join(part for part in spaced.split(" ") if part)
    if not value:
        return value, ServiceError(codes.NAME_REQUIRED, _("This field is required."), field)
    if len(value) > NAME_MAX_LENGTH:
        message = _("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        return value, ServiceError(codes.NAME_INVALID, message, field)
    if not _name_shape_ok(value):
        return value, ServiceError(
            codes.NAME_INVALID,
            _("Use letters, spaces, hyphens and apostrophes (a full stop only after an initial)."),
            field,
        )
    return value, None


def _names_clean(first_name: str | None, last_name: str | None, *, codes=RegistrationErrorCode):
    """(first name, last name, errors) as `_name_clean` makes them."""
    first_name, first_error = _name_clean(first_name, field="first_name", codes=codes)
    last_name, last_error = _name_clean(last_name, field="last_name", codes=codes)
    return first_name, last_name, [error for error in (first_error, last_error) if error is not None]


def _accounts_with_email(email: str, *, or_username: bool = False) -> list[AbstractUser]:
    """The accounts whose e-mail address (and, with `or_username`, sign-in name) is
    `email`, in any letter case, with their confirmation state: one query."""
    matches = Q(email__iexact=email)
    if or_username:
        matches |= Q(**{f"{User.USERNAME_FIELD}__iexact": email})
    return list(
        User._default_manager.filter(matches)
        .select_related("account_confirmation")
        .order_by("pk")[:MAX_ACCOUNTS_PER_ADDRESS]
    )


def is_unconfirmed(user: AbstractUser) -> bool:
    """Whether `user` registered and has not confirmed their e-mail address yet."""
    try:
        return user.account_confirmation.confirmed_at is None
    except AccountConfirmation.DoesNotExist:
        return False


def _email_digest(email: str) -> str:
    """What the limits count an e-mail address by (any letter case), so that the cache
    holds no e-mail addresses."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def _account_email_allowed(email: str) -> bool:
    """Count one more account e-mail to `email` this hour; False past the limit."""
    return throttling.hourly_count_allows(
        ACCOUNT_EMAIL_SCOPE, _email_digest(email), settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR
    )


def _uid(user: AbstractUser) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def account_confirm_link(user: AbstractUser) -> str:
    return portal_url(f"/konto/potwierdz/{_uid(user)}/{account_confirm_tokens.make_token(user)}/")


def password_reset_link(user: AbstractUser) -> str:
    return portal_url(f"/konto/nowe-haslo/{_uid(user)}/{password_reset_tokens.make_token(user)}/")


def _local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _account_email(*, user: AbstractUser, template_key: str, link: str, **context) -> None:
    """Queue an account e-mail to `user`: by e-mail only (links do not belong in SMS or
    push) and not in the inbox (whoever holds a session or token of the account could read
    the link there and set the password). The recipient's names are left out of the
    template's context: an unconfirmed account's names are whatever its registrant typed.

    Each request is its own event (a fresh dedupe key), so asking again sends again,
    within the hourly limit per address.
    """
    from operations.messaging import services as messaging
    from operations.messaging.kinds import ACCOUNT_ACTIVATION_TEMPLATES, Channel, MessageKind

    valid_until = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    messaging.message_send(
        kind=MessageKind.ACCOUNT,
        template_key=template_key,
        recipients=[user],
        context={
            "recipient": {"first_name": "", "last_name": "", "name": "", "email": user.email},
            "link": link,
            "username": user.get_username(),
            "valid_until": _local_time(valid_until),
            **context,
        },
        dedupe_key=f"{template_key}:{uuid.uuid4().hex}",
        channels=[Channel.EMAIL],
        inbox=False,
        # Its link activates the account: it must reach the account while it is inactive.
        for_account_activation=template_key in ACCOUNT_ACTIVATION_TEMPLATES,
    )


def _account_email_request_queue(*, purpose: str, email: str, first_name: str = "", last_name: str = "") -> None:
    """Write the request and queue its task after commit: the one thing a sign-up or a
    reset request does, whatever the address (see the section's comment)."""
    from ..tasks import account_email_request_send  # tasks import the services

    request = AccountEmailRequest.objects.create(
        purpose=purpose, email=email, first_name=first_name, last_name=last_name
    )
    enqueue_after_commit(account_email_request_send, request.pk, fallback="the account e-mail sweep will send it")


@transaction.atomic
def user_register(*, email: str, first_name: str, last_name: str, ip_address: str | None = None) -> None:
    """Ask for an account for `email`; the e-mail sent there says what comes next.

    Returns nothing and raises only for the input's shape (all problems at once, as a
    ServiceErrorList) or for too many sign-ups from the address (REGISTRATION_LIMIT_PER_HOUR):
    nothing tells the caller whether the address has an account (see above). The real
    name is required: staff compare it with the cooperative's records. The account is
    looked up, made and written to after commit (`account_email_request_process`).
    """
    if not throttling.registration_allowed(ip_address):
        raise ServiceError(
            RegistrationErrorCode.THROTTLED, _("Too many sign-ups from your network. Try again in an hour.")
        )
    errors: list[ServiceError] = []
    try:
        email = _email_clean(email, code=RegistrationErrorCode.EMAIL_INVALID, as_username=True)
    except ServiceError as error:
        errors.append(error)
    first_name, last_name, name_errors = _names_clean(first_name, last_name)
    raise_if_any(errors + name_errors)
    _account_email_request_queue(
        purpose=AccountEmailRequest.Purpose.REGISTER, email=email, first_name=first_name, last_name=last_name
    )


def _register_act(*, email: str, first_name: str, last_name: str) -> None:
    """What a sign-up for `email` does once the address is looked up (see above)."""
    accounts = _accounts_with_email(email, or_username=True)
    confirmed = [account for account in accounts if account.is_active and not is_unconfirmed(account)]
    pending = [account for account in accounts if is_unconfirmed(account)]
    if confirmed:
        if _account_email_allowed(email):
            for account in confirmed:
                _account_email(user=account, template_key="account-exists", link=password_reset_link(account))
        return
    if pending:
        # The names stay as they are: whoever signed up first may be the owner, and only
        # the mailbox's holder may change them (accountConfirm).
        if _account_email_allowed(email):
            _account_email(user=pending[0], template_key="account-confirm", link=account_confirm_link(pending[0]))
        return
    if accounts:  # disabled by staff: the person must ask the office, not the form
        logger.info("Registration for the address of a disabled account (id %s); nothing sent", accounts[0].pk)
        return
    if not _account_email_allowed(email):
        return
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                username=email.lower(),
                email=email,
                password=None,  # unusable until the mailbox's owner chooses one
                first_name=first_name,
                last_name=last_name,
                is_active=False,
            )
            AccountConfirmation.objects.create(user=user)
    except IntegrityError:
        return  # a concurrent registration of the same address won and sent the link
    _account_email(user=user, template_key="account-confirm", link=account_confirm_link(user))


def _user_of_uid(uid: str) -> AbstractUser | None:
    """The account a link's uid names, locked for the change, or None."""
    try:
        if not uid or len(uid) > 24:
            raise ValueError(uid)
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 1 <= pk < 2**63:
        return None
    return User._default_manager.select_for_update().filter(pk=pk).first()


def _new_password_errors(password: str, *, user: AbstractUser, code: str, field: str) -> list[ServiceError]:
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as error:
        return [ServiceError(code, message, field) for message in error.messages]
    if not password:  # no validator configured to refuse an empty one
        return [ServiceError(code, _("Choose a password."), field)]
    return []


def _record_email_link_sign_in(user: AbstractUser, *, ip_address: str | None, user_agent: str) -> None:
    """A link from the mailbox proves the person as a password would: recorded as a
    successful sign-in, which clears the failures counted against the account (throttling)."""
    sign_in_attempt_record(
        username=user.get_username(),
        user=user,
        channel=SignInAttempt.Channel.EMAIL_LINK,
        outcome=SignInAttempt.Outcome.SUCCESS,
        ip_address=ip_address,
        user_agent=user_agent,
    )


@transaction.atomic
def account_confirm(
    *,
    uid: str,
    token: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> AbstractUser:
    """Confirm a registered account by the link e-mailed to it and set its password.

    Activates the account and returns it (the caller signs the session in). A link that
    is malformed, expired, already used or not for an unconfirmed account is TOKEN_INVALID,
    whatever the reason. `first_name` and `last_name`, when given, replace the names the
    account was registered with: whoever signed the address up may not be its owner, and
    the mailbox's holder decides.
    """
    user = _user_of_uid(uid)
    confirmation = AccountConfirmation.objects.filter(user=user, confirmed_at__isnull=True).first() if user else None
    if confirmation is None or not account_confirm_tokens.check_token(user, token or ""):
        raise ServiceError(AccountLinkErrorCode.TOKEN_INVALID, TOKEN_INVALID_MESSAGE)
    names = {}
    errors = []
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            names[field], error = _name_clean(value, field=field, codes=AccountLinkErrorCode)
            errors += [error] if error is not None else []
    # Checked with the new names, so a password like the person's own name is refused.
    for field, value in names.items():
        setattr(user, field, value)
    errors += _new_password_errors(password, user=user, code=AccountLinkErrorCode.PASSWORD_INVALID, field="password")
    raise_if_any(errors)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active", *names])
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    # Its other confirmation e-mails (asked for again, or a retry still queued) have done
    # their work: none may reach the account later, when staff may have disabled it.
    from operations.messaging import services as messaging

    messaging.account_activation_messages_withdraw(user_id=user.pk, reason="the account was confirmed")
    _record_email_link_sign_in(user, ip_address=ip_address, user_agent=user_agent)
    return user


@transaction.atomic
def password_reset_request(*, email: str, ip_address: str | None = None) -> None:
    """Ask for a link to set a new password; the answer never tells whether `email` has an account.

    A confirmed, active account gets the link; an unconfirmed one gets its confirmation
    link again; a disabled account and an unknown address get nothing (all decided after
    commit, `account_email_request_process`). Limited per network address and e-mail
    address (PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR), then per network
    address (PASSWORD_RESET_LIMIT_PER_HOUR), both THROTTLED. A stranger behind the same
    router who keeps asking for a few other addresses spends their quotas, not a
    neighbour's; only as many accepted requests as the network's limit (for at least
    limit / per-e-mail-limit distinct addresses) spend the network's. Per e-mail address,
    silently and shared with registration: ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR.
    """
    email = _email_clean(email, code=PasswordResetErrorCode.EMAIL_INVALID)
    network = throttling.address_key(ip_address)
    # Per network and e-mail first: requests it refuses do not count against the network.
    if network and not throttling.hourly_count_allows(
        PASSWORD_RESET_EMAIL_SCOPE,
        f"{network}:{_email_digest(email)}",
        settings.PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR,
    ):
        raise ServiceError(
            PasswordResetErrorCode.THROTTLED,
            _("Too many requests for this e-mail address from your network. Try again in an hour."),
        )
    if network and not throttling.hourly_count_allows(
        PASSWORD_RESET_SCOPE, network, settings.PASSWORD_RESET_LIMIT_PER_HOUR
    ):
        raise ServiceError(
            PasswordResetErrorCode.THROTTLED, _("Too many requests from your network. Try again in an hour.")
        )
    _account_email_request_queue(purpose=AccountEmailRequest.Purpose.RESET, email=email)


def _reset_act(*, email: str) -> None:
    """What a reset request for `email` does once the address is looked up (see above)."""
    accounts = _accounts_with_email(email)
    confirmed = [account for account in accounts if account.is_active and not is_unconfirmed(account)]
    pending = [account for account in accounts if is_unconfirmed(account)]
    if not (confirmed or pending) or not _account_email_allowed(email):
        return
    for account in confirmed:
        _account_email(user=account, template_key="password-reset", link=password_reset_link(account))
    if not confirmed:
        _account_email(user=pending[0], template_key="account-confirm", link=account_confirm_link(pending[0]))


def account_email_request_process(*, request_id: int) -> bool:
    """Act on one sign-up or reset request: look the address up and send what it needs.

    The request is claimed by a conditional update in the same transaction as what it
    sends, so two workers (the task and the sweep) never both act on it, and an error
    rolls the claim back for the sweep to try again. Returns whether it was acted on now.
    """
    with transaction.atomic():
        claimed = AccountEmailRequest.objects.filter(pk=request_id, processed_at__isnull=True).update(
            processed_at=timezone.now()
        )
        if not claimed:
            return False
        request = AccountEmailRequest.objects.get(pk=request_id)
        if request.purpose == AccountEmailRequest.Purpose.REGISTER:
            _register_act(email=request.email, first_name=request.first_name, last_name=request.last_name)
        else:
            _reset_act(email=request.email)
    return True


def account_email_requests_process(*, waiting_at_least: timedelta = timedelta(0)) -> int:
    """Act on every request not acted on yet that came at least `waiting_at_least` ago
    (the sweep: what a lost task left); one failing request does not stop the others.
    Returns how many were acted on."""
    due = AccountEmailRequest.objects.filter(
        processed_at__isnull=True, created_at__lte=timezone.now() - waiting_at_least
    ).order_by("created_at", "pk")
    processed = 0
    for request_id in list(due.values_list("pk", flat=True)[:1000]):
        try:
            processed += account_email_request_process(request_id=request_id)
        except Exception:  # retried by the next sweep, until the request is deleted
            logger.exception("Account e-mail request %s could not be processed", request_id)
    return processed


@transaction.atomic
def account_email_requests_prune(*, before: datetime) -> int:
    """Delete requests that came before `before` (personal data). One never acted on by
    then is dropped too, with a warning: its link would come too late to be expected."""
    old = AccountEmailRequest.objects.filter(created_at__lt=before)
    unprocessed = old.filter(processed_at__isnull=True).count()
    if unprocessed:
        logger.warning("Dropping %d account e-mail requests never processed", unprocessed)
    deleted, _per_model = old.delete()
    return deleted


@transaction.atomic
def password_reset_confirm(
    *, uid: str, token: str, new_password: str, ip_address: str | None = None, user_agent: str = ""
) -> AbstractUser:
    """Set a new password by the link e-mailed to the account, and return the account.

    Every API token of the account is revoked and its other sessions end (the session
    hash changes with the password). The reset counts as a successful sign-in, so the
    failures that strangers made on purpose stop delaying or refusing the owner.
    """
    user = _user_of_uid(uid)
    if (
        user is None
        or not user.is_active
        or AccountConfirmation.objects.filter(user=user, confirmed_at__isnull=True).exists()
        or not password_reset_tokens.check_token(user, token or "")
    ):
        raise ServiceError(AccountLinkErrorCode.TOKEN_INVALID, TOKEN_INVALID_MESSAGE)
    raise_if_any(
        _new_password_errors(new_password, user=user, code=AccountLinkErrorCode.PASSWORD_INVALID, field="new_password")
    )
    user.set_password(new_password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)
    _record_email_link_sign_in(user, ip_address=ip_address, user_agent=user_agent)
    return user


def password_change(
    *,
    user: AbstractUser | None,
    current_password: str,
    new_password: str,
    channel: str,
    ip_address: str | None = None,
    user_agent: str = "",
    raw_token: str = "",
) -> AbstractUser:
    """A signed-in person changes their password, proving the current one.

    A wrong current password counts as a failed sign-in (throttling.py), so a stolen
    session cannot be used to guess it; while sign-ins are refused, so is this. Every
    API token of the account except `raw_token` (the request's own) is revoked; the
    caller keeps the request's session (other sessions end with the session hash). The
    person gets an e-mail about it. Not atomic as a whole: the record of a failed attempt
    must survive the error it raises.
    """
    if refusal := policy.password_change_refusal(user):
        raise refusal
    username = user.get_username()
    ip_address = _valid_ip(ip_address)

    def record(outcome: str) -> None:
        sign_in_attempt_record(
            username=username,
            user=user,
            channel=channel,
            outcome=outcome,
            ip_address=ip_address,
            user_agent=user_agent,
        )

    sign_in_throttle_enforce(
        username=username, ip_address=ip_address, code=PasswordChangeErrorCode.THROTTLED, record=record
    )
    errors = []
    if not user.check_password(current_password or ""):
        record(SignInAttempt.Outcome.FAILURE)
        errors.append(
            ServiceError(
                PasswordChangeErrorCode.CURRENT_PASSWORD_WRONG,
                _("This is not your current password."),
                "current_password",
            )
        )
    errors += _new_password_errors(
        new_password, user=user, code=PasswordChangeErrorCode.PASSWORD_INVALID, field="new_password"
    )
    raise_if_any(errors)
    with transaction.atomic():
        keep = api_token_id(raw_token=raw_token)
        setattr(user, KEEP_TOKEN_ATTR, keep)
        try:
            user.set_password(new_password)
            user.save(update_fields=["password"])
        finally:
            delattr(user, KEEP_TOKEN_ATTR)
        api_tokens_revoke_all(user=user, keep_token_id=keep)
        _account_email(
            user=user,
            template_key="password-changed",
            link=password_reset_link(user),
            changed_at=_local_time(timezone.now()),
        )
    return user
