"""Model types whose fields answered from the instance alone take strawberry's short path.

Strawberry answers a "basic" field (no resolver, permission or extension) through a short
path: no `Info` object, no argument parsing, no extension chain. strawberry-django marks
every field of its own as not basic, because relations, lists, querysets and files need
its resolver. But most fields of a list are neither: a title, a date, a status label
computed from one column. A list of 100 tickets has about 2,000 of them, and the long
path was about a third of the time the API spent on them.

`model_type` is `strawberry_django.type` whose fields not declared otherwise are
`InstanceField`s, and `instance_field` declares one (with a description, or as the
decorator of a resolver). An `InstanceField` takes the short path when it is either

- a concrete, non-relational, non-file column of the model: answered as
  `getattr(instance, attname)`, exactly what strawberry-django returns for it;
- a forward many-to-one or one-to-one relation (a foreign key of this model): answered
  as the related row the list loaded with it (`select_related`, which the optimizer adds
  from the query), else as Django loads it. strawberry-django answers such a field the
  same way, reading the cached row first; it applies no `get_queryset` to a single
  related row; or
- a synchronous resolver that takes only `self` (no `info`, `root` or arguments) and
  returns neither a list nor a model type: answered as `resolver(instance)`;

and has no permission class or field extension. Anything else keeps strawberry-django's
path, but for one lean case: a synchronous resolver that takes `self` and `info` and no
arguments (the viewer's comments, photos and buttons of each ticket). Strawberry still
builds its `Info` for it; what is left out is strawberry-django's chain of wrappers
around the call (argument copies, the async check, three layers of functions): the
resolver is called with the instance and `info`, and a manager or queryset it returns
goes through strawberry-django's `get_queryset` and optimizer as before.

The optimizer is unaffected: it reads each field's `only`, `select_related` and
`prefetch_related` hints from the schema, not while resolving, so the columns a field
needs are still loaded with the list.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import strawberry_django
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import FileField, QuerySet
from django.db.models.manager import BaseManager
from strawberry.types.fields.resolver import INFO_PARAMSPEC, SELF_PARAMSPEC
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.resolvers import resolve_base_manager


class InstanceField(StrawberryDjangoField):
    # Set when the schema is built, which asks `is_basic_field` of each field once, after
    # every type has been processed: how to answer from the instance, or None.
    _read_instance: Callable[[Any], Any] | None = None
    # Likewise, set when the schema is built: the resolver to call as `f(instance, info)`.
    _call_with_info: Callable[[Any, Any], Any] | None = None

    def _instance_reader(self) -> Callable[[Any], Any] | None:
        if self.extensions or self.permission_classes:
            return None
        django_type = self.origin_django_type
        if django_type is None or django_type.is_input or django_type.is_filter:
            return None
        if self.base_resolver is not None:
            return self._resolver_reader()
        try:
            model_field = django_type.model._meta.get_field(self.django_name or self.python_name)
        except FieldDoesNotExist:
            return None
        if not model_field.concrete or isinstance(model_field, FileField):
            return None
        if model_field.is_relation:
            if model_field.many_to_one or model_field.one_to_one:
                return _related_row_reader(model_field)
            return None
        return operator.attrgetter(model_field.attname)

    def _resolver_reader(self) -> Callable[[Any], Any] | None:
        resolver = self.base_resolver
        if resolver.is_async or resolver.arguments:
            return None
        reserved = resolver.reserved_parameters
        if reserved.get(SELF_PARAMSPEC) is None:
            return None
        if any(parameter is not None for spec, parameter in reserved.items() if spec is not SELF_PARAMSPEC):
            return None
        if self.is_list or self.is_connection or self.is_paginated or self.django_type is not None:
            return None
        return resolver.wrapped_func

    def _lean_resolver(self) -> Callable[[Any, Any], Any] | None:
        resolver = self.base_resolver
        if resolver is None or resolver.is_async or resolver.arguments or self.extensions or self.permission_classes:
            return None
        if self.is_connection or self.is_paginated:
            return None
        reserved = resolver.reserved_parameters
        if reserved.get(SELF_PARAMSPEC) is None or reserved.get(INFO_PARAMSPEC) is None:
            return None
        if any(
            parameter is not None
            for spec, parameter in reserved.items()
            if spec not in (SELF_PARAMSPEC, INFO_PARAMSPEC)
        ):
            return None
        if reserved[INFO_PARAMSPEC].name != "info":
            return None
        return resolver.wrapped_func

    @property
    def is_basic_field(self) -> bool:
        self._read_instance = self._instance_reader()
        self._call_with_info = None if self._read_instance is not None else self._lean_resolver()
        return self._read_instance is not None

    def get_result(self, source, info, args, kwargs):
        read = self._read_instance
        if read is not None and source is not None:
            return read(source)
        call = self._call_with_info
        if call is not None and source is not None:
            result = call(source, info)
            if isinstance(result, BaseManager):
                result = resolve_base_manager(result)
            if isinstance(result, QuerySet):
                result = self.get_queryset_hook(info=info)(result)
            return result
        return super().get_result(source, info, args, kwargs)


def _related_row_reader(model_field) -> Callable[[Any], Any]:
    cache_name = model_field.cache_name
    name = model_field.name
    nullable = model_field.null

    def read(instance):
        try:
            return instance._state.fields_cache[cache_name]
        except KeyError:
            pass
        # Not loaded with the list: Django loads it, as strawberry-django would, and a
        # nullable key whose row is gone answers null there too.
        try:
            return getattr(instance, name)
        except ObjectDoesNotExist:
            if nullable:
                return None
            raise

    return read


def model_type(model, **options):
    """`strawberry_django.type` with `InstanceField` for the fields it creates."""
    return strawberry_django.type(model, field_cls=InstanceField, **options)


def instance_field(resolver=None, **options):
    """`strawberry_django.field` as an `InstanceField`: `x: str = instance_field(description=…)`
    for a column, or `@instance_field(only=[…])` on a resolver that takes only `self`."""
    if resolver is not None:
        return strawberry_django.field(resolver, field_cls=InstanceField, **options)
    return strawberry_django.field(field_cls=InstanceField, **options)
