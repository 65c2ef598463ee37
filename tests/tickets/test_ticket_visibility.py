"""Who sees which tickets and comments (selectors), and that the services answer the same
way: a resident sees their units' tickets, a contractor their firm's, staff all of them,
the board all of them without dispatching any, an anonymous visitor nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from cms.contractors import services as contractors
from cms.core.exceptions import ServiceError
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.tickets import selectors, services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketComment
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

S = Ticket.Status


@pytest.fixture
def tickets(cast):
    """A ticket in each place that matters, one of them with the firm and comments of both kinds."""
    own = tf.report(cast.reporter, category=cast.category, unit=cast.unit, title="U mnie")
    services.ticket_assign(ticket=own, actor=cast.dispatcher, contractor=cast.firm)
    services.ticket_comment_add(ticket=own, author=cast.dispatcher, body="Jutro rano przyjdzie monter.")
    services.ticket_comment_add(
        ticket=own, author=cast.firm_worker, body="Lokator bywa nieuprzejmy, iść we dwóch.", internal=True
    )
    services.ticket_comment_add(ticket=own, author=cast.dispatcher, body="Klucz u gospodarza.", internal=True)
    by_co_resident = tf.report(cast.co_resident, category=cast.category, unit=cast.unit, title="Też u mnie")
    neighbours = tf.report(cast.neighbour, category=cast.category, unit=cast.other_unit, title="U sąsiada")
    common = tf.report(cast.neighbour, category=cast.category, building=cast.building, title="Na klatce")
    other_firms = tf.report(cast.stranger, category=cast.category, title="W budynku B")
    services.ticket_assign(ticket=other_firms, actor=cast.dispatcher, contractor=cast.other_firm)
    for ticket in (own, other_firms):
        ticket.refresh_from_db()  # the services change their own locked copy
    return {
        "own": own,
        "by_co_resident": by_co_resident,
        "neighbours": neighbours,
        "common": common,
        "other_building": other_firms,
    }


def visible(user, tickets) -> set[str]:
    pks = set(selectors.tickets_visible_to(user).values_list("pk", flat=True))
    return {name for name, ticket in tickets.items() if ticket.pk in pks}


def test_a_resident_sees_the_tickets_of_their_own_unit_only(cast, tickets):
    assert visible(cast.reporter, tickets) == {"own", "by_co_resident"}
    assert visible(cast.co_resident, tickets) == {"own", "by_co_resident"}
    assert visible(cast.neighbour, tickets) == {"neighbours", "common"}  # the common one they reported


def test_a_resident_of_another_building_sees_nothing_of_building_a(cast, tickets):
    assert visible(cast.stranger, tickets) == {"other_building"}
    a_tickets = selectors.tickets_visible_to(cast.stranger).filter(building=cast.building)
    assert not a_tickets.exists()


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_anonymous_sees_nothing(tickets, user):
    assert not selectors.tickets_visible_to(user).exists()
    ticket = tickets["own"]
    assert selectors.actor_roles(ticket, user) == set()
    assert not selectors.sees_internal_comments(ticket, user)
    assert all(not comment.is_internal for comment in selectors.comments_visible_to(ticket, user))


def test_a_pending_or_inactive_resident_sees_nothing(cast, tickets):
    pending = tf.UserFactory()
    from tests.factories.residents import MembershipFactory

    MembershipFactory(user=pending, unit=cast.unit)
    assert Membership.objects.get(user=pending).status != Membership.Status.VERIFIED
    assert visible(pending, tickets) == set()
    inactive = tf.resident(cast.unit)
    inactive.is_active = False
    inactive.save()
    assert visible(inactive, tickets) == set()


def test_a_contractor_sees_their_firms_tickets_only(cast, tickets):
    assert visible(cast.firm_worker, tickets) == {"own"}
    assert visible(cast.firm_manager, tickets) == {"own"}
    assert visible(cast.other_worker, tickets) == {"other_building"}


def test_a_contractor_who_leaves_the_firm_sees_nothing_more(cast, tickets):
    leaver = tf.worker(cast.firm)
    assert visible(leaver, tickets) == {"own"}
    contractors.contractor_staff_remove(user=leaver)
    assert visible(tf.fresh(leaver), tickets) == set()
    mover = tf.worker(cast.firm)
    contractors.contractor_staff_add(user=mover, firm=cast.other_firm)
    assert visible(tf.fresh(mover), tickets) == {"other_building"}


@pytest.mark.parametrize("role", ["dispatcher", "administrator", "board"])
def test_staff_and_the_board_see_every_ticket(cast, tickets, role):
    assert visible(getattr(cast, role), tickets) == set(tickets)


def test_a_superuser_sees_and_dispatches_everything(tickets):
    from tests.factories.residents import SuperUserFactory

    boss = SuperUserFactory()
    assert visible(boss, tickets) == set(tickets)
    assert Actor.STAFF in selectors.actor_roles(tickets["own"], boss)


def test_staff_who_lose_their_role_see_nothing_more(cast, tickets):
    former = tf.staff("dispatcher")
    residents.staff_role_remove(user=former, role="dispatcher")
    assert visible(tf.fresh(former), tickets) == set()


# --- The board: read-only --------------------------------------------------------------------


def refused(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert TicketErrorCode(caught.value.code)
    return caught.value


def test_the_board_sees_but_cannot_dispatch(cast, tickets):
    ticket = tickets["by_co_resident"]
    board = cast.board
    assert selectors.actor_roles(ticket, board) == set()
    assert not selectors.can_dispatch(board) and selectors.is_ticket_staff(board)
    later = ticket.due_at + timedelta(days=1)
    attempts = [
        lambda: services.ticket_assign(ticket=ticket, actor=board, contractor=cast.firm),
        lambda: services.ticket_transition(ticket=ticket, actor=board, to_status=S.ACCEPTED),
        lambda: services.ticket_transition(ticket=ticket, actor=board, to_status=S.REJECTED, note="Nie."),
        lambda: services.ticket_deadline_change(ticket=ticket, actor=board, due_at=later, reason="Zarząd."),
    ]
    for attempt in attempts:
        assert refused(attempt).code == TicketErrorCode.FORBIDDEN
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


@pytest.mark.parametrize("internal", [False, True], ids=["public", "internal"])
def test_the_board_is_read_only_and_writes_no_comments(cast, tickets, internal):
    """roles.py: the board reads tickets; commenting (and, internal=False, messaging the
    reporter in the cooperative's name) is the dispatchers' work."""
    ticket = tickets["own"]
    count = TicketComment.objects.count()
    error = refused(
        lambda: services.ticket_comment_add(
            ticket=ticket, author=cast.board, body="Zarząd się przygląda.", internal=internal
        )
    )
    assert error.code == TicketErrorCode.FORBIDDEN
    assert TicketComment.objects.count() == count


# --- Comments --------------------------------------------------------------------------------


def bodies(ticket, user) -> set[str]:
    return set(selectors.comments_visible_to(ticket, user).values_list("body", flat=True))


PUBLIC = {"Jutro rano przyjdzie monter."}
ALL = PUBLIC | {"Lokator bywa nieuprzejmy, iść we dwóch.", "Klucz u gospodarza."}


def test_residents_of_the_unit_never_see_internal_comments(cast, tickets):
    ticket = tickets["own"]
    assert bodies(ticket, cast.reporter) == PUBLIC
    assert bodies(ticket, cast.co_resident) == PUBLIC
    assert not selectors.sees_internal_comments(ticket, cast.reporter)


def test_staff_and_the_assigned_firm_see_internal_comments(cast, tickets):
    ticket = tickets["own"]
    for user in (cast.dispatcher, cast.administrator, cast.firm_worker, cast.firm_manager):
        assert bodies(ticket, user) == ALL, user
    assert bodies(ticket, cast.other_worker) == PUBLIC


def test_a_firm_that_loses_the_ticket_loses_its_internal_comments(cast, tickets):
    ticket = tickets["own"]
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    ticket.refresh_from_db()
    assert bodies(ticket, cast.firm_worker) == PUBLIC
    assert bodies(ticket, cast.other_worker) == ALL


def test_residents_cannot_write_internal_comments(cast, tickets):
    ticket = tickets["own"]
    count = TicketComment.objects.count()
    for author in (cast.reporter, cast.co_resident):
        error = refused(
            lambda author=author: services.ticket_comment_add(ticket=ticket, author=author, body="Ha", internal=True)
        )
        assert error.code == TicketErrorCode.FORBIDDEN
    assert TicketComment.objects.count() == count


@pytest.mark.parametrize("kind", ["neighbour", "stranger", "other_worker", "anonymous"])
def test_people_who_cannot_see_a_ticket_cannot_comment_on_it(cast, tickets, kind):
    ticket = tickets["own"]
    author = AnonymousUser() if kind == "anonymous" else getattr(cast, kind)
    count = TicketComment.objects.count()
    error = refused(lambda: services.ticket_comment_add(ticket=ticket, author=author, body="Wtrącę się."))
    assert error.code in {TicketErrorCode.NOT_FOUND, TicketErrorCode.NOT_AUTHENTICATED}
    assert TicketComment.objects.count() == count


@pytest.mark.parametrize("kind", ["neighbour", "stranger", "other_worker", "anonymous", "board"])
def test_people_outside_a_ticket_have_no_part_in_its_workflow(cast, tickets, kind):
    ticket = tickets["own"]
    user = AnonymousUser() if kind == "anonymous" else getattr(cast, kind)
    assert selectors.actor_roles(ticket, user) == set()


def test_what_each_person_is_to_a_ticket(cast, tickets):
    ticket = tickets["own"]
    assert selectors.actor_roles(ticket, cast.reporter) == {Actor.REPORTER}
    assert selectors.actor_roles(ticket, cast.co_resident) == {Actor.REPORTER}
    assert selectors.actor_roles(ticket, cast.firm_worker) == {Actor.CONTRACTOR}
    assert selectors.actor_roles(ticket, cast.dispatcher) == {Actor.STAFF}
    assert selectors.actor_roles(ticket, cast.administrator) == {Actor.STAFF}
