"""Who is told what about a ticket: the reporter of its progress and of public comments
(never of internal ones), the firm of its jobs, the dispatchers of new work, and that a
ticket reported while the broker is down still reaches everyone once it is back.

Notifications are `Message` rows written in the ticket's own transaction (the outbox);
their dedupe key is `ticket:<pk>:<event>`.
"""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from operations.messaging import tasks as messaging_tasks
from operations.messaging.kinds import MessageKind
from operations.messaging.models import Delivery, Message
from operations.tickets import services
from operations.tickets.models import Ticket
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

S = Ticket.Status
INTERNAL = "Lokator bywa nieuprzejmy, iść we dwóch."


def about(ticket: Ticket, user=None, event: str = ""):
    messages = Message.objects.filter(dedupe_key__startswith=f"ticket:{ticket.pk}:{event}")
    return messages.filter(recipient=user) if user is not None else messages


def recipients(ticket: Ticket, event: str = "") -> set:
    return set(about(ticket, event=event).values_list("recipient_id", flat=True))


def assert_names_the_ticket(ticket: Ticket, messages) -> None:
    assert messages, "no messages"
    for message in messages:
        assert message.kind == MessageKind.TICKET_UPDATE
        assert ticket.reference in message.subject, message.subject
        assert ticket.reference in message.body_text or ticket.reference in message.sms_text


def report(cast, **fields) -> Ticket:
    fields.setdefault("category", cast.category)
    return tf.report(cast.reporter, unit=cast.unit, **fields)


# --- Reporting -------------------------------------------------------------------------------


def test_the_reporter_hears_the_report_was_received_and_the_dispatchers_that_it_waits(cast):
    responsible = tf.staff("administrator")
    ticket = report(cast, category=tf.CategoryFactory(default_responsible=responsible))
    [received] = about(ticket, cast.reporter)
    assert ticket.reference in received.subject and ticket.title in received.subject
    assert recipients(ticket, "new") == {cast.dispatcher.pk, responsible.pk}
    assert recipients(ticket) == {cast.reporter.pk, cast.dispatcher.pk, responsible.pk}
    assert_names_the_ticket(ticket, list(about(ticket)))


def test_a_ticket_handed_to_the_categorys_firm_tells_the_firm_and_the_reporter(cast):
    ticket = report(cast, category=tf.CategoryFactory(default_contractor=cast.firm))
    ticket.refresh_from_db()
    assigned = about(ticket).filter(subject__contains=cast.firm.title) | about(ticket).filter(
        body_text__contains=cast.firm.title
    )
    assert set(assigned.values_list("recipient_id", flat=True)) == {cast.firm_worker.pk, cast.firm_manager.pk}
    assert cast.other_worker.pk not in recipients(ticket)
    assert about(ticket, cast.reporter).count() == 2  # received, and now assigned
    assert_names_the_ticket(ticket, list(about(ticket)))


# --- Assignment ------------------------------------------------------------------------------


def test_assignment_tells_the_whole_firm_when_no_worker_is_named(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    told = set(about(ticket).filter(body_text__contains=cast.firm.title).values_list("recipient_id", flat=True))
    assert told == {cast.firm_worker.pk, cast.firm_manager.pk}
    assert_names_the_ticket(ticket, list(about(ticket, cast.firm_worker)))


def test_assignment_to_a_worker_tells_that_worker_and_the_managers_only(cast):
    colleague = tf.worker(cast.firm)
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    told = set(about(ticket).filter(body_text__contains=cast.firm.title).values_list("recipient_id", flat=True))
    assert told == {cast.firm_worker.pk, cast.firm_manager.pk}
    assert colleague.pk not in recipients(ticket)


def test_handing_to_another_firm_tells_the_new_firm(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    assert about(ticket, cast.other_worker).count() == 1
    assert_names_the_ticket(ticket, list(about(ticket, cast.other_worker)))


def test_the_firm_giving_a_ticket_back_tells_the_dispatchers(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    before = about(ticket, cast.dispatcher).count()
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.ACCEPTED, note="Nie nasz zakres.")
    assert about(ticket, cast.dispatcher).count() == before + 1


# --- Status changes --------------------------------------------------------------------------


def test_the_reporter_is_told_of_every_status_change_with_the_reason(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    steps = [
        (S.IN_PROGRESS, ""),
        (S.WAITING, "Czekamy na uszczelkę."),
        (S.IN_PROGRESS, ""),
        (S.DONE, "Wymieniono syfon."),
    ]
    for target, note in steps:
        before = about(ticket, cast.reporter).count()
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=target, note=note)
        assert about(ticket, cast.reporter).count() == before + 1
        latest = about(ticket, cast.reporter).order_by("-id").first()
        assert str(S(target).label) in latest.subject or str(S(target).label) in latest.body_text
        if note:
            assert note in latest.body_text
    assert_names_the_ticket(ticket, list(about(ticket, cast.reporter)))


def test_a_rejection_tells_the_reporter_why(cast):
    ticket = report(cast)
    services.ticket_transition(
        ticket=ticket, actor=cast.dispatcher, to_status=S.REJECTED, note="To sprawa właściciela lokalu."
    )
    latest = about(ticket, cast.reporter).order_by("-id").first()
    assert "To sprawa właściciela lokalu." in latest.body_text


def test_closing_by_the_system_tells_the_reporter(cast, settings):
    settings.TICKET_REOPEN_DAYS = 1
    ticket = tf.put_in_status(report(cast), S.DONE, contractor=cast.firm, done_days_ago=2)
    before = about(ticket, cast.reporter).count()
    services.tickets_close_unconfirmed()
    assert about(ticket, cast.reporter).count() == before + 1


def test_reopening_tells_the_firm_and_the_responsible(cast):
    responsible = tf.staff("dispatcher")
    ticket = report(cast, category=tf.CategoryFactory(default_responsible=responsible))
    tf.put_in_status(ticket, S.DONE, contractor=cast.firm, done_days_ago=1)
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Dalej kapie.")
    reopened = about(ticket).filter(body_text__contains="Dalej kapie.")
    assert set(reopened.values_list("recipient_id", flat=True)) == {
        cast.firm_worker.pk,
        cast.firm_manager.pk,
        responsible.pk,
    }
    assert_names_the_ticket(ticket, list(reopened))


# --- Comments --------------------------------------------------------------------------------


@pytest.mark.parametrize("author", ["dispatcher", "firm_worker"])
def test_a_public_comment_by_staff_or_the_firm_reaches_the_reporter(cast, author):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    comment = services.ticket_comment_add(ticket=ticket, author=getattr(cast, author), body="Będziemy jutro o 9.")
    [message] = about(ticket, cast.reporter, f"comment:{comment.pk}")
    assert "Będziemy jutro o 9." in message.body_text
    assert_names_the_ticket(ticket, [message])


@pytest.mark.parametrize("author", ["dispatcher", "firm_worker", "administrator"])
def test_internal_comments_never_reach_the_reporter(cast, author):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    before = about(ticket, cast.reporter).count()
    comment = services.ticket_comment_add(ticket=ticket, author=getattr(cast, author), body=INTERNAL, internal=True)
    assert about(ticket, cast.reporter).count() == before
    assert not about(ticket, event=f"comment:{comment.pk}").filter(recipient__in=[cast.reporter, cast.co_resident])
    residents_messages = Message.objects.filter(recipient__in=[cast.reporter, cast.co_resident])
    assert not residents_messages.filter(body_text__contains=INTERNAL).exists()
    assert not residents_messages.filter(sms_text__contains=INTERNAL).exists()


def test_the_reporters_comment_goes_to_the_firm_or_before_assignment_to_the_dispatchers(cast):
    ticket = report(cast)
    first = services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Proszę dzwonić przed wizytą.")
    assert recipients(ticket, f"comment:{first.pk}") == {cast.dispatcher.pk}
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    second = services.ticket_comment_add(ticket=ticket, author=cast.co_resident, body="Domofon nie działa.")
    assert recipients(ticket, f"comment:{second.pk}") == {cast.firm_worker.pk, cast.firm_manager.pk}
    assert_names_the_ticket(ticket, list(about(ticket, event=f"comment:{second.pk}")))


def test_every_ticket_message_names_the_ticket(cast):
    ticket = report(cast, category=tf.CategoryFactory(default_responsible=cast.administrator))
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    services.ticket_comment_add(ticket=ticket, author=cast.firm_worker, body="Jestem na miejscu.")
    services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Dziękuję.")
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Gotowe.")
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Jednak nie.")
    services.tickets_escalate(now=ticket.due_at)
    messages = list(about(ticket))
    assert len(messages) >= 10
    assert_names_the_ticket(ticket, messages)


def test_notifications_are_sent_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = report(cast)
    about_it = [email for email in mail.outbox if ticket.reference in email.subject]
    assert {address for email in about_it for address in email.to} == {cast.reporter.email, cast.dispatcher.email}


# --- The broker down -------------------------------------------------------------------------


@pytest.fixture
def committed(django_db_blocker):
    """For transactional tests: the module's shared cast closed first (see tf.shared_cast)."""
    tf.close_shared_casts(django_db_blocker)


@pytest.mark.django_db(transaction=True)
def test_a_ticket_reported_while_the_broker_is_down_is_saved_and_told_once_it_is_back(committed, broker_down, caplog):
    cast = tf.build_cast(with_firms=False)
    with caplog.at_level(logging.WARNING, logger="cms.core.queue"):
        ticket = tf.report(cast.reporter, category=cast.category, unit=cast.unit)  # commits; on_commit runs

    assert Ticket.objects.filter(pk=ticket.pk, status=S.NEW).exists()
    assert recipients(ticket) == {cast.reporter.pk, cast.dispatcher.pk}
    queued = Delivery.objects.filter(message__dedupe_key__startswith=f"ticket:{ticket.pk}:")
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.QUEUED}
    assert mail.outbox == []
    assert any("sweep will send it" in record.getMessage() for record in caplog.records)

    broker_down()  # the broker is back (eager again); beat runs the sweep
    messaging_tasks.outbox_sweep.delay()
    about_it = [email for email in mail.outbox if ticket.reference in email.subject]
    assert sorted(address for email in about_it for address in email.to) == sorted(
        [cast.reporter.email, cast.dispatcher.email]
    )
    sent = len(mail.outbox)
    messaging_tasks.outbox_sweep.delay()
    assert len(mail.outbox) == sent
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_status_change_while_the_broker_is_down_is_kept_and_sent_later(committed, broker_down):
    cast = tf.build_cast(with_firms=False)
    ticket = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
    services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.REJECTED, note="Poza zakresem.")
    ticket.refresh_from_db()
    assert ticket.status == S.REJECTED
    broker_down()
    messaging_tasks.outbox_sweep.delay()
    to_reporter = [email for email in mail.outbox if ticket.reference in email.subject]
    assert [email.to for email in to_reporter if cast.reporter.email in email.to] == [[cast.reporter.email]] * 2
    assert any("Poza zakresem." in email.body for email in to_reporter)


# --- Deadlines -------------------------------------------------------------------------------


def test_a_new_deadline_is_told_to_the_reporter_and_the_firm_with_its_reason(cast):
    from datetime import timedelta

    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    ticket.refresh_from_db()
    new_due = ticket.due_at + timedelta(days=3)
    services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=new_due, reason="Czekamy na pompę.")
    event = ticket.events.latest("at", "id")
    told = about(ticket, event=f"event:{event.pk}")
    assert set(told.values_list("recipient_id", flat=True)) == {
        cast.reporter.pk,
        cast.firm_worker.pk,
        cast.firm_manager.pk,
    }
    assert_names_the_ticket(ticket, list(told))
    assert all("Czekamy na pompę." in message.body_text for message in told)
    assert not about(ticket, cast.other_worker).exists() and not about(ticket, cast.stranger).exists()
