"""Payment reminders: before a debt is payable and after, at the configured steps, each
once to each person, through messaging (Celery beat runs `payment_reminders_send` daily,
`tasks.payment_reminders_send`).

Which debts and steps are due on a day is `selectors.reminders` (the step's day, made up
for later while no later step is due, never a "before" step once overdue, never more
than `BILLING_REMINDER_CATCH_UP_DAYS` late). Who is reminded: the people who see the
account as residents now (`selectors.viewers_now`) and chose reminders on it
(`BillingConsent.reminders`); each gets one message of kind `balance_reminder` (the
channels they allow for that kind in their messaging preferences, and the inbox), whose
texts are `reminder_templates`' in their language. Each (debt, step, person) is recorded
as a `PaymentReminder` in the same transaction as the message, so running twice sends
nothing twice:
- each account is worked on in a transaction of its own with its row locked, and what
  is outstanding and who was already reminded are read again under the lock, so a run
  overlapping another waits for it and then finds its reminders recorded (a payment
  recorded meanwhile, which locks the same row, is seen too);
- the unique (debt, step, person) constraint and messaging's `dedupe_key` (per debt and
  step) hold even where the database cannot lock a row: the loser's transaction rolls
  back, messages included, and the run goes on with the next account;
- one account's failure rolls back that account only; the run goes on with the others.

At the demand step (`BILLING_DEMAND_STEP`, by default the last step) a payment demand
(wezwanie do zapłaty) is issued for the account's debts reminded at that step, once
(the reminders at that step name it), through `services.documents` when the
cooperative's documents are available there; it is sent to those who chose electronic
documents by `document_send`. A demand goes out with a reminder: an account whose people
chose no reminders gets its demands from the office (the admin's documents).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from cms.core.exceptions import ServiceError
from cms.core.portal_links import BILLING_PATH, portal_url
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind
from operations.messaging.models import Message

from ..models import BillingAccount, BillingConsent, BillingDocument, LedgerEntry, PaymentReminder
from ..money import format_pln, from_grosze
from ..reminder_templates import BEFORE, OVERDUE, REMINDER_TEMPLATES
from ..selectors import reminders as due_reminders
from ..selectors import viewers_now
from ..selectors.ledger import debts_outstanding

logger = logging.getLogger(__name__)

PROCESS = "payment-reminders"
# The portal's "my payments" screen, where the resident pays and changes their consents.
PAYMENTS_PATH = BILLING_PATH  # the portal's "Moje opłaty"


@dataclass
class ReminderRun:
    """What one run did: debts considered, reminders recorded (one per person and step),
    messages written, demands issued, accounts skipped because another run got there first,
    accounts whose work failed and rolled back (logged; the next run tries them again)."""

    on: date
    debts: int = 0
    reminders: int = 0
    messages: int = 0
    demands: int = 0
    conflicts: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "debts": self.debts,
            "reminders": self.reminders,
            "messages": self.messages,
            "demands": self.demands,
            "conflicts": self.conflicts,
            "failed": self.failed,
        }


def demand_step(steps: tuple[int, ...]) -> int | None:
    """The step that issues a demand: `BILLING_DEMAND_STEP` (None: no demands), by default
    the last step after the due date."""
    configured = getattr(settings, "BILLING_DEMAND_STEP", "last")
    if configured is None or str(configured).strip().lower() in {"", "none", "off"}:
        return None
    if str(configured).strip().lower() == "last":
        after = [step for step in steps if step > 0]
        return after[-1] if after else None
    return int(configured)


def _documents():
    """`services.documents` with `document_issue` and `document_send`, or None while the
    documents are not part of billing."""
    try:
        from . import documents
    except ImportError:
        return None
    if hasattr(documents, "document_issue") and hasattr(documents, "document_send"):
        return documents
    return None


def _amount_en(amount) -> str:
    return f"PLN {amount:,.2f}"


def _context(debt: LedgerEntry, account: BillingAccount, outstanding_grosze: int, on: date) -> dict:
    amount = from_grosze(outstanding_grosze)
    pay_by = debt.effective_due_date
    unit = account.unit
    return {
        "unit": f"{unit.building.code}/{unit.number}",
        "address": unit.building.address,
        "title": debt.title or debt.get_component_display() or debt.get_kind_display(),
        "period": f"{debt.period:%m.%Y}",
        "pay_by": f"{pay_by:%d.%m.%Y}",
        "days": abs((pay_by - on).days),
        "amount_pl": format_pln(amount, space=" "),
        "amount_en": _amount_en(amount),
        "account_number": account.iban_formatted,
        "payer": account.payer_name,
    }


def _outstanding(debts: list[LedgerEntry]) -> dict[int, int]:
    """What is left of each debt now, in grosze: one query."""
    rows = debts_outstanding(LedgerEntry.objects.filter(pk__in=[debt.pk for debt in debts])).values_list(
        "pk", "outstanding_grosze"
    )
    return {pk: int(value or 0) for pk, value in rows}


def _remind_account(
    account_id: int, due: list[LedgerEntry], *, on: date, demand_at: int | None
) -> tuple[int, int, int]:
    """Remind the people of one account of its `due` debts; (messages, reminders, demands)."""
    # Locked: a run overlapping this one, and any posting to the account, waits until we commit.
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("unit__building").get(pk=account_id)
    viewer_ids = [person.pk for person in viewers_now(account)]
    consenting = set(
        BillingConsent.objects.filter(account=account, reminders=True, person_id__in=viewer_ids).values_list(
            "person_id", flat=True
        )
    )
    if not consenting:
        return 0, 0, 0
    outstanding = _outstanding(due)
    already: dict[tuple[int, int], set[int]] = {}
    taken = Q()
    for debt in due:
        taken |= Q(debt_id=debt.pk, step=debt.reminder_step)
    for debt_id, step, person_id in PaymentReminder.objects.filter(taken).values_list("debt_id", "step", "person_id"):
        already.setdefault((debt_id, step), set()).add(person_id)

    rows: list[PaymentReminder] = []
    written = 0
    demand_debts: list[LedgerEntry] = []
    for debt in due:
        step, left = debt.reminder_step, outstanding.get(debt.pk, 0)
        if left <= 0:  # paid (or corrected away) since the list was read
            continue
        recipients = sorted(consenting - already.get((debt.pk, step), set()))
        if not recipients:
            continue
        dedupe_key = f"billing-reminder:{debt.pk}:{step}"
        written += messaging.message_send(
            kind=MessageKind.BALANCE_REMINDER,
            template_key=BEFORE if step <= 0 else OVERDUE,
            recipients=recipients,
            context=_context(debt, account, left, on),
            dedupe_key=dedupe_key,
            link=portal_url(PAYMENTS_PATH),
        )
        messages = dict(
            Message.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipients).values_list("recipient_id", "pk")
        )
        if step == demand_at:
            demand_debts.append(debt)
        rows.extend(
            PaymentReminder(
                debt=debt,
                account=account,
                step=step,
                person_id=person_id,
                message_id=messages.get(person_id),
                outstanding=from_grosze(left),
            )
            for person_id in recipients
        )
    demands, issued = _demands(account, demand_debts, step=demand_at, on=on) if demand_debts else ({}, 0)
    for row in rows:
        if row.step == demand_at:
            row.document = demands.get(row.debt_id)
    PaymentReminder.objects.bulk_create(rows)
    return written, len(rows), issued


def _demands(
    account: BillingAccount, debts: list[LedgerEntry], *, step: int, on: date
) -> tuple[dict[int, BillingDocument], int]:
    """The payment demand of each of `debts` (by debt id), and how many were issued now: a
    debt demanded at this step before (a reminder at the step names the demand) keeps its
    demand; for the others one demand is issued (it lists every overdue debt of the
    account) and sent. Nothing while the documents are not part of billing."""
    documents = _documents()
    if documents is None:
        return {}, 0
    demanded = {
        row.debt_id: row.document
        for row in PaymentReminder.objects.filter(debt__in=debts, step=step, document__isnull=False).select_related(
            "document"
        )
    }
    fresh = [debt for debt in debts if debt.pk not in demanded]
    if not fresh:
        return demanded, 0
    document = _demand(account, on=on)
    if document is None:
        return demanded, 0
    demanded.update({debt.pk: document for debt in fresh})
    return demanded, 1


def _demand(account: BillingAccount, *, on: date) -> BillingDocument | None:
    """One payment demand of the account on `on`, issued and sent; None when refused."""
    documents = _documents()
    try:
        with transaction.atomic():  # a savepoint: a refused demand leaves the reminders going out
            document = documents.document_issue(
                account=account, kind=BillingDocument.Kind.DEMAND, on=on, process=PROCESS
            )
            documents.document_send(document=document)
    except ServiceError as error:
        # Nothing overdue on the account as a whole (a credit covers the debt), a rate
        # missing, a failed render: the reminder goes out without its demand.
        logger.warning("payment reminders: no demand for account %s on %s: %s", account.pk, on, error.message)
        return None
    return document


def payment_reminders_send(*, on: date) -> dict:
    """Send the reminders due on `on` (see the module's docstring). Returns what was done."""
    messaging.templates_ensure(REMINDER_TEMPLATES)
    steps = due_reminders.reminder_steps()
    demand_at = demand_step(steps)
    run = ReminderRun(on=on)
    by_account: dict[int, list[LedgerEntry]] = {}
    for debt in due_reminders.debts_due_reminders(on=on, steps=steps):
        by_account.setdefault(debt.account_id, []).append(debt)
        run.debts += 1
    for account_id, due in by_account.items():
        try:
            with transaction.atomic():
                messages, reminders, demands = _remind_account(account_id, due, on=on, demand_at=demand_at)
        except IntegrityError:
            # Another run recorded these reminders first; ours rolled back, messages too.
            run.conflicts += 1
            logger.info("payment reminders of account %s were sent by another run", account_id)
            continue
        except Exception:
            # One account's failure (a broken template, storage) must not stop the others'
            # reminders; its work rolled back, and the next run tries it again.
            run.failed += 1
            logger.exception("payment reminders of account %s failed", account_id)
            continue
        run.messages += messages
        run.reminders += reminders
        run.demands += demands
    return run.as_dict()
