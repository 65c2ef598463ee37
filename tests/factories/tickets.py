"""Factories and helpers for the tickets tests: categories, residents, staff, contractor
firms with their workers, and tickets made through the services (as a resident's report
would make them), or put into a given status for the workflow matrix.

People are made through the residents and contractors services, so their groups and
permissions are exactly those of production; a user's permission cache is dropped by
reloading them after a role is granted.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import factory
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from cms.contractors import services as contractors
from cms.contractors.models import ContractorIndexPage, ContractorPage
from cms.home.models import HomePage
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.tickets import services
from operations.tickets.models import Category, Ticket
from tests.factories.content import make_trade
from tests.factories.residents import MembershipFactory, UserFactory

User = get_user_model()
_numbers = itertools.count(1)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Kategoria testowa {n}")
    slug = factory.Sequence(lambda n: f"kategoria-testowa-{n}")
    urgency = Category.Urgency.URGENT
    response_hours = 4
    resolution_hours = 48
    is_active = True


def fresh(user):
    """The same person reloaded: Django caches permissions on the user object."""
    return User.objects.get(pk=user.pk)


def resident(unit, *, role=Membership.Role.OWNER, **user_fields):
    """A person with a verified membership of `unit`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return fresh(user)


def staff(role: str = "dispatcher", **user_fields):
    """A staff member with `role` (dispatcher, administrator, board, ...)."""
    user = UserFactory(**user_fields)
    residents.staff_role_assign(user=user, role=role)
    return fresh(user)


def _contractor_index() -> ContractorIndexPage:
    home = HomePage.objects.get(depth=2)
    index = ContractorIndexPage.objects.child_of(home).first()
    return index or home.add_child(instance=ContractorIndexPage(title="Wykonawcy", slug="wykonawcy", live=True))


def firm(*, title: str | None = None, live: bool = True) -> ContractorPage:
    """A contractor firm in the directory (live unless told otherwise). Added to the tree
    directly, without revisions: publishing the whole site tree costs most of a second."""
    n = next(_numbers)
    page = ContractorPage(
        title=title or f"Firma Instalacyjna {n}", slug=f"firma-tickets-{n}", trade=make_trade(), live=live
    )
    return _contractor_index().add_child(instance=page)


def worker(of_firm, *, is_manager: bool = False, **user_fields):
    """A person working for `of_firm` (a manager when `is_manager`)."""
    user = UserFactory(**user_fields)
    contractors.contractor_staff_add(user=user, firm=of_firm, is_manager=is_manager)
    return fresh(user)


def report(reporter, *, category=None, unit=None, building=None, **fields) -> Ticket:
    """A ticket reported through `services.ticket_create` (for `unit` unless a building is given)."""
    if unit is None and building is None:
        membership = Membership.objects.filter(user=reporter, status=Membership.Status.VERIFIED).first()
        unit = membership.unit
    fields.setdefault("title", "Cieknie kran w kuchni")
    fields.setdefault("description", "Od wczoraj kapie z kranu, woda zbiera się pod zlewem.")
    return services.ticket_create(
        reporter=reporter, category=category or CategoryFactory(), unit=unit, building=building, **fields
    )


def report_at(moment, reporter, **fields) -> Ticket:
    """A ticket reported at `moment` (in the past), as if the service's clock said so: every
    time the service records (created_at, deadlines and whatever else it starts from now)
    comes from that moment."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return report(reporter, **fields)


def put_in_status(ticket: Ticket, status: str, *, contractor=None, done_days_ago: float = 0) -> Ticket:
    """Put a ticket straight into `status` (with `contractor`), bypassing the workflow: the
    starting point of one cell of the transition matrix."""
    now = timezone.now()
    updates = {"status": status, "contractor": contractor}
    if contractor is not None:
        updates["assigned_at"] = now
    if status == Ticket.Status.DONE:
        updates["done_at"] = now - timezone.timedelta(days=done_days_ago)
    if status in {Ticket.Status.CLOSED, Ticket.Status.REJECTED}:
        updates["closed_at"] = now
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    ticket.refresh_from_db()
    return ticket


@dataclass
class Cast:
    """Everyone around one ticket in building A, unit A/1."""

    building: object
    unit: object
    other_unit: object
    other_building: object
    reporter: object
    neighbour: object  # verified resident of another unit of the same building
    co_resident: object  # verified resident of the reporter's unit
    stranger: object  # verified resident of another building
    dispatcher: object
    administrator: object
    board: object
    firm: object
    other_firm: object
    firm_worker: object
    firm_manager: object
    other_worker: object
    category: object


def build_cast(*, with_firms: bool = True) -> Cast:
    """Building A (units 1 and 2) and building B of one estate, their residents, the three
    kinds of staff, and two firms (a worker and a manager of the first, a worker of the
    second). `with_firms=False` skips the firms, which need the page tree (gone in
    transactional tests after the first flush)."""
    from tests.factories.residents import BuildingFactory, EstateFactory, UnitFactory

    n = next(_numbers)
    estate = EstateFactory()
    building = BuildingFactory(estate=estate, code=f"A{n}", street="ul. Lipowa", number="1")
    other_building = BuildingFactory(estate=estate, code=f"B{n}", street="ul. Lipowa", number="3")
    unit = UnitFactory(building=building, number="1")
    other_unit = UnitFactory(building=building, number="2")
    unit_b = UnitFactory(building=other_building, number="1")
    the_firm = other_firm = firm_worker = firm_manager = other_worker = None
    if with_firms:
        the_firm, other_firm = firm(title=f"Hydro-Serwis {n}"), firm(title=f"Elektro-Bud {n}")
        firm_worker = worker(the_firm, username=f"monter{n}")
        firm_manager = worker(the_firm, is_manager=True, username=f"kierownik{n}")
        other_worker = worker(other_firm, username=f"elektryk{n}")
    return Cast(
        building=building,
        unit=unit,
        other_unit=other_unit,
        other_building=other_building,
        reporter=resident(unit, username=f"zglaszajacy{n}", first_name="Anna", last_name="Nowak"),
        neighbour=resident(other_unit, username=f"sasiad{n}"),
        co_resident=resident(unit, role=Membership.Role.TENANT, username=f"wspollokator{n}"),
        stranger=resident(unit_b, username=f"obcy{n}"),
        dispatcher=staff("dispatcher", username=f"dyspozytor{n}"),
        administrator=staff("administrator", username=f"administrator{n}"),
        board=staff("board", username=f"zarzad{n}"),
        firm=the_firm,
        other_firm=other_firm,
        firm_worker=firm_worker,
        firm_manager=firm_manager,
        other_worker=other_worker,
        category=CategoryFactory(),
    )


_open_casts: list[dict] = []


@contextmanager
def shared_cast(django_db_blocker, **options):
    """A cast built once for a whole test module, inside an outer transaction that is rolled
    back when the module ends (as Django's TestCase.setUpTestData does): each test's own
    transaction is then a savepoint inside it. Tests must not change the shared Python
    objects (reload a person with `fresh` before changing them).

    pytest-django runs transactional tests after all others, but while the module's
    fixture is still open when they are in the same module: such tests call
    `close_shared_casts` first, so that they commit for real (other threads see it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        opened = {"outer": outer}
        _open_casts.append(opened)
        try:
            yield build_cast(**options)
        finally:
            _close(opened)


def _close(opened: dict) -> None:
    if opened in _open_casts:
        _open_casts.remove(opened)
        transaction.set_rollback(True)
        opened["outer"].__exit__(None, None, None)


def close_shared_casts(django_db_blocker) -> None:
    with django_db_blocker.unblock():
        for opened in reversed(list(_open_casts)):
            _close(opened)
