"""`cms.core.loading.LeanLoading`: rows loaded without `Model.__init__` make the instance
Django makes, for every model that uses it, every way a query loads rows (whole rows,
some columns, related rows joined or prefetched), and Django's own way is kept whenever
it would do more than store the values."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Model, Prefetch
from django.db.models.signals import post_init, pre_init
from wagtail.images.models import Image
from wagtail.models import Page

from cms.core import loading
from cms.core.loading import LeanLoading, loads_lean
from operations.residents.models import Building, Unit
from operations.tickets import services
from operations.tickets.models import Category, Ticket, TicketComment, TicketEvent, TicketPhoto
from tests.factories import tickets as tf
from tests.factories.pictures import jpeg

pytestmark = pytest.mark.django_db

LEAN_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, LeanLoading)), key=lambda model: model._meta.label
)


def test_the_models_of_the_lists_load_lean():
    # The point of the mixin: a field added later that needs Django's way (a StreamField,
    # an image with dimensions) would quietly take it away; say so here instead.
    assert {model._meta.label for model in LEAN_MODELS} >= {
        "tickets.Ticket", "tickets.Category", "tickets.TicketPhoto", "tickets.TicketComment", "tickets.TicketEvent",
        "residents.Building", "residents.Unit",
    }  # fmt: skip
    assert [model for model in LEAN_MODELS if not loads_lean(model)] == []


def test_models_whose_init_does_more_keep_djangos_way():
    assert not loads_lean(Page)  # its own __init__
    assert not loads_lean(Image)  # an image field that keeps its width and height


def _snapshot(instance, within: frozenset = frozenset()):
    """Everything an instance holds, its related rows' too (compared as snapshots); a row
    already being described (a prefetched child points back to its parent) by its key."""
    if instance is None:
        return None
    if id(instance) in within:
        return type(instance), instance.pk
    within = within | {id(instance)}
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    for name, value in list(values.items()):
        if isinstance(value, list):  # a prefetch's `to_attr`
            values[name] = [_snapshot(item, within) for item in value]
    if hasattr(instance, "_prefetched_objects_cache"):
        values["_prefetched_objects_cache"] = {
            name: [_snapshot(item, within) for item in queryset]
            for name, queryset in instance._prefetched_objects_cache.items()
        }
    state = instance._state
    cached = {name: _snapshot(related, within) for name, related in state.fields_cache.items()}
    return type(instance), values, (state.adding, state.db, cached), instance.get_deferred_fields()


@pytest.fixture
def world():
    cast = tf.build_cast()
    photo = services.photos_process([jpeg()])
    tickets = []
    for n in range(3):
        ticket = tf.report(cast.reporter, title=f"Usterka {n}", photos=photo if n % 2 == 0 else ())
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
        services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Notatka", internal=True)
        tickets.append(ticket)
    tf.report(cast.reporter, unit=None, building=cast.building, title="Klatka schodowa")
    return cast


QUERIES = {
    "whole rows": lambda: Ticket.objects.all(),
    "some columns": lambda: Ticket.objects.only("id", "title", "created_at"),
    "deferred columns": lambda: Ticket.objects.defer("description", "location"),
    "joined related rows": lambda: Ticket.objects.select_related("category", "building", "unit", "unit__building"),
    "joined, some columns": lambda: Ticket.objects.select_related("category", "unit").only(
        "id", "status", "category__name", "unit__number"
    ),
    "a nullable related row": lambda: Ticket.objects.filter(unit__isnull=True).select_related("unit"),
    "prefetched": lambda: Ticket.objects.prefetch_related("photos", "comments", "events", "category"),
    "prefetched to a list": lambda: Ticket.objects.prefetch_related(
        Prefetch("photos", queryset=TicketPhoto.objects.only("id", "ticket_id"), to_attr="listed")
    ),
    "reversed": lambda: Category.objects.prefetch_related("tickets"),
    "units and buildings": lambda: Unit.objects.select_related("building", "building__estate"),
    "buildings": lambda: Building.objects.all(),
    "comments": lambda: TicketComment.objects.select_related("ticket", "author"),
    "events": lambda: TicketEvent.objects.only("id", "kind", "ticket_id"),
    "photos": lambda: TicketPhoto.objects.all(),
    "raw": lambda: Ticket.objects.raw("SELECT id, title, status FROM tickets_ticket"),
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_each_query_loads_what_djangos_way_loads(world, query, monkeypatch):
    lean = [_snapshot(instance) for instance in query()]
    monkeypatch.setattr(loading, "loads_lean", lambda model: False)
    django = [_snapshot(instance) for instance in query()]
    assert lean, "the query found nothing to compare"
    assert lean == django


def test_lean_instances_read_deferred_columns_save_and_refresh(world):
    ticket = Ticket.objects.only("id", "title").order_by("id").first()
    assert ticket.get_deferred_fields() >= {"description", "status"}
    assert ticket.description == "Od wczoraj kapie z kranu, woda zbiera się pod zlewem."  # loaded when read
    ticket.title = "Cieknie bardziej"
    ticket.save(update_fields=["title"])  # an update, not an insert
    assert Ticket.objects.get(pk=ticket.pk).title == "Cieknie bardziej"
    assert Ticket.objects.count() == 4
    category = Category.objects.get(pk=ticket.category_id)
    category.name = "Inna"
    category.save()
    category.refresh_from_db()
    assert category.name == "Inna"


@pytest.mark.parametrize("signal", [pre_init, post_init], ids=["pre_init", "post_init"])
def test_a_receiver_of_the_init_signals_is_honoured(world, signal):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender)

    signal.connect(receiver, sender=Ticket)
    try:
        loaded = list(Ticket.objects.only("id"))
    finally:
        signal.disconnect(receiver, sender=Ticket)
    assert seen == [Ticket] * len(loaded)
    assert list(Ticket.objects.only("id")) == loaded and seen == [Ticket] * len(loaded)  # and no more after


def test_the_lean_way_is_the_one_taken(world, monkeypatch):
    # The comparison above compares two ways, not one way with itself.
    made = []
    django_init = Model.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self))
        django_init(self, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", counting)
    assert list(Ticket.objects.select_related("category")) and made == []
    monkeypatch.setattr(loading, "loads_lean", lambda model: False)
    loaded = list(Ticket.objects.select_related("category"))
    assert sorted(made, key=str) == sorted([Ticket, Category] * len(loaded), key=str)
