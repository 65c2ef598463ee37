"""Registers the billing section of the Wagtail admin; the viewsets are in `admin/`."""

from __future__ import annotations

from wagtail import hooks

from .admin.viewsets import BillingViewSetGroup


@hooks.register("register_admin_viewset")
def register_billing_viewsets():
    return BillingViewSetGroup()
