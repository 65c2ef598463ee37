"""Rows loaded into model instances without a call of `Model.__init__` per row, for the
models the API's lists read by the hundred.

Django makes every instance a query returns in `Model.from_db`, through `Model.__init__`:
the `pre_init` and `post_init` signals, and, for a query that reads some of the columns
(`only()`, as the API's optimizer asks), a pass over every field of the model to mark the
others deferred, then another to set each value through its attribute's descriptor. The
tickets list of 100 tickets makes about 500 instances (the tickets, their categories,
buildings, units and photos); their loading was a sixth of the request, more than
the hand-written floor's whole reading of the same data.

`from_db` is Django's documented hook for customising loading. `LeanLoading.from_db` makes
the instance Django would make: each loaded column in the instance's `__dict__` under its
attribute name, nothing for the deferred ones (Django's `DeferredAttribute` loads one when
it is read, as always), and a new `ModelState` that is not `adding` and knows its
database. It takes this path only when it is exactly what `Model.__init__` would do:

- nothing listens to the model's `pre_init` or `post_init` (asked on every call, so a
  receiver connected at any time, like the one an `ImageField` with dimension fields
  connects, is always honoured);
- no class of the model defines its own `__init__` or `__setattr__`;
- every concrete field's attribute stores the value it is given as it is: Django's plain
  and foreign-key attributes and its file attribute (a StreamField's converts raw data,
  an image's updates its dimensions: a model with one keeps Django's way).

Otherwise it is Django's own `from_db`. `tests/core/test_lean_loading.py` compares both
ways on every model that uses this.
"""

from __future__ import annotations

import functools
from inspect import getattr_static

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Attributes whose `__set__` (if any) only stores the value in the instance's `__dict__`
# when the instance is new: exact types, since a subclass may do more.
_STORING_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)


class LeanLoading:
    """A mixin for a model (before `models.Model` among its bases): its rows are loaded
    without `Model.__init__` whenever that gives the same instance (see the module)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        # `receivers` first: with none connected at all (pre_init, usually), not asked per model.
        if not loads_lean(cls) or _listened(pre_init, cls) or _listened(post_init, cls):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        # Django's query iterators hand the columns in the model's field order, with their
        # attribute names (`field_names`), whether all of them or some.
        instance.__dict__.update(zip(field_names, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        return instance


def _listened(signal, model) -> bool:
    return bool(signal.receivers) and signal.has_listeners(model)


@functools.cache
def loads_lean(model: type[Model]) -> bool:
    """Whether `Model.__init__` does nothing for `model` but store the values it is given
    (the signals aside, which are asked on every load)."""
    for klass in model.__mro__:
        # `Model.__init__` stores each value with `setattr`: a class's own `__setattr__`
        # (change tracking, say) would see them all.
        if klass not in (Model, object) and ("__init__" in vars(klass) or "__setattr__" in vars(klass)):
            return False
    for field in model._meta.concrete_fields:
        if type(getattr_static(model, field.attname, None)) not in _STORING_ATTRIBUTES:
            return False
    return True
