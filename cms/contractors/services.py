"""Writes for the contractor directory that are not Wagtail page edits: trades and the
people who work for a firm.

A contractor's account is linked to their firm through ContractorStaff; the link is also
what puts them in the contractors audience. The residents app keeps audiences, and its
signal receivers re-sync the person's groups in the same transaction whenever a link is
saved or deleted, by this module or any other path (the admin, a deleted firm).
"""

from __future__ import annotations

from django.db import transaction

from cms.core.exceptions import model_validate

from .models import ContractorPage, ContractorStaff, Trade


@transaction.atomic
def trade_create(*, name: str, slug: str, sort_order: int = 0) -> Trade:
    trade = Trade(name=name.strip(), slug=slug.strip(), sort_order=sort_order)
    model_validate(trade)
    trade.save()
    return trade


@transaction.atomic
def contractor_staff_add(*, user, firm: ContractorPage, is_manager: bool = False) -> ContractorStaff:
    """Link `user` to `firm` (moving them if they worked for another) and grant the contractors audience."""
    staff, _created = ContractorStaff.objects.update_or_create(
        user=user, defaults={"firm": firm, "is_manager": is_manager}
    )
    return staff


@transaction.atomic
def contractor_staff_remove(*, user) -> None:
    ContractorStaff.objects.filter(user=user).delete()
