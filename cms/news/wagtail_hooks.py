"""Registers the news app's part of the Wagtail admin; the panel itself is in `admin/`."""

from __future__ import annotations

from wagtail import hooks

from .admin.situation import add_outage_alerts_panel

# The situation centre on the admin's first page: the outage alerts in force and coming up.
hooks.register("construct_homepage_panels", add_outage_alerts_panel)
