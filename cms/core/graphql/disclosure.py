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

from cms.core.memo import BoundedMemo, text_digest


def schema_is_disclosed() -> bool:
    return bool(getattr(settings, "GRAPHQL_INTROSPECTION", True))


# Documents found valid, by the digest of their text and everything the rules depend on.
_valid_documents = BoundedMemo(kept=512)


def _validation_key(query: str, disclosed: bool) -> tuple:
    return (text_digest(query), disclosed, settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)


def forget_valid_documents() -> None:
    _valid_documents.clear()


class SchemaDisclosure(SchemaExtension):
    """Validation without introspection or suggestions when the schema is not disclosed,
    and each valid document validated once.

    Strawberry validates without graphql-core's `hide_suggestions`, and again on every
    request; validating here (strawberry skips its own validation when an extension has
    done it) is the one place to ask for both. The rules are the operation's (the limiters'
    included) plus the two strawberry always adds, and the introspection rule when the
    schema is not disclosed. Validation depends only on the document, the schema and those
    rules, so a document found valid is remembered by a digest of its text, the disclosure
    and the limits (about 1.5 ms of a tickets list). Invalid documents are validated each
    time: their errors are built afresh for each answer.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and context.validation_rules:
            disclosed = schema_is_disclosed()
            key = _validation_key(context.query or "", disclosed)
            if _valid_documents.get(key):
                context.pre_execution_errors = []
            else:
                rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
                if not disclosed:
                    rules = (*rules, NoSchemaIntrospectionCustomRule)
                errors = validate(
                    context.schema._schema, context.graphql_document, rules, hide_suggestions=not disclosed
                )
                if not errors:
                    _valid_documents.put(key, True)
                context.pre_execution_errors = errors
        yield
