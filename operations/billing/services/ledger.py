"""Posting to the ledger: charges, opening balances, interest and corrections
(`entry_post`), and payments with their allocation (`payment_record`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext

from .. import policy
from ..errors import BillingErrorCode
from ..models import BillingAccount, LedgerEntry, month_of
from ..working_days import next_working_day
from . import _allocation
from ._common import _amount, _creator, _locked, _refuse

K = LedgerEntry.Kind
MAX_TITLE = 255
MAX_SOURCE = 40
MAX_REFERENCE = 120


def _same_entry(existing: LedgerEntry, account: BillingAccount, kind: str, amount: Decimal, booking_date: date) -> bool:
    return (existing.account_id, existing.kind, existing.amount, existing.booking_date) == (
        account.pk,
        kind,
        amount,
        booking_date,
    )


def _replayed(
    source: str, source_reference: str, account: BillingAccount, kind: str, amount: Decimal, booking_date: date
) -> LedgerEntry | None:
    """The entry this source posted under this reference before (the same row imported
    again: nothing new is posted), None when there is none; a reference that names a
    different entry is refused."""
    if not source_reference:
        return None
    existing = LedgerEntry.objects.filter(source=source, source_reference=source_reference).first()
    if existing is None:
        return None
    if not _same_entry(existing, account, kind, amount, booking_date):
        raise _refuse(
            BillingErrorCode.SOURCE_CONFLICT,
            gettext("This source reference was posted already with other details."),
            "source_reference",
        )
    return existing


def _source(source: str, source_reference: str) -> tuple[str, str]:
    source = (source or "manual").strip()[:MAX_SOURCE]
    source_reference = (source_reference or "").strip()
    if len(source_reference) > MAX_REFERENCE:
        raise _refuse(
            BillingErrorCode.SOURCE_CONFLICT,
            gettext("At most %(limit)d characters.") % {"limit": MAX_REFERENCE},
            "source_reference",
        )
    return source, source_reference


def _is_debt(entry: LedgerEntry) -> bool:
    return entry.kind in (K.CHARGE, K.INTEREST) or (entry.kind == K.OPENING and entry.amount > 0)


def _correction_refusal(account: BillingAccount, corrects: LedgerEntry | None, amount: Decimal):
    if corrects is None or corrects.account_id != account.pk or corrects.kind == K.CORRECTION:
        return _refuse(
            BillingErrorCode.CORRECTION_INVALID,
            gettext("A correction names an entry of the same account that is not itself a correction."),
            "corrects",
        )
    counted = corrects.amount + sum(corrects.corrections.values_list("amount", flat=True), Decimal("0.00"))
    after = counted + amount
    if (after < 0) if corrects.amount > 0 else (after > 0):
        return _refuse(
            BillingErrorCode.CORRECTION_TOO_LARGE,
            gettext("The correction is larger than what the entry counts for (%(counted)s zł).")
            % {"counted": abs(counted)},
            "amount",
        )
    return None


@transaction.atomic
def entry_post(
    *,
    account: BillingAccount,
    kind: str,
    amount: Decimal | int | str,
    booking_date: date,
    component: str = "",
    due_date: date | None = None,
    period: date | None = None,
    title: str = "",
    corrects: LedgerEntry | None = None,
    interest_on: LedgerEntry | None = None,
    source: str = "manual",
    source_reference: str = "",
    by: AbstractBaseUser | None = None,
    process: str = "",
) -> LedgerEntry:
    """Post a charge, an opening balance, interest or a correction to `account`.

    `amount` follows the ledger's sign (debit positive): a charge or interest is positive,
    an opening balance is positive for arrears and negative for an overpayment brought
    over, a correction has the sign of its effect on the entry it `corrects`. A charge
    needs a component and a due date; interest names the debt it is `interest_on`. The due
    date that counts is moved past weekends and holidays. The same `source_reference`
    from the same `source` twice posts once. Kept credit is carried to new debts at once.
    """
    if refusal := policy.posting_refusal(by):
        raise refusal
    creator = _creator(by, process)
    amount = _amount(amount)
    source, source_reference = _source(source, source_reference)
    if kind not in (K.CHARGE, K.OPENING, K.INTEREST, K.CORRECTION):
        raise _refuse(
            BillingErrorCode.KIND_INVALID,
            gettext("Post a charge, an opening balance, interest or a correction."),
            "kind",
        )
    if replayed := _replayed(source, source_reference, account, kind, amount, booking_date):
        return replayed
    account = _locked(account)
    title = (title or "").strip()[:MAX_TITLE]
    if kind == K.CHARGE:
        if component not in LedgerEntry.Component.values:
            raise _refuse(BillingErrorCode.COMPONENT_INVALID, gettext("Choose what the charge is for."), "component")
        if amount < 0:
            raise _refuse(
                BillingErrorCode.AMOUNT_INVALID,
                gettext("A charge is positive; reduce one with a correction."),
                "amount",
            )
        if due_date is None:
            raise _refuse(BillingErrorCode.DATE_INVALID, gettext("A charge needs a due date."), "due_date")
        if account.closed_on is not None and booking_date > account.closed_on:
            raise _refuse(BillingErrorCode.ACCOUNT_CLOSED, gettext("The account was closed by then."), "booking_date")
        corrects = interest_on = None
    elif kind == K.INTEREST:
        if amount < 0:
            raise _refuse(BillingErrorCode.AMOUNT_INVALID, gettext("Interest is positive."), "amount")
        if interest_on is None or interest_on.account_id != account.pk or not _is_debt(interest_on):
            raise _refuse(
                BillingErrorCode.CORRECTION_INVALID,
                gettext("Interest names a debt of the same account."),
                "interest_on",
            )
        if interest_on.kind == K.INTEREST:
            raise _refuse(
                BillingErrorCode.CORRECTION_INVALID, gettext("Interest is not charged on interest."), "interest_on"
            )
        component, corrects, due_date = "", None, due_date or booking_date
    elif kind == K.OPENING:
        if component and component not in LedgerEntry.Component.values:
            raise _refuse(BillingErrorCode.COMPONENT_INVALID, gettext("Choose what the charge is for."), "component")
        # Arrears brought over are due when booked unless the books say otherwise; an
        # overpayment brought over has no due date.
        due_date = (due_date or booking_date) if amount > 0 else None
        corrects = interest_on = None
    else:  # a correction
        if refusal := _correction_refusal(account, corrects, amount):
            raise refusal
        component, interest_on, due_date = corrects.component, None, None
        period = period or corrects.period
    if component and kind not in (K.CHARGE, K.OPENING, K.CORRECTION):
        component = ""
    entry = LedgerEntry.objects.create(
        account=account,
        kind=kind,
        component=component,
        booking_date=booking_date,
        due_date=due_date,
        effective_due_date=next_working_day(due_date) if due_date else None,
        period=month_of(period or booking_date),
        amount=amount,
        title=title,
        corrects=corrects,
        interest_on=interest_on,
        source=source,
        source_reference=source_reference,
        **creator,
    )
    if kind == K.CORRECTION:
        _allocation.after_correction(entry)
    elif amount < 0:
        _allocation.keep_credit(entry)
    else:
        _allocation.carry(account, cause=entry)
    return entry


@transaction.atomic
def payment_record(
    *,
    account: BillingAccount,
    amount: Decimal | int | str,
    booking_date: date,
    title: str = "",
    designated: Sequence[LedgerEntry] = (),
    source: str = "manual",
    source_reference: str = "",
    by: AbstractBaseUser | None = None,
    process: str = "",
) -> LedgerEntry:
    """Record money that arrived on `booking_date` (a positive `amount`) and allocate it
    (art. 451): to the `designated` debts first (as the payer's title named them, parsed
    by whoever read the statement), interest on each of them before it; the rest to the
    oldest due debts; what is left is kept as credit for later charges. A payment to a
    closed account is taken: the previous owner settles their debts there.
    """
    if refusal := policy.posting_refusal(by):
        raise refusal
    creator = _creator(by, process)
    paid = _amount(amount)
    if paid < 0:
        raise _refuse(BillingErrorCode.AMOUNT_INVALID, gettext("A payment is a positive amount."), "amount")
    source, source_reference = _source(source, source_reference)
    if replayed := _replayed(source, source_reference, account, K.PAYMENT, -paid, booking_date):
        return replayed
    account = _locked(account)
    designated = list(designated)
    if any(entry.account_id != account.pk or not _is_debt(entry) for entry in designated):
        raise _refuse(
            BillingErrorCode.DESIGNATION_INVALID,
            gettext("A payment can only be designated to debts of its own account."),
            "designated",
        )
    payment = LedgerEntry.objects.create(
        account=account,
        kind=K.PAYMENT,
        booking_date=booking_date,
        period=month_of(booking_date),
        amount=-paid,
        title=(title or "").strip()[:MAX_TITLE],
        source=source,
        source_reference=source_reference,
        **creator,
    )
    _allocation.allocate_payment(payment, designated)
    return payment
