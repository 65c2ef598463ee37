"""Strawberry's execution context, with what the schema checks of the variables as a whole
before graphql-core coerces them (an error here is answered like any invalid variable).

- Text must be valid Unicode. JSON's `\\ud800` escapes can carry a lone surrogate, which
  no database can store or compare (encoding it for SQLite or PostgreSQL fails), so any
  string argument anywhere would be a server error. Like NUL (refused by the view), it
  is refused once here rather than in every resolver.
- No "Did you mean …?" in the errors of variable values when the schema is not disclosed
  (see `disclosure`).

It also answers the commonest field of all on a short path: a leaf (scalar or enum) that
strawberry built as a basic field (`fields.InstanceField`, or any field without resolver,
arguments, permission or extension). graphql-core builds an `Info` object, locates the
field in a path, calls the resolver through strawberry's wrapper and completes the value
through four generic steps for each of them: for a list of 100 tickets, some 1,500 times
a request. Here such a field is read and coerced in one call; anything unusual about
it (an error, a null for a non-null field, a value the scalar does not accept) is left
to graphql-core's own path, which answers it again and reports it exactly as before.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any

from django.utils.translation import gettext as _
from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cms.core.graphql.disclosure import schema_is_disclosed
from cms.core.graphql.errors import bad_input


def json_strings(value) -> Iterator[str]:
    """Every string in decoded JSON, keys included. Walked with a list, not recursion:
    JSON may nest hundreds of levels deep."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_valid_text(value) -> bool:
    return all(_is_encodable(text) for text in json_strings(value))


def invalid_text_errors(variables: dict | None) -> list[GraphQLError]:
    return [
        bad_input(_("The value of $%(name)s is not valid text.") % {"name": name})
        for name, value in (variables or {}).items()
        if not _is_valid_text(value)
    ]


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, schema, document, root_value=None, context_value=None, raw_variable_values=None, *args, **kwargs):
        errors = invalid_text_errors(raw_variable_values)
        if errors:
            return errors
        if not schema_is_disclosed():
            kwargs["hide_suggestions"] = True
        context = super().build(schema, document, root_value, context_value, raw_variable_values, *args, **kwargs)
        if isinstance(context, cls):
            # Strawberry always passes a middleware manager; the short path is open only
            # when it holds no middleware, which would wrap every resolver.
            manager = context.middleware_manager
            context.leaves_take_short_path = manager is None or manager.get_field_resolver(_probe) is _probe
        return context

    leaves_take_short_path = False

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        """An object's fields, its plain leaves answered without a `Path` or a call per
        field: what each field takes is worked out once per selection (graphql-core hands
        every item of a list the same grouped field set), and only the other fields, or a
        leaf the short path hands back, go through `execute_field`."""
        if source_value is None or not self.leaves_take_short_path:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        pending: list[str] = []
        for response_name, field_details_list, answer, step in self._field_plan(parent_type, grouped_field_set):
            if answer is not None:
                value = answer(source_value)
                if value is not _NOT_ANSWERED:
                    results[response_name] = value
                    continue
            elif step is not None and position_context is None:
                value = self._execute_object_field(
                    parent_type, source_value, path, response_name, field_details_list, step
                )
                if value is not _NOT_ANSWERED:
                    results[response_name] = value
                    if isawaitable(value):
                        pending.append(response_name)
                    continue
            # Not a plain leaf, or one the short path handed back: graphql-core's own path
            # answers it (again) and reports whatever is wrong.
            result = self.execute_field(
                parent_type,
                source_value,
                field_details_list,
                Path(path, response_name, parent_type.name),
                position_context,
            )
            if result is not Undefined:
                results[response_name] = result
                if isawaitable(result):
                    pending.append(response_name)
        if not pending:
            return results

        async def awaited() -> dict[str, Any]:
            for name in pending:
                results[name] = await results[name]
            return results

        return awaited()

    def _execute_object_field(self, parent_type, source_value, path, response_name, field_details_list, step):
        """An object read by a basic resolver (a foreign key's row, a connection's node),
        its fields executed at once: what `execute_field`, `complete_value` and
        `complete_object_value` do for it, without an `Info` or the generic steps. Anything
        unusual (an error while reading, a null for a non-null field, an object of another
        type, a deferred fragment) is handed back to graphql-core's own path."""
        resolve, field_type, object_type = step
        try:
            value = resolve(source_value)
        except Exception:
            return _NOT_ANSWERED
        if value is None or value is Undefined:
            return None if field_type is object_type else _NOT_ANSWERED
        if isinstance(value, Exception) or isawaitable(value):
            return _NOT_ANSWERED
        is_type_of = object_type.is_type_of
        if is_type_of is not None:
            try:
                if is_type_of(value, None) is not True:
                    return _NOT_ANSWERED
            except Exception:
                return _NOT_ANSWERED
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return _NOT_ANSWERED
        field_path = Path(path, response_name, parent_type.name)
        try:
            completed = self.execute_fields(object_type, value, field_path, grouped_field_set, None)
        except Exception as error:
            # As `execute_field` does: a null here and the error reported, or, for a
            # non-null field, the error passed up to the nearest nullable one.
            self.handle_field_error(error, field_type, field_details_list, field_path)
            return None
        if not isawaitable(completed):
            return completed

        async def awaited() -> Any:
            try:
                return await completed
            except Exception as error:
                self.handle_field_error(error, field_type, field_details_list, field_path)
                return None

        return awaited()

    def _field_plan(self, parent_type, grouped_field_set) -> list[tuple[str, Any, Any, Any]]:
        plans = self.__dict__.setdefault("_field_plans", {})
        key = (id(parent_type), id(grouped_field_set))
        known = plans.get(key)
        if known is None:
            plan = []
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                field_def = parent_type.fields.get(node.name.value)
                plain = field_def is not None and not node.arguments
                leaf = _leaf_answer(field_def) if plain else None
                step = _object_step(field_def) if plain and leaf is None else None
                plan.append((response_name, field_details_list, leaf, step))
            # The grouped field set is kept with its plan, so that its id is never reused.
            known = plans[key] = (grouped_field_set, plan)
        return known[1]


def _probe(source, info):
    """A resolver no middleware has seen: the manager hands it back unwrapped when empty."""


_NOT_ANSWERED = object()
# Values that are neither an error nor awaitable, known by their exact type: the commonest
# leaves skip the two checks (`isawaitable` alone was 3 % of a list's time).
_PLAIN_VALUES = frozenset({str, int, float, bool, datetime.datetime, datetime.date, decimal.Decimal})
BASIC_RESOLVER = "_get_basic_result"
# By the field's identity; the field is kept, so that its id is never reused.
_LEAF_ANSWERS: dict[int, tuple[GraphQLField, Callable[[Any], Any] | None]] = {}


def _leaf_answer(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    known = _LEAF_ANSWERS.get(id(field_def))
    if known is None:
        known = _LEAF_ANSWERS[id(field_def)] = (field_def, _leaf_answer_for(field_def))
    return known[1]


def _object_step(field_def: GraphQLField) -> tuple[Callable[[Any], Any], Any, GraphQLObjectType] | None:
    """For an object field (not a list, an interface or a union) read by a basic resolver:
    the resolver, the field's type and the object type; None otherwise."""
    resolve = field_def.resolve
    if resolve is None or getattr(resolve, "__name__", "") != BASIC_RESOLVER or field_def.args:
        return None
    object_type = get_nullable_type(field_def.type)
    if not isinstance(object_type, GraphQLObjectType):
        return None
    return resolve, field_def.type, object_type


def _leaf_answer_for(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How to answer `field_def` in one call, or None when graphql-core's path must."""
    resolve = field_def.resolve
    # The resolver strawberry gives a basic field, which needs no `Info` and no arguments
    # (`schema_converter`'s `_get_basic_result`); its other resolvers take `info`.
    if resolve is None or getattr(resolve, "__name__", "") != BASIC_RESOLVER or field_def.args:
        return None
    leaf = get_nullable_type(field_def.type)
    if not is_leaf_type(leaf):
        return None
    nullable = not is_non_null_type(field_def.type)
    coerce = leaf.coerce_output_value

    def answer(source):
        try:
            value = resolve(source)
            if value is None or value is Undefined:
                return None if nullable else _NOT_ANSWERED
            if type(value) not in _PLAIN_VALUES and (isinstance(value, Exception) or isawaitable(value)):
                return _NOT_ANSWERED
            coerced = coerce(value)
        except Exception:
            return _NOT_ANSWERED
        if coerced is None or coerced is Undefined:
            return _NOT_ANSWERED
        return coerced

    return answer
