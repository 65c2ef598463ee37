"""The billing section of the Wagtail admin ("Rozliczenia"), registered by
`wagtail_hooks.py`: accounts and the ledger are read here and never edited (entries are
corrected by posting a correction through the services); interest rates are added and
changed by staff, never deleted.

The accountants' screens (issue 14, "Admin (accountants)"):
- the accounts list: filters by building, open or closed, overdue above an amount, balance
  below or above; the balance and the overdue amount of each account computed in the
  database with the list (`selectors.staff.account_rows`, one query whatever the number of
  accounts and entries); the filtered list as CSV (semicolons and a BOM, as Polish
  spreadsheets read it, amounts with a decimal comma) or XLSX (numbers and dates);
- an account's page: its details, balance, overdue and aged debt, and its ledger newest
  first with the allocations of each entry and why they were made (`AccountInspectView`),
  with links to its bank lines;
- bank statements, their lines, the statement import and the unmatched-payments queue
  (`statements.py`, `queue.py`); the situation centre's panel (`situation.py`).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from cms.core.admin.exports import csv_lines, csv_response
from cms.core.admin.views import local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin

from .. import selectors
from ..models import Allocation, BillingAccount, InterestRate, LedgerEntry, PaymentReminder
from ..money import format_pln, from_grosze
from ..selectors import staff
from .forms import AccountFilterSet

DATE = "d.m.Y"
PAGE_SIZE = 25
# URL namespaces of the views that are not a model's (statements.py, queue.py).
QUEUE = "billing-queue"
IMPORT = "billing-statement-import"


class NoContractorWorkersPolicy(ModelPermissionPolicy):
    """Django's model permissions, never for a contractor's worker. Review: the API already
    refused them (`selectors.is_billing_staff`), but a worker given admin access and billing
    permissions by mistake read every household's account and ledger here."""

    def user_has_permission(self, user, action):
        return not staff.is_firm_worker(user) and super().user_has_permission(user, action)


def amount_text(grosze: int | None) -> str:
    """Grosze as "1 234,56 zł"."""
    return format_pln(from_grosze(grosze))


def csv_amount(amount) -> str:
    """An amount as a Polish spreadsheet reads a number: "-1234,56" (no grouping)."""
    return f"{amount:.2f}".replace(".", ",")


def csv_date(day) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _day(day) -> str:
    return date_format(day, DATE) if day else ""


def account_label(account: BillingAccount) -> str:
    """The unit as staff quote it: "A/12"."""
    return f"{account.unit.building.code}/{account.unit.number}"


class AmountColumn(Column):
    """An amount in grosze annotated on the row, right-aligned and never broken."""

    def __init__(self, name, **kwargs):
        kwargs.setdefault("classname", "w-whitespace-nowrap")
        super().__init__(name, accessor=lambda row: amount_text(getattr(row, name)), sort_key=name, **kwargs)


class AccountIndexView(IndexView):
    """Every account with its balance and what is overdue today; the filtered list
    downloads as CSV or XLSX with the same figures (`?export=csv`, `?export=xlsx`)."""

    any_permission_required = ["view"]
    search_fields = ["payer_name", "iban", "unit__number"]
    list_export = [
        "building",
        "unit",
        "payer_name",
        "iban",
        "identifier",
        "opened_on",
        "closed_on",
        "balance",
        "overdue",
    ]
    export_headings = {
        "building": _("Building"),
        "unit": _("Unit"),
        "payer_name": _("Payer"),
        "iban": _("Account number"),
        "identifier": _("Identifier"),
        "opened_on": _("Opened on"),
        "closed_on": _("Closed on"),
        "balance": _("Balance (zł)"),
        "overdue": _("Overdue (zł)"),
    }

    @cached_property
    def as_of(self):
        return timezone.localdate()

    def get_base_queryset(self):
        return staff.account_rows(self.request.user, as_of=self.as_of)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "pk")

    def get_filename(self):
        return f"billing-accounts-{self.as_of:%Y-%m-%d}"

    def to_row_dict(self, item):
        return {
            "building": item.unit.building.code,
            "unit": item.unit.number,
            "payer_name": item.payer_name,
            "iban": item.iban_formatted,
            "identifier": item.identifier,
            "opened_on": item.opened_on,
            "closed_on": item.closed_on,
            "balance": from_grosze(getattr(item, staff.BALANCE)),
            "overdue": from_grosze(getattr(item, staff.OVERDUE)),
        }

    def write_csv_response(self, queryset):
        # Translated now, in the viewer's language: the rows are written as the response streams.
        header = [str(self.export_headings[field]) for field in self.list_export]

        def rows():
            for item in queryset.iterator(chunk_size=2000):
                row = self.to_row_dict(item)
                for name in ("balance", "overdue"):
                    row[name] = csv_amount(row[name])
                for name in ("opened_on", "closed_on"):
                    row[name] = csv_date(row[name])
                yield [row[field] for field in self.list_export]

        return csv_response(csv_lines(header, rows()), f"{self.get_filename()}.csv")


class EntryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("account__unit__building")


# --- An account's page -------------------------------------------------------------------------


def _entry_label(entry: LedgerEntry) -> str:
    what = entry.get_component_display() if entry.component else entry.get_kind_display()
    return f"{what} {date_format(entry.booking_date, DATE)} ({format_pln(entry.amount)})"


def allocation_lines(entry: LedgerEntry, reasons: dict) -> list[str]:
    """What the entry's allocations say, one line each: for a credit, which debts it paid
    (or that it was kept as credit); for a debt, which credits paid it. With the reason."""
    lines = []
    for row in entry.allocations_out.all():
        reason = reasons.get(row.reason, row.reason)
        if row.debt_id is None:
            # Kept as credit (or, negative, taken from it for a later charge): the reason says so.
            lines.append(f"{format_pln(row.amount)}: {reason}")
            continue
        lines.append(
            gettext("%(amount)s → %(target)s: %(reason)s")
            % {"amount": format_pln(row.amount), "target": _entry_label(row.debt), "reason": reason}
        )
    for row in entry.allocations_in.all():
        lines.append(
            gettext("%(amount)s ← %(source)s: %(reason)s")
            % {
                "amount": format_pln(row.amount),
                "source": _entry_label(row.credit),
                "reason": reasons.get(row.reason, row.reason),
            }
        )
    return lines


class VisibleRowInspectView(InspectView):
    """An inspect page that loads its row only for those who may read it (`visible_rows`),
    so that a refused person gets the same answer for a row that exists as for one that
    does not (review: Wagtail's own loading ran before the permission check, and its
    redirect-or-404 told anyone with admin access which ids exist)."""

    any_permission_required = ["view"]

    def visible_rows(self):
        raise NotImplementedError

    def get_object(self, queryset=None):
        return self.visible_rows().filter(pk=self.pk).first()

    def get(self, request, *args, **kwargs):
        if self.object is None:
            raise Http404
        return super().get(request, *args, **kwargs)


class EntryInspectView(VisibleRowInspectView):
    def visible_rows(self):
        if not selectors.is_billing_staff(self.request.user):
            return LedgerEntry.objects.none()
        return LedgerEntry.objects.select_related("account__unit__building")


class AccountInspectView(VisibleRowInspectView):
    """One account: its details, balance, overdue and aged debt today, and its ledger,
    newest booked first, a page at a time, each entry with its allocations and why."""

    template_name = "billing/admin/account.html"
    page_title = capfirst(BillingAccount._meta.verbose_name)

    def get_object(self, queryset=None):
        return staff.account_for_staff(self.request.user, self.pk)

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return f"{account_label(self.object)} {self.object.payer_name}"

    def get_facts(self) -> list[tuple[str, str, str]]:
        account = self.object
        unit = account.unit
        facts = [
            (gettext("Unit"), f"{account_label(account)}, {unit.building.street} {unit.building.number}", "unit"),
            (capfirst(BillingAccount._meta.get_field("payer_name").verbose_name), account.payer_name, "payer"),
            (gettext("Account number"), account.iban_formatted, "iban"),
            (capfirst(BillingAccount._meta.get_field("identifier").verbose_name), str(account.identifier), "id"),
            (capfirst(BillingAccount._meta.get_field("audience").verbose_name), account.get_audience_display(), "aud"),
            (gettext("Opened on"), date_format(account.opened_on, DATE), "opened_on"),
            (gettext("Closed on"), date_format(account.closed_on, DATE) if account.closed_on else "–", "closed_on"),
        ]
        return facts

    def get_related_accounts(self) -> list[tuple[str, BillingAccount]]:
        account = self.object
        related = []
        if account.replaces_id:
            related.append((gettext("Replaces"), account.replaces))
        replaced_by = getattr(account, "replaced_by", None)
        if replaced_by is not None:
            related.append((gettext("Replaced by"), replaced_by))
        return related

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        today = timezone.localdate()
        balance = selectors.account_balance(account)
        aged = selectors.account_aged_debt(account, as_of=today)
        paginator = Paginator(staff.ledger_rows(account), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("p"))
        reasons = {value: str(label) for value, label in Allocation.Reason.choices}
        entries = [
            {
                "entry": entry,
                "kind": entry.get_kind_display(),
                "component": entry.get_component_display() if entry.component else "",
                "booking_date": date_format(entry.booking_date, DATE),
                "due_date": date_format(entry.effective_due_date or entry.due_date, DATE) if entry.due_date else "",
                "period": date_format(entry.period, "m.Y"),
                "amount": format_pln(entry.amount),
                "debit": entry.amount > 0,
                "posted_by": person_label(entry.created_by) or entry.created_by_process,
                "posted_at": local_time(entry.created_at),
                "corrects": _entry_label(entry.corrects) if entry.corrects_id else "",
                "interest_on": _entry_label(entry.interest_on) if entry.interest_on_id else "",
                "allocations": allocation_lines(entry, reasons),
                "bank_line": getattr(entry, "bank_transaction", None),
            }
            for entry in page.object_list
        ]
        counts = staff.account_transaction_counts(account)
        lines = reverse("banktransaction:index")
        matched_url = f"{lines}?{urlencode({'billing_account': account.pk, 'state': 'matched'})}"
        suggested_url = f"{lines}?{urlencode({'billing_account': account.pk, 'state': 'suggested'})}"
        bucket_labels = [
            ("not_due", gettext("Not yet due")),
            ("days_1_30", gettext("1–30 days")),
            ("days_31_60", gettext("31–60 days")),
            ("days_61_90", gettext("61–90 days")),
            ("over_90", gettext("Over 90 days")),
        ]
        context.update(
            account=account,
            facts=self.get_facts(),
            related=[
                (label, other, reverse("billingaccount:inspect", args=[other.pk]))
                for label, other in self.get_related_accounts()
            ],
            balance=format_pln(balance.balance),
            debits=format_pln(balance.debits),
            credits=format_pln(balance.credits),
            overdue=format_pln(aged.overdue),
            has_overdue=aged.overdue > 0,
            aged=[(label, format_pln(getattr(aged, name)), name) for name, label in bucket_labels],
            aged_total=format_pln(aged.total),
            today=date_format(today, DATE),
            entries=entries,
            page=page,
            paginator=paginator,
            elided_page_range=paginator.get_elided_page_range(page.number),
            matched_url=matched_url,
            suggested_url=suggested_url,
            matched_lines=counts["matched"],
            suggested_lines=counts["suggested"],
            index_url=reverse("billingaccount:index"),
        )
        return context


# --- The viewsets ---------------------------------------------------------------------------------


class BillingAccountViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """Accounts: listed with their figures and read; opened and closed through the services."""

    model = BillingAccount
    icon = "table"
    menu_label = _("Accounts")
    menu_name = "billing-accounts"
    index_view_class = AccountIndexView
    inspect_view_class = AccountInspectView
    inspect_view_enabled = True
    filterset_class = AccountFilterSet
    ordering = ["unit__building__code", "unit__number", "opened_on"]
    list_per_page = 50
    list_display = [
        TitleColumn("unit", label=_("Unit"), accessor=account_label, sort_key="unit__number"),
        Column("payer_name", label=_("Payer"), sort_key="payer_name"),
        Column("iban", label=_("Account number"), accessor="iban_formatted", classname="w-whitespace-nowrap"),
        AmountColumn(staff.BALANCE, label=_("Balance")),
        AmountColumn(staff.OVERDUE, label=_("Overdue")),
        # Exact days, as the books keep them (not "a year ago").
        Column("opened_on", label=_("Opened on"), accessor=lambda a: _day(a.opened_on), sort_key="opened_on"),
        Column("closed_on", label=_("Closed on"), accessor=lambda a: _day(a.closed_on), sort_key="closed_on"),
    ]


class LedgerEntryViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """The ledger: entries are read, never edited or deleted (a correction is a new entry)."""

    model = LedgerEntry
    icon = "list-ul"
    menu_label = _("Ledger")
    menu_name = "billing-ledger"
    index_view_class = EntryIndexView
    inspect_view_class = EntryInspectView
    inspect_view_enabled = True
    ordering = ["-booking_date", "-id"]
    list_per_page = 100
    search_fields = ["title", "source_reference"]
    list_filter = ["kind", "component", "source"]
    list_display = [
        TitleColumn("booking_date", label=_("Booking date"), accessor=lambda entry: entry.booking_date),
        Column("account", label=_("Account"), accessor=lambda entry: str(entry.account.unit)),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("component", label=_("Component"), accessor="get_component_display"),
        Column(
            "amount",
            label=_("Amount"),
            accessor=lambda entry: format_pln(entry.amount),
            classname="w-whitespace-nowrap",
            sort_key="amount",
        ),
        DateColumn("due_date", label=_("Due date"), sort_key="due_date"),
        Column("source", label=_("Source")),
    ]
    inspect_view_fields = [
        "account",
        "kind",
        "component",
        "booking_date",
        "due_date",
        "effective_due_date",
        "period",
        "amount",
        "title",
        "corrects",
        "interest_on",
        "source",
        "source_reference",
        "created_by",
        "created_by_process",
        "created_at",
    ]


class ReminderIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("account__unit__building", "debt", "person", "document")


class PaymentReminderViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """The payment reminders sent (services/reminders.py): to whom, about which debt, at
    which step, what was owed then, and the demand it carried. Read only: the record is
    what keeps each reminder from going out twice."""

    model = PaymentReminder
    icon = "mail"
    menu_label = _("Reminders sent")
    menu_name = "billing-reminders"
    index_view_class = ReminderIndexView
    ordering = ["-sent_at", "-id"]
    list_per_page = 100
    list_filter = ["step"]
    list_display = [
        TitleColumn("sent_at", label=_("Sent at"), accessor=lambda reminder: local_time(reminder.sent_at)),
        Column("account", label=_("Account"), accessor=lambda reminder: account_label(reminder.account)),
        Column("person", label=_("Person"), accessor=lambda reminder: person_label(reminder.person)),
        Column("debt", label=_("Debt"), accessor=lambda reminder: reminder.debt.title or str(reminder.debt)),
        Column("step", label=_("Days from the due date"), accessor=lambda reminder: f"{reminder.step:+d}"),
        Column(
            "outstanding",
            label=_("Outstanding"),
            accessor=lambda reminder: format_pln(reminder.outstanding),
            classname="w-whitespace-nowrap",
        ),
        Column(
            "document",
            label=_("Demand"),
            accessor=lambda reminder: reminder.document.number if reminder.document else "",
        ),
    ]


class InterestRateViewSet(ModelViewSet):
    """Statutory interest rates: added and changed by staff, never deleted."""

    model = InterestRate
    icon = "calendar-alt"
    menu_label = _("Interest rates")
    menu_name = "billing-interest-rates"
    copy_view_enabled = False
    add_to_reference_index = False
    inspect_view_enabled = True
    ordering = ["-effective_from"]
    form_fields = ["effective_from", "rate", "reference_rate", "note"]
    list_display = [
        TitleColumn("effective_from", label=_("In force from"), accessor=lambda rate: rate.effective_from),
        Column("rate", label=_("Rate (% a year)")),
        Column("reference_rate", label=_("NBP reference rate (%)")),
        Column("note", label=_("Note")),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"]

    def get_permissions_to_register(self):
        return Permission.objects.filter(content_type=ContentType.objects.get_for_model(InterestRate))


def _billing_items():
    # Imported here: the statements' and the queue's modules import this one's helpers.
    from .queue import UnmatchedQueueViewSet
    from .statements import BankStatementViewSet, BankTransactionViewSet, StatementImportViewSet

    return (
        BillingAccountViewSet,
        LedgerEntryViewSet,
        UnmatchedQueueViewSet,
        StatementImportViewSet,
        BankStatementViewSet,
        BankTransactionViewSet,
        PaymentReminderViewSet,
        InterestRateViewSet,
    )


class BillingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Billing")
    menu_name = "billing"
    menu_icon = "table"
    menu_order = 250
    # Other billing screens (charge import, documents, reminders) add their menu items
    # with this hook, as Wagtail's `register_admin_menu_item` does for the main menu.
    submenu_hook = "register_billing_menu_item"

    def __init__(self):
        self.items = _billing_items()
        super().__init__()
