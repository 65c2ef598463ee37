"""Registers the tickets section of the Wagtail admin; the viewsets, views and forms are
in `admin/`."""

from __future__ import annotations

from wagtail import hooks

from .admin.viewsets import TicketsViewSetGroup


@hooks.register("register_admin_viewset")
def register_tickets_viewsets():
    return TicketsViewSetGroup()
