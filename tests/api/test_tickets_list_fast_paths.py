"""The tickets list's short cuts answer exactly as the long way round (issue 11).

- `Ticket.actions` works out each action only when it is asked (`policy.OpenActions`),
  from the same rules as `policy.actions_open` (the admin's): every action equals
  `actions_open`'s for every status and every part a person may have in a ticket, read
  alone or with the others, in the policy and through the API;
- comments load their text, dates, authors and photos only when they are asked;
- `contractor` is read from the ticket's own row (no Wagtail page is built), through
  a list and through a mutation's payload alike;
- `isOverdue` loads the deadline it reads, whatever else is asked;
- `statusLabel` follows the viewer's language;

and none of them costs a query per ticket.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from strawberry import relay

from cms.contractors.models import ContractorPage
from operations.tickets import policy, selectors, services
from operations.tickets.models import Ticket
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf
from tests.factories.pictures import jpeg

S = Ticket.Status
ACTION_NAMES = [field.name for field in dataclasses.fields(policy.TicketActions)]
GRAPHQL_ACTIONS = {
    "transition_to": "transitionTo",
    "comment": "comment",
    "comment_internal": "commentInternal",
    "assign": "assign",
    "change_deadline": "changeDeadline",
    "contractor_accept": "contractorAccept",
    "rate": "rate",
    "reopen": "reopen",
}
ROLE_SETS = [set(roles) for n in range(4) for roles in itertools.combinations(list(Actor)[:3], n)]


def _list(fields: str) -> str:
    return "{ tickets(first: 100) { totalCount edges { node { id " + fields + " } } } }"


def _nodes(data: dict) -> list[dict]:
    return [edge["node"] for edge in data["tickets"]["edges"]]


def _pk(node: dict) -> int:
    return int(relay.GlobalID.from_id(node["id"]).node_id)


# --- Actions: one rule, read one at a time ------------------------------------------------------


def test_every_rule_is_an_action_and_every_action_has_a_rule():
    assert list(policy.ACTION_RULES) == ACTION_NAMES
    assert set(GRAPHQL_ACTIONS) == set(ACTION_NAMES)


def _subjects(status: str) -> list[Ticket]:
    now = timezone.now()
    done = {S.DONE, S.CLOSED}
    return [
        Ticket(
            status=status,
            contractor_id=firm,
            done_at=now - timedelta(days=days) if status in done else None,
            contractor_accepted_at=accepted,
        )
        for firm, days, accepted in itertools.product((None, 1), (1, 30), (None, now))
    ]


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)) or "nobody")
def test_each_action_read_alone_is_the_one_actions_open_answers(status, roles):
    now = timezone.now()
    for subject in _subjects(status):
        everything = policy.actions_open(subject, roles, now=now)
        for name in ACTION_NAMES:
            alone = policy.OpenActions(subject, roles, now=now)
            assert getattr(alone, name) == getattr(everything, name), (status, roles, name)


def _status_names(values: list[str]) -> list[str]:
    return [S(value).name for value in values]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["dispatcher", "firm_worker", "reporter", "board"])
def test_the_list_offers_each_action_as_actions_open_does(gql, cast, viewer):
    for status in S.values:
        for contractor in (None, cast.firm):
            tf.put_in_status(tf.report(cast.reporter, title=f"{status}"), status, contractor=contractor)
    user = getattr(cast, viewer)
    gql.login(user)
    viewer_facts = selectors.TicketViewer.of(user)
    every_field = " ".join(GRAPHQL_ACTIONS.values())
    together = {_pk(node): node["actions"] for node in _nodes(gql.data(_list(f"actions {{ {every_field} }}")))}
    assert together, viewer
    tickets = Ticket.objects.in_bulk(list(together))
    for pk, actions in together.items():
        expected = policy.actions_open(tickets[pk], viewer_facts.roles_for(tickets[pk]))
        for name, graphql_name in GRAPHQL_ACTIONS.items():
            value = getattr(expected, name)
            assert actions[graphql_name] == (_status_names(value) if name == "transition_to" else value), (
                viewer,
                tickets[pk].status,
                name,
            )
    for name, graphql_name in GRAPHQL_ACTIONS.items():
        alone = {_pk(node): node["actions"] for node in _nodes(gql.data(_list(f"actions {{ {graphql_name} }}")))}
        assert alone == {pk: {graphql_name: actions[graphql_name]} for pk, actions in together.items()}, name


# --- Comments: only what is asked ---------------------------------------------------------------

FULL_COMMENTS = "comments { id body isInternal createdAt authorName isMine photos { id thumbnailUrl } }"


def _busy_ticket(cast, n: int) -> Ticket:
    photo = services.photos_process([jpeg()])
    ticket = tf.report(cast.reporter, title=f"Usterka {n}", photos=photo)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=ticket, author=cast.reporter, body=f"Kiedy? {n}", photos=photo)
    services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Klucze u administratora.", internal=True)
    return ticket


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["dispatcher", "firm_worker", "reporter"])
def test_a_narrow_selection_of_comments_answers_as_the_full_one_and_costs_the_same_for_any_number(gql, cast, viewer):
    gql.login(getattr(cast, viewer))
    narrow = _list("comments { id }")
    partial = _list("comments { id isMine ...author }") + " fragment author on TicketComment { authorName }"
    full = _list(FULL_COMMENTS)
    _busy_ticket(cast, 0)
    gql.execute(full)  # warm-up: sessions, content types
    few = {query: gql.count_queries(query)[0] for query in (narrow, partial, full)}
    for n in range(1, 5):
        _busy_ticket(cast, n)
    answers = {}
    for query in (narrow, partial, full):
        count, answers[query] = gql.count_queries(query)
        assert count == few[query], (viewer, query, few[query], count)
    assert few[narrow] <= few[partial] <= few[full]
    full_comments = [node["comments"] for node in _nodes(answers[full])]
    assert sum(len(comments) for comments in full_comments) >= 5
    keep = {narrow: ("id",), partial: ("id", "isMine", "authorName")}
    for query, fields in keep.items():
        expected = [[{key: c[key] for key in fields} for c in comments] for comments in full_comments]
        assert [node["comments"] for node in _nodes(answers[query])] == expected, query
    mine = {c["isMine"] for comments in full_comments for c in comments}
    assert mine == {"dispatcher": {True, False}, "firm_worker": {False}, "reporter": {True}}[viewer]
    assert all(c["authorName"] for comments in full_comments for c in comments)


# --- The firm, from the ticket's row ------------------------------------------------------------


@pytest.mark.django_db
def test_the_firm_is_read_with_the_ticket_in_a_list_and_in_a_payload(gql, cast):
    firm = ContractorPage.objects.get(pk=cast.firm.pk)
    firm.phone, firm.email = "+48 22 123 45 67", "biuro@hydro.example"
    firm.save(update_fields=["phone", "email"])
    assigned = tf.report(cast.reporter, title="Z firmą")
    services.ticket_assign(ticket=assigned, actor=cast.dispatcher, contractor=firm, worker=cast.firm_worker)
    without = tf.report(cast.reporter, title="Bez firmy")
    gql.login(cast.dispatcher)
    query = _list("contractor { id name phone email }")
    few, data = gql.count_queries(query)
    expected = {
        "id": str(relay.GlobalID("Contractor", str(firm.pk))),
        "name": firm.title,
        "phone": firm.phone,
        "email": firm.email,
    }
    firms = {_pk(node): node["contractor"] for node in _nodes(data)}
    assert firms == {assigned.pk: expected, without.pk: None}
    for n in range(4):
        ticket = tf.report(cast.reporter, title=f"Jeszcze {n}")
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    many, data = gql.count_queries(query)
    assert many == few
    assert {node["contractor"]["name"] for node in _nodes(data) if node["contractor"]} == {
        firm.title,
        cast.other_firm.title,
    }
    # A mutation's payload reads its ticket without the list's plan: the same answer.
    payload = gql.data(
        """mutation($id: ID!, $firm: ID!) { ticketAssign(ticketId: $id, contractorId: $firm) {
             ticket { contractor { id name phone email } } errors { message } } }""",
        {"id": str(relay.GlobalID("Ticket", str(without.pk))), "firm": expected["id"]},
    )["ticketAssign"]
    assert payload["errors"] == [] and payload["ticket"]["contractor"] == expected


# --- Overdue, labels ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_alone_loads_the_deadline_it_reads(gql, cast):
    late = tf.report(cast.reporter, title="Po terminie")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    tf.report(cast.reporter, title="W terminie")
    gql.login(cast.dispatcher)
    query = _list("isOverdue")
    few, data = gql.count_queries(query)
    assert {_pk(node): node["isOverdue"] for node in _nodes(data)}[late.pk] is True
    assert sorted(node["isOverdue"] for node in _nodes(data)) == [False, True]
    for n in range(4):
        tf.report(cast.reporter, title=f"Jeszcze {n}")
    assert gql.count_queries(query)[0] == few


@pytest.mark.django_db
def test_the_status_label_follows_the_viewers_language(gql, cast):
    ticket = tf.report(cast.reporter)
    tf.put_in_status(ticket, S.IN_PROGRESS, contractor=cast.firm)
    gql.login(cast.dispatcher)
    for language in ("pl", "en", "pl"):
        data = gql.data(_list("status statusLabel"), HTTP_ACCEPT_LANGUAGE=language)
        with translation.override(language):
            expected = str(S.IN_PROGRESS.label)
        assert [(node["status"], node["statusLabel"]) for node in _nodes(data)] == [("IN_PROGRESS", expected)]
    with translation.override("pl"):
        polish = str(S.IN_PROGRESS.label)
    with translation.override("en"):
        assert polish != str(S.IN_PROGRESS.label)
