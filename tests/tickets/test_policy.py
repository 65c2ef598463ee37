"""policy.py: what a person may do with a ticket, answered once for the services, the API's
`Ticket.actions` and the admin's quick actions.

These tests need no database: the questions take what the person is to the ticket
(roles) and the ticket's own fields. That the services raise exactly these refusals is
tested through them (test_workflow.py), and that `actions` offers exactly what the
mutations accept through the API (tests/api/test_tickets_mutations.py).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from operations.tickets import policy, workflow
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket
from operations.tickets.workflow import Actor

S = Ticket.Status
ROLE_SETS = [set(combination) for n in range(4) for combination in itertools.combinations(list(Actor)[:3], n)]


def ticket(status: str, *, firm: bool = True, done_days_ago: float | None = None, accepted: bool = False) -> Ticket:
    now = timezone.now()
    return Ticket(
        status=status,
        contractor_id=1 if firm else None,
        done_at=now - timedelta(days=done_days_ago) if done_days_ago is not None else None,
        contractor_accepted_at=now if accepted else None,
    )


def code(refusal) -> str | None:
    return None if refusal is None else refusal.code


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)) or "nobody")
def test_the_offered_actions_are_exactly_what_the_refusals_allow(status, roles):
    subject = ticket(status, done_days_ago=1 if status in {S.DONE, S.CLOSED} else None)
    actions = policy.actions_open(subject, roles)
    assert actions.transition_to == [
        target
        for target in workflow.next_statuses(status, roles)
        if policy.transition_refusal(subject, roles, target) is None
    ]
    assert actions.comment == (policy.comment_refusal(roles) is None)
    assert actions.comment_internal == (actions.comment and policy.internal_note_refusal(roles) is None)
    assert actions.assign == (policy.assign_refusal(subject, roles) is None)
    assert actions.change_deadline == (policy.deadline_change_refusal(subject, roles) is None)
    assert actions.contractor_accept == (policy.contractor_accept_refusal(subject, roles) is None)
    assert actions.rate == (policy.rate_refusal(subject, roles) is None)
    assert actions.reopen == (policy.reopen_refusal(subject, roles) is None)


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)) or "nobody")
def test_plain_transitions_are_never_assignment_or_reopening(status, roles):
    targets = policy.transition_targets(ticket(status), roles)
    assert set(targets) <= workflow.DIRECT_TARGETS
    if status == S.DONE:
        assert set(targets) <= {S.CLOSED}


def test_someone_with_no_part_is_forbidden_and_a_wrong_part_is_told_the_transition_is_not_allowed():
    subject = ticket(S.NEW)
    assert code(policy.transition_refusal(subject, set(), S.ACCEPTED)) == TicketErrorCode.FORBIDDEN
    assert code(policy.transition_refusal(subject, {Actor.REPORTER}, S.ACCEPTED)) == (
        TicketErrorCode.TRANSITION_NOT_ALLOWED
    )
    assert code(policy.transition_target_refusal(S.ASSIGNED)) == TicketErrorCode.TRANSITION_NOT_ALLOWED


@pytest.mark.parametrize("status", S.values)
def test_only_dispatchers_assign_and_never_a_done_ticket(status):
    subject = ticket(status)
    assert policy.assign_refusal(subject, {Actor.REPORTER, Actor.CONTRACTOR}) is not None
    allowed = policy.assign_refusal(subject, {Actor.STAFF}) is None
    assert allowed == (status != S.DONE and workflow.is_allowed(status, S.ASSIGNED, {Actor.STAFF}))


def test_the_firm_is_offered_acceptance_once_but_may_accept_again():
    assigned = ticket(S.ASSIGNED, accepted=True)
    assert policy.contractor_accept_refusal(assigned, {Actor.CONTRACTOR}) is None
    assert policy.actions_open(assigned, {Actor.CONTRACTOR}).contractor_accept is False
    assert policy.actions_open(ticket(S.ASSIGNED), {Actor.CONTRACTOR}).contractor_accept is True


def test_reopening_is_open_within_the_window_only(settings):
    settings.TICKET_REOPEN_DAYS = 7
    for roles in ({Actor.REPORTER}, {Actor.STAFF}):
        assert policy.reopen_refusal(ticket(S.DONE, done_days_ago=6), roles) is None
        assert code(policy.reopen_refusal(ticket(S.DONE, done_days_ago=8), roles)) == TicketErrorCode.REOPEN_EXPIRED
        assert code(policy.reopen_refusal(ticket(S.CLOSED, done_days_ago=8), roles)) == TicketErrorCode.REOPEN_EXPIRED
    assert code(policy.reopen_refusal(ticket(S.DONE, done_days_ago=1), {Actor.CONTRACTOR})) == (
        TicketErrorCode.FORBIDDEN
    )
    assert policy.reopenable_until(ticket(S.IN_PROGRESS)) is None
    done = ticket(S.DONE, done_days_ago=1)
    assert policy.reopenable_until(done) == done.done_at + timedelta(days=7)
    assert policy.reopen_target(done) == S.ASSIGNED and policy.reopen_target(ticket(S.DONE, firm=False)) == S.ACCEPTED


def test_deadlines_are_for_dispatchers_of_open_tickets():
    assert policy.deadline_change_refusal(ticket(S.IN_PROGRESS), {Actor.STAFF}) is None
    assert code(policy.deadline_change_refusal(ticket(S.IN_PROGRESS), {Actor.CONTRACTOR})) == TicketErrorCode.FORBIDDEN
    for status in (S.DONE, S.CLOSED, S.REJECTED):
        assert code(policy.deadline_change_refusal(ticket(status), {Actor.STAFF})) == (
            TicketErrorCode.TRANSITION_NOT_ALLOWED
        )


def test_comments_and_internal_notes():
    assert code(policy.comment_refusal(set())) == TicketErrorCode.FORBIDDEN
    assert policy.comment_refusal({Actor.REPORTER}) is None
    assert code(policy.internal_note_refusal({Actor.REPORTER})) == TicketErrorCode.FORBIDDEN
    assert policy.internal_note_refusal({Actor.CONTRACTOR}) is None
    assert not policy.comments_unlimited({Actor.REPORTER}) and policy.comments_unlimited({Actor.STAFF})


def _person(*, dispatches: bool):
    return SimpleNamespace(is_authenticated=True, is_active=True, has_perm=lambda perm: dispatches)


@pytest.mark.parametrize("source", [Ticket.Source.PHONE, Ticket.Source.EMAIL, Ticket.Source.OFFICE])
def test_only_staff_record_reports_taken_by_phone_email_or_at_the_office(source):
    assert (
        policy.report_recording_refusal(source=source, recorded_by=_person(dispatches=True), for_someone_else=True)
        is None
    )
    refused = policy.report_recording_refusal(
        source=source, recorded_by=_person(dispatches=False), for_someone_else=True
    )
    assert code(refused) == TicketErrorCode.FORBIDDEN
    assert code(policy.report_recording_refusal(source=source, recorded_by=None, for_someone_else=False)) == (
        TicketErrorCode.FORBIDDEN
    )


def test_residents_report_for_themselves_and_nobody_uses_an_unknown_source():
    for source in (Ticket.Source.PORTAL, Ticket.Source.APP):
        assert policy.report_recording_refusal(source=source, recorded_by=None, for_someone_else=False) is None
    unknown = policy.report_recording_refusal(
        source="carrier-pigeon", recorded_by=_person(dispatches=True), for_someone_else=True
    )
    assert code(unknown) == TicketErrorCode.FORBIDDEN
    assert policy.dispatch_refusal(_person(dispatches=True)) is None
    assert code(policy.dispatch_refusal(_person(dispatches=False))) == TicketErrorCode.FORBIDDEN
