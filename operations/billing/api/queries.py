"""Billing's root fields, for the cooperative's accountants and board
(`billing.view_billingaccount`, never a contractor's worker): every account with filters,
and the totals per building. Anyone else gets an empty list. A household's own accounts
are the viewer's `billingAccounts` (`types.ViewerBillingFields`). Every read goes through
`selectors`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import strawberry
import strawberry_django
from django.conf import settings
from django.utils.translation import gettext
from strawberry import Info
from strawberry_django.optimizer import optimize

from cms.core.graphql.context import signed_in_user
from cms.core.graphql.errors import bad_input
from cms.core.graphql.ids import parse_global_id, parse_id

from .. import selectors
from ..models import BillingAccount
from ..money import money
from ..selectors import api_reads
from .types import BillingAccountConnection, BillingAccountType, BuildingTotalsType, today


@strawberry.input(description="Narrow the accounts list; every condition given must hold.")
class BillingAccountFilter:
    building_id: strawberry.ID | None = None
    is_open: bool | None = strawberry.field(
        default=None, description="Only open (true) or only closed (false) accounts."
    )
    overdue_above: Decimal | None = strawberry.field(
        default=None, description='Only accounts with more than this overdue today ("0": any arrears past due).'
    )


@strawberry.type
class Query:
    @strawberry_django.connection(
        BillingAccountConnection,
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "Every account, by building and unit, for the cooperative's accountants and board; empty for anyone "
            "else (a household's own accounts are `viewer.billingAccounts`)."
        ),
    )
    def billing_accounts(self, info: Info, filter: BillingAccountFilter | None = None) -> Iterable[BillingAccount]:
        filter = filter or BillingAccountFilter()
        overdue_above = filter.overdue_above
        if overdue_above is not None and (not overdue_above.is_finite() or overdue_above < 0):
            raise bad_input(gettext("Give an amount of zero or more."), field="overdueAbove")
        if overdue_above is not None:
            # An amount too long to round to the grosz ("1e309") is no amount (review: it was a 500).
            try:
                money(overdue_above)
            except ValueError:
                raise bad_input(gettext("Give an amount of zero or more."), field="overdueAbove") from None
        return api_reads.staff_accounts(
            signed_in_user(info),
            building_id=parse_id(filter.building_id, field="buildingId"),
            is_open=filter.is_open,
            overdue_above=overdue_above,
            as_of=today(info),
        )

    @strawberry.field(
        description=(
            "One account by its id, when the viewer may see it (their household's, or any for the accountants "
            "and board); null otherwise."
        )
    )
    def billing_account(self, info: Info, id: strawberry.ID) -> BillingAccountType | None:
        pk = parse_global_id(id, type_name="BillingAccount", field="id")
        return optimize(selectors.accounts_visible_to(signed_in_user(info)).filter(pk=pk), info).first()

    @strawberry_django.field(
        description=(
            "Per building with accounts: how many, the sum of their balances and of what is overdue today; for the "
            "cooperative's accountants and board, empty for anyone else. A fixed number of queries."
        )
    )
    def billing_totals_by_building(self, info: Info) -> list[BuildingTotalsType]:
        return [
            BuildingTotalsType.of(totals)
            for totals in api_reads.totals_by_building(signed_in_user(info), as_of=today(info))
        ]
