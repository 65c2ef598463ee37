"""Registers the tickets section of the Wagtail admin; the viewsets, views and forms are
in `admin/`."""

from __future__ import annotations

from wagtail import hooks

from .admin.situation import add_ticket_situation_panel
from .admin.viewsets import TicketsViewSetGroup


@hooks.register("register_admin_viewset")
def register_tickets_viewsets():
    return TicketsViewSetGroup()


# The situation centre on the admin's first page: what needs the dispatchers now and where
# faults cluster (for those who read tickets), the month against the previous one and the
# charts (for those who read the statistics).
hooks.register("construct_homepage_panels", add_ticket_situation_panel)
