"""The tickets' GraphQL API: `types` (the ticket as each viewer sees it, the statistics),
`queries` (the root fields), `mutations` (inputs mapped to `services`, refusals to typed
errors), `arguments` (reading ids, times and uploads). It reads only through `selectors`
and asks `policy` what a viewer may do; the domain modules never import it.

`cms/schema.py` merges `Query` and `Mutation` from here into the root schema.
"""

from .mutations import Mutation
from .queries import Query
from .types import TicketType

__all__ = ["Mutation", "Query", "TicketType"]
