"""Charging late-payment interest (`interest_post`): the interest note's lines become
interest entries, one per debt."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext

from .. import policy, selectors
from ..errors import BillingErrorCode
from ..interest import RateMissing
from ..models import BillingAccount, LedgerEntry
from ._common import _locked, _refuse
from .ledger import entry_post

INTEREST_SOURCE = "interest"


@transaction.atomic
def interest_post(
    *,
    account: BillingAccount,
    until: date,
    due_date: date | None = None,
    by: AbstractBaseUser | None = None,
    process: str = "",
) -> list[LedgerEntry]:
    """Charge the interest the account's debts earned up to and including `until` and not
    charged yet: an interest entry per debt, booked on `until`, due on `due_date` (that day
    by default). Running it again for the same day charges nothing more."""
    if refusal := policy.posting_refusal(by):
        raise refusal
    account = _locked(account)
    try:
        note = selectors.interest_note(account, until=until)
    except RateMissing as missing:
        raise _refuse(
            BillingErrorCode.RATE_MISSING,
            gettext("No interest rate is known for %(day)s; add it in the admin first.")
            % {"day": date_format(missing.day, "d.m.Y")},
        ) from missing
    debts = {entry.pk: entry for entry in LedgerEntry.objects.filter(pk__in=note.by_debt())}
    posted = []
    for debt_id, lines in note.by_debt().items():
        amount = sum(line.amount for line in lines)
        if amount <= 0:
            continue
        posted.append(
            entry_post(
                account=account,
                kind=LedgerEntry.Kind.INTEREST,
                amount=amount,
                booking_date=until,
                due_date=due_date or until,
                interest_on=debts[debt_id],
                source=INTEREST_SOURCE,
                source_reference=f"{debt_id}:{until:%Y-%m-%d}",
                by=by,
                process=process,
            )
        )
    return posted
