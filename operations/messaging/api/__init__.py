"""GraphQL for messaging (Saleor's `graphql/<domain>/` layout): `types`, `queries` (the
viewer's inbox and preferences, as fields `Viewer` inherits) and `mutations`.

Resolvers only translate: reads come from `selectors`, writes from `services`.
"""

from .mutations import Mutation
from .queries import ViewerMessagingFields

__all__ = ["Mutation", "ViewerMessagingFields"]
