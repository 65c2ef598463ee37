"""Billing documents in the accountants' admin ("Rozliczenia → Dokumenty"): the list of
statements, payment demands and interest notes issued, newest first; issuing one for an
account (account, kind, day of issue, and a period for a statement), optionally sending
it at once; and sending one later.

Issuing and sending go through the services (`document_issue`, `document_send`), which
check `billing.issue_billingdocument`; their refusals (nothing overdue, a period that
ends after the day of issue, a missing interest rate) are shown on the form that asked.
The list is for billing staff who may read documents (`billing.view_billingdocument`,
never a contractor's worker); each document is downloaded through the same view the
residents use. Sending tells who got it electronically and how many get it on paper.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminDateInput

from cms.core.admin.views import add_service_errors, local_time, person_label
from cms.core.exceptions import ServiceError

from .. import policy, selectors, services
from ..documents.links import document_download_url
from ..models import BillingAccount, BillingDocument
from ..money import format_pln

DOCUMENTS = "billing-documents"
BILLING_MENU_HOOK = "register_billing_menu_item"
PAGE_SIZE = 50
DATE = "d.m.Y"


# The kinds as staff read them: the model's "statement" shares its Polish text with the
# bank statements' ("wyciąg"), which an account's statement is not.
KIND_LABELS = {
    BillingDocument.Kind.STATEMENT: _("account statement"),
    BillingDocument.Kind.DEMAND: _("payment demand"),
    BillingDocument.Kind.INTEREST_NOTE: _("interest note"),
}
KIND_CHOICES = list(KIND_LABELS.items())


def may_read_documents(user) -> bool:
    return selectors.is_billing_staff(user) and user.has_perm("billing.view_billingdocument")


def _account_label(account: BillingAccount) -> str:
    return f"{account.unit.building.code}/{account.unit.number} · {account.payer_name} · {account.iban_formatted}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _account_label(obj)


class DocumentIssueForm(forms.Form):
    account = AccountChoiceField(label=_("Account"), queryset=BillingAccount.objects.none())
    kind = forms.ChoiceField(label=_("Document"), choices=KIND_CHOICES)
    on = forms.DateField(label=_("Day of issue"), widget=AdminDateInput)
    period_from = forms.DateField(
        label=_("Period from"), required=False, widget=AdminDateInput, help_text=_("For a statement only.")
    )
    period_to = forms.DateField(
        label=_("Period to"), required=False, widget=AdminDateInput, help_text=_("For a statement only.")
    )
    send = forms.BooleanField(
        label=_("Send at once"),
        required=False,
        help_text=_("To the account's residents who chose electronic documents; the others get it on paper."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = (
            selectors.accounts_visible_to(user)
            .select_related("unit__building")
            .order_by("unit__building__code", "unit__number", "opened_on")
        )


class SendForm(forms.Form):
    """Nothing to fill in: the POST itself, with its CSRF token."""


class DocumentsMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not may_read_documents(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def index_url(self) -> str:
        return reverse(f"{DOCUMENTS}:index")

    def get_breadcrumbs_items(self):
        items = [{"url": self.index_url, "label": gettext("Billing documents")}]
        if self.get_page_title() != gettext("Billing documents"):
            items.append({"url": "", "label": self.get_page_title()})
        return self.breadcrumbs_items + items


def send_message(result) -> str:
    sent, paper = len(result.sent_to), len(result.paper)
    text = ngettext(
        "%(number)s sent to %(count)d person who chose electronic documents.",
        "%(number)s sent to %(count)d people who chose electronic documents.",
        sent,
    ) % {"number": result.document.number, "count": sent}
    if paper:
        text += " " + ngettext(
            "%(count)d person gets it on paper: print and post it.",
            "%(count)d people get it on paper: print and post it.",
            paper,
        ) % {"count": paper}
    return text


class DocumentIndexView(DocumentsMixin, TemplateView):
    """The documents issued, newest first, with their download link and a send button."""

    page_title = _("Billing documents")
    template_name = "billing/admin/document_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = selectors.documents_visible_to(self.request.user).select_related(
            "account__unit__building", "created_by"
        )
        kind = self.request.GET.get("kind", "")
        if kind in BillingDocument.Kind.values:
            documents = documents.filter(kind=kind)
        paginator = Paginator(documents, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("p"))
        may_issue = policy.may_issue_documents(self.request.user)
        context.update(
            page=page,
            paginator=paginator,
            elided_page_range=paginator.get_elided_page_range(page.number),
            kinds=KIND_CHOICES,
            kind=kind,
            may_issue=may_issue,
            issue_url=reverse(f"{DOCUMENTS}:issue"),
            rows=[
                {
                    "document": document,
                    "kind": KIND_LABELS[document.kind],
                    "account": _account_label(document.account),
                    "issued_on": date_format(document.issued_on, DATE),
                    "amount": format_pln(document.amount) if document.amount is not None else "–",
                    "sent_at": local_time(document.sent_at) or "–",
                    "issued_by": person_label(document.created_by) or document.created_by_process,
                    "download_url": document_download_url(document),
                    "send_url": reverse(f"{DOCUMENTS}:send", args=[document.pk]) if may_issue else "",
                }
                for document in page.object_list
            ],
        )
        return context


class DocumentIssueView(DocumentsMixin, FormView):
    """Issue a statement, a demand or an interest note for an account (and send it)."""

    page_title = _("Issue a document")
    template_name = "billing/admin/document_issue.html"
    form_class = DocumentIssueForm

    def dispatch(self, request, *args, **kwargs):
        if not policy.may_issue_documents(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"on": timezone.localdate(), "kind": self.request.GET.get("kind") or BillingDocument.Kind.STATEMENT}
        if account := self.request.GET.get("account"):
            initial["account"] = account
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            document = services.document_issue(
                account=data["account"],
                kind=data["kind"],
                on=data["on"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                by=self.request.user,
            )
            result = services.document_send(document=document, by=self.request.user) if data["send"] else None
        except ServiceError as error:
            add_service_errors(form, error, {"on": "on", "kind": "kind"})
            return self.form_invalid(form)
        text = gettext("Issued: %(kind)s %(number)s.") % {"kind": KIND_LABELS[document.kind], "number": document.number}
        if result is not None:
            text += " " + send_message(result)
        messages.success(
            self.request,
            text,
            buttons=[messages.button(document_download_url(document), gettext("Download"))],
        )
        return redirect(self.index_url)


class DocumentSendView(DocumentsMixin, TemplateView):
    """POST only: send a document to those who chose electronic documents."""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    @cached_property
    def document(self) -> BillingDocument:
        document = selectors.documents_visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if document is None:
            raise Http404
        return document

    def post(self, request, *args, **kwargs):
        if not SendForm(request.POST).is_valid():  # pragma: no cover - nothing to validate
            raise Http404
        try:
            result = services.document_send(document=self.document, by=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, send_message(result))
        return redirect(self.index_url)


class BillingDocumentViewSet(ViewSet):
    name = DOCUMENTS
    icon = "doc-full"
    menu_label = _("Documents")
    menu_name = "billing-documents"
    menu_hook = BILLING_MENU_HOOK

    @cached_property
    def menu_item_class(self):
        class DocumentsMenuItem(MenuItem):
            def is_shown(self, request):
                return may_read_documents(request.user)

        return DocumentsMenuItem

    def get_urlpatterns(self):
        return [
            path("", DocumentIndexView.as_view(), name="index"),
            path("issue/", DocumentIssueView.as_view(), name="issue"),
            path("<int:pk>/send/", DocumentSendView.as_view(), name="send"),
        ]
