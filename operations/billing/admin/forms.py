"""Forms of the accountants' admin: the lists' filters, the statement import and the
unmatched-payments queue.

The forms only collect what was typed; whether a payment may be recorded, a line ignored
or a statement imported is the services' decision (`services.statement_import`,
`transaction_match_confirm`, `transaction_ignore`), and their refusals are put back on
these forms next to the field they concern.

Amounts are typed as Polish accountants write them ("1 234,56", "-50", "0,5"): read with
`money.parse_amount`, never as a float.
"""

from __future__ import annotations

import re
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from operations.residents.models import Building

from ..models import BankStatement, BankTransaction, BillingAccount
from ..money import money, parse_amount
from ..selectors import staff
from ..statements.profiles import CAMT053, PROFILES

# The largest file a statement import reads (a year of a large cooperative's MT940 is a few MB).
MAX_STATEMENT_BYTES = 20 * 1024 * 1024


def label_of(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class AmountField(forms.CharField):
    """An amount in PLN as typed ("1 234,56", "-12.5"): a Decimal rounded to the grosz."""

    default_error_messages = {"invalid": _("Enter an amount, such as 1 234,56.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = money(parse_amount(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if abs(amount) >= Decimal("10000000000"):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class AmountFilter(django_filters.Filter):
    field_class = AmountField


# --- Accounts ----------------------------------------------------------------------------------

OPEN, CLOSED = "open", "closed"


class AccountFilterSet(WagtailFilterSet):
    """The accounts list's filters. Amounts compare strictly: "overdue above 0" lists the
    accounts with anything overdue; "balance below 0" those in arrears."""

    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__building", queryset=Building.objects.order_by("code", "pk")
    )
    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=[(OPEN, _("open")), (CLOSED, _("closed"))],
        method="filter_state",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    overdue_above = AmountFilter(
        label=_("Overdue above (zł)"),
        method="filter_overdue_above",
        help_text=_("Accounts with more than this overdue today; 0 lists every account with anything overdue."),
    )
    balance_below = AmountFilter(
        label=_("Balance below (zł)"),
        method="filter_balance_below",
        help_text=_("The balance is credits less debits: below 0 is arrears."),
    )
    balance_above = AmountFilter(
        label=_("Balance above (zł)"),
        method="filter_balance_above",
        help_text=_("Above 0 is an overpayment."),
    )
    audience = django_filters.ChoiceFilter(
        label=label_of(BillingAccount, "audience"),
        choices=BillingAccount.Audience.choices,
        empty_label=_("All"),
    )

    class Meta:
        model = BillingAccount
        fields = ["building", "state", "overdue_above", "balance_below", "balance_above", "audience"]

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(closed_on__isnull=True)
        if value == CLOSED:
            return queryset.filter(closed_on__isnull=False)
        return queryset

    def filter_overdue_above(self, queryset, name, value):
        return queryset if value is None else staff.with_overdue_above(queryset, value)

    def filter_balance_below(self, queryset, name, value):
        return queryset if value is None else staff.with_balance_below(queryset, value)

    def filter_balance_above(self, queryset, name, value):
        return queryset if value is None else staff.with_balance_above(queryset, value)


# --- Bank statements and lines -----------------------------------------------------------------

YES_NO = [("yes", _("yes")), ("no", _("no"))]


class StatementFilterSet(WagtailFilterSet):
    flagged = django_filters.ChoiceFilter(
        label=_("Flagged"), choices=YES_NO, method="filter_flagged", widget=forms.RadioSelect, empty_label=_("All")
    )
    balance_mismatch = django_filters.BooleanFilter(
        label=_("Opening balance differs from the previous closing"), widget=forms.NullBooleanSelect
    )
    number_gap = django_filters.BooleanFilter(label=_("Statement number skips"), widget=forms.NullBooleanSelect)
    totals_mismatch = django_filters.BooleanFilter(
        label=_("Lines do not add up to the balances"), widget=forms.NullBooleanSelect
    )
    account = django_filters.CharFilter(label=label_of(BankStatement, "account"), lookup_expr="icontains")

    class Meta:
        model = BankStatement
        fields = ["flagged", "balance_mismatch", "number_gap", "totals_mismatch", "account"]

    def filter_flagged(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(staff.flagged_condition())
        if value == "no":
            return queryset.exclude(staff.flagged_condition())
        return queryset


MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number within a database id's range, else no filter's business
    (review: 1e30 reached the query as an OverflowError, a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class TransactionFilterSet(WagtailFilterSet):
    state = django_filters.MultipleChoiceFilter(
        label=label_of(BankTransaction, "state"),
        choices=BankTransaction.State.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    billing_account = IdFilter(
        label=pgettext_lazy("bank matching", "Account (matched or suggested)"),
        method="filter_account",
        widget=forms.HiddenInput,
    )
    statement = IdFilter(label=label_of(BankTransaction, "statement"), widget=forms.HiddenInput)
    matched_by = django_filters.ChoiceFilter(
        label=label_of(BankTransaction, "matched_by"),
        choices=[choice for choice in BankTransaction.MatchedBy.choices if choice[0]],
        empty_label=_("All"),
    )

    class Meta:
        model = BankTransaction
        fields = ["state", "billing_account", "statement", "matched_by"]

    def filter_account(self, queryset, name, value):
        return queryset if value is None else queryset.filter(staff.account_condition(value))


# --- Statement import --------------------------------------------------------------------------

AUTO = ""
_FIELD86_MARKER = re.compile(r":86:[^\r\n]*?(\d{3})?([~^<])\d{2}")


def detect_profile(data: bytes) -> str:
    """The profile that reads a statement file: camt.053 for XML; for MT940 the field 86
    subfield marker (`^` Pekao, `<` the angle-bracket variant, otherwise the common `~`
    form, read with PKO BP's profile: PKO BP, mBank and ING write it alike, and the
    encoding is detected from the text whichever of them is named)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2000]
    if head.startswith(b"<") or b"BkToCstmrStmt" in data[:5000]:
        return CAMT053
    text = data.decode("latin-1")
    markers = [match.group(2) for match in _FIELD86_MARKER.finditer(text)]
    if "^" in markers:
        return "pekao"
    if "<" in markers and "~" not in markers:
        return "mt940_angle"
    return "pko_bp"


def profile_choices():
    return [(AUTO, _("Detect from the file"))] + [
        (profile.name, profile.bank) for profile in sorted(PROFILES.values(), key=lambda p: p.bank.casefold())
    ]


class StatementImportForm(forms.Form):
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_("MT940 (.sta, .mt940, .txt) or camt.053 (.xml), as the bank gives it."),
    )
    profile = forms.ChoiceField(
        label=_("Parsing profile"),
        choices=profile_choices,
        required=False,
        help_text=_("The bank's form of the file; left to detect, it is told from the file's content."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(
                gettext("The file is too large (at most %(size)d MB).") % {"size": MAX_STATEMENT_BYTES // 2**20}
            )
        data = upload.read()
        if not data.strip():
            raise ValidationError(gettext("The file is empty."))
        self.data_bytes = data
        return upload

    def chosen_profile(self) -> str:
        return self.cleaned_data.get("profile") or detect_profile(self.data_bytes)


# --- The unmatched-payments queue --------------------------------------------------------------


class AccountSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find an account"),
        required=False,
        max_length=100,
        help_text=_("Unit (A/12 or 12), payer's name, account number or identifier."),
    )


class ConfirmForm(forms.Form):
    """Record a queued line as a payment to `account` (the suggestion or one found)."""

    account = forms.IntegerField(widget=forms.HiddenInput)


class IgnoreForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
