"""Bank statements in the accountants' admin: the statements (read only, the flagged ones
marked and filterable), their lines and what became of each, and the import screen.

- Statements and lines are read by whoever may read statements (`billing.view_bankstatement`
  or `billing.import_bankstatement`, never a contractor's worker); nothing here changes one.
- The import (`billing.import_bankstatement`) hands the file and the chosen (or detected)
  parsing profile to `services.statement_import` and shows what it did: the statements new
  or already known with their flags, and the lines new, already known, matched, suggested,
  unmatched and ignored. A file the service cannot read is a message on the form, never a
  500: the service refuses with a typed error, and the form reports anything else that
  fails to parse the same way.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import add_service_errors, local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin
from cms.core.exceptions import ServiceError

from .. import services
from ..models import BankStatement, BankTransaction
from ..money import format_pln
from ..selectors import staff
from ..statements import StatementParseError
from .forms import StatementFilterSet, StatementImportForm, TransactionFilterSet
from .viewsets import DATE, IMPORT, QUEUE, VisibleRowInspectView, account_label

logger = logging.getLogger(__name__)

S = BankTransaction.State


def flag_labels(statement: BankStatement) -> list[str]:
    """What is wrong with a statement, in words (empty for one that follows on)."""
    labels = []
    for name in staff.FLAGS:
        if getattr(statement, name):
            labels.append(str(BankStatement._meta.get_field(name).verbose_name))
    return labels


class FlagsColumn(Column):
    """A statement's flags as warning tags; nothing for one that follows on."""

    cell_template_name = "billing/admin/flags_cell.html"

    def get_value(self, instance):
        return flag_labels(instance)


class StateColumn(Column):
    """What became of a bank line, as a tag (primary while it waits in the queue)."""

    cell_template_name = "billing/admin/state_cell.html"

    def get_value(self, instance):
        return instance.get_state_display()

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["waiting"] = instance.state in staff.QUEUE_STATES
        return context


def _account_cell(line: BankTransaction) -> str:
    account = line.account if line.account_id else line.suggested_account
    if account is None:
        return ""
    text = f"{account_label(account)} {account.payer_name}"
    return text if line.account_id else pgettext("bank matching", "suggested: %(account)s") % {"account": text}


# --- Statements ----------------------------------------------------------------------------------


class StatementIndexView(IndexView):
    any_permission_required = ["view"]
    search_fields = ["account", "number", "file_name"]

    def get_base_queryset(self):
        return staff.statement_rows(self.request.user)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")


class StatementInspectView(VisibleRowInspectView):
    """A statement: its account, number, balances and flags, and each line with what became of it."""

    template_name = "billing/admin/statement.html"
    page_title = capfirst(BankStatement._meta.verbose_name)

    def visible_rows(self):
        return staff.statement_rows(self.request.user)

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = self.object
        lines = list(staff.statement_lines(statement))
        who = person_label(statement.imported_by) or statement.imported_by_process
        facts = [
            (gettext("Bank account"), statement.account),
            (gettext("Statement number"), "/".join(filter(None, [statement.number, statement.sequence])) or "–"),
            (
                gettext("Period"),
                f"{date_format(statement.opening_date, DATE)}–{date_format(statement.closing_date, DATE)}",
            ),
            (gettext("Opening balance"), format_pln(statement.opening_balance)),
            (gettext("Closing balance"), format_pln(statement.closing_balance)),
            (gettext("Parsing profile"), statement.profile),
            (gettext("File"), statement.file_name or "–"),
            (
                gettext("Imported"),
                ", ".join([local_time(statement.imported_at), who]),
            ),
        ]
        rows = [
            {
                "line": line,
                "booking_date": date_format(line.booking_date, DATE),
                "amount": format_pln(line.amount) if line.currency == "PLN" else f"{line.amount} {line.currency}",
                "state": line.get_state_display(),
                "waiting": line.state in staff.QUEUE_STATES,
                "matched_by": line.get_matched_by_display() if line.matched_by else "",
                "account": _account_cell(line),
                "account_url": reverse("billingaccount:inspect", args=[(line.account_id or line.suggested_account_id)])
                if (line.account_id or line.suggested_account_id)
                else "",
                "queue_url": reverse(f"{QUEUE}:line", args=[line.pk]) if line.state in staff.QUEUE_STATES else "",
            }
            for line in lines
        ]
        context.update(
            statement=statement,
            facts=facts,
            flags=flag_labels(statement),
            rows=rows,
            index_url=reverse("bankstatement:index"),
            can_settle=staff.can_import_statements(self.request.user),
        )
        return context


class BankStatementViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """Imported statements, read only; flagged ones marked and filterable."""

    model = BankStatement
    icon = "doc-full"
    menu_label = _("Bank statements")
    menu_name = "billing-bank-statements"
    index_view_class = StatementIndexView
    inspect_view_class = StatementInspectView
    inspect_view_enabled = True
    filterset_class = StatementFilterSet
    ordering = ["-closing_date", "-imported_at"]
    list_per_page = 50
    list_display = [
        TitleColumn(
            "closing_date",
            label=_("Statement"),
            accessor=lambda statement: f"{statement.number or '–'} ({date_format(statement.closing_date, DATE)})",
            sort_key="closing_date",
        ),
        Column("account", label=_("Bank account"), classname="w-whitespace-nowrap"),
        Column("opening_balance", label=_("Opening balance"), accessor=lambda s: format_pln(s.opening_balance)),
        Column("closing_balance", label=_("Closing balance"), accessor=lambda s: format_pln(s.closing_balance)),
        Column("line_count", label=_("Lines"), sort_key="line_count"),
        FlagsColumn("flags", label=_("Flags")),
        DateColumn("imported_at", label=_("Imported at"), sort_key="imported_at"),
    ]


# --- Lines -----------------------------------------------------------------------------------------


class TransactionIndexView(IndexView):
    any_permission_required = ["view"]
    search_fields = ["counterparty_name", "title", "bank_reference", "counterparty_account"]

    def get_base_queryset(self):
        return staff.transaction_rows(self.request.user)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")


class TransactionInspectView(VisibleRowInspectView):
    def visible_rows(self):
        return staff.transaction_rows(self.request.user)


class BankTransactionViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """Every line of every statement and what became of it."""

    model = BankTransaction
    icon = "list-ul"
    menu_label = _("Bank lines")
    menu_name = "billing-bank-lines"
    index_view_class = TransactionIndexView
    inspect_view_class = TransactionInspectView
    inspect_view_enabled = True
    filterset_class = TransactionFilterSet
    ordering = ["-booking_date"]
    list_per_page = 50
    list_display = [
        TitleColumn(
            "booking_date", label=_("Booking date"), accessor=lambda line: line.booking_date, sort_key="booking_date"
        ),
        Column(
            "amount",
            label=_("Amount"),
            accessor=lambda line: (
                format_pln(line.amount) if line.currency == "PLN" else f"{line.amount} {line.currency}"
            ),
            classname="w-whitespace-nowrap",
            sort_key="amount",
        ),
        Column("counterparty_name", label=_("Counterparty")),
        Column("title", label=_("Title")),
        StateColumn("state", label=_("State"), sort_key="state"),
        Column("account", label=_("Account"), accessor=_account_cell),
    ]
    inspect_view_fields = [
        "statement",
        "booking_date",
        "value_date",
        "amount",
        "currency",
        "counterparty_name",
        "counterparty_account",
        "own_account",
        "title",
        "bank_reference",
        "type_code",
        "state",
        "matched_by",
        "account",
        "suggested_account",
        "payment",
        "confirmed_by",
        "raw",
    ]


# --- The import ------------------------------------------------------------------------------------


class StatementImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a statement file, read it with the chosen profile (or the one its content
    tells), and show what the import did."""

    page_title = _("Import a bank statement")
    header_icon = "upload"
    template_name = "billing/admin/statement_upload.html"
    form_class = StatementImportForm

    def dispatch(self, request, *args, **kwargs):
        if not staff.can_import_statements(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def form_valid(self, form):
        profile = form.chosen_profile()
        upload = form.cleaned_data["file"]
        try:
            result = services.statement_import(
                file=form.data_bytes, profile=profile, by=self.request.user, file_name=upload.name or ""
            )
        except ServiceError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except (StatementParseError, ValueError, LookupError) as error:
            # Anything a reader lets through (a file of another kind entirely) is a message too.
            logger.info("statement import refused: %s", error)
            form.add_error("file", gettext("The statement cannot be read: %(reason)s.") % {"reason": error})
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=self.form_class(), result=self.summary(result, profile))
        )

    def summary(self, result, profile: str) -> dict:
        created = result.created
        queue_url = reverse(f"{QUEUE}:index")
        statements = [
            {
                "statement": row,
                "label": str(row),
                "flags": flag_labels(row),
                "url": reverse("bankstatement:inspect", args=[row.pk]),
                "lines_url": f"{reverse('banktransaction:index')}?{urlencode({'statement': row.pk})}",
            }
            for row in result.statements
        ]
        return {
            "profile": profile,
            "statements": statements,
            "statements_new": result.statements_created,
            "statements_known": len(result.statements) - result.statements_created,
            "lines_new": len(created),
            "lines_known": result.skipped,
            "matched": result.count(S.MATCHED),
            "suggested": result.count(S.SUGGESTED),
            "unmatched": result.count(S.UNMATCHED),
            "ignored": result.count(S.IGNORED),
            "queue_url": queue_url,
            "flagged": any(item["flags"] for item in statements),
        }


class StatementImportViewSet(ViewSet):
    name = IMPORT
    icon = "upload"
    menu_label = _("Import a statement")
    menu_name = "billing-statement-import"

    @cached_property
    def menu_item_class(self):
        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return staff.can_import_statements(request.user)

        return ImportMenuItem

    def get_urlpatterns(self):
        return [path("", StatementImportView.as_view(), name="index")]
