"""strawberry-django's optimizer without its per-field middleware.

`DjangoOptimizerExtension` does two things: during execution it makes itself the
optimizer that strawberry-django's own fields use (each list, connection and queryset
field optimizes the queryset it resolves, in `StrawberryDjangoField.get_queryset`), and
it wraps *every* field's resolver with a middleware that optimizes any queryset a plain
resolver returns. Every field of the schema that resolves to a queryset is a
strawberry-django field, so the middleware only ever looked at titles, dates and labels:
about 2,400 extra calls per hundred tickets, and graphql-core wrapping each resolver anew
for each request (the middleware manager is built per request). The query-count tests of
every list (`tests/api`, `tests/tickets`, ...) hold the promise that nothing resolves a
queryset past the optimizer.
"""

from __future__ import annotations

from strawberry.extensions import SchemaExtension
from strawberry_django.optimizer import DjangoOptimizerExtension


class FieldOptimizerExtension(DjangoOptimizerExtension):
    # SchemaExtension's own `resolve`, which strawberry recognises as "not implemented"
    # and so builds no middleware for.
    resolve = SchemaExtension.resolve
