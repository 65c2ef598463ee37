"""The ticket workflow: reporting (deadlines from the category, for which place, by whom,
through which channel) and the reports refused.

The cast is `cast` of tests/conftest.py (once per module); the helpers are
`workflow_kit.py`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from operations.messaging.models import Message
from operations.tickets import selectors, services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketEvent
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, UnitFactory
from tests.tickets.workflow_kit import (
    S,
    new_ticket,
    refused,
)

pytestmark = pytest.mark.django_db


# --- Reporting -------------------------------------------------------------------------------


def test_deadlines_follow_the_category(cast):
    category = tf.CategoryFactory(response_hours=2, resolution_hours=30)
    before = timezone.now()
    ticket = new_ticket(cast, category=category)
    after = timezone.now()
    assert before <= ticket.created_at <= after
    assert ticket.response_due_at == ticket.created_at + timedelta(hours=2)
    assert ticket.due_at == ticket.created_at + timedelta(hours=30)
    assert ticket.status == S.NEW and ticket.contractor is None
    assert ticket.events.get().kind == TicketEvent.Kind.CREATED


def test_a_category_with_a_default_contractor_and_responsible_hands_the_ticket_over_at_once(cast):
    category = tf.CategoryFactory(default_contractor=cast.firm, default_responsible=cast.administrator)
    ticket = new_ticket(cast, category=category)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id, ticket.responsible_id) == (
        S.ASSIGNED,
        cast.firm.pk,
        cast.administrator.pk,
    )
    assert ticket.assigned_at is not None
    assert [e.kind for e in ticket.events.all()] == [TicketEvent.Kind.CREATED, TicketEvent.Kind.ASSIGNED]
    assert selectors.tickets_visible_to(cast.firm_worker).filter(pk=ticket.pk).exists()
    assert Actor.CONTRACTOR in selectors.actor_roles(ticket, cast.firm_worker)
    # The firm can start straight away.
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)


def test_a_category_whose_default_contractor_is_unpublished_leaves_the_ticket_to_the_dispatchers(cast):
    """ticket_assign refuses a firm that is not live; the category's default must not be a
    way to hand work to a firm taken out of the directory."""
    category = tf.CategoryFactory(default_contractor=tf.firm(live=False))
    ticket = new_ticket(cast, category=category)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id) == (S.NEW, None)


def test_a_resident_reports_for_their_unit_and_for_their_building(cast):
    in_unit = new_ticket(cast)
    assert (in_unit.unit_id, in_unit.building_id, in_unit.reporter_id) == (
        cast.unit.pk,
        cast.building.pk,
        cast.reporter.pk,
    )
    common = tf.report(cast.reporter, category=cast.category, building=cast.building, location="klatka 2, piętro 3")
    assert (common.unit_id, common.building_id, common.location) == (None, cast.building.pk, "klatka 2, piętro 3")
    # A unit names its building; a building given alongside it does not move the ticket.
    odd = tf.report(cast.reporter, category=cast.category, unit=cast.unit, building=cast.other_building)
    assert odd.building_id == cast.building.pk


@pytest.mark.parametrize(
    "where",
    ["neighbours_unit", "unit_of_other_building", "other_building", "no_place", "pending_membership_unit"],
)
def test_reporting_for_a_place_that_is_not_yours_is_refused(cast, where):
    pending_unit = UnitFactory(building=cast.building, number="99")
    MembershipFactory(user=cast.reporter, unit=pending_unit)  # requested, not verified
    places = {
        "neighbours_unit": {"unit": cast.other_unit},
        "unit_of_other_building": {"unit": UnitFactory(building=cast.other_building, number="98")},
        "other_building": {"building": cast.other_building},
        "no_place": {"building": None, "unit": None},
        "pending_membership_unit": {"unit": pending_unit},
    }
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    refused(
        lambda: services.ticket_create(
            reporter=cast.reporter, category=cast.category, title="Cieknie", description="Kapie.", **places[where]
        ),
        TicketErrorCode.PLACE_INVALID,
    )
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)


def test_staff_without_a_unit_cannot_report_in_their_own_name(cast):
    refused(
        lambda: services.ticket_create(
            reporter=cast.dispatcher, category=cast.category, title="Cieknie", description="Kapie.", unit=cast.unit
        ),
        TicketErrorCode.PLACE_INVALID,
    )


@pytest.mark.parametrize("source", [Ticket.Source.PHONE, Ticket.Source.EMAIL, Ticket.Source.OFFICE])
def test_only_staff_record_phone_email_and_office_reports(cast, source):
    count = Ticket.objects.count()
    for recorder in [None, cast.neighbour, cast.reporter, cast.firm_worker, cast.board]:
        refused(
            lambda recorder=recorder: new_ticket(cast, source=source, recorded_by=recorder),
            TicketErrorCode.FORBIDDEN,
        )
    assert Ticket.objects.count() == count
    ticket = new_ticket(cast, source=source, recorded_by=cast.dispatcher)
    assert (ticket.source, ticket.recorded_by_id, ticket.reporter_id) == (source, cast.dispatcher.pk, cast.reporter.pk)
    assert ticket.events.get().actor_id == cast.dispatcher.pk


def test_staff_taking_a_call_record_the_callers_contact_details(cast):
    """Ticket has contact_name/phone/email for reports taken by phone ("call back on this
    number"); ticket_create must let the staff member who records the report fill them in."""
    ticket = new_ticket(
        cast,
        source=Ticket.Source.PHONE,
        recorded_by=cast.dispatcher,
        contact_name="Anna Nowak",
        contact_phone="+48600100100",
        contact_email="anna.nowak@example.pl",
    )
    ticket.refresh_from_db()
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == (
        "Anna Nowak",
        "+48600100100",
        "anna.nowak@example.pl",
    )


@pytest.mark.parametrize("source", [Ticket.Source.PORTAL, Ticket.Source.APP])
def test_residents_report_through_the_portal_and_the_app(cast, source):
    assert new_ticket(cast, source=source).source == source


def test_an_unknown_source_is_refused(cast):
    refused(lambda: new_ticket(cast, source="carrier-pigeon", recorded_by=cast.dispatcher), TicketErrorCode.FORBIDDEN)


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"title": "  "}, TicketErrorCode.TITLE_REQUIRED),
        ({"title": "x" * 151}, TicketErrorCode.TITLE_REQUIRED),
        ({"description": ""}, TicketErrorCode.DESCRIPTION_REQUIRED),
        ({"description": "x" * 5001}, TicketErrorCode.DESCRIPTION_REQUIRED),
        ({"latitude": Decimal("52.2")}, TicketErrorCode.POSITION_INVALID),
        ({"latitude": Decimal("95"), "longitude": Decimal("21")}, TicketErrorCode.POSITION_INVALID),
        ({"latitude": Decimal("52.2"), "longitude": Decimal("-181")}, TicketErrorCode.POSITION_INVALID),
    ],
)
def test_invalid_reports_are_refused_and_leave_nothing_behind(cast, fields, code):
    tickets, events, messages = Ticket.objects.count(), TicketEvent.objects.count(), Message.objects.count()
    refused(lambda: new_ticket(cast, **fields), code)
    assert (Ticket.objects.count(), TicketEvent.objects.count(), Message.objects.count()) == (tickets, events, messages)


def test_inactive_categories_and_anonymous_reporters_are_refused(cast):
    refused(lambda: new_ticket(cast, category=tf.CategoryFactory(is_active=False)), TicketErrorCode.CATEGORY_INVALID)
    refused(
        lambda: services.ticket_create(
            reporter=AnonymousUser(), category=cast.category, title="Cieknie", description="Kapie.", unit=cast.unit
        ),
        TicketErrorCode.NOT_AUTHENTICATED,
    )


def test_a_position_within_range_is_kept(cast):
    ticket = new_ticket(cast, latitude=Decimal("52.229676"), longitude=Decimal("21.012229"))
    ticket.refresh_from_db()
    assert (ticket.latitude, ticket.longitude) == (Decimal("52.229676"), Decimal("21.012229"))
