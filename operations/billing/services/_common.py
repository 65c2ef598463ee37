"""What the billing services share: refusals, the creator of an entry, locking an account,
reading an amount. Private to the `services` package."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from ..errors import BillingErrorCode
from ..models import BillingAccount
from ..money import money


def _refuse(code: BillingErrorCode, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field)


def _creator(by, process: str) -> dict:
    """The entry's `created_by` / `created_by_process`: a person, a process, or both (a
    person who ran an import); never neither."""
    process = (process or "").strip()
    if by is None and not process:
        raise _refuse(BillingErrorCode.CREATOR_REQUIRED, gettext("Say who or what posts this."))
    return {"created_by": by, "created_by_process": process[:80]}


def _locked(account: BillingAccount) -> BillingAccount:
    """The account's row locked until the transaction ends: one account's postings and
    allocations happen one after another."""
    return BillingAccount.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)


def _amount(value, *, field: str = "amount") -> Decimal:
    try:
        amount = money(value)
    except (TypeError, ValueError):
        raise _refuse(
            BillingErrorCode.AMOUNT_INVALID, gettext("Give an amount in złoty, e.g. 123,45."), field
        ) from None
    if amount == 0:
        raise _refuse(BillingErrorCode.AMOUNT_INVALID, gettext("The amount cannot be zero."), field)
    if abs(amount) >= Decimal("10000000000"):
        raise _refuse(BillingErrorCode.AMOUNT_INVALID, gettext("The amount is too large."), field)
    return amount
