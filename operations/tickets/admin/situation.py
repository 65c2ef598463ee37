"""The tickets' part of the admin's first page (the situation centre): what needs the
dispatchers now, each number a link to the list of exactly those tickets
(`selectors.situation`). Shown to whoever may read the tickets (dispatchers,
administrators, the board); one query, whatever the number of tickets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from .. import selectors
from ..models import Ticket
from ..selectors import situation
from . import views
from .forms import SITUATION_CHOICES

# The figures that call for action first: the card turns to a warning when not zero.
URGENT = {"past_response", "overdue"}


class TicketSituationPanel(Component):
    name = "ticket_situation"
    order = 50
    template_name = "tickets/admin/situation_panel.html"

    def get_context_data(self, parent_context=None):
        figures = situation.ticket_situation()
        index = reverse(f"{views.TICKETS}:index")
        cards = [
            {
                "label": label,
                "count": getattr(figures, name),
                "url": f"{index}?{urlencode({'now': name})}",
                "urgent": name in URGENT and getattr(figures, name) > 0,
            }
            for name, label in SITUATION_CHOICES
        ]
        labels = dict(Ticket.Status.choices)
        board = [
            {"label": labels[status], "count": count, "url": f"{index}?{urlencode({'status': status})}"}
            for status, count in figures.by_status.items()
        ]
        return {"title": _("Tickets now"), "cards": cards, "board": board}


def add_ticket_situation_panel(request, panels) -> None:
    if selectors.is_ticket_staff(request.user):
        panels.insert(0, TicketSituationPanel())
