"""Handing a ticket to a firm in the admin: the firms of the category's trade
(`Category.trade`) are offered first, every firm a click away (`?firms=all`); and no
status change is ever offered to where the ticket already is: once its firm has
accepted it, "accepted" (taken back) is no longer offered, to the firm or to staff."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from cms.contractors.models import ContractorPage
from operations.tickets import policy, services, workflow
from operations.tickets.admin.views import ticket_url
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Category, Ticket
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf
from tests.factories.content import make_trade
from tests.tickets.admin_kit import CATEGORIES, form_html, in_polish, login, report

pytestmark = pytest.mark.django_db

S = Ticket.Status


@pytest.fixture
def trades(cast):
    """The cast's firm is a plumber's, the other firm an electrician's, and one more
    plumber's firm; the category's trade is plumbing."""
    plumbing, electrics = make_trade(), make_trade(name="Elektryk", slug="elektryk")
    ContractorPage.objects.filter(pk=cast.other_firm.pk).update(trade=electrics)
    another_plumber = tf.firm(title="Aqua-Instal")
    services.category_trade_set(category=cast.category, trade=plumbing)
    return plumbing, electrics, another_plumber


def offered(page) -> list[str]:
    select = form_html(page, "ticket-assign").find("select", attrs={"name": "assign-contractor"})
    return [option["value"] for option in select.find_all("option") if option["value"]]


def groups(page) -> dict[str, list[str]]:
    select = form_html(page, "ticket-assign").find("select", attrs={"name": "assign-contractor"})
    return {group["label"]: [option["value"] for option in group.find_all("option")] for group in select("optgroup")}


def link(page):
    return form_html(page, "ticket-assign").find("a", attrs={"data-link": True})


def live_firms() -> set[str]:
    return {str(pk) for pk in ContractorPage.objects.live().values_list("pk", flat=True)}


def test_without_a_trade_every_firm_is_offered_alike(cast):
    page = login(cast.dispatcher).get(ticket_url("inspect", report(cast)))
    assert set(offered(page)) == live_firms() and groups(page) == {}
    assert link(page) is None


def test_the_firms_of_the_categorys_trade_are_offered_and_every_firm_a_click_away(cast, trades):
    plumbing, electrics, another_plumber = trades
    ticket = report(cast)
    client = login(cast.dispatcher)
    page = client.get(ticket_url("inspect", ticket))
    assert offered(page) == [str(another_plumber.pk), str(cast.firm.pk)]  # by title
    assert str(cast.other_firm.pk) not in offered(page)
    more = link(page)
    assert more.text == in_polish("Show firms of every trade")
    assert more["href"] == f"{ticket_url('inspect', ticket)}?firms=all#ticket-assign"

    every = client.get(more["href"].split("#")[0])
    assert set(offered(every)) == live_firms()
    grouped = groups(every)
    assert list(grouped) == [plumbing.name, in_polish("Other trades")]  # the category's trade first
    assert set(grouped[plumbing.name]) == {str(cast.firm.pk), str(another_plumber.pk)}
    assert str(cast.other_firm.pk) in grouped[in_polish("Other trades")]
    assert f"{cast.other_firm.title} ({electrics.name})" in form_html(every, "ticket-assign").text
    back = link(every)
    assert back.text == in_polish("Show only firms of the trade “%(trade)s”", trade=plumbing.name)
    assert back["href"] == f"{ticket_url('inspect', ticket)}#ticket-assign"


def test_a_firm_of_another_trade_is_accepted(cast, trades):
    ticket = report(cast)
    response = login(cast.dispatcher).post(
        ticket_url("assign", ticket), {"assign-contractor": cast.other_firm.pk, "assign-worker": cast.other_worker.pk}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id, ticket.worker_id) == (
        S.ASSIGNED,
        cast.other_firm.pk,
        cast.other_worker.pk,
    )


def test_the_firm_the_ticket_has_stays_offered_whatever_its_trade(cast, trades):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    page = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    assert str(cast.other_firm.pk) in offered(page)
    assert form_html(page, "ticket-assign").find("option", selected=True)["value"] == str(cast.other_firm.pk)
    assert link(page) is None  # the only firm of another trade is offered already: nothing is left out
    tf.firm(title="Zieleń-Serwis")
    ContractorPage.objects.filter(title="Zieleń-Serwis").update(trade=trades[1])
    page = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    assert link(page) is not None and str(cast.other_firm.pk) in offered(page)
    ContractorPage.objects.filter(pk=cast.firm.pk).update(live=False)
    ContractorPage.objects.filter(pk=trades[2].pk).update(live=False)
    # No live firm of the trade: every firm alike, nothing to switch between.
    page = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    assert set(offered(page)) == live_firms() and link(page) is None


def test_administrators_set_a_categorys_trade(cast, trades):
    plumbing, electrics, _ = trades
    administrator = login(cast.administrator)
    form = administrator.get(f"{CATEGORIES}edit/{cast.category.pk}/").context["form"]
    assert "trade" in form.fields and form.initial["trade"] == plumbing.pk
    assert administrator.get(f"{CATEGORIES}inspect/{cast.category.pk}/").status_code == 200
    services.category_trade_set(category=cast.category, trade=None)
    assert Category.objects.get(pk=cast.category.pk).trade is None


# --- No change to where the ticket already is ---------------------------------------------------


def fake(status: str, *, accepted: bool = False) -> Ticket:
    return Ticket(status=status, contractor_id=1, contractor_accepted_at=timezone.now() if accepted else None)


ROLE_SETS = [set(c) for n in range(4) for c in itertools.combinations(list(Actor)[:3], n)]


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("accepted", [False, True])
def test_the_status_a_ticket_is_in_is_never_offered_nor_accepted(status, accepted):
    subject = fake(status, accepted=accepted)
    for roles in ROLE_SETS:
        assert status not in policy.transition_targets(subject, roles)
        assert policy.transition_refusal(subject, roles, status) is not None


def test_once_the_firm_has_accepted_accepted_is_no_longer_offered():
    for roles in ({Actor.STAFF}, {Actor.CONTRACTOR}):
        assert S.ACCEPTED in policy.transition_targets(fake(S.ASSIGNED), roles)
        targets = policy.transition_targets(fake(S.ASSIGNED, accepted=True), roles)
        assert S.ACCEPTED not in targets and S.IN_PROGRESS in targets
        refusal = policy.transition_refusal(fake(S.ASSIGNED, accepted=True), roles, S.ACCEPTED)
        assert (refusal.code, refusal.field) == (TicketErrorCode.TRANSITION_NOT_ALLOWED, "status")
    # The table still allows it: it is the firm's acceptance that closes it.
    assert workflow.is_allowed(S.ASSIGNED, S.ACCEPTED, {Actor.CONTRACTOR})


def test_a_firm_that_accepted_cannot_hand_it_back_and_the_admin_does_not_offer_it(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    client = login(cast.dispatcher)

    def options(page) -> dict[str, str]:
        return {option["value"]: option.text for option in form_html(page, "ticket-transition").find_all("option")}

    # Before the firm accepts, "accepted" is offered as what it does: taking the ticket back.
    before = options(client.get(ticket_url("inspect", ticket)))
    assert before == {
        S.ACCEPTED: in_polish("accepted (taken back from the contractor)"),
        S.IN_PROGRESS: in_polish("in progress"),
    }
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    assert list(options(client.get(ticket_url("inspect", ticket)))) == [S.IN_PROGRESS]
    for actor in (cast.firm_worker, cast.dispatcher):
        with pytest.raises(Exception) as raised:
            services.ticket_transition(ticket=ticket, actor=actor, to_status=S.ACCEPTED, note="Nie damy rady")
        assert raised.value.code == TicketErrorCode.TRANSITION_NOT_ALLOWED
    # Posted anyway (a stale page): refused, shown next to the field, nothing changed.
    response = client.post(ticket_url("transition", ticket), {"status-to_status": S.ACCEPTED, "status-note": "x"})
    assert response.status_code == 200
    assert response.context["transition_form"].errors["to_status"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id) == (S.ASSIGNED, cast.firm.pk)
    # Another firm is still a dispatcher's click away.
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    ticket.refresh_from_db()
    assert (ticket.contractor_id, ticket.contractor_accepted_at) == (cast.other_firm.pk, None)
