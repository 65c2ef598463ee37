"""What a person may see and do in billing, answered once for the services, the API's
fields and the admin's buttons.

Seeing an account is `selectors.accounts_visible_to` (who holds the unit, who is named,
staff with `billing.view_billingaccount`); refusing to show one says "not found", so that
nobody learns that an account exists by asking for it. Opening and closing accounts and
naming who sees them needs `billing.manage_billingaccount`; posting charges, payments,
corrections and interest needs `billing.post_ledgerentry`; a process (an import, the
interest run) posts in its own name, without a person. Interest rates are staff's to add
and change in the admin (`billing.add_interestrate`, `billing.change_interestrate`), never
to delete: a note computed with a rate must stay explainable.

The permissions, for the staff roles (operations/residents/roles.py grants them):
- `billing.view_billingaccount`, `billing.view_ledgerentry`, `billing.view_allocation`,
  `billing.view_interestrate`: reading every account, its ledger and allocations, the rates;
- `billing.manage_billingaccount`: opening, closing, owner changes, named members;
- `billing.post_ledgerentry`: posting entries by hand;
- `billing.add_interestrate`, `billing.change_interestrate`: the rates table.
"""

from __future__ import annotations

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from . import selectors
from .errors import BillingErrorCode
from .models import BillingAccount

PERMISSIONS_READ = [
    "billing.view_billingaccount",
    "billing.view_ledgerentry",
    "billing.view_allocation",
    "billing.view_interestrate",
]
PERMISSIONS_ACCOUNTANT = [
    *PERMISSIONS_READ,
    "billing.manage_billingaccount",
    "billing.post_ledgerentry",
    "billing.add_interestrate",
    "billing.change_interestrate",
]


def _not_found() -> ServiceError:
    return ServiceError(BillingErrorCode.NOT_FOUND, gettext("Billing account not found."))


def _forbidden() -> ServiceError:
    return ServiceError(BillingErrorCode.FORBIDDEN, gettext("You may not do that in billing."))


def may_view_account(person: selectors.Person, account: BillingAccount) -> bool:
    return selectors.accounts_visible_to(person).filter(pk=account.pk).exists()


def account_view_refusal(person: selectors.Person, account: BillingAccount) -> ServiceError | None:
    return None if may_view_account(person, account) else _not_found()


def account_management_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person with `billing.manage_billingaccount`, or for a process (by=None)."""
    return None if by is None or selectors.can_manage_accounts(by) else _forbidden()


def posting_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person with `billing.post_ledgerentry`, or for a process (by=None)."""
    return None if by is None or selectors.can_post_entries(by) else _forbidden()
