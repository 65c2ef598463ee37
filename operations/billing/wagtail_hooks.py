"""Registers the billing section of the Wagtail admin; the viewsets are in `admin/`."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.situation import add_billing_panel
from .admin.viewsets import BillingViewSetGroup, NoContractorWorkersPolicy
from .models import BankStatement, BankTransaction, BillingAccount, InterestRate, LedgerEntry, PaymentReminder

# Registered before the viewsets (Wagtail 8's way): the admin's billing screens go by
# model permissions, never for a contractor's worker (review; see NoContractorWorkersPolicy).
for _model in (BillingAccount, LedgerEntry, InterestRate, BankStatement, BankTransaction, PaymentReminder):
    register_permission_policy(_model, NoContractorWorkersPolicy(_model))


@hooks.register("register_admin_viewset")
def register_billing_viewsets():
    return BillingViewSetGroup()


# The situation centre on the admin's first page: the unmatched queue, flagged statements
# and what is overdue, for billing staff (admin/situation.py).
hooks.register("construct_homepage_panels", add_billing_panel)


# Charge imports from the accounting system (admin/imports.py): the imports and their
# profiles, in the billing menu (their viewsets register there through its submenu hook).
@hooks.register("register_admin_viewset")
def register_charge_import_viewsets():
    from .admin.imports import ChargeImportBatchViewSet, ChargeImportProfileViewSet
    from .models import ChargeImportBatch, ChargeImportProfile

    for model in (ChargeImportBatch, ChargeImportProfile):
        register_permission_policy(model, NoContractorWorkersPolicy(model))
    return [ChargeImportBatchViewSet(), ChargeImportProfileViewSet()]


@hooks.register("register_admin_viewset")
def register_billing_documents_viewset():
    # Statements, demands and interest notes (admin/documents.py), in the billing menu.
    from .admin.documents import BillingDocumentViewSet

    return BillingDocumentViewSet()
