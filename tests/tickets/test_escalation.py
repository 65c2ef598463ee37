"""SLA escalation: a warning when the share of the time to the deadline has passed, an
overdue mark when the deadline passes, each sent once however often and by however many
workers the beat task runs, and started afresh when the deadline changes.

Time is simulated through the `now` argument of `tickets_escalate` (what beat's clock
would be), and tickets are created with their deadlines through the service.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

from operations.messaging.models import Message
from operations.tickets import services, tasks
from operations.tickets.models import Ticket, TicketEvent
from operations.tickets.services import escalation
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

S = Ticket.Status
HOURS = 10  # resolution time of the category used here


@pytest.fixture
def ticket(cast):
    """A ticket with a 10-hour deadline, handed to the firm's worker; the category names an
    administrator as responsible."""
    category = tf.CategoryFactory(response_hours=1, resolution_hours=HOURS, default_responsible=cast.administrator)
    created = tf.report(cast.reporter, category=category, unit=cast.unit)
    services.ticket_assign(ticket=created, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    created.refresh_from_db()
    return created


def at(ticket: Ticket, share: float):
    """The moment when `share` of the time from report to deadline has passed."""
    return ticket.created_at + (ticket.due_at - ticket.created_at) * share


def received(user, template_word: str, ticket: Ticket) -> list[Message]:
    """Messages `user` got about `ticket` whose dedupe key names `template_word`."""
    messages = Message.objects.filter(recipient=user, dedupe_key__startswith=f"ticket:{ticket.pk}:")
    return list(messages.filter(dedupe_key__contains=template_word))


def escalations(ticket: Ticket) -> list[str]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.ESCALATED).values_list("note", flat=True))


# --- The warning -----------------------------------------------------------------------------


def test_no_warning_before_the_share_has_passed(ticket):
    assert services.tickets_escalate(now=at(ticket, 0.79)) == {"warned": 0, "overdue": 0, "unanswered": 0}
    ticket.refresh_from_db()
    assert ticket.warned_at is None and escalations(ticket) == []


def test_the_warning_goes_once_to_the_firms_managers_and_the_dispatchers(cast, ticket):
    moment = at(ticket, 0.8)
    assert services.tickets_escalate(now=moment) == {"warned": 1, "overdue": 0, "unanswered": 0}
    ticket.refresh_from_db()
    assert ticket.warned_at == moment and ticket.overdue_at is None
    assert len(escalations(ticket)) == 1
    for person in (cast.firm_manager, cast.dispatcher):
        [message] = received(person, "warning", ticket)
        assert ticket.reference in message.subject and ticket.reference in message.body_text
    # Only managers of the firm are warned; the reporter, the board and other firms are not.
    for person in (cast.reporter, cast.board, cast.other_worker, cast.stranger):
        assert received(person, "warning", ticket) == []

    for later in (0.85, 0.9, 0.99):
        assert services.tickets_escalate(now=at(ticket, later)) == {"warned": 0, "overdue": 0, "unanswered": 0}
    assert len(escalations(ticket)) == 1
    assert len(received(cast.dispatcher, "warning", ticket)) == 1


def test_the_share_comes_from_the_settings(settings, ticket):
    settings.TICKET_WARNING_SHARE = 0.5
    assert services.tickets_escalate(now=at(ticket, 0.49))["warned"] == 0
    assert services.tickets_escalate(now=at(ticket, 0.5))["warned"] == 1


@pytest.mark.parametrize("status", [S.DONE, S.CLOSED, S.REJECTED])
def test_finished_tickets_are_neither_warned_nor_marked(ticket, status):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    assert services.tickets_escalate(now=at(ticket, 0.9)) == {"warned": 0, "overdue": 0, "unanswered": 0}
    assert services.tickets_escalate(now=at(ticket, 3)) == {"warned": 0, "overdue": 0, "unanswered": 0}
    assert escalations(ticket) == []


@pytest.mark.parametrize("status", [S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING])
def test_every_open_status_is_escalated(ticket, status):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    assert services.tickets_escalate(now=at(ticket, 0.9))["warned"] == 1
    assert services.tickets_escalate(now=at(ticket, 1.1))["overdue"] == 1


def test_a_ticket_without_a_firm_warns_the_dispatchers(cast):
    ticket = tf.report(cast.reporter, category=tf.CategoryFactory(resolution_hours=HOURS), unit=cast.unit)
    assert services.tickets_escalate(now=at(ticket, 0.95))["warned"] == 1
    assert len(received(cast.dispatcher, "warning", ticket)) == 1


# --- Overdue ---------------------------------------------------------------------------------


def test_past_the_deadline_it_is_marked_overdue_once_and_the_administrators_are_told(cast, ticket):
    other_admin = tf.staff("administrator")
    moment = at(ticket, 1.01)
    assert services.tickets_escalate(now=moment) == {"warned": 0, "overdue": 1, "unanswered": 0}
    ticket.refresh_from_db()
    assert ticket.overdue_at == moment and ticket.is_overdue
    for person in (cast.administrator, other_admin):
        [message] = received(person, "overdue", ticket)
        assert ticket.reference in message.subject and ticket.reference in message.body_text
    assert received(cast.reporter, "overdue", ticket) == []
    assert received(cast.firm_worker, "overdue", ticket) == []
    for later in (1.02, 2, 10):
        assert services.tickets_escalate(now=at(ticket, later)) == {"warned": 0, "overdue": 0, "unanswered": 0}
    assert len(escalations(ticket)) == 1
    assert len(received(cast.administrator, "overdue", ticket)) == 1


def test_the_deadline_itself_is_overdue(ticket):
    assert services.tickets_escalate(now=ticket.due_at)["overdue"] == 1


def test_warned_then_overdue(cast, ticket):
    services.tickets_escalate(now=at(ticket, 0.9))
    services.tickets_escalate(now=at(ticket, 1.1))
    ticket.refresh_from_db()
    assert ticket.warned_at and ticket.overdue_at
    assert len(escalations(ticket)) == 2


def test_a_done_ticket_is_no_longer_overdue(ticket):
    services.tickets_escalate(now=at(ticket, 1.1))
    Ticket.objects.filter(pk=ticket.pk).update(status=S.DONE)
    ticket.refresh_from_db()
    assert not ticket.is_overdue


def test_inactive_administrators_are_not_told(cast, ticket):
    gone = tf.staff("administrator")
    gone.is_active = False
    gone.save()
    services.tickets_escalate(now=at(ticket, 1.1))
    assert received(gone, "overdue", ticket) == []


def test_the_beat_task_runs_the_service(cast, ticket):
    result = tasks.tickets_escalate.delay().result
    assert result == {"warned": 0, "overdue": 0, "unanswered": 0}
    category = tf.CategoryFactory(resolution_hours=HOURS)
    tf.report_at(timezone.now() - timedelta(hours=HOURS + 1), cast.reporter, category=category, unit=cast.unit)
    # Nobody reacted to it either: the response time (4 hours) has passed too.
    assert tasks.tickets_escalate.delay().result == {"warned": 0, "overdue": 1, "unanswered": 1}


# --- Changes made while a run is underway ---------------------------------------------------


def _while_escalating(first: Ticket, change):
    """Run `change` as soon as the run has written its first ticket's escalation: what a
    dispatcher or a firm commits while the run is still working through its list (the list
    is read once, at the start)."""
    real_event = escalation._event
    done = []

    def event(ticket, *args, **kwargs):
        result = real_event(ticket, *args, **kwargs)
        if ticket.pk == first.pk and not done:
            done.append(True)
            change()
        return result

    return mock.patch.object(escalation, "_event", side_effect=event)


def test_a_ticket_finished_while_the_run_is_underway_is_not_reported_overdue(cast):
    """The claim must check what made the ticket a candidate (still open, still past its
    deadline), not only that it was not claimed yet."""
    category = tf.CategoryFactory(resolution_hours=HOURS, default_responsible=cast.administrator)
    long_ago = timezone.now() - timedelta(hours=3 * HOURS)
    finished = tf.report_at(long_ago, cast.reporter, category=category, unit=cast.unit)  # older: handled second
    first = tf.report_at(long_ago + timedelta(minutes=1), cast.reporter, category=category, unit=cast.unit)

    def finish():
        Ticket.objects.filter(pk=finished.pk).update(status=S.DONE, done_at=timezone.now())

    with _while_escalating(first, finish):
        counts = services.tickets_escalate()
    assert counts["overdue"] == 1
    finished.refresh_from_db()
    assert finished.overdue_at is None
    assert received(cast.administrator, "overdue", finished) == []


def test_a_deadline_moved_while_the_run_is_underway_is_judged_by_the_new_deadline(cast):
    category = tf.CategoryFactory(resolution_hours=HOURS)
    start = timezone.now() - timedelta(hours=HOURS * 0.9)
    moved = tf.report_at(start, cast.reporter, category=category, unit=cast.unit)  # older: handled second
    first = tf.report_at(start + timedelta(minutes=1), cast.reporter, category=category, unit=cast.unit)

    def move():
        services.ticket_deadline_change(
            ticket=moved, actor=cast.dispatcher, due_at=moved.due_at + timedelta(days=5), reason="Czekamy na część."
        )

    with _while_escalating(first, move):
        counts = services.tickets_escalate()
    assert counts["warned"] == 1
    moved.refresh_from_db()
    assert moved.warned_at is None  # 10 % of the new time has passed, not 80 %
    assert received(cast.dispatcher, "warning", moved) == []


# --- A changed deadline starts afresh --------------------------------------------------------


def test_a_deadline_change_resets_the_warning(cast, ticket):
    services.tickets_escalate(now=at(ticket, 0.85))
    new_due = ticket.due_at + timedelta(hours=HOURS)
    services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=new_due, reason="Czekamy na część.")
    ticket.refresh_from_db()
    assert ticket.warned_at is None
    assert services.tickets_escalate(now=at(ticket, 0.79))["warned"] == 0
    assert services.tickets_escalate(now=at(ticket, 0.81))["warned"] == 1
    assert len(received(cast.dispatcher, "warning", ticket)) == 2
    assert len(received(cast.firm_manager, "warning", ticket)) == 2


def test_a_deadline_moved_into_the_future_clears_overdue_and_a_second_overdue_is_told_again(cast, ticket):
    """After a new deadline the ticket starts afresh: passing that one is a new event, and
    the administrators must hear of it (not be silenced by the first one's dedupe key)."""
    services.tickets_escalate(now=at(ticket, 1.1))
    new_due = timezone.now() + timedelta(hours=3 * HOURS)
    services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=new_due, reason="Nowy termin.")
    ticket.refresh_from_db()
    assert (ticket.overdue_at, ticket.warned_at, ticket.is_overdue) == (None, None, False)

    assert services.tickets_escalate(now=new_due + timedelta(minutes=1))["overdue"] == 1
    assert len(escalations(ticket)) == 2
    assert len(received(cast.administrator, "overdue", ticket)) == 2


@pytest.mark.parametrize("escalation", ["warning", "overdue"])
def test_a_deadline_changed_and_set_back_escalates_again_and_tells_people_again(cast, ticket, escalation):
    """A dispatcher extends the deadline, then sets it back (a mistake, or the part did
    arrive). The change reset the escalation, the next run claims it again and writes it
    into the history; the people must hear of it too, or the history and the outbox
    disagree. (A dedupe key made of the deadline's minute silences the second message.)"""
    original = ticket.due_at
    first = at(ticket, 0.9) if escalation == "warning" else original + timedelta(minutes=1)
    services.tickets_escalate(now=first)
    for due_at in (original + timedelta(days=1), original):
        services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=due_at, reason="Zmiana terminu.")
    ticket.refresh_from_db()
    assert ticket.warned_at is None and ticket.overdue_at is None
    counts = services.tickets_escalate(now=first + timedelta(minutes=5))
    assert counts["warned" if escalation == "warning" else "overdue"] == 1
    assert len(escalations(ticket)) == 2
    told = cast.dispatcher if escalation == "warning" else cast.administrator
    assert len(received(told, escalation, ticket)) == 2


def test_a_deadline_moved_but_still_past_stays_overdue_without_a_new_message(cast):
    now = timezone.now()
    category = tf.CategoryFactory(resolution_hours=HOURS, default_responsible=cast.administrator)
    ticket = tf.report_at(now - timedelta(hours=2 * HOURS), cast.reporter, category=category, unit=cast.unit)
    assert services.tickets_escalate()["overdue"] == 1
    services.ticket_deadline_change(
        ticket=ticket, actor=cast.dispatcher, due_at=now - timedelta(hours=5), reason="Korekta."
    )
    ticket.refresh_from_db()
    assert ticket.overdue_at is not None and ticket.is_overdue
    assert services.tickets_escalate() == {"warned": 0, "overdue": 0, "unanswered": 0}
    assert len(received(cast.administrator, "overdue", ticket)) == 1


def test_a_reopened_ticket_is_not_warned_at_once_about_its_fresh_deadline(cast):
    """Reopening gives the firm the category's full time again (48 hours here: the work was
    reported 10 days ago). The warning belongs to 80 % of that fresh time, not to 80 % of
    the time since the original report, which has long passed."""
    category = tf.CategoryFactory(resolution_hours=48)
    old = tf.report_at(timezone.now() - timedelta(days=10), cast.reporter, category=category, unit=cast.unit)
    tf.put_in_status(old, S.DONE, contractor=cast.firm, done_days_ago=1)
    services.ticket_reopen(ticket=old, actor=cast.reporter, reason="Znowu cieknie.")
    old.refresh_from_db()
    assert old.due_at > timezone.now() + timedelta(hours=47)
    counts = services.tickets_escalate(now=timezone.now() + timedelta(hours=1))
    assert (counts["warned"], counts["overdue"]) == (0, 0)
    assert services.tickets_escalate(now=old.due_at - timedelta(hours=48 * 0.2 - 0.1))["warned"] == 1


def test_a_reopened_ticket_that_passes_its_fresh_deadline_is_overdue_again(cast):
    category = tf.CategoryFactory(resolution_hours=HOURS, default_responsible=cast.administrator)
    ticket = tf.report_at(timezone.now() - timedelta(days=2), cast.reporter, category=category, unit=cast.unit)
    assert services.tickets_escalate()["overdue"] == 1
    tf.put_in_status(ticket, S.DONE, contractor=cast.firm, done_days_ago=0)
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Znowu cieknie.")
    ticket.refresh_from_db()
    assert ticket.overdue_at is None
    assert services.tickets_escalate(now=ticket.due_at + timedelta(minutes=1))["overdue"] == 1
    assert len(received(cast.administrator, "overdue", ticket)) == 2


# --- Two workers at once (PostgreSQL) --------------------------------------------------------


@pytest.fixture
def committed(django_db_blocker):
    """For transactional tests: the module's shared cast closed first (see tf.shared_cast)."""
    tf.close_shared_casts(django_db_blocker)


def run_at_once(workers: int, work) -> tuple[list, list]:
    """Run `work` in `workers` threads released together, each on its own connection."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_workers_escalating_at_once_send_each_warning_once(committed):
    """Beat may start the task on two workers at the same moment: every ticket must be
    claimed by exactly one of them, for the warning and for the overdue mark."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    cast = tf.build_cast(with_firms=False)
    admin = cast.administrator
    category = tf.CategoryFactory(resolution_hours=HOURS)
    near = [tf.report(cast.reporter, category=category, unit=cast.unit) for _ in range(15)]
    past = timezone.now() - timedelta(hours=2 * HOURS)
    late = [tf.report_at(past, cast.reporter, category=category, unit=cast.unit) for _ in range(15)]
    now = at(near[0], 0.9)

    for attempt in range(3):
        results, errors = run_at_once(2, lambda: services.tickets_escalate(now=now))
        assert errors == []
        assert len(results) == 2
        if attempt == 0:
            assert sum(r["warned"] for r in results) == len(near)
            assert sum(r["overdue"] for r in results) == len(late)
            # Nobody reacted to any of them within the category's 4 hours either.
            assert sum(r["unanswered"] for r in results) == len(near) + len(late)
        else:
            assert results == [{"warned": 0, "overdue": 0, "unanswered": 0}] * 2

    for ticket in near + late:
        # One escalation for the deadline (warning or overdue), one for the missing response.
        assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ESCALATED).count() == 2
        assert len(received(cast.dispatcher, "response", ticket)) == 1
    for ticket in near:
        assert len(received(cast.dispatcher, "warning", ticket)) == 1
    for ticket in late:
        assert len(received(admin, "overdue", ticket)) == 1


# --- No reaction within the response time ----------------------------------------------------


def test_nobody_reacting_in_time_tells_the_dispatchers_and_the_firms_managers_once(cast):
    category = tf.CategoryFactory(response_hours=2, resolution_hours=48, default_contractor=cast.firm)
    ticket = tf.report(cast.reporter, category=category, unit=cast.unit)
    ticket.refresh_from_db()
    assert ticket.status == S.ASSIGNED and ticket.first_response_at is None  # handed over by the category
    assert services.tickets_escalate(now=ticket.response_due_at - timedelta(minutes=1))["unanswered"] == 0
    later = ticket.response_due_at + timedelta(minutes=1)
    assert services.tickets_escalate(now=later)["unanswered"] == 1
    assert services.tickets_escalate(now=later + timedelta(hours=1))["unanswered"] == 0
    for person in (cast.dispatcher, cast.firm_manager):
        assert len(received(person, "response", ticket)) == 1
    assert received(cast.firm_worker, "response", ticket) == [] and received(cast.reporter, "response", ticket) == []
    ticket.refresh_from_db()
    assert ticket.response_overdue_at == later and escalations(ticket) == ["Brak reakcji w wyznaczonym czasie."]


def test_a_ticket_someone_reacted_to_is_not_escalated_for_its_response(cast):
    category = tf.CategoryFactory(response_hours=2, resolution_hours=48, default_contractor=cast.firm)
    ticket = tf.report(cast.reporter, category=category, unit=cast.unit)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    ticket.refresh_from_db()
    assert services.tickets_escalate(now=ticket.response_due_at + timedelta(hours=1))["unanswered"] == 0
    assert received(cast.dispatcher, "response", ticket) == []
