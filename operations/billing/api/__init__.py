"""Billing's GraphQL API: `types` (an account as its household or the accountants see it,
the viewer's `billingAccounts`, documents, consents and the payment code), `queries` (the
staff's root fields), `mutations` (`billingConsentsUpdate`) and `batching` (a page of
accounts answered at once). It reads only through `selectors`; the domain modules never
import it.

`cms/schema.py` merges `Query` and `Mutation` into the root schema and adds
`ViewerBillingFields` to `Viewer`.
"""

from .mutations import Mutation
from .queries import Query
from .types import BillingAccountType, ViewerBillingFields

__all__ = ["BillingAccountType", "Mutation", "Query", "ViewerBillingFields"]
