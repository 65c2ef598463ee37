"""Who sees billing documents (statements, payment demands, interest notes).

A document is seen by whoever sees its account (`accounts_visible_to`): the residents who
hold the unit as the account's audience says (tenants per `BILLING_TENANTS_SEE_ACCOUNTS`,
a NAMED account's members only) and billing staff (`billing.view_billingaccount`), never
a contractor's worker, another household or the anonymous visitor. One rule, so that
the download view, the API and the admin answer alike; refusing says "not found".
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import BillingConsent, BillingDocument


def documents_visible_to(person) -> QuerySet[BillingDocument]:
    from . import accounts_visible_to

    return BillingDocument.objects.filter(account__in=accounts_visible_to(person).values("pk"))


def electronic_recipients(account, people) -> list:
    """Those of `people` (the account's viewers) who chose documents electronically for
    `account`, in the order given: one query."""
    chosen = set(
        BillingConsent.objects.filter(
            account=account, electronic_documents=True, person__in=[person.pk for person in people]
        ).values_list("person_id", flat=True)
    )
    return [person for person in people if person.pk in chosen]
