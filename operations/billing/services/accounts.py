"""Opening and closing billing accounts, owner changes, and who sees an account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from operations.residents.models import Membership, Unit

from .. import policy, selectors
from ..account_numbers import AccountNumberError, build_account_number, identifier_digits
from ..errors import BillingErrorCode
from ..models import BillingAccount, BillingAccountMember
from ._common import _locked, _refuse

MAX_PAYER_NAME = 200


def _check_members(unit: Unit, people: Sequence[AbstractBaseUser]) -> list[AbstractBaseUser]:
    """Named members must hold the unit now (a live membership, in any role)."""
    people = list({person.pk: person for person in people}.values())
    holding = set(
        Membership.objects.live().filter(unit=unit, user__in=people).values_list("user_id", flat=True).distinct()
    )
    if any(person.pk not in holding for person in people):
        raise _refuse(
            BillingErrorCode.MEMBER_INVALID,
            gettext("Only people who hold a verified membership of the unit can be named."),
            "members",
        )
    return people


def _next_identifier() -> int:
    return (BillingAccount.objects.aggregate(top=Max("identifier"))["top"] or 0) + 1


def _account_number(identifier: int) -> str:
    try:
        digits = identifier_digits()
    except AccountNumberError as error:
        raise _refuse(BillingErrorCode.ACCOUNT_NUMBER_INVALID, str(error)) from error
    if identifier < 1 or len(str(identifier)) > digits:
        raise _refuse(
            BillingErrorCode.IDENTIFIER_INVALID,
            gettext("An account identifier is a number of at most %(digits)d digits.") % {"digits": digits},
            "identifier",
        )
    try:
        return build_account_number(identifier)
    except AccountNumberError as error:
        raise _refuse(BillingErrorCode.ACCOUNT_NUMBER_INVALID, str(error)) from error


@transaction.atomic
def account_open(
    *,
    unit: Unit,
    payer_name: str,
    opened_on: date,
    members: Sequence[AbstractBaseUser] = (),
    identifier: int | None = None,
    replaces: BillingAccount | None = None,
    by: AbstractBaseUser | None = None,
) -> BillingAccount:
    """A new account for `unit` and its payer, with its individual account number.

    Without `members` it is a HOUSEHOLD account (everyone who holds the unit sees it);
    with them, only those people do. `identifier` keeps the number the accounting system
    already uses (residents' standing orders go on working); without it the next free one
    is taken.
    """
    if refusal := policy.account_management_refusal(by):
        raise refusal
    payer_name = " ".join((payer_name or "").split())
    if not payer_name:
        raise _refuse(BillingErrorCode.PAYER_REQUIRED, gettext("Name the payer."), "payer_name")
    if len(payer_name) > MAX_PAYER_NAME:
        raise _refuse(
            BillingErrorCode.PAYER_REQUIRED,
            gettext("At most %(limit)d characters.") % {"limit": MAX_PAYER_NAME},
            "payer_name",
        )
    if replaces is not None and (replaces.unit_id != unit.pk or replaces.is_open):
        raise _refuse(
            BillingErrorCode.UNIT_INVALID,
            gettext("Only a closed account of the same unit can be replaced."),
            "replaces",
        )
    people = _check_members(unit, members)
    audience = BillingAccount.Audience.NAMED if people else BillingAccount.Audience.HOUSEHOLD
    fields = {
        "unit": unit,
        "payer_name": payer_name,
        "opened_on": opened_on,
        "audience": audience,
        "replaces": replaces,
    }
    if identifier is not None:
        if BillingAccount.objects.filter(identifier=identifier).exists():
            raise _refuse(
                BillingErrorCode.IDENTIFIER_TAKEN, gettext("Another account has this identifier."), "identifier"
            )
        account = BillingAccount.objects.create(identifier=identifier, iban=_account_number(identifier), **fields)
    else:
        # The next number after the highest; two openings at once may pick the same one,
        # and the unique index makes the second try the next.
        for _attempt in range(5):
            candidate = _next_identifier()
            try:
                with transaction.atomic():
                    account = BillingAccount.objects.create(
                        identifier=candidate, iban=_account_number(candidate), **fields
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five collisions in a row
            raise _refuse(BillingErrorCode.IDENTIFIER_TAKEN, gettext("Try again."))
    BillingAccountMember.objects.bulk_create(
        [BillingAccountMember(account=account, person=person) for person in people]
    )
    return account


@transaction.atomic
def account_close(
    *,
    account: BillingAccount,
    closed_on: date,
    newcomers: Sequence[AbstractBaseUser] = (),
    by: AbstractBaseUser | None = None,
) -> BillingAccount:
    """Close the account on `closed_on` (its last day). Its ledger stays, and so does who
    sees it: a HOUSEHOLD account becomes NAMED for those who held the unit by then, so a
    later owner never reads it. `newcomers` are people who held the unit by then but are
    the next owner's household (verified before the change took effect, e.g. the deed
    signed in December, charges moved from 1 January): they are not named."""
    if refusal := policy.account_management_refusal(by):
        raise refusal
    account = _locked(account)
    if not account.is_open:
        raise _refuse(BillingErrorCode.ACCOUNT_CLOSED, gettext("The account is closed already."))
    if closed_on < account.opened_on:
        raise _refuse(BillingErrorCode.DATE_INVALID, gettext("An account cannot close before it opened."), "closed_on")
    if account.audience == BillingAccount.Audience.HOUSEHOLD:
        viewers = selectors.viewers_now(account, verified_before=closed_on + timedelta(days=1))
        excluded = {person.pk for person in newcomers}
        viewers = [person for person in viewers if person.pk not in excluded]
        BillingAccountMember.objects.bulk_create(
            [BillingAccountMember(account=account, person=person) for person in viewers]
        )
        account.audience = BillingAccount.Audience.NAMED
    account.closed_on = closed_on
    account.save(update_fields=["closed_on", "audience"])
    return account


@transaction.atomic
def account_owner_change(
    *,
    account: BillingAccount,
    payer_name: str,
    on: date,
    members: Sequence[AbstractBaseUser] = (),
    staying: Sequence[AbstractBaseUser] = (),
    newcomers: Sequence[AbstractBaseUser] = (),
    identifier: int | None = None,
    by: AbstractBaseUser | None = None,
) -> BillingAccount:
    """A new owner settles from `on`: the account closes the day before (keeping its ledger,
    its debts and its number, to which the previous owner may still pay) and a new account
    with a new number opens on `on`, naming the one it replaces.

    Those who saw the old account (its household when it closed) do not see the new one,
    even while their membership of the unit has not been ended yet: the seller is another
    household. Name in `staying` those of them who stay (a co-owner who keeps the flat);
    the new household account is theirs too (`selectors.resident_condition`). Name in
    `newcomers` the new owner's people already verified for the unit before `on`: they do
    not get the previous owner's history (and so see the new account)."""
    closed = account_close(account=account, closed_on=on - timedelta(days=1), newcomers=newcomers, by=by)
    opened = account_open(
        unit=closed.unit,
        payer_name=payer_name,
        opened_on=on,
        members=members,
        identifier=identifier,
        replaces=closed,
        by=by,
    )
    if staying and opened.audience == BillingAccount.Audience.HOUSEHOLD:
        people = _check_members(opened.unit, staying)
        BillingAccountMember.objects.bulk_create(
            [BillingAccountMember(account=opened, person=person) for person in people]
        )
    return opened


@transaction.atomic
def account_members_set(
    *, account: BillingAccount, people: Sequence[AbstractBaseUser], by: AbstractBaseUser | None = None
) -> BillingAccount:
    """Name who sees the account (those who hold the unit now). No one named makes an open
    account a HOUSEHOLD account again; a closed one stays seen by no one but staff."""
    if refusal := policy.account_management_refusal(by):
        raise refusal
    account = _locked(account)
    current = set(account.memberships.values_list("person_id", flat=True))
    wanted = {person.pk: person for person in people}
    _check_members(account.unit, [person for pk, person in wanted.items() if pk not in current])
    account.memberships.exclude(person_id__in=wanted).delete()
    BillingAccountMember.objects.bulk_create(
        [BillingAccountMember(account=account, person=person) for pk, person in wanted.items() if pk not in current]
    )
    named = bool(wanted) or not account.is_open
    account.audience = BillingAccount.Audience.NAMED if named else BillingAccount.Audience.HOUSEHOLD
    account.save(update_fields=["audience"])
    return account
