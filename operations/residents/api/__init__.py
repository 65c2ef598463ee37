"""GraphQL for residents: the `viewer`, sign-in and sign-out, tokens, registration,
passwords and membership requests (Saleor's graphql/<domain>/ is the pattern).

`types` holds the strawberry types, `queries` and `mutations` the root fields, which
read only through selectors and write only through services. `cms/schema.py` merges
`Query` and `Mutation` into the one schema; `BuildingType`, `UnitType` and `EstateType`
are there for other apps to reuse.
"""

from .mutations import Mutation
from .queries import Query
from .types import BuildingType, EstateType, UnitType, Viewer

__all__ = ["BuildingType", "EstateType", "Mutation", "Query", "UnitType", "Viewer"]
