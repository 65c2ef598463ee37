"""Registers the billing section of the Wagtail admin; the viewsets are in `admin/`."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.viewsets import BillingViewSetGroup, NoContractorWorkersPolicy
from .models import BillingAccount, InterestRate, LedgerEntry

# Registered before the viewsets (Wagtail 8's way): the admin's billing screens go by
# model permissions, never for a contractor's worker (review; see NoContractorWorkersPolicy).
for _model in (BillingAccount, LedgerEntry, InterestRate):
    register_permission_policy(_model, NoContractorWorkersPolicy(_model))


@hooks.register("register_admin_viewset")
def register_billing_viewsets():
    return BillingViewSetGroup()
