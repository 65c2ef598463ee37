"""Which fields take strawberry's short path (`cms.core.graphql.fields`): those answered
from the model instance alone (its columns, and the rows its foreign keys point to), and
none that needs the request, arguments, a list, a reverse relation or a file. The answers
themselves are the same either way: every API test reads them."""

from __future__ import annotations

import pytest

from cms.core.graphql.fields import InstanceField
from cms.schema import schema
from operations.tickets.models import Ticket
from tests.factories import tickets as tf

SHORT = {
    # the firm is built from the ticket's own row (its name, phone and e-mail), no page loaded
    # category and unit: foreign keys, the rows loaded with the list (select_related)
    "Ticket": [
        "title", "created_at", "due_at", "status", "status_label", "is_overdue", "reference", "contractor",
        "category", "unit",
    ],  # fmt: skip
    "InboxMessage": ["subject", "is_read", "body", "link", "kind", "_id"],
    "NewsItem": ["lead", "valid_from"],
    "TicketCategory": ["name", "response_hours"],
    "Building": ["code"],
}
LONG = {
    # the request (info), a list, a reverse relation, a model type, a nested prefetch
    "Ticket": ["actions", "photos", "comments", "contact", "history"],
    "NewsItem": ["lead_image"],
}


def _field(type_name: str, python_name: str):
    definition = schema.get_type_by_name(type_name)
    return next(field for field in definition.fields if field.python_name == python_name)


@pytest.mark.parametrize(("type_name", "name"), [(t, n) for t, names in SHORT.items() for n in names])
def test_fields_answered_from_the_instance_take_the_short_path(type_name, name):
    field = _field(type_name, name)
    assert isinstance(field, InstanceField)
    assert field.is_basic_field


@pytest.mark.parametrize(("type_name", "name"), [(t, n) for t, names in LONG.items() for n in names])
def test_fields_needing_more_than_the_instance_keep_strawberry_djangos_path(type_name, name):
    assert not _field(type_name, name).is_basic_field


@pytest.mark.django_db
def test_a_deferred_column_is_loaded_when_read():
    ticket = tf.report(tf.build_cast().reporter, title="Cieknie kran")
    deferred = Ticket.objects.only("id").get(pk=ticket.pk)
    assert _field("Ticket", "title").get_result(deferred, None, [], {}) == "Cieknie kran"


@pytest.mark.django_db
def test_a_foreign_key_not_loaded_with_the_list_is_loaded_when_read():
    ticket = tf.report(tf.build_cast().reporter, title="Cieknie kran")
    loaded = Ticket.objects.select_related("category").get(pk=ticket.pk)
    bare = Ticket.objects.get(pk=ticket.pk)
    category = _field("Ticket", "category")
    assert category.get_result(loaded, None, [], {}) == ticket.category
    assert category.get_result(bare, None, [], {}) == ticket.category


@pytest.mark.django_db
def test_a_foreign_key_prefetched_away_reads_as_missing():
    """What the optimizer's filtered prefetch left out stays out: the cached None, not a
    fresh load of the row."""
    from django.db.models import Prefetch

    from operations.tickets.models import Category

    ticket = tf.report(tf.build_cast().reporter, title="Cieknie kran")
    none_of_them = Prefetch("category", queryset=Category.objects.none())
    filtered = Ticket.objects.prefetch_related(none_of_them).get(pk=ticket.pk)
    assert _field("Ticket", "category").get_result(filtered, None, [], {}) is None


@pytest.mark.django_db
def test_a_nullable_foreign_key_whose_row_is_gone_reads_as_null():
    """As strawberry-django answers it (its `except_as_none`); the database's deferred
    constraint lets the test point the key at nothing until the transaction ends."""
    ticket = tf.report(tf.build_cast().reporter, title="Cieknie kran")
    Ticket.objects.filter(pk=ticket.pk).update(unit_id=987654)
    try:
        assert _field("Ticket", "unit").get_result(Ticket.objects.get(pk=ticket.pk), None, [], {}) is None
    finally:  # the constraint is checked when the test's transaction ends
        Ticket.objects.filter(pk=ticket.pk).update(unit_id=ticket.unit_id)
