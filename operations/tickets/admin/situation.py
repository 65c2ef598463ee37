"""The tickets' part of the admin's first page (the situation centre): what needs the
dispatchers now, each number a link to the list of exactly those tickets
(`selectors.situation`). Shown to whoever may read the tickets (dispatchers,
administrators, the board); one query, whatever the number of tickets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.core.admin.dashboard import DashboardPanel, Figure, LinkedCount, LinkedCounts

from .. import selectors
from ..models import Ticket
from ..selectors import situation
from . import views
from .forms import SITUATION_CHOICES

# The figures that call for action first: the card turns to a warning when not zero.
URGENT = {"past_response", "overdue"}


def ticket_situation_panel() -> DashboardPanel:
    figures = situation.ticket_situation()
    index = reverse(f"{views.TICKETS}:index")
    cards = [
        Figure(
            label=label,
            value=getattr(figures, name),
            url=f"{index}?{urlencode({'now': name})}",
            urgent=name in URGENT and getattr(figures, name) > 0,
        )
        for name, label in SITUATION_CHOICES
    ]
    labels = dict(Ticket.Status.choices)
    board = [
        LinkedCount(label=labels[status], value=count, url=f"{index}?{urlencode({'status': status})}")
        for status, count in figures.by_status.items()
    ]
    return DashboardPanel(
        name="tickets",
        order=50,
        title=_("Tickets now"),
        figures=cards,
        sections=[LinkedCounts(_("Open tickets by status"), board)],
    )


def add_ticket_situation_panel(request, panels) -> None:
    if selectors.is_ticket_staff(request.user):
        panels.insert(0, ticket_situation_panel())
