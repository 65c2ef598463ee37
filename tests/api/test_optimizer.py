"""The optimizer runs without a per-field middleware (`cms.core.graphql.optimizer`): every
list of model rows in the schema is a strawberry-django field, which optimizes the
queryset it resolves itself, or one of the few plain fields below that build their list
themselves (the middleware only ever optimized a queryset still to be run, so it never
touched those). A new plain field returning a queryset of model rows would load their
relations one query per row; this test makes it a decision before a query-count test
has to find it."""

from __future__ import annotations

from strawberry.types.base import StrawberryContainer, StrawberryList, StrawberryObjectDefinition
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.utils.typing import get_django_definition

from cms.core.graphql.optimizer import FieldOptimizerExtension
from cms.schema import schema

# Plain fields that return a Python list they built, never a queryset.
BUILD_THEIR_OWN_LIST = {
    "MessageMarkReadPayload.messages",  # the marked messages, read back by the mutation
    "NotificationPreferences.pushDevices",  # list(selectors.push_devices_of(user))
    "TicketComment.photos",  # from the comments' prefetch (types._comment_photos)
}


def _innermost(type_) -> tuple[object, bool]:
    is_list = False
    while isinstance(type_, StrawberryContainer):
        is_list = is_list or isinstance(type_, StrawberryList)
        type_ = type_.of_type
    return type_, is_list


def _lists_of_model_rows():
    for graphql_type in schema.schema_converter.type_map.values():
        definition = graphql_type.definition
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            row_type, is_list = _innermost(field.type)
            if getattr(field, "is_connection", False) or (is_list and get_django_definition(row_type) is not None):
                yield definition.name, field


def test_the_optimizer_adds_no_middleware_to_every_field():
    assert not FieldOptimizerExtension._implements_resolve()


def test_every_list_of_model_rows_is_a_strawberry_django_field():
    plain = {
        f"{type_name}.{schema.config.name_converter.get_graphql_name(field)}"
        for type_name, field in _lists_of_model_rows()
        if not isinstance(field, StrawberryDjangoField)
    }
    assert plain == BUILD_THEIR_OWN_LIST


def test_the_walk_finds_the_lists():
    found = {f"{type_name}.{field.python_name}" for type_name, field in _lists_of_model_rows()}
    assert {"Query.tickets", "Ticket.photos", "Query.news"} <= found
