"""Billing: a unit's accounts, their ledger, how payments settle debts, interest rates.

A `BillingAccount` is what one payer settles for one unit (an owner who settles separately
has an account of their own), with its individual account number (a Polish IBAN, see
`account_numbers.py`). Who may see it (`selectors.accounts_visible_to`): for a HOUSEHOLD
account everyone who holds the unit now (a live membership as owner or board member;
tenants only when `BILLING_TENANTS_SEE_ACCOUNTS`), for a NAMED account the people listed
in `members` while they hold the unit. Closing an account names its viewers of that day,
so a later owner of the unit never sees the previous owner's history. A change of owner
closes the account and opens a new one (`replaces`); the old one keeps its ledger.

`LedgerEntry` rows are the ledger: charges by component, payments, corrections, opening
balances and interest. Sign convention: `amount` is positive for a debit (Wn: what the
payer owes more: charges, interest, a debit opening balance) and negative for a credit (Ma:
payments, a credit opening balance); a correction has the sign of its effect. Entries are
never changed or deleted (the model, its query set and the admin refuse); a correction is a
new entry that names the entry it corrects (`corrects`) and changes what that entry counts
for. The glossary's balance (saldo) is credits less debits: positive is an overpayment.

An `Allocation` says which credit (a payment or a credit opening balance) pays which debt,
how much and why (art. 451 of the Civil Code: the payer's designation, interest first
within a designated debt, otherwise the oldest due debt first). Every grosz of a credit is
allocated: to a debt, or kept as credit (`debt` empty: the overpayment, nadpłata) until a
later charge comes. Allocations are never changed either: undoing one is a row with a
negative amount. `InterestRate` holds the statutory late-payment interest rates with the
day each came into force.

`BankStatement` and `BankTransaction` are the statements as imported and their lines.
`BillingDocument` is a statement, payment demand or interest note issued as PDF from a
frozen snapshot; `BillingConsent` is what a person chose for an account (documents
electronically, reminders, an installment request); `PaymentReminder` records each
reminder of a debt sent to a person at a step, so that each is sent once.
`ChargeImportProfile` says how an accounting system's CSV or XLSX export is read (kept as
data), and `ChargeImportBatch` is one file imported with it: previewed, confirmed (its
entries name it, `LedgerEntry.import_batch`) and perhaps reversed by corrections.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Entries and allocations are written once (cms/core/immutable.py); the error is importable here too.
from cms.core.immutable import ImmutableModel, ImmutableQuerySet, ImmutableRecordError  # noqa: F401

from .account_numbers import format_account_number


class BillingAccount(models.Model):
    """What one payer settles for one unit, with its own account number for transfers."""

    class Audience(models.TextChoices):
        HOUSEHOLD = "household", _("everyone who holds the unit")
        NAMED = "named", _("the named people only")

    unit = models.ForeignKey(
        "residents.Unit", on_delete=models.PROTECT, related_name="billing_accounts", verbose_name=_("unit")
    )
    identifier = models.PositiveBigIntegerField(
        _("account identifier"),
        unique=True,
        help_text=_("The account's number in the cooperative's books; its account number ends with it."),
    )
    iban = models.CharField(
        _("individual account number"),
        max_length=28,
        unique=True,
        help_text=_("Polish IBAN for transfers, built when the account is opened and never changed."),
    )
    payer_name = models.CharField(_("payer"), max_length=200, help_text=_("As the accounting system names them."))
    audience = models.CharField(_("seen by"), max_length=20, choices=Audience.choices, default=Audience.HOUSEHOLD)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="BillingAccountMember",
        related_name="named_billing_accounts",
        blank=True,
        verbose_name=_("named members"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        help_text=_("The previous owner's account this one took over from."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit__building__code", "unit__number", "opened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="billing_account_closed_after_opened",
            ),
        ]
        default_permissions = ("view",)
        permissions = [("manage_billingaccount", "Can open and close billing accounts and name who sees them")]
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"{self.unit} – {self.payer_name} ({self.iban_formatted})"

    @property
    def iban_formatted(self) -> str:
        return format_account_number(self.iban)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class BillingAccountMember(models.Model):
    """A person named to see a NAMED account (while they hold its unit)."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "person"], name="billing_member_once")]
        verbose_name = _("account member")
        verbose_name_plural = _("account members")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.person_id}"


class LedgerEntryQuerySet(ImmutableQuerySet):
    def debts(self):
        """What the payer owes item by item: charges, interest and debit opening balances."""
        return self.filter(
            Q(kind__in=[LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.INTEREST])
            | Q(kind=LedgerEntry.Kind.OPENING, amount__gt=0)
        )

    def credits(self):
        """What pays debts: payments and credit opening balances (an overpayment brought over)."""
        return self.filter(Q(kind=LedgerEntry.Kind.PAYMENT) | Q(kind=LedgerEntry.Kind.OPENING, amount__lt=0))


class LedgerEntry(ImmutableModel):
    """One line of an account's ledger. Debit positive, credit negative; never changed."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("charge")
        PAYMENT = "payment", _("payment")
        CORRECTION = "correction", _("correction")
        OPENING = "opening", _("opening balance")
        INTEREST = "interest", _("interest")

    class Component(models.TextChoices):
        MAINTENANCE = "maintenance", _("maintenance fee")
        REPAIR_FUND = "repair_fund", _("repair fund")
        COLD_WATER = "cold_water", _("cold water and sewage")
        HOT_WATER = "hot_water", _("hot water")
        HEATING = "heating", _("heating")
        WASTE = "waste", _("waste collection")
        RENT = "rent", _("rent")
        OTHER = "other", _("other")

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    component = models.CharField(_("component"), max_length=20, choices=Component.choices, blank=True)
    booking_date = models.DateField(_("booking date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The due date moved past a Saturday, Sunday or public holiday (art. 115 of the Civil
    # Code): paying on it is on time, and interest runs from the day after. Worked out once,
    # when the entry is posted, so that the database can age debts without a calendar.
    effective_due_date = models.DateField(_("payable until"), null=True, blank=True)
    period = models.DateField(_("period"), help_text=_("The month the entry is for (its first day)."))
    amount = models.DecimalField(
        _("amount (zł)"), max_digits=12, decimal_places=2, help_text=_("Debit positive, credit negative.")
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    interest_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interest_entries",
        verbose_name=_("interest on"),
    )
    # Where the entry came from ("manual", "interest", later an import's or a bank's name) and
    # its reference there: unique per source, so that the same row imported twice is one entry.
    source = models.CharField(_("source"), max_length=40, default="manual")
    source_reference = models.CharField(_("source reference"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_by_process = models.CharField(_("posted by process"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    # The charge import that posted the entry (none for entries posted by hand, by the bank
    # or by the interest run): set when the entry is inserted, never changed.
    import_batch = models.ForeignKey(
        "ChargeImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("import"),
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["booking_date", "id"]
        # Django's own reads and writes of related rows use the base manager: ours, so
        # that none of them can update or delete an entry either.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["account", "booking_date"], name="ledger_by_account_date"),
            models.Index(fields=["account", "effective_due_date"], name="ledger_by_account_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source_reference=""),
                name="ledger_source_reference_once",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind__in=["charge", "interest"]) | Q(amount__gt=0, due_date__isnull=False),
                name="ledger_debt_positive_with_due_date",
            ),
            models.CheckConstraint(condition=~Q(kind="payment") | Q(amount__lt=0), name="ledger_payment_negative"),
            models.CheckConstraint(
                condition=Q(kind="correction", corrects__isnull=False)
                | Q(~Q(kind="correction"), corrects__isnull=True),
                name="ledger_correction_names_its_entry",
            ),
            models.CheckConstraint(
                condition=Q(kind="interest", interest_on__isnull=False)
                | Q(~Q(kind="interest"), interest_on__isnull=True),
                name="ledger_interest_names_its_debt",
            ),
            models.CheckConstraint(
                condition=Q(created_by__isnull=False) | ~Q(created_by_process=""), name="ledger_entry_has_creator"
            ),
        ]
        default_permissions = ("view",)
        permissions = [("post_ledgerentry", "Can post charges, payments, corrections and interest")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.booking_date:%d.%m.%Y} {self.get_kind_display()} {self.amount}"

    @property
    def is_debit(self) -> bool:
        return self.amount > 0


class AllocationQuerySet(ImmutableQuerySet):
    def kept(self):
        """Rows of credit kept for later (the overpayment), not yet on a debt."""
        return self.filter(debt__isnull=True)


class Allocation(ImmutableModel):
    """Part of a credit put on a debt (or kept as credit), and why; never changed."""

    class Reason(models.TextChoices):
        DESIGNATED = "designated", _("designated by the payer")
        INTEREST_FIRST = "interest_first", _("interest first within the designated debt")
        OLDEST_DUE = "oldest_due", _("oldest due debt first")
        KEPT_AS_CREDIT = "kept", _("overpayment kept as credit")
        CARRIED = "carried", _("overpayment carried to a later charge")
        CORRECTED = "corrected", _("changed by a correction")

    credit = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="allocations_out", verbose_name=_("payment")
    )
    debt = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations_in",
        verbose_name=_("debt"),
        help_text=_("Empty: kept as credit for later charges."),
    )
    amount = models.DecimalField(_("amount (zł)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # The entry whose posting made this allocation: the payment itself, a later charge that
    # took the overpayment, or a correction.
    cause = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="caused_allocations", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        base_manager_name = "objects"  # as LedgerEntry's
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="allocation_amount_not_zero")]
        default_permissions = ("view",)
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.credit_id} → {self.debt_id or '-'}: {self.amount} ({self.reason})"


class InterestRate(models.Model):
    """The statutory late-payment interest rate (odsetki ustawowe za opóźnienie: the NBP
    reference rate plus 5.5 percentage points) in force from `effective_from` until the
    next rate's day."""

    effective_from = models.DateField(_("in force from"), unique=True)
    rate = models.DecimalField(_("rate (% a year)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    reference_rate = models.DecimalField(
        _("NBP reference rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        default_permissions = ("add", "change", "view")
        verbose_name = _("interest rate")
        verbose_name_plural = _("interest rates")

    def __str__(self) -> str:
        return f"{self.rate}% ({self.effective_from:%d.%m.%Y})"


def month_of(day: date) -> date:
    """The period (first day of the month) a day belongs to."""
    return day.replace(day=1)


class BankStatement(models.Model):
    """One bank statement as imported (MT940 or camt.053): the cooperative's account, the
    statement's number and balances, the file's hash, who imported it, and flags for what
    does not follow from the previous statement. Its lines are `BankTransaction` rows."""

    account = models.CharField(_("bank account"), max_length=34, help_text=_("IBAN as the statement gives it."))
    number = models.CharField(_("statement number"), max_length=35, blank=True)
    sequence = models.CharField(_("sequence"), max_length=35, blank=True)
    reference = models.CharField(_("statement reference"), max_length=35, blank=True)
    profile = models.CharField(_("parsing profile"), max_length=40)
    currency = models.CharField(_("currency"), max_length=3)
    opening_balance = models.DecimalField(_("opening balance"), max_digits=14, decimal_places=2)
    opening_date = models.DateField(_("opening balance date"))
    closing_balance = models.DecimalField(_("closing balance"), max_digits=14, decimal_places=2)
    closing_date = models.DateField(_("closing balance date"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_hash = models.CharField(_("file hash (SHA-256)"), max_length=64)
    # Flags, stored when imported: the opening balance is not the previous statement's closing
    # balance; the number does not follow the previous one; the lines do not add up.
    balance_mismatch = models.BooleanField(_("opening balance differs from the previous closing"), default=False)
    number_gap = models.BooleanField(_("statement number skips"), default=False)
    totals_mismatch = models.BooleanField(_("lines do not add up to the balances"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_by_process = models.CharField(_("imported by process"), max_length=80, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["account", "closing_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "number", "sequence", "opening_date", "closing_date"], name="bank_statement_once"
            ),
        ]
        default_permissions = ("view",)
        permissions = [("import_bankstatement", "Can import bank statements and match their payments")]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return f"{self.account} {self.number} ({self.opening_date:%d.%m.%Y}–{self.closing_date:%d.%m.%Y})"

    @property
    def is_flagged(self) -> bool:
        return self.balance_mismatch or self.number_gap or self.totals_mismatch


class BankTransaction(models.Model):
    """One line of a bank statement and what became of it: matched to an account (with the
    payment entry recorded), suggested (a person confirms it in the unmatched queue),
    unmatched, or ignored (money out, another currency). `key` identifies the line across
    statements (the account, the bank's reference, the booking date and the amount), so a
    line imported twice, or in two overlapping statements, is one row."""

    class State(models.TextChoices):
        MATCHED = "matched", _("matched")
        SUGGESTED = "suggested", _("suggested")
        UNMATCHED = "unmatched", _("unmatched")
        IGNORED = "ignored", _("ignored")

    class MatchedBy(models.TextChoices):
        NONE = "", _("not matched")
        ACCOUNT_NUMBER = "account_number", _("individual account number")
        TITLE = "title", _("transfer title")
        PERSON = "person", _("confirmed by a person")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("statement")
    )
    key = models.CharField(_("key"), max_length=64, unique=True)
    bank_reference = models.CharField(_("bank reference"), max_length=120, blank=True)
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, help_text=_("Credit positive."))
    currency = models.CharField(_("currency"), max_length=3)
    counterparty_name = models.CharField(_("counterparty"), max_length=255, blank=True)
    counterparty_account = models.CharField(_("counterparty account"), max_length=34, blank=True)
    own_account = models.CharField(_("account credited"), max_length=34, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    type_code = models.CharField(_("transaction code"), max_length=35, blank=True)
    raw = models.TextField(_("as the bank wrote it"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.UNMATCHED)
    matched_by = models.CharField(_("matched by"), max_length=20, choices=MatchedBy.choices, blank=True)
    account = models.ForeignKey(
        BillingAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_transactions",
        verbose_name=_("matched account"),
    )
    suggested_account = models.ForeignKey(
        BillingAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggested_bank_transactions",
        verbose_name=_("suggested account"),
    )
    payment = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_transaction",
        verbose_name=_("payment entry"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["booking_date", "id"]
        # Django's own reads and writes of related rows use the base manager: ours, so
        # that none of them can update or delete an entry either.
        base_manager_name = "objects"
        indexes = [models.Index(fields=["state", "booking_date"], name="bank_tx_by_state")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="matched") | Q(account__isnull=False, payment__isnull=False),
                name="bank_tx_matched_has_payment",
            ),
        ]
        default_permissions = ("view",)
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")

    def __str__(self) -> str:
        return f"{self.booking_date:%d.%m.%Y} {self.amount} {self.counterparty_name}"


def document_file_name(instance, filename: str) -> str:
    # A random name: documents are private (served only to the account's viewers by the
    # documents' view), and a guessable name would be one misconfigured web server away
    # from a leak.
    return f"billing-documents/{uuid.uuid4().hex}.pdf"


class BillingDocument(models.Model):
    """A statement, a payment demand (wezwanie do zapłaty) or an interest note issued for
    an account: rendered once as PDF from `snapshot`, the frozen data it shows, and never
    changed (rendering the snapshot again gives the same bytes, `sha256`). Visible to
    those who see the account; sent through messaging to those who chose electronic
    documents."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("account statement")
        DEMAND = "demand", _("payment demand")
        INTEREST_NOTE = "interest_note", _("interest note")

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="documents", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    period_from = models.DateField(_("period from"), null=True, blank=True)
    period_to = models.DateField(_("period to"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (zł)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What the document asks to pay (a demand, an interest note) or the closing balance."),
    )
    snapshot = models.JSONField(_("data as issued"), default=dict)
    file = models.FileField(_("file"), upload_to=document_file_name, max_length=200)
    sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_by_process = models.CharField(_("issued by process"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["account", "issued_on"], name="billing_doc_by_account")]
        constraints = [
            models.CheckConstraint(
                condition=Q(created_by__isnull=False) | ~Q(created_by_process=""), name="billing_document_has_creator"
            ),
        ]
        default_permissions = ("view",)
        permissions = [("issue_billingdocument", "Can issue statements, demands and interest notes")]
        verbose_name = _("billing document")
        verbose_name_plural = _("billing documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class BillingConsent(models.Model):
    """What one person chose for one account they see: documents electronically instead
    of on paper, reminders of due dates by message, and whether they asked for an
    installment agreement (the office answers it outside the hub). No row: nothing chosen,
    so paper documents and no reminders."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, related_name="consents", verbose_name=_("account")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_consents", verbose_name=_("person")
    )
    electronic_documents = models.BooleanField(_("documents electronically"), default=False)
    reminders = models.BooleanField(_("payment reminders"), default=False)
    installment_requested_at = models.DateTimeField(_("installment agreement requested at"), null=True, blank=True)
    installment_note = models.TextField(_("installment request"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "person"], name="billing_consent_once")]
        default_permissions = ("view",)
        verbose_name = _("billing consent")
        verbose_name_plural = _("billing consents")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.person_id}"


class PaymentReminder(models.Model):
    """One reminder of one debt at one step (days relative to the day it is payable by:
    -3 is three days before, 7 a week after), to one person: recorded when queued in
    messaging, so that each step reaches each person once whatever runs twice. A step
    may also issue a demand (`document`)."""

    debt = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("debt"))
    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("account")
    )
    step = models.SmallIntegerField(_("days from the due date"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    document = models.ForeignKey(
        BillingDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("demand"),
    )
    outstanding = models.DecimalField(_("outstanding (zł)"), max_digits=12, decimal_places=2)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["debt", "step", "person"], name="payment_reminder_once"),
        ]
        default_permissions = ("view",)
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")

    def __str__(self) -> str:
        return f"{self.debt_id} {self.step:+d} → {self.person_id}"


def charge_import_file_name(instance, filename: str) -> str:
    # A random name, as ticket photos and documents: the files hold every household's
    # charges, are served to nobody, and a guessable name would be one misconfigured web
    # server away from a leak. The name as uploaded is kept in `file_name`.
    suffix = ".xlsx" if str(filename).lower().endswith(".xlsx") else ".csv"
    return f"billing-imports/{uuid.uuid4().hex}{suffix}"


class ChargeImportProfile(models.Model):
    """How one accounting system's export of charges and opening balances is read, kept
    as data (the accountant adds and edits profiles in the admin): the file's format,
    encoding, delimiter, how it writes numbers and dates, which line holds the column
    names, which column holds each of our fields (`columns`), how its codes map to our
    components (`component_map`) and kinds (`kind_map`), and how the file declares its
    total. `source` is what the entries it posts are keyed on with each row's reference
    (`LedgerEntry.source`): profiles reading the same accounting system (its CSV and its
    XLSX) share it, so that a row exported either way is one entry. Reading is
    `imports.read_charge_file`; posting is `services.charge_import_preview` and
    `charge_import_confirm`, each run kept as a `ChargeImportBatch`."""

    class FileFormat(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")

    class Encoding(models.TextChoices):
        DETECT = "", _("detect")
        UTF8 = "utf-8", _("UTF-8")
        CP1250 = "cp1250", _("Windows-1250")

    class DecimalMark(models.TextChoices):
        COMMA = ",", _("comma: 1 234,56 or 1.234,56")
        DOT = ".", _("dot: 1234.56 or 1,234.56")

    class DateFormat(models.TextChoices):
        DMY_DOTS = "%d.%m.%Y", _("10.03.2026")
        ISO = "%Y-%m-%d", _("2026-03-10")
        DMY_DASHES = "%d-%m-%Y", _("10-03-2026")
        DMY_SLASHES = "%d/%m/%Y", _("10/03/2026")

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.SlugField(
        _("source"),
        max_length=30,
        help_text=_(
            "The accounting system's short name (e.g. fk-symfonia). Entries are keyed on it and each "
            "row's reference: never change it once a file was imported."
        ),
    )
    file_format = models.CharField(_("file format"), max_length=4, choices=FileFormat.choices, default="csv")
    encoding = models.CharField(_("encoding"), max_length=10, choices=Encoding.choices, blank=True, default="")
    delimiter = models.CharField(_("delimiter"), max_length=1, default=";", blank=True)
    decimal_mark = models.CharField(_("decimal mark"), max_length=1, choices=DecimalMark.choices, default=",")
    date_format = models.CharField(_("date format"), max_length=10, choices=DateFormat.choices, default="%d.%m.%Y")
    header_row = models.PositiveSmallIntegerField(
        _("header line"), default=1, help_text=_("The line with the column names; lines above it are skipped.")
    )
    columns = models.JSONField(
        _("columns"),
        default=dict,
        blank=True,
        help_text=_("Which column (its name in the header line) holds each field."),
    )
    component_map = models.JSONField(
        _("components"),
        default=dict,
        blank=True,
        help_text=_("The accounting system's codes and the component each means."),
    )
    kind_map = models.JSONField(
        _("kinds"),
        default=dict,
        blank=True,
        help_text=_("The accounting system's codes for a charge and an opening balance."),
    )
    default_kind = models.CharField(
        _("kind when the file has no kind column"),
        max_length=20,
        choices=[("charge", _("charge")), ("opening", _("opening balance"))],
        default="charge",
    )
    default_component = models.CharField(
        _("component when the file has none"),
        max_length=20,
        choices=LedgerEntry.Component.choices,
        blank=True,
    )
    total_label = models.CharField(
        _("label of the total line"),
        max_length=40,
        blank=True,
        help_text=_(
            "When the file ends with its total (e.g. a line whose first cell is RAZEM), the label; "
            "the total is read from the amount column."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        default_permissions = ("add", "change", "view")
        verbose_name = _("charge import profile")
        verbose_name_plural = _("charge import profiles")

    def __str__(self) -> str:
        return self.name

    def reading(self):
        """The profile as the pure reader takes it (`imports.ReadingProfile`)."""
        from .imports import ReadingProfile

        return ReadingProfile(
            file_format=self.file_format,
            encoding=self.encoding,
            delimiter=self.delimiter or ";",
            decimal_mark=self.decimal_mark,
            date_format=self.date_format,
            header_row=self.header_row,
            columns=dict(self.columns or {}),
            component_map=dict(self.component_map or {}),
            kind_map=dict(self.kind_map or {}),
            default_kind=self.default_kind,
            default_component=self.default_component,
            total_label=self.total_label,
        )


class ChargeImportBatch(models.Model):
    """One file of charges or opening balances given to the hub: previewed (what would
    change, nothing in the ledger yet), then confirmed (running, in Celery for large
    files, with `rows_done` of `rows_total`), imported or failed, and possibly reversed (a
    correction of each of its entries; nothing is deleted). The file is kept privately
    under a random name with its SHA-256. `problems` lists the rows not imported, each
    with its line number and reason; `declared_total` is what the file (or the person)
    says it adds up to, `imported_total` what its rows in the ledger add up to, and
    `difference` the first less the second. The entries it posted name it
    (`LedgerEntry.import_batch`)."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        RUNNING = "running", _("running")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", pgettext_lazy("charge import", "failed")
        REVERSED = "reversed", _("reversed")

    profile = models.ForeignKey(
        ChargeImportProfile, on_delete=models.PROTECT, related_name="batches", verbose_name=_("profile")
    )
    file = models.FileField(_("file"), upload_to=charge_import_file_name, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PREVIEWED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new entries"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("already in the ledger"), default=0)
    rows_conflict = models.PositiveIntegerField(_("conflicts"), default=0)
    rows_error = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    declared_total = models.DecimalField(_("declared total"), max_digits=14, decimal_places=2, null=True, blank=True)
    imported_total = models.DecimalField(_("imported total"), max_digits=14, decimal_places=2, null=True, blank=True)
    difference = models.DecimalField(_("difference"), max_digits=14, decimal_places=2, null=True, blank=True)
    problems = models.JSONField(_("rows not imported"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # When the running import last moved on (each chunk): a batch that stopped moving lost its
    # worker or its task, and may be confirmed again (services.imports.STALE_AFTER).
    progress_at = models.DateTimeField(_("progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reversed by"),
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [("import_charges", "Can import charges and opening balances and reverse imports")]
        verbose_name = _("charge import")
        verbose_name_plural = _("charge imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 100
