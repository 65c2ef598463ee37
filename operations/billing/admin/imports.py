"""Charge imports in the accountants' admin, in the "Billing" menu: the import profiles
(added and edited as data, never deleted once a file was read with them), and the imports.

An import goes: upload (a profile, the file, the total the file should add up to when its
last line does not say) → preview (new entries, already in the ledger, conflicts and
errors by line, the totals and the reconciliation; nothing in the ledger yet) → confirm
(small files at once; large ones in Celery, the page refreshing its progress every few
seconds) → the result, from which an import can be reversed after a confirmation. Every
step calls `services` (`charge_import_preview`, `charge_import_confirm`,
`charge_import_reverse`); who may do it is the policy's answer (`policy.may_import_charges`);
reading the list and a batch needs `billing.view_chargeimportbatch`.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import add_service_errors, local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin
from cms.core.exceptions import ServiceError

from .. import policy, selectors, services
from ..imports import FIELDS
from ..models import ChargeImportBatch, ChargeImportProfile, LedgerEntry
from ..money import format_pln

logger = logging.getLogger(__name__)

BATCHES = "chargeimportbatch"  # URL namespace of the imports (the viewset's name)
PROFILES = "chargeimportprofile"
MAX_FILE_BYTES = 50 * 2**20
PROBLEMS_SHOWN = 500
REFRESH_SECONDS = 3
DATE = "d.m.Y"
S = ChargeImportBatch.State

FIELD_LABELS = {
    "account": _("Account identifier"),
    "iban": _("Individual account number (IBAN)"),
    "building": _("Building code"),
    "unit": _("Unit number"),
    "kind": _("Kind (charge or opening balance)"),
    "component": _("Component"),
    "period": _("Period"),
    "booking_date": _("Booking date"),
    "due_date": _("Due date"),
    "amount": _("Amount"),
    "reference": _("Reference (document number)"),
    "title": _("Title"),
}


def _may_read(user) -> bool:
    return not selectors.is_contractor_worker(user) and (
        user.has_perm("billing.view_chargeimportbatch") or policy.may_import_charges(user)
    )


def _amount(value) -> str:
    return "–" if value in (None, "") else format_pln(Decimal(str(value)))


def _day(value: str) -> str:
    return date_format(date.fromisoformat(value), DATE) if value else ""


# --- Profiles ------------------------------------------------------------------------------------


def _codes_text(mapping: dict) -> str:
    return "\n".join(f"{code} = {ours}" for code, ours in (mapping or {}).items())


def _codes(text: str, allowed: list[str], field_name: str) -> dict:
    """Lines "CODE = ours" as a dict; a value that is not one of ours is refused."""
    mapping = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, sign, ours = line.partition("=")
        if not sign or not code.strip() or ours.strip() not in allowed:
            raise ValidationError(
                gettext("Line %(line)d: write CODE = one of %(allowed)s.")
                % {"line": number, "allowed": ", ".join(allowed)}
            )
        mapping[code.strip()] = ours.strip()
    return mapping


class ChargeImportProfileForm(WagtailAdminModelForm):
    """The column map as one field per our field (the column's name in the file), and the
    code maps as lines "CODE = component"."""

    component_codes = forms.CharField(
        label=_("Component codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line: the accounting system's code = %(components)s.")
        % {"components": ", ".join(LedgerEntry.Component.values)},
    )
    kind_codes = forms.CharField(
        label=_("Kind codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: the accounting system's code = charge or opening."),
    )

    class Meta:
        model = ChargeImportProfile
        fields = [
            "name",
            "source",
            "file_format",
            "encoding",
            "delimiter",
            "decimal_mark",
            "date_format",
            "header_row",
            "default_kind",
            "default_component",
            "total_label",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns or {}
        for name in FIELDS:
            self.fields[f"column_{name}"] = forms.CharField(
                label=FIELD_LABELS[name],
                required=False,
                max_length=100,
                initial=columns.get(name, ""),
                help_text=_("The column's name in the header line (or its letter when there is none)."),
            )
        self.fields["component_codes"].initial = _codes_text(self.instance.component_map)
        self.fields["kind_codes"].initial = _codes_text(self.instance.kind_map)

    def clean_component_codes(self):
        return _codes(self.cleaned_data.get("component_codes"), LedgerEntry.Component.values, "component_codes")

    def clean_kind_codes(self):
        return _codes(self.cleaned_data.get("kind_codes"), ["charge", "opening"], "kind_codes")

    def clean(self):
        cleaned = super().clean()
        columns = {name: cleaned.get(f"column_{name}", "").strip() for name in FIELDS}
        columns = {name: column for name, column in columns.items() if column}
        if "amount" not in columns:
            self.add_error("column_amount", gettext("Name the amount's column."))
        if not ({"account", "iban"} & columns.keys() or {"building", "unit"} <= columns.keys()):
            self.add_error(
                "column_account", gettext("Name the column of the account, its IBAN, or the building and unit.")
            )
        if cleaned.get("file_format") == "csv" and not cleaned.get("delimiter"):
            self.add_error("delimiter", gettext("A CSV file needs its delimiter."))
        self.columns = columns
        return cleaned

    def save(self, commit=True):
        self.instance.columns = self.columns
        self.instance.component_map = self.cleaned_data.get("component_codes") or {}
        self.instance.kind_map = self.cleaned_data.get("kind_codes") or {}
        return super().save(commit=commit)


class ChargeImportProfileViewSet(AllPermissionsInGroupEditor, ModelViewSet):
    """Import profiles: added and edited, never deleted (imports name them)."""

    model = ChargeImportProfile
    icon = "cogs"
    menu_label = _("Charge import profiles")
    menu_name = "billing-charge-import-profiles"
    menu_hook = "register_billing_menu_item"
    menu_order = 31
    copy_view_enabled = False
    add_to_reference_index = False
    ordering = ["name"]
    list_display = [
        TitleColumn("name", label=_("Name")),
        Column("source", label=_("Source")),
        Column("file_format", label=_("File format"), accessor="get_file_format_display"),
        Column("encoding", label=_("Encoding"), accessor="get_encoding_display"),
    ]

    def get_form_class(self, for_update=False):
        return ChargeImportProfileForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"]


# --- Imports ---------------------------------------------------------------------------------------


class ChargeImportForm(forms.Form):
    profile = forms.ModelChoiceField(label=_("Profile"), queryset=ChargeImportProfile.objects.all())
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX, as the accounting system exports it."))
    declared_total = forms.CharField(
        label=_("Total of the file"),
        required=False,
        max_length=30,
        help_text=_("What the file's amounts add up to, when its last line does not say (e.g. 123 456,78)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                gettext("The file is too large (at most %(size)d MB).") % {"size": MAX_FILE_BYTES // 2**20}
            )
        self.data_bytes = upload.read()
        if not self.data_bytes.strip():
            raise ValidationError(gettext("The file is empty."))
        return upload


class ChargeImportUploadView(WagtailAdminTemplateMixin, FormView):
    page_title = _("Import charges")
    header_icon = "upload"
    template_name = "billing/admin/import_upload.html"
    form_class = ChargeImportForm

    def dispatch(self, request, *args, **kwargs):
        if not policy.may_import_charges(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BATCHES}:index"), "label": gettext("Charge imports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profiles_url"] = reverse(f"{PROFILES}:index")
        context["has_profiles"] = ChargeImportProfile.objects.exists()
        return context

    def form_valid(self, form):
        try:
            batch = services.charge_import_preview(
                profile=form.cleaned_data["profile"],
                file_name=form.cleaned_data["file"].name or "",
                content=form.data_bytes,
                declared_total=form.cleaned_data.get("declared_total") or None,
                by=self.request.user,
            )
        except ServiceError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(f"{BATCHES}:batch", batch.pk)


class BatchMixin:
    def dispatch(self, request, *args, **kwargs):
        if not _may_read(request.user):
            raise PermissionDenied
        batch = ChargeImportBatch.objects.select_related("profile").filter(pk=kwargs["pk"]).first()
        if batch is None:
            raise Http404
        self.batch = batch
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BATCHES}:index"), "label": gettext("Charge imports")},
            {"url": "", "label": str(self.batch)},
        ]


def batch_summary(batch: ChargeImportBatch) -> dict:
    preview = batch.preview or {}
    rows = [
        {
            **row,
            "amount_text": _amount(row["amount"]),
            "due_text": _day(row["due_date"]),
            "booked": _day(row["booking_date"]),
        }
        for row in preview.get("new", [])
    ]
    kinds = dict(LedgerEntry.Kind.choices)
    components = dict(LedgerEntry.Component.choices)
    for row in rows:
        row["kind_text"] = kinds.get(row["kind"], row["kind"])
        row["component_text"] = components.get(row["component"], row["component"])
        row["period_text"] = row["period"][5:7] + "/" + row["period"][:4]
    who = [
        (gettext("Uploaded"), ", ".join(filter(None, [local_time(batch.created_at), person_label(batch.created_by)]))),
    ]
    if batch.confirmed_at:
        who.append(
            (
                gettext("Confirmed"),
                ", ".join(filter(None, [local_time(batch.confirmed_at), person_label(batch.confirmed_by)])),
            )
        )
    if batch.finished_at:
        who.append((gettext("Finished"), local_time(batch.finished_at)))
    if batch.reversed_at:
        who.append(
            (
                gettext("Reversed"),
                ", ".join(filter(None, [local_time(batch.reversed_at), person_label(batch.reversed_by)])),
            )
        )
    return {
        "rows": rows,
        "more_rows": max(0, batch.rows_new - len(rows)) if batch.state == S.PREVIEWED else 0,
        "problems": batch.problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, batch.rows_conflict + batch.rows_error - PROBLEMS_SHOWN),
        "declared_total": _amount(batch.declared_total),
        "imported_total": _amount(batch.imported_total),
        "difference": _amount(batch.difference),
        "reconciled": batch.difference is not None and batch.difference == 0,
        "new_total": _amount(preview.get("new_total")),
        "unchanged_total": _amount(preview.get("unchanged_total")),
        "file_total": _amount(preview.get("file_total")),
        "typed_total": _amount(preview.get("typed_total")),
        "encoding": preview.get("encoding", ""),
        "same_file": [
            {"pk": pk, "url": reverse(f"{BATCHES}:batch", args=[pk])}
            for pk in preview.get("same_file", [])
            if pk != batch.pk
        ],
        "who": who,
    }


class ChargeImportBatchView(BatchMixin, WagtailAdminTemplateMixin, TemplateView):
    """A batch: its preview with the confirm button, its progress while running (the page
    refreshes itself), or its result with the reverse button."""

    page_title = _("Charge import")
    header_icon = "upload"
    template_name = "billing/admin/import_batch.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        may_import = policy.may_import_charges(self.request.user)
        context.update(
            batch=batch,
            summary=batch_summary(batch),
            running=batch.state == S.RUNNING,
            refresh_seconds=REFRESH_SECONDS,
            can_confirm=may_import
            and (batch.state in (S.PREVIEWED, S.FAILED) or services.imports.batch_is_stale(batch)),
            can_reverse=may_import and batch.state in (S.IMPORTED, S.FAILED) and batch.entries.exists(),
            confirm_url=reverse(f"{BATCHES}:confirm", args=[batch.pk]),
            reverse_url=reverse(f"{BATCHES}:reverse", args=[batch.pk]),
            index_url=reverse(f"{BATCHES}:index"),
            ledger_url=f"{reverse('ledgerentry:index')}?source={services.imports.source_of(batch.profile)}",
        )
        return context


class ChargeImportConfirmView(BatchMixin, WagtailAdminTemplateMixin, TemplateView):
    """POST: confirm the batch (small files at once, large ones queued)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not policy.may_import_charges(request.user):
            raise PermissionDenied
        try:
            batch = services.charge_import_confirm(batch=self.batch, by=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(f"{BATCHES}:batch", self.batch.pk)
        if batch.state == S.IMPORTED:
            messages.success(
                request,
                gettext("Imported: %(new)d new entries, %(unchanged)d already in the ledger.")
                % {"new": batch.rows_new, "unchanged": batch.rows_unchanged},
            )
        elif batch.state == S.RUNNING:
            messages.info(request, gettext("The import runs in the background; this page shows its progress."))
        elif batch.state == S.FAILED:
            messages.error(request, batch.failure)
        return redirect(f"{BATCHES}:batch", batch.pk)


class ChargeImportReverseView(BatchMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: what reversing would do, and the confirmation; POST: reverse."""

    page_title = _("Reverse a charge import")
    header_icon = "undo"
    template_name = "billing/admin/import_reverse.html"

    def dispatch(self, request, *args, **kwargs):
        if not policy.may_import_charges(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            batch=self.batch,
            entries=self.batch.entries.count(),
            total=_amount(sum(self.batch.entries.values_list("amount", flat=True), Decimal("0.00"))),
            batch_url=reverse(f"{BATCHES}:batch", args=[self.batch.pk]),
            reversed=self.batch.state == S.REVERSED,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.charge_import_reverse(batch=self.batch, by=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(f"{BATCHES}:batch", self.batch.pk)
        messages.success(request, gettext("The import is reversed: each of its entries has a correction."))
        return redirect(f"{BATCHES}:batch", self.batch.pk)


class StateColumn(Column):
    def get_value(self, batch):
        if batch.state == S.RUNNING:
            return f"{batch.get_state_display()} ({batch.progress_percent} %)"
        return batch.get_state_display()


class BatchIndexView(IndexView):
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("profile", "created_by")

    def get_header_buttons(self):
        from wagtail.admin.widgets.button import HeaderButton

        buttons = list(super().get_header_buttons())
        if policy.may_import_charges(self.request.user):
            buttons.append(
                HeaderButton(gettext("Import charges"), url=reverse(f"{BATCHES}:upload"), icon_name="upload")
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The list refreshes itself while an import runs, so its progress moves.
        context["running"] = ChargeImportBatch.objects.filter(state=S.RUNNING).exists()
        context["refresh_seconds"] = REFRESH_SECONDS
        return context


def _batch_url(batch) -> str:
    return reverse(f"{BATCHES}:batch", args=[batch.pk])


class ChargeImportBatchViewSet(AllPermissionsInGroupEditor, ReadOnlyViewSetMixin, ModelViewSet):
    """The imports: listed with state and progress; each opened on its own page."""

    model = ChargeImportBatch
    icon = "upload"
    menu_label = _("Charge imports")
    menu_name = "billing-charge-imports"
    menu_hook = "register_billing_menu_item"
    menu_order = 30
    index_view_class = BatchIndexView
    index_template_name = "billing/admin/import_index.html"
    ordering = ["-created_at"]
    list_per_page = 50
    list_filter = ["state", "profile"]
    list_display = [
        TitleColumn("file_name", label=_("File"), get_url=_batch_url),
        Column("profile", label=_("Profile")),
        StateColumn("state", label=_("State"), sort_key="state"),
        Column("rows_total", label=_("Rows")),
        Column("rows_new", label=_("New")),
        Column("rows_unchanged", label=_("Already in")),
        Column("problems", label=_("Not imported"), accessor=lambda b: b.rows_conflict + b.rows_error),
        Column("difference", label=_("Difference"), accessor=lambda b: _amount(b.difference)),
        Column("created_at", label=_("Uploaded"), accessor=lambda b: local_time(b.created_at), sort_key="created_at"),
        Column("created_by", label=_("By"), accessor=lambda b: person_label(b.created_by)),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("upload/", ChargeImportUploadView.as_view(), name="upload"),
            path("<int:pk>/", ChargeImportBatchView.as_view(), name="batch"),
            path("<int:pk>/confirm/", ChargeImportConfirmView.as_view(), name="confirm"),
            path("<int:pk>/reverse/", ChargeImportReverseView.as_view(), name="reverse"),
        ]


__all__ = ["ChargeImportBatchViewSet", "ChargeImportProfileViewSet"]
