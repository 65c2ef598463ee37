"""Strawberry's execution context, with what the schema checks of the variables as a whole
before graphql-core coerces them (an error here is answered like any invalid variable).

- Text must be valid Unicode. JSON's `\\ud800` escapes can carry a lone surrogate, which
  no database can store or compare (encoding it for SQLite or PostgreSQL fails), so any
  string argument anywhere would be a server error. Like NUL (refused by the view), it
  is refused once here rather than in every resolver.
- No "Did you mean …?" in the errors of variable values when the schema is not disclosed
  (see `disclosure`).

It also answers the commonest fields on short paths. graphql-core builds an `Info` object,
locates the field in a path, calls the resolver through strawberry's wrapper and completes
the value through generic steps for each field: for a list of 100 tickets, some 2,500
times a request.

- A leaf (scalar or enum), or a list of them, that strawberry built as a basic field
  (`fields.InstanceField`, or any field without resolver, arguments, permission or
  extension) is read and coerced in one call.
- An object read by such a field (a foreign key's row, a connection's node) has its own
  fields executed at once, without an `Info` or the generic completion.
- A field with `InstanceField`'s lean call (the object and `info`, nothing else) gets its
  `Info` and graphql-core's completion, but not strawberry's wrapper, which such a field
  does not use.

Anything unusual (an error, a null for a non-null field, a value the scalar does not
accept, an object of another type, a deferred fragment) is left to graphql-core's own
path (a leaf is read again, an object's value is handed on), which reports it exactly
as before. Nothing of this runs when
the schema has middleware, which wraps every resolver.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Awaitable, Callable, Iterator
from inspect import isawaitable
from types import GeneratorType
from typing import Any

from django.utils.translation import gettext as _
from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

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
        try:
            for response_name, field_details_list, answer, step, lean in self._field_plan(
                parent_type, grouped_field_set
            ):
                if answer is not None:
                    value = answer(source_value)
                    if value is not _NOT_ANSWERED:
                        results[response_name] = value
                        continue
                if step is not None and position_context is None:
                    value = self._execute_object_field(
                        parent_type, source_value, path, response_name, field_details_list, step
                    )
                elif lean is not None:
                    value = self._execute_lean_field(
                        parent_type, source_value, path, response_name, field_details_list, position_context, lean
                    )
                else:
                    # Not a plain leaf, or one the short path handed back: graphql-core's own
                    # path answers it (again) and reports whatever is wrong.
                    value = self.execute_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if value is Undefined:
                        continue
                results[response_name] = value
                if not _is_ordinary(value) and isawaitable(value):
                    pending.append(response_name)
        except Exception:
            if pending:
                # As graphql-core does: what other fields started is settled, not dropped.
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results

        async def awaited() -> dict[str, Any]:
            if len(pending) == 1:
                results[pending[0]] = await results[pending[0]]
            else:
                values = await gather_with_cancel(*(results[name] for name in pending))
                results.update(zip(pending, values, strict=True))
            return results

        return awaited()

    def _execute_object_field(self, parent_type, source_value, path, response_name, field_details_list, step):
        """An object read by a basic resolver (a foreign key's row, a connection's node),
        its fields executed at once: what `execute_field`, `complete_value` and
        `complete_object_value` do for it, without an `Info` or the generic steps. The
        resolver is called once; anything unusual about its value (a null for a non-null
        field, an object of another type, an error in collecting the object's fields) is
        completed by graphql-core's `complete_value`, and an error is reported as
        `execute_field` reports it."""
        field_def, resolve, field_type, object_type = step
        field_path = Path(path, response_name, parent_type.name)
        try:
            value = resolve(source_value)
            if value is None and field_type is object_type:  # a nullable field's null
                return None
            completed = self._execute_object(object_type, field_details_list, field_path, value)
            if completed is _NOT_ANSWERED:
                info = self.build_resolve_info(
                    field_def, [details.node for details in field_details_list], parent_type, field_path
                )
                if isawaitable(value):
                    return self.complete_awaitable_value(field_type, field_details_list, info, field_path, value, None)
                completed = self.complete_value(field_type, field_details_list, info, field_path, value, None)
        except Exception as error:
            # A null here and the error reported, or, for a non-null field, the error
            # passed up to the nearest nullable one.
            self.handle_field_error(error, field_type, field_details_list, field_path)
            return None
        return self._reported_on_field(completed, field_type, field_details_list, field_path)

    def _reported_on_field(self, completed, return_type, field_details_list, field_path):
        """A field's completed value as `execute_field` hands it on: as it is, or, when it
        is awaitable, awaited with an error it raises reported on this field."""
        if _is_ordinary(completed) or not isawaitable(completed):
            return completed

        async def awaited() -> Any:
            try:
                return await completed
            except Exception as error:
                self.handle_field_error(error, return_type, field_details_list, field_path)
                return None

        return awaited()

    def _execute_object(self, object_type, field_details_list, field_path, value):
        """The object's fields, or `_NOT_ANSWERED` when `value` is not plainly an object of
        `object_type` whose fields can be collected without a deferred fragment."""
        if (
            value is None
            or value is Undefined
            or (not _is_ordinary(value) and (isinstance(value, Exception) or isawaitable(value)))
        ):
            return _NOT_ANSWERED
        is_type_of = object_type.is_type_of
        if is_type_of is not None:
            try:
                if is_type_of(value, None) is not True:
                    return _NOT_ANSWERED
            except Exception:  # one that needs the `Info`
                return _NOT_ANSWERED
        try:
            grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(object_type, field_details_list)
        except Exception:  # e.g. a null variable for @include: graphql-core reports it on this field
            return _NOT_ANSWERED
        if new_defer_usages:
            return _NOT_ANSWERED
        return self.execute_fields(object_type, value, field_path, grouped_field_set, None)

    def _execute_lean_field(
        self, parent_type, source_value, path, response_name, field_details_list, position_context, lean
    ):
        """A field whose resolver takes the object and `info` and nothing else
        (`fields.InstanceField`'s lean call: a ticket's comments, photos and buttons):
        `execute_field` with the field's own `get_result` called directly, without
        strawberry's generic wrapper (argument parsing, the extension chain, closures made
        per call), which such a field does not use. Completion and errors are graphql-core's."""
        field_def, field, info_class = lean
        return_type = field_def.type
        field_path = Path(path, response_name, parent_type.name)
        info = self.build_resolve_info(
            field_def, [details.node for details in field_details_list], parent_type, field_path
        )
        try:
            strawberry_info = info_class(_raw_info=info, _field=field)
            # The arguments as strawberry's `get_arguments` makes them for a resolver that
            # takes `self` and `info`: the lean call needs none of them, but a `get_result`
            # replaced by a test's twin (strawberry-django's own) does.
            result = field.get_result(source_value, strawberry_info, [source_value], {"info": strawberry_info})
            if isawaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, field_path, result, position_context
                )
            completed = self.complete_value(return_type, field_details_list, info, field_path, result, position_context)
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, field_path)
            return None
        return self._reported_on_field(completed, return_type, field_details_list, field_path)

    def _field_plan(self, parent_type, grouped_field_set) -> list[tuple[str, Any, Any, Any, Any]]:
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
                lean = self._lean_step(field_def) if plain and leaf is None and step is None else None
                plan.append((response_name, field_details_list, leaf, step, lean))
            # The grouped field set is kept with its plan, so that its id is never reused.
            known = plans[key] = (grouped_field_set, plan)
        return known[1]

    def _lean_step(self, field_def: GraphQLField) -> tuple[GraphQLField, Any, type] | None:
        """For a field with `InstanceField`'s lean call, no arguments and a schema without
        exception handlers (strawberry's wrapper would apply them): the field, its strawberry
        field and the `Info` class resolvers are given; None otherwise."""
        field = field_def.extensions.get(DEFINITION_BACKREF)
        if getattr(field, "_call_with_info", None) is None or field_def.args:
            return None
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        if strawberry_schema is None or strawberry_schema.exception_handlers:
            return None
        return field_def, field, strawberry_schema.config.info_class


def _probe(source, info):
    """A resolver no middleware has seen: the manager hands it back unwrapped when empty."""


_NOT_ANSWERED = object()
# Whether values of a type are ordinary (neither an error nor awaitable), known by their
# exact type: `inspect.isawaitable` asks an abstract base class each time (it was 3 % of a
# list's time on leaves alone), and the answer is the type's, but for generators (a
# generator-based coroutine is awaitable, another generator is not), which are never
# taken for ordinary.
_ORDINARY_TYPES: dict[type, bool] = dict.fromkeys(
    (str, int, float, bool, dict, list, datetime.datetime, datetime.date, decimal.Decimal), True
)


def _is_ordinary(value) -> bool:
    kind = type(value)
    ordinary = _ORDINARY_TYPES.get(kind)
    if ordinary is None:
        ordinary = _ORDINARY_TYPES[kind] = not issubclass(kind, (BaseException, Awaitable, GeneratorType))
    return ordinary


BASIC_RESOLVER = "_get_basic_result"
DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
# By the field's identity; the field is kept, so that its id is never reused.
_LEAF_ANSWERS: dict[int, tuple[GraphQLField, Callable[[Any], Any] | None]] = {}


def _leaf_answer(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    known = _LEAF_ANSWERS.get(id(field_def))
    if known is None:
        known = _LEAF_ANSWERS[id(field_def)] = (field_def, _leaf_answer_for(field_def))
    return known[1]


def _object_step(field_def: GraphQLField) -> tuple[GraphQLField, Callable[[Any], Any], Any, GraphQLObjectType] | None:
    """For an object field (not a list, an interface or a union) read by a basic resolver:
    the field, its resolver, its type and the object type; None otherwise."""
    resolve = field_def.resolve
    if resolve is None or getattr(resolve, "__name__", "") != BASIC_RESOLVER or field_def.args:
        return None
    object_type = get_nullable_type(field_def.type)
    if not isinstance(object_type, GraphQLObjectType):
        return None
    return field_def, resolve, field_def.type, object_type


def _leaf_answer_for(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How to answer `field_def` in one call, or None when graphql-core's path must."""
    resolve = field_def.resolve
    # The resolver strawberry gives a basic field, which needs no `Info` and no arguments
    # (`schema_converter`'s `_get_basic_result`); its other resolvers take `info`.
    if resolve is None or getattr(resolve, "__name__", "") != BASIC_RESOLVER or field_def.args:
        return None
    leaf = get_nullable_type(field_def.type)
    if isinstance(leaf, GraphQLList):
        return _leaf_list_answer(resolve, field_def.type)
    if not is_leaf_type(leaf):
        return None
    nullable = not is_non_null_type(field_def.type)
    coerce = leaf.coerce_output_value

    def answer(source):
        try:
            value = resolve(source)
            if value is None or value is Undefined:
                return None if nullable else _NOT_ANSWERED
            if not _is_ordinary(value) and (isinstance(value, Exception) or isawaitable(value)):
                return _NOT_ANSWERED
            coerced = coerce(value)
        except Exception:
            return _NOT_ANSWERED
        if coerced is None or coerced is Undefined:
            return _NOT_ANSWERED
        return coerced

    return answer


def _leaf_list_answer(resolve: Callable[[Any], Any], list_type) -> Callable[[Any], Any] | None:
    """For a list of leaves (a ticket's next statuses): the list read and each item coerced
    in one call, when the value is a plain list or tuple; anything else, a null where none
    may be or an item the type refuses, is graphql-core's to answer."""
    item_type = get_nullable_type(list_type).of_type
    leaf = get_nullable_type(item_type)
    if not is_leaf_type(leaf):
        return None
    nullable = not is_non_null_type(list_type)
    items_nullable = not is_non_null_type(item_type)
    coerce = leaf.coerce_output_value

    def answer(source):
        try:
            value = resolve(source)
            if value is None or value is Undefined:
                return None if nullable else _NOT_ANSWERED
            if type(value) not in (list, tuple):
                return _NOT_ANSWERED
            answered = []
            for item in value:
                if item is None or item is Undefined:
                    if not items_nullable:
                        return _NOT_ANSWERED
                    answered.append(None)
                    continue
                if not _is_ordinary(item) and (isinstance(item, Exception) or isawaitable(item)):
                    return _NOT_ANSWERED
                coerced = coerce(item)
                if coerced is None or coerced is Undefined:
                    return _NOT_ANSWERED
                answered.append(coerced)
        except Exception:
            return _NOT_ANSWERED
        return answered

    return answer
