"""The ticket workflow: who may move a ticket from which status to which, through which
service, and what reporting, assigning, rating, reopening and closing do.

The transition matrix is generated from `workflow.TRANSITIONS`: every (from status, to
status, kind of person) is tried through the service that offers that change, and exactly
the changes the table allows succeed. A refusal is a `ServiceError` with a
`TicketErrorCode` and leaves the ticket, its history and the outbox as they were.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.forms.models import model_to_dict
from django.utils import timezone

from cms.core.exceptions import ServiceError
from operations.messaging.models import Message
from operations.tickets import selectors, services, workflow
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketComment, TicketEvent
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db

S = Ticket.Status
NOTE = "Brak części, czekamy na dostawę."


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with tf.shared_cast(django_db_blocker) as built:
        yield built


# --- Helpers ---------------------------------------------------------------------------------

# Kinds of people and what the workflow table calls them (None: nothing, on any ticket).
ACTOR_KINDS = {
    "dispatcher": Actor.STAFF,
    "administrator": Actor.STAFF,
    "firm_worker": Actor.CONTRACTOR,
    "reporter": Actor.REPORTER,
    "co_resident": Actor.REPORTER,  # a verified resident of the ticket's unit
    "board": None,  # sees every ticket, dispatches none
    "neighbour": None,  # resident of another unit of the same building
    "other_worker": None,  # worker of another firm
    "anonymous": None,
}


def person(cast, kind: str):
    return AnonymousUser() if kind == "anonymous" else getattr(cast, kind)


def state(ticket: Ticket) -> dict:
    """Everything a refused call must leave untouched."""
    row = model_to_dict(Ticket.objects.get(pk=ticket.pk))
    return {
        "ticket": row,
        "events": list(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True)),
        "comments": TicketComment.objects.filter(ticket=ticket).count(),
        "messages": Message.objects.count(),
    }


def refused(call, code: TicketErrorCode | set | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert TicketErrorCode(caught.value.code) in TicketErrorCode  # a typed code, not a bare message
    if code is not None:
        codes = code if isinstance(code, set) else {code}
        assert caught.value.code in codes, caught.value.code
    return caught.value


def assert_refused_and_unchanged(ticket, call, code=None) -> ServiceError:
    before = state(ticket)
    error = refused(call, code)
    assert state(ticket) == before
    return error


def new_ticket(cast, **fields) -> Ticket:
    fields.setdefault("category", cast.category)
    fields.setdefault("unit", cast.unit)
    return tf.report(cast.reporter, **fields)


def ticket_in(cast, status: str, *, contractor="firm", done_days_ago: float = 1) -> Ticket:
    firm = cast.firm if contractor == "firm" else contractor
    return tf.put_in_status(new_ticket(cast), status, contractor=firm, done_days_ago=done_days_ago)


# --- The matrix ------------------------------------------------------------------------------

# Every status change some service offers: the plain ones of ticketTransition, and "assigned"
# (assignment from before the work, reopening from done).
TARGETS = sorted(workflow.DIRECT_TARGETS | {S.ASSIGNED})
MATRIX = [
    pytest.param(start, target, kind, id=f"{start}->{target}-{kind}")
    for start in S.values
    for target in TARGETS
    for kind in ACTOR_KINDS
]


def attempt(cast, ticket: Ticket, target: str, actor, note: str = NOTE):
    """Ask for `ticket` → `target` through the service that offers that change."""
    if ticket.status == S.DONE and target in {S.ACCEPTED, S.ASSIGNED}:
        return services.ticket_reopen(ticket=ticket, actor=actor, reason=note)
    if target == S.ASSIGNED:
        firm = cast.other_firm if ticket.status == S.ASSIGNED else cast.firm
        return services.ticket_assign(ticket=ticket, actor=actor, contractor=firm, note=note)
    return services.ticket_transition(ticket=ticket, actor=actor, to_status=target, note=note)


@pytest.mark.parametrize("start, target, kind", MATRIX)
def test_transition_matrix(cast, start, target, kind):
    # Reopening to "accepted" is for a done ticket that has no firm; every other ticket has
    # one, so that the firm's workers are its contractor wherever the table could allow them.
    contractor = None if (start, target) == (S.DONE, S.ACCEPTED) else "firm"
    ticket = ticket_in(cast, start, contractor=contractor)
    actor = person(cast, kind)
    allowed = ACTOR_KINDS[kind] in workflow.allowed_actors(start, target)

    if not allowed:
        assert_refused_and_unchanged(
            ticket,
            lambda: attempt(cast, ticket, target, actor),
            {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.NOT_AUTHENTICATED},
        )
        return

    events_before = ticket.events.count()
    attempt(cast, ticket, target, actor)
    ticket.refresh_from_db()
    assert ticket.status == target
    event = ticket.events.order_by("-at", "-id").first()
    assert ticket.events.count() == events_before + 1
    assert (event.from_status, event.to_status, event.actor_id) == (start, target, actor.pk)
    assert event.note == NOTE


@pytest.mark.parametrize("start", S.values)
def test_the_system_closes_only_what_the_table_lets_it(cast, start):
    """SYSTEM's one path is the periodic closing of done tickets nobody confirmed."""
    ticket = ticket_in(cast, start, done_days_ago=30)
    services.tickets_close_unconfirmed()
    ticket.refresh_from_db()
    if Actor.SYSTEM in workflow.allowed_actors(start, S.CLOSED):
        assert ticket.status == S.CLOSED
    else:
        assert ticket.status == start
    for (from_status, to_status), actors in workflow.TRANSITIONS.items():
        if Actor.SYSTEM in actors:
            assert (from_status, to_status) == (S.DONE, S.CLOSED)


def test_nobody_moves_a_ticket_back_to_new(cast):
    assert not any(to_status == S.NEW for _from, to_status in workflow.TRANSITIONS)
    ticket = ticket_in(cast, S.ACCEPTED, contractor=None)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.NEW, note=NOTE),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


NOTE_CELLS = [pytest.param(start, target, id=f"{start}->{target}") for start, target in sorted(workflow.NOTE_REQUIRED)]


@pytest.mark.parametrize("start, target", NOTE_CELLS)
@pytest.mark.parametrize("note", ["", "   \n "])
def test_changes_that_must_say_why_are_refused_without_a_note(cast, start, target, note):
    ticket = ticket_in(cast, start)
    actor = cast.dispatcher if Actor.STAFF in workflow.allowed_actors(start, target) else cast.firm_worker
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=actor, to_status=target, note=note),
        TicketErrorCode.NOTE_REQUIRED,
    )


def test_changes_without_a_note_requirement_pass_without_one(cast):
    ticket = ticket_in(cast, S.ASSIGNED)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_a_ticket_worked_through_from_report_to_rating_keeps_its_whole_history(cast):
    ticket = new_ticket(cast)
    services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.ACCEPTED)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.WAITING, note=NOTE)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Wymieniono zawór.")
    services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=5, comment="Szybko i czysto.")

    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED and ticket.rating == 5 and ticket.rating_comment == "Szybko i czysto."
    assert ticket.closed_at and ticket.done_at and ticket.first_response_at and ticket.contractor_accepted_at
    steps = [(e.kind, e.from_status, e.to_status) for e in ticket.events.all()]
    assert [step[2] for step in steps if step[0] == TicketEvent.Kind.STATUS] == [
        S.ACCEPTED,
        S.IN_PROGRESS,
        S.WAITING,
        S.IN_PROGRESS,
        S.DONE,
        S.CLOSED,
    ]
    assert steps[0] == (TicketEvent.Kind.CREATED, "", S.NEW)
    assert (TicketEvent.Kind.RATED, "", "") in steps


def test_plain_transition_refuses_assignment_and_reopening_targets(cast):
    ticket = new_ticket(cast)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.ASSIGNED),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


@pytest.mark.parametrize("kind", ["reporter", "dispatcher"])
def test_plain_transition_cannot_reopen_a_done_ticket_around_the_reopening_rules(cast, settings, kind):
    """(done → accepted) is reopening: `ticket_reopen` checks the window, asks why, counts it,
    resets the deadline and tells the firm. ticketTransition must not offer a way around it:
    here the work was done 30 days ago (the closing task has not run yet)."""
    ticket = ticket_in(cast, S.DONE, done_days_ago=30)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=person(cast, kind), to_status=S.ACCEPTED),
        {TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.REOPEN_EXPIRED},
    )


# --- Assignment ------------------------------------------------------------------------------

NON_STAFF = ["reporter", "co_resident", "firm_worker", "board", "neighbour", "other_worker", "anonymous"]


@pytest.mark.parametrize("start", S.values)
@pytest.mark.parametrize("kind", NON_STAFF)
def test_only_staff_assign_a_ticket_whatever_its_status(cast, start, kind):
    """Handing a ticket to a firm is a dispatcher's decision; the table's (done → assigned)
    for the reporter is reopening, which has its own service and rules."""
    ticket = ticket_in(cast, start)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=person(cast, kind), contractor=cast.other_firm),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.NOT_AUTHENTICATED},
    )


def test_assigning_a_done_ticket_is_reopening_not_assignment(cast):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


def test_assignment_to_a_worker_of_another_firm_or_an_unpublished_firm_is_refused(cast):
    ticket = new_ticket(cast)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(
            ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.other_worker
        ),
        TicketErrorCode.WORKER_INVALID,
    )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=None),
        TicketErrorCode.CONTRACTOR_INVALID,
    )
    hidden = tf.firm(live=False)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=hidden),
        TicketErrorCode.CONTRACTOR_INVALID,
    )


def test_handing_to_another_firm_takes_it_from_the_first(cast):
    ticket = new_ticket(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    ticket.refresh_from_db()
    assert (ticket.contractor_id, ticket.worker_id, ticket.contractor_accepted_at) == (cast.other_firm.pk, None, None)
    assert not selectors.tickets_visible_to(cast.firm_worker).filter(pk=ticket.pk).exists()
    assert selectors.tickets_visible_to(cast.other_worker).filter(pk=ticket.pk).exists()


def test_the_firm_declining_gives_the_ticket_back_without_a_firm(cast):
    ticket = new_ticket(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.ACCEPTED, note="Nie mamy ludzi.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id, ticket.worker_id) == (S.ACCEPTED, None, None)
    assert not selectors.tickets_visible_to(cast.firm_worker).filter(pk=ticket.pk).exists()


def test_contractor_acceptance_is_for_the_assigned_firm_and_happens_once(cast):
    ticket = ticket_in(cast, S.ASSIGNED)
    for kind in ["other_worker", "reporter", "board", "anonymous"]:
        assert_refused_and_unchanged(
            ticket,
            lambda kind=kind: services.ticket_contractor_accept(ticket=ticket, actor=person(cast, kind)),
            TicketErrorCode.FORBIDDEN,
        )
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    ticket.refresh_from_db()
    accepted_at, events = ticket.contractor_accepted_at, ticket.events.count()
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_manager)
    ticket.refresh_from_db()
    assert (ticket.contractor_accepted_at, ticket.events.count()) == (accepted_at, events)
    started = ticket_in(cast, S.IN_PROGRESS)
    assert_refused_and_unchanged(
        started, lambda: services.ticket_contractor_accept(ticket=started, actor=cast.firm_worker)
    )


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


# --- Rating, reopening, closing --------------------------------------------------------------


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_rating_the_work_closes_the_ticket(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating, comment="  Dziękuję.  ")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (S.CLOSED, rating, "Dziękuję.")
    assert ticket.closed_at is not None
    assert ticket.events.filter(kind=TicketEvent.Kind.RATED, actor=cast.reporter).count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, 10])
def test_a_rating_outside_one_to_five_is_refused(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating),
        TicketErrorCode.RATING_INVALID,
    )


@pytest.mark.parametrize("rating", ["abc", None, ""])
def test_a_rating_that_is_not_a_whole_number_is_a_typed_refusal(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating),
        TicketErrorCode.RATING_INVALID,
    )


@pytest.mark.parametrize("kind", ["dispatcher", "firm_worker", "board", "neighbour", "anonymous"])
def test_only_the_residents_of_the_unit_rate(cast, kind):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=person(cast, kind), rating=4),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED},
    )
    services.ticket_rate(ticket=ticket, actor=cast.co_resident, rating=4)


@pytest.mark.parametrize("start", [s for s in S.values if s != S.DONE])
def test_only_done_tickets_are_rated(cast, start):
    ticket = ticket_in(cast, start)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=5),
        {TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.FORBIDDEN},
    )


@pytest.mark.parametrize("with_firm", [True, False], ids=["back-to-the-firm", "back-to-dispatch"])
def test_reopening_within_the_window(cast, settings, with_firm):
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, contractor="firm" if with_firm else None, done_days_ago=2.9)
    Ticket.objects.filter(pk=ticket.pk).update(warned_at=timezone.now(), overdue_at=timezone.now())
    before = timezone.now()
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie.")
    ticket.refresh_from_db()
    assert ticket.status == (S.ASSIGNED if with_firm else S.ACCEPTED)
    assert (ticket.reopened_count, ticket.done_at, ticket.warned_at, ticket.overdue_at) == (1, None, None, None)
    assert before + timedelta(hours=cast.category.resolution_hours) <= ticket.due_at
    assert ticket.events.last().note == "Nadal cieknie."


def test_reopening_after_the_window_is_refused(cast, settings):
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, done_days_ago=3.01)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie."),
        TicketErrorCode.REOPEN_EXPIRED,
    )


def test_reopening_a_ticket_the_system_closed_after_the_window_says_it_expired(cast, settings):
    """Once the window has passed the closing task closes the ticket; the resident who then
    tries to reopen should read "report anew" (REOPEN_EXPIRED), as one a minute earlier would."""
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, done_days_ago=4)
    services.tickets_close_unconfirmed()
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie."),
        TicketErrorCode.REOPEN_EXPIRED,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_says_what_is_still_wrong(cast, reason):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason=reason),
        TicketErrorCode.NOTE_REQUIRED,
    )


@pytest.mark.parametrize("kind", ["firm_worker", "board", "neighbour", "other_worker", "anonymous"])
def test_only_the_residents_and_staff_reopen(cast, kind):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=person(cast, kind), reason="Nadal cieknie."),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED},
    )


@pytest.mark.parametrize("start", [s for s in S.values if s != S.DONE])
@pytest.mark.parametrize("with_firm", [True, False], ids=["firm", "no-firm"])
def test_only_done_tickets_are_reopened(cast, start, with_firm):
    """Reopening is done → accepted/assigned; a dispatcher "reopening" a new or assigned
    ticket would count a reopening that never happened and move its deadline."""
    ticket = ticket_in(cast, start, contractor="firm" if with_firm else None)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.dispatcher, reason="Nadal cieknie."),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


def test_unconfirmed_done_tickets_close_themselves_after_the_window_once(cast, settings):
    settings.TICKET_REOPEN_DAYS = 5
    stale = ticket_in(cast, S.DONE, done_days_ago=5.01)
    recent = ticket_in(cast, S.DONE, done_days_ago=4.9)
    working = ticket_in(cast, S.IN_PROGRESS)
    assert services.tickets_close_unconfirmed() == 1
    for ticket in (stale, recent, working):
        ticket.refresh_from_db()
    assert (stale.status, recent.status, working.status) == (S.CLOSED, S.DONE, S.IN_PROGRESS)
    event = stale.events.last()
    assert (event.from_status, event.to_status, event.actor_id) == (S.DONE, S.CLOSED, None)
    events, messages = TicketEvent.objects.count(), Message.objects.count()
    assert services.tickets_close_unconfirmed() == 0
    assert (TicketEvent.objects.count(), Message.objects.count()) == (events, messages)
    # Later the recent one is due as well; `now` lets beat's clock be simulated.
    later = timezone.now() + timedelta(days=1)
    assert services.tickets_close_unconfirmed(now=later) == 1
    recent.refresh_from_db()
    assert recent.status == S.CLOSED


def test_the_closing_task_runs_the_service(cast, settings):
    from operations.tickets import tasks

    settings.TICKET_REOPEN_DAYS = 1
    ticket = ticket_in(cast, S.DONE, done_days_ago=2)
    assert tasks.tickets_close_unconfirmed.delay().result == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED


# --- Deadlines -------------------------------------------------------------------------------


def test_only_dispatchers_change_deadlines_and_say_why(cast):
    ticket = new_ticket(cast)
    later = ticket.due_at + timedelta(days=2)
    for kind in ["board", "reporter", "firm_worker", "anonymous"]:
        assert_refused_and_unchanged(
            ticket,
            lambda kind=kind: services.ticket_deadline_change(
                ticket=ticket, actor=person(cast, kind), due_at=later, reason="Czekamy na część."
            ),
            TicketErrorCode.FORBIDDEN,
        )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=later, reason=" "),
        TicketErrorCode.NOTE_REQUIRED,
    )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_deadline_change(
            ticket=ticket, actor=cast.dispatcher, due_at=ticket.created_at, reason="Pomyłka."
        ),
        TicketErrorCode.DEADLINE_INVALID,
    )
    services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=later, reason="Czekamy na część.")
    ticket.refresh_from_db()
    assert ticket.due_at == later
    event = ticket.events.last()
    assert event.kind == TicketEvent.Kind.DEADLINE and "Czekamy na część." in event.note


@pytest.mark.parametrize("kind", ["board", "reporter", "firm_worker", "other_worker", "neighbour", "anonymous"])
def test_who_cannot_dispatch_cannot_change_status_from_new(cast, kind):
    ticket = new_ticket(cast)
    for target in [S.ACCEPTED, S.REJECTED]:
        assert_refused_and_unchanged(
            ticket,
            lambda target=target: services.ticket_transition(
                ticket=ticket, actor=person(cast, kind), to_status=target, note=NOTE
            ),
        )
