"""Billing's mutations: each maps its input to one service call and the service's refusals
to typed errors (`BillingError`, codes from `errors.BillingErrorCode`).

`billingConsentsUpdate` sets the viewer's own consents on an account of their household.
The account is looked up through `selectors.accounts_visible_to` (one the viewer may not
see is NOT_FOUND, whether or not it exists); the service asks `policy` whether the viewer
chooses for it (staff who see every account do not: FORBIDDEN). The account is read back
through the same selector, with the consents as saved.
"""

from __future__ import annotations

import strawberry
from django.utils.translation import gettext
from strawberry import Info
from strawberry_django.optimizer import optimize

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.ids import parse_global_id

from .. import errors as domain_errors
from .. import selectors, services
from .types import BillingAccountType, ConsentsType

BillingErrorCode = graphql_enum(
    domain_errors.BillingErrorCode, "BillingErrorCode", "Why a billing operation was refused."
)


@strawberry.type
class BillingError(UserError):
    code: BillingErrorCode  # type: ignore[valid-type]


# Service field names that are named differently in the API.
FIELD_NAMES = {"account": "accountId"}


def _errors(error: ServiceError) -> list[BillingError]:
    return typed_errors(BillingError, BillingErrorCode, error, FIELD_NAMES)


@strawberry.input(description="The viewer's own choices for one account of their household; what is left out stays.")
class BillingConsentsUpdateInput:
    account_id: strawberry.ID
    electronic_documents: bool | None = strawberry.field(
        default=None, description="Documents (statements, demands, interest notes) by message instead of on paper."
    )
    reminders: bool | None = strawberry.field(default=None, description="Reminders before and after due dates.")
    request_installment: bool | None = strawberry.field(
        default=None,
        description="True asks the office for an installment agreement; false withdraws the request.",
    )
    installment_note: str | None = strawberry.field(
        default=None, description="What to tell the office with the request (at most 2000 characters)."
    )


@strawberry.type
class BillingConsentsUpdatePayload:
    account: BillingAccountType | None = strawberry.field(description="The account; null on failure.")
    consents: ConsentsType | None = strawberry.field(description="The consents as saved; null on failure.")
    errors: list[BillingError]


def _refusal(
    code: domain_errors.BillingErrorCode, message: str, field: str | None = None
) -> BillingConsentsUpdatePayload:
    return BillingConsentsUpdatePayload(account=None, consents=None, errors=_errors(ServiceError(code, message, field)))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Set the viewer's own consents on an account of their household: documents electronically, payment "
            "reminders, an installment agreement requested. Only what is given changes. Staff choose for nobody."
        )
    )
    def billing_consents_update(self, info: Info, input: BillingConsentsUpdateInput) -> BillingConsentsUpdatePayload:
        user = signed_in_user(info)
        if user is None:
            return _refusal(
                domain_errors.BillingErrorCode.NOT_AUTHENTICATED, gettext("Sign in to choose your consents.")
            )
        pk = parse_global_id(input.account_id, type_name="BillingAccount", field="accountId")
        account = selectors.accounts_visible_to(user).filter(pk=pk).first()
        if account is None:
            return _refusal(domain_errors.BillingErrorCode.NOT_FOUND, gettext("Billing account not found."), "account")
        try:
            consent = services.consents_update(
                account=account,
                person=user,
                electronic_documents=input.electronic_documents,
                reminders=input.reminders,
                request_installment=input.request_installment,
                installment_note=input.installment_note,
            )
        except ServiceError as error:
            return BillingConsentsUpdatePayload(account=None, consents=None, errors=_errors(error))
        account = optimize(selectors.accounts_visible_to(user).filter(pk=account.pk), info).first()
        return BillingConsentsUpdatePayload(account=account, consents=ConsentsType.of(consent), errors=[])
