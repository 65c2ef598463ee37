"""Every write of the billing app, by concern:

- `accounts` — opening and closing accounts, owner changes, who sees an account;
- `ledger` — charges, opening balances, interest and corrections (`entry_post`),
  payments and their allocation (`payment_record`);
- `interest` — charging late-payment interest from the interest note (`interest_post`);
- `consents` — a resident's own choices for an account (`consents_update`);
- `reminders` — payment reminders at their steps, each once (`payment_reminders_send`);
- `imports` — charges and opening balances from the accounting system's files
  (`charge_import_preview`, `charge_import_confirm`, `charge_import_reverse`);
- `statements` — bank statements in (`statement_import`), matching their payments, and the
  unmatched-payments queue (`transaction_match_confirm`, `transaction_ignore`).

Callers import the package (`from operations.billing import services`); the modules are
how it is kept. Every service is keyword-only and typed, runs in `transaction.atomic`
with the account's row locked, and is named `<entity>_<action>`. Refusals are
`ServiceError(code, message, field)` with `BillingErrorCode` values, and a refused call
changes nothing. `by` is the person acting (policy checks their permission); a process
(an import, the interest run) passes `by=None` and its name as `process`. Entries and
allocations are only ever added (`_allocation` says how payments settle debts).
"""

from .accounts import account_close, account_members_set, account_open, account_owner_change
from .consents import consents_update
from .documents import DocumentSendResult, document_issue, document_send
from .imports import (
    charge_import_confirm,
    charge_import_preview,
    charge_import_reverse,
    charge_import_run,
    charge_imports_resume,
)
from .interest import interest_post
from .ledger import entry_post, payment_record
from .reminders import payment_reminders_send
from .statements import StatementImportResult, statement_import, transaction_ignore, transaction_match_confirm

__all__ = [
    "account_close",
    "account_members_set",
    "account_open",
    "account_owner_change",
    "document_issue",
    "document_send",
    "DocumentSendResult",
    "charge_import_confirm",
    "charge_import_preview",
    "charge_import_reverse",
    "charge_import_run",
    "charge_imports_resume",
    "consents_update",
    "entry_post",
    "interest_post",
    "payment_record",
    "payment_reminders_send",
    "statement_import",
    "StatementImportResult",
    "transaction_ignore",
    "transaction_match_confirm",
]
