"""Billing's GraphQL API: `types` (an account as its household or the accountants see it,
the viewer's `billingAccounts`), `queries` (the staff's root fields). It reads only through
`selectors`; the domain modules never import it. There are no mutations yet.

`cms/schema.py` merges `Query` into the root schema and adds `ViewerBillingFields` to `Viewer`.
"""

from .queries import Query
from .types import BillingAccountType, ViewerBillingFields

__all__ = ["BillingAccountType", "Query", "ViewerBillingFields"]
