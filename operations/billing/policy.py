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
- `billing.import_charges` (with `billing.view_chargeimportbatch` and the profiles' add, change
  and view): importing charges and opening balances, and reversing an import.
- `billing.view_billingdocument`, `billing.issue_billingdocument`: reading every account's
  documents in the admin; issuing and sending statements, demands and interest notes.
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
    "billing.view_billingdocument",
    "billing.view_paymentreminder",
]
PERMISSIONS_ACCOUNTANT = [
    *PERMISSIONS_READ,
    "billing.manage_billingaccount",
    "billing.post_ledgerentry",
    "billing.add_interestrate",
    "billing.change_interestrate",
    "billing.issue_billingdocument",
    # Bank statements in, their lines and the unmatched-payments queue (admin/statements.py, queue.py).
    "billing.view_bankstatement",
    "billing.view_banktransaction",
    "billing.import_bankstatement",
    # Charge imports (services/imports.py, admin/imports.py): profiles, batches, importing.
    "billing.add_chargeimportprofile",
    "billing.change_chargeimportprofile",
    "billing.view_chargeimportprofile",
    "billing.view_chargeimportbatch",
    "billing.import_charges",
]


def _not_found() -> ServiceError:
    return ServiceError(BillingErrorCode.NOT_FOUND, gettext("Billing account not found."))


def _forbidden() -> ServiceError:
    return ServiceError(BillingErrorCode.FORBIDDEN, gettext("You may not do that in billing."))


def may_view_account(person: selectors.Person, account: BillingAccount) -> bool:
    return selectors.accounts_visible_to(person).filter(pk=account.pk).exists()


def account_view_refusal(person: selectors.Person, account: BillingAccount) -> ServiceError | None:
    return None if may_view_account(person, account) else _not_found()


def may_set_consents(person: selectors.Person, account: BillingAccount) -> bool:
    """A person chooses their own consents for an account they see as a resident (they hold
    its unit: `selectors.resident_condition`); staff who see every account do not choose
    for anyone, and nobody chooses for somebody else."""
    return (
        selectors._signed_in(person)
        and BillingAccount.objects.filter(selectors.resident_condition(person), pk=account.pk).exists()
    )


def consents_refusal(person: selectors.Person, account: BillingAccount) -> ServiceError | None:
    """None when `person` may set their own consents on `account`; NOT_AUTHENTICATED for
    nobody signed in; FORBIDDEN for one who sees the account otherwise (billing staff);
    NOT_FOUND for anyone else, so that nobody learns an account exists by asking."""
    if not selectors._signed_in(person):
        return ServiceError(BillingErrorCode.NOT_AUTHENTICATED, gettext("Sign in to choose your consents."))
    if may_set_consents(person, account):
        return None
    if may_view_account(person, account):
        return ServiceError(
            BillingErrorCode.FORBIDDEN, gettext("Only the account's household chooses its own consents.")
        )
    return _not_found()


def account_management_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person with `billing.manage_billingaccount`, or for a process (by=None)."""
    return None if by is None or selectors.can_manage_accounts(by) else _forbidden()


def may_issue_documents(person: selectors.Person) -> bool:
    """Issuing statements, demands and interest notes: `billing.issue_billingdocument`,
    never a contractor's worker (as reading accounts)."""
    return (
        selectors._signed_in(person)
        and person.has_perm("billing.issue_billingdocument")
        and not selectors.is_contractor_worker(person)
    )


def document_issue_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person who may issue documents, or for a process (by=None): the
    reminders' run issues demands in its own name."""
    return None if by is None or may_issue_documents(by) else _forbidden()


def posting_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person with `billing.post_ledgerentry`, or for a process (by=None)."""
    return None if by is None or selectors.can_post_entries(by) else _forbidden()


def may_import_charges(person: selectors.Person) -> bool:
    """Importing charges and opening balances from the accounting system, and reversing an
    import: `billing.import_charges`, never a contractor's worker. A permission of its own,
    not `post_ledgerentry`: an import posts thousands of entries at once and a reversal
    undoes them, which a cooperative may leave to fewer people than posting one by hand."""
    return (
        selectors._signed_in(person)
        and person.has_perm("billing.import_charges")
        and not selectors.is_contractor_worker(person)
    )


def charge_import_refusal(by: selectors.Person) -> ServiceError | None:
    """None for a person who may import charges; an import is always someone's (no process)."""
    return None if may_import_charges(by) else _forbidden()
