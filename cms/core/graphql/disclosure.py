"""How much the API tells a client about its own schema (GRAPHQL_INTROSPECTION).

On in development and tests: GraphiQL needs introspection, and "Did you mean …?" helps
whoever writes a query. Off in production unless an operator turns it on for a trusted
environment: introspection (`__schema`, `__type`) would hand anyone the whole map of the
API, and suggestions in error messages would let them rebuild it a name at a time. The
public contract is the snapshot `graphql/schema.graphql`, which `export_schema` writes
from the code without asking the endpoint. `__typename` stays: clients rely on it.

The setting is read on every request (tests switch it with override_settings). Suggestions
in the errors of variable values are hidden by `execution.HubExecutionContext`.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from graphql import validate
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule


def schema_is_disclosed() -> bool:
    return bool(getattr(settings, "GRAPHQL_INTROSPECTION", True))


class SchemaDisclosure(SchemaExtension):
    """Validation without introspection or suggestions when the schema is not disclosed.

    Strawberry validates without graphql-core's `hide_suggestions`; validating here first
    (strawberry skips its own validation when an extension has done it) is the one place
    to ask for it. The rules are the operation's (the limiters' included) plus the two
    strawberry always adds.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not schema_is_disclosed() and context.pre_execution_errors is None:
            context.pre_execution_errors = validate(
                context.schema._schema,
                context.graphql_document,
                (
                    *context.validation_rules,
                    MaybeNullValidationRule,
                    OneOfInputValidationRule,
                    NoSchemaIntrospectionCustomRule,
                ),
                hide_suggestions=True,
            )
        yield

