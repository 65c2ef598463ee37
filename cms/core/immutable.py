"""Rows that are written once and never changed or deleted: a ledger's entries, the votes
of a resolution. The model refuses `save()` of an existing row and `delete()`; its query
set refuses `update`, `bulk_update`, `update_or_create`, an upserting `bulk_create` and
`delete`. Set the model's `Meta.base_manager_name = "objects"` as well, so that Django's
own writes of related rows go through the same query set. A mistake is put right by a
new row (a correction, a later vote), never by an edit.
"""

from __future__ import annotations

from django.db import models


class ImmutableRecordError(Exception):
    """Raised on any attempt to change or delete an immutable row."""


class ImmutableQuerySet(models.QuerySet):
    """Rows are inserted and read, never updated or deleted in bulk."""

    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model.__name__} rows are never changed; add a new one instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError(f"{self.model.__name__} rows are never changed; add a new one instead.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise ImmutableRecordError(f"{self.model.__name__} rows are never changed; add a new one instead.")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        # An upsert (`ON CONFLICT DO UPDATE`) would rewrite the rows it collides with.
        if update_conflicts:
            raise ImmutableRecordError(f"{self.model.__name__} rows are never changed; add a new one instead.")
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        raise ImmutableRecordError(f"{self.model.__name__} rows are never deleted.")

    delete.queryset_only = True


class ImmutableModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} {self.pk} is never changed; add a new one instead.")
        # Always an insert: a new object carrying an existing row's id would otherwise
        # update that row; now it fails on the duplicate key.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{type(self).__name__} {self.pk} is never deleted.")
