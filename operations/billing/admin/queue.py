"""The unmatched-payments queue of the accountants' admin: the bank lines that import
could not put on an account by itself (suggested and unmatched), oldest first.

For each line a person confirms the suggested account, finds and picks another (by unit
"A/12", payer, account number or identifier: `selectors.staff.account_search`), or ignores
the line (a refund, a transfer between the cooperative's own accounts). Both go through
the services (`transaction_match_confirm`, `transaction_ignore`), which record the payment
with the designation its title makes; their refusals (a line settled meanwhile, no right
to post) are shown on the form that asked. For `billing.import_bankstatement`, never a
contractor's worker; recording a payment also needs `billing.post_ledgerentry`, which the
services check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from cms.core.admin.views import add_service_errors, person_label
from cms.core.exceptions import ServiceError

from .. import services
from ..errors import BillingErrorCode
from ..money import format_pln
from ..selectors import staff
from .forms import AccountSearchForm, ConfirmForm, IgnoreForm
from .viewsets import DATE, QUEUE, account_label

PAGE_SIZE = 50


def line_amount(line) -> str:
    return format_pln(line.amount) if line.currency == "PLN" else f"{line.amount} {line.currency}"


def account_text(account) -> str:
    text = f"{account_label(account)} · {account.payer_name} · {account.iban_formatted}"
    if account.closed_on:
        text += " · " + gettext("closed on %(day)s") % {"day": date_format(account.closed_on, DATE)}
    return text


class QueueMixin(WagtailAdminTemplateMixin):
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not staff.can_import_statements(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def index_url(self) -> str:
        return reverse(f"{QUEUE}:index")


class QueueIndexView(QueueMixin, TemplateView):
    """The lines waiting, oldest first; a suggested one is confirmed from here in one click."""

    page_title = pgettext_lazy("bank matching", "Unmatched payments")
    template_name = "billing/admin/queue.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(staff.queue_rows(self.request.user), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            paginator=paginator,
            elided_page_range=paginator.get_elided_page_range(page.number),
            rows=[
                {
                    "line": line,
                    "booking_date": date_format(line.booking_date, DATE),
                    "amount": line_amount(line),
                    "state": line.get_state_display(),
                    "suggested": account_text(line.suggested_account) if line.suggested_account_id else "",
                    "url": reverse(f"{QUEUE}:line", args=[line.pk]),
                    "confirm_url": reverse(f"{QUEUE}:confirm", args=[line.pk]),
                }
                for line in page.object_list
            ],
        )
        return context


class QueueLineView(QueueMixin, TemplateView):
    """One waiting line: what the bank said, the suggestion, a search for another account,
    and ignoring it."""

    page_title = _("Settle a payment")
    template_name = "billing/admin/queue_line.html"

    @cached_property
    def line(self):
        line = staff.queue_line(self.request.user, self.kwargs["pk"])
        if line is None:
            raise Http404
        return line

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.index_url, "label": pgettext("bank matching", "Unmatched payments")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.line
        search = AccountSearchForm(self.request.GET or None)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        found = staff.account_search(self.request.user, query) if query else []
        confirm_url = reverse(f"{QUEUE}:confirm", args=[line.pk])
        facts = [
            (gettext("Booking date"), date_format(line.booking_date, DATE)),
            (gettext("Amount"), line_amount(line)),
            (gettext("Counterparty"), line.counterparty_name or "–"),
            (gettext("Counterparty account"), line.counterparty_account or "–"),
            (gettext("Account credited"), line.own_account or "–"),
            (gettext("Title"), line.title or "–"),
            (gettext("Bank reference"), line.bank_reference or "–"),
            (gettext("State"), line.get_state_display()),
            (gettext("Statement"), str(line.statement)),
        ]
        if line.confirmed_by_id:
            facts.append((gettext("Settled by"), person_label(line.confirmed_by)))
        context.update(
            line=line,
            facts=facts,
            waiting=line.state in staff.QUEUE_STATES,
            suggested=line.suggested_account if line.suggested_account_id else None,
            suggested_text=account_text(line.suggested_account) if line.suggested_account_id else "",
            search_form=search,
            query=query,
            found=[(account, account_text(account)) for account in found],
            confirm_url=confirm_url,
            ignore_url=reverse(f"{QUEUE}:ignore", args=[line.pk]),
            statement_url=reverse("bankstatement:inspect", args=[line.statement_id]),
            index_url=self.index_url,
            confirm_form=kwargs.get("confirm_form") or ConfirmForm(),
            ignore_form=kwargs.get("ignore_form") or IgnoreForm(initial={"confirm": True}),
        )
        return context


class QueueActionView(QueueLineView):
    """POST only: confirm (`QueueConfirmView`) or ignore (`QueueIgnoreView`) a line; back
    to the queue when done, the line's page with the refusal when not."""

    form_class = None
    form_name = ""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.act(form)
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.index_url)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class QueueConfirmView(QueueActionView):
    form_class = ConfirmForm
    form_name = "confirm_form"

    def act(self, form) -> str:
        account = staff.accounts_by_pk(self.request.user, form.cleaned_data["account"])
        if account is None:
            raise ServiceError(BillingErrorCode.NOT_FOUND, gettext("Billing account not found."))
        line = services.transaction_match_confirm(transaction=self.line, account=account, by=self.request.user)
        return gettext("%(amount)s recorded as a payment to %(account)s.") % {
            "amount": line_amount(line),
            "account": f"{account_label(account)} {account.payer_name}",
        }


class QueueIgnoreView(QueueActionView):
    form_class = IgnoreForm
    form_name = "ignore_form"

    def act(self, form) -> str:
        line = services.transaction_ignore(transaction=self.line, by=self.request.user)
        return gettext("The line of %(day)s (%(amount)s) is ignored.") % {
            "day": date_format(line.booking_date, DATE),
            "amount": line_amount(line),
        }


class UnmatchedQueueViewSet(ViewSet):
    name = QUEUE
    icon = "warning"
    menu_label = pgettext_lazy("bank matching", "Unmatched payments")
    menu_name = "billing-unmatched"

    @cached_property
    def menu_item_class(self):
        class QueueMenuItem(MenuItem):
            def is_shown(self, request):
                return staff.can_import_statements(request.user)

        return QueueMenuItem

    def get_urlpatterns(self):
        return [
            path("", QueueIndexView.as_view(), name="index"),
            path("<int:pk>/", QueueLineView.as_view(), name="line"),
            path("<int:pk>/confirm/", QueueConfirmView.as_view(), name="confirm"),
            path("<int:pk>/ignore/", QueueIgnoreView.as_view(), name="ignore"),
        ]
