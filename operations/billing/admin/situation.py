"""Billing's part of the admin's first page (the situation centre), for billing staff
(`billing.view_billingaccount`, never a contractor's worker): the payments waiting in the
unmatched queue, the flagged bank statements, what is overdue today in all and how many
accounts owe it. Each number links to the list that has exactly that many rows (or, for
the total, whose rows' overdue amounts add up to it), filtered by the same condition the
figure was counted by (`selectors.staff.billing_situation`: three queries whatever the
number of accounts, entries and lines).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.core.admin.dashboard import DashboardPanel, Figure

from ..money import format_pln
from ..selectors import staff
from .viewsets import DATE, QUEUE


def queue_url(user) -> str:
    """The queue itself for those who settle it; the bank lines waiting, for those who read them."""
    if staff.can_import_statements(user):
        return reverse(f"{QUEUE}:index")
    if staff.can_read_statements(user):
        states = [str(state) for state in staff.QUEUE_STATES]
        return f"{reverse('banktransaction:index')}?{urlencode({'state': states}, doseq=True)}"
    return ""


def flagged_url(user) -> str:
    if staff.can_read_statements(user):
        return f"{reverse('bankstatement:index')}?{urlencode({'flagged': 'yes'})}"
    return ""


def overdue_url() -> str:
    return f"{reverse('billingaccount:index')}?{urlencode({'overdue_above': '0'})}"


def billing_panel(user, *, today=None) -> DashboardPanel | None:
    today = today or timezone.localdate()
    figures = staff.billing_situation(user, as_of=today)
    if figures is None:
        return None
    cards = []
    # The bank's figures for those who may open the lists they link to.
    if staff.can_read_statements(user):
        cards += [
            Figure(
                label=gettext("Payments waiting in the queue"),
                value=figures.queue,
                url=queue_url(user),
                urgent=figures.queue > 0,
            ),
            Figure(
                label=gettext("Flagged bank statements"),
                value=figures.flagged_statements,
                url=flagged_url(user),
                urgent=figures.flagged_statements > 0,
            ),
        ]
    cards += [
        Figure(label=gettext("Overdue in all"), value=format_pln(figures.overdue_total), url=overdue_url()),
        Figure(label=gettext("Accounts with anything overdue"), value=figures.accounts_overdue, url=overdue_url()),
    ]
    return DashboardPanel(
        name="billing",
        order=60,
        title=_("Billing"),
        description=gettext("As of %(day)s.") % {"day": date_format(today, DATE)},
        figures=cards,
    )


def add_billing_panel(request, panels) -> None:
    panel = billing_panel(request.user)
    if panel is not None:
        panels.append(panel)
