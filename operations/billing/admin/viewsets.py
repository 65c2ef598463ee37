"""The billing section of the Wagtail admin ("Rozliczenia"), registered by
`wagtail_hooks.py`: accounts and the ledger are read here and never edited (entries are
corrected by posting a correction through the services); interest rates are added and
changed by staff, never deleted.

The screens of the next parts of issue 14 (balance filters and CSV export, imports with
preview, the unmatched-payments queue, documents, reminders) come on top of these.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin

from .. import selectors
from ..models import BillingAccount, InterestRate, LedgerEntry
from ..money import format_pln


class NoContractorWorkersPolicy(ModelPermissionPolicy):
    """Django's model permissions, never for a contractor's worker. Review: the API already
    refused them (`selectors.is_billing_staff`), but a worker given admin access and billing
    permissions by mistake read every household's account and ledger here."""

    def user_has_permission(self, user, action):
        return not selectors.is_contractor_worker(user) and super().user_has_permission(user, action)


class AccountIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit__building")


class EntryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("account__unit__building")


class BillingAccountViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """Accounts: listed and read; opened and closed through the services."""

    model = BillingAccount
    icon = "table"
    menu_label = _("Accounts")
    menu_name = "billing-accounts"
    index_view_class = AccountIndexView
    inspect_view_enabled = True
    ordering = ["unit__building__code", "unit__number", "opened_on"]
    list_per_page = 50
    search_fields = ["payer_name", "iban"]
    list_filter = ["audience"]
    list_display = [
        TitleColumn("unit", label=_("Unit"), accessor=lambda account: str(account.unit)),
        Column("payer_name", label=_("Payer")),
        Column("iban", label=_("Account number"), accessor="iban_formatted", classname="w-whitespace-nowrap"),
        DateColumn("opened_on", label=_("Opened on"), sort_key="opened_on"),
        DateColumn("closed_on", label=_("Closed on"), sort_key="closed_on"),
        Column("audience", label=_("Seen by"), accessor="get_audience_display"),
    ]
    inspect_view_fields = [
        "unit",
        "payer_name",
        "identifier",
        "iban",
        "audience",
        "opened_on",
        "closed_on",
        "replaces",
    ]


class LedgerEntryViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """The ledger: entries are read, never edited or deleted (a correction is a new entry)."""

    model = LedgerEntry
    icon = "list-ul"
    menu_label = _("Ledger")
    menu_name = "billing-ledger"
    index_view_class = EntryIndexView
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


class BillingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Billing")
    menu_name = "billing"
    menu_icon = "table"
    menu_order = 250
    items = (BillingAccountViewSet, LedgerEntryViewSet, InterestRateViewSet)
