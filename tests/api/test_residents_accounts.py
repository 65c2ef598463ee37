"""The account mutations through the API: the same answer for every viewer and address,
and a number of SQL queries that does not depend on how many accounts exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from operations.residents import services
from operations.residents.roles import StaffRole
from tests.factories.accounts import (
    ACCOUNT_CONFIRM,
    NEW_PASSWORD,
    PASSWORD_CHANGE,
    REGISTER,
    RESET_CONFIRM,
    RESET_REQUEST,
    SESSION_SIGN_IN,
    Browser,
    post,
    register_form,
    the_link,
)
from tests.factories.residents import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    resident = UserFactory(username="resident.a", email="resident.a@example.pl")
    MembershipFactory(user=resident, verified=True)
    dispatcher = UserFactory(username="dispatcher", email="dispatcher@example.pl")
    services.staff_role_assign(user=dispatcher, role=StaffRole.DISPATCHER)
    return {"anonymous": None, "resident": resident, "staff": dispatcher}


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("operation", ["register", "reset"])
def test_every_viewer_gets_the_same_answer_for_every_address(
    cast, operation, settings, django_capture_on_commit_callbacks
):
    settings.REGISTRATION_LIMIT_PER_HOUR = settings.PASSWORD_RESET_LIMIT_PER_HOUR = 1000
    settings.PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR = 1000
    services.user_register(email="czeka@example.pl", first_name="Ewa", last_name="Nowa")
    services.account_email_requests_process()  # the pending account is made after commit
    addresses = ["resident.a@example.pl", "dispatcher@example.pl", "czeka@example.pl", "nikt@example.pl"]
    answers = set()
    for user in cast.values():
        for address in addresses:
            with django_capture_on_commit_callbacks(execute=True):
                if operation == "register":
                    answer = post(client_of(user), REGISTER, register_form(address))
                else:
                    answer = post(client_of(user), RESET_REQUEST, {"email": address})
            answers.add(repr(answer))
    assert len(answers) == 1, answers


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def _measure(tag: str, django_capture_on_commit_callbacks) -> dict[str, tuple[int, int]]:
    """Queries of each mutation, for each kind of address, with fresh addresses named by
    `tag`: (the request's, the work done after commit: the lookup, the outbox, sending)."""
    counts = {}
    client = Client()

    def register(address):
        return lambda: post(client, REGISTER, register_form(address))

    def send(function) -> tuple[int, int]:
        """Count the request, and apart from it what it queued (run after it, as by the workers)."""
        with CaptureQueriesContext(connection) as everything:
            with django_capture_on_commit_callbacks(execute=True):
                request = _queries(function)
        return request, len(everything.captured_queries) - request

    counts["register new"] = send(register(f"nowy.{tag}@example.pl"))
    counts["register unconfirmed"] = send(register(f"nowy.{tag}@example.pl"))
    confirmed = UserFactory(username=f"jest.{tag}", email=f"jest.{tag}@example.pl")
    counts["register confirmed"] = send(register(confirmed.email))
    counts["register unknown invalid"] = send(register(f"nowy.{tag}@"))
    counts["reset known"] = send(lambda: post(client, RESET_REQUEST, {"email": confirmed.email}))
    counts["reset unknown"] = send(lambda: post(client, RESET_REQUEST, {"email": f"nikt.{tag}@example.pl"}))

    link = the_link(f"nowy.{tag}@example.pl", "potwierdz")
    browser = Browser()
    variables = {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD}
    counts["confirm"] = send(lambda: browser.data(ACCOUNT_CONFIRM, variables))
    counts["confirm again"] = send(lambda: Browser().data(ACCOUNT_CONFIRM, variables))

    link = the_link(confirmed.email, "nowe-haslo")
    variables = {"uid": link.uid, "token": link.token, "newPassword": NEW_PASSWORD}
    counts["reset confirm"] = send(lambda: Browser().data(RESET_CONFIRM, variables))

    signed_in = Browser()
    signed_in.data(SESSION_SIGN_IN, {"username": confirmed.username, "password": NEW_PASSWORD})
    change = {"currentPassword": NEW_PASSWORD, "newPassword": DEFAULT_PASSWORD}
    counts["change"] = send(lambda: signed_in.data(PASSWORD_CHANGE, change))
    counts["change wrong"] = send(lambda: signed_in.data(PASSWORD_CHANGE, change))
    return counts


def test_query_counts_do_not_depend_on_how_many_accounts_exist(settings, django_capture_on_commit_callbacks):
    settings.REGISTRATION_LIMIT_PER_HOUR = 1000
    UserFactory(username="ktos", email="ktos@example.pl")
    few = _measure("a", django_capture_on_commit_callbacks)
    for n in range(30):
        UserFactory(username=f"inny{n}", email=f"inny{n}@example.pl")
        services.user_register(email=f"czeka{n}@example.pl", first_name="Ewa", last_name="Nowa")
    with django_capture_on_commit_callbacks(execute=True):  # pending accounts, made (and mailed) after commit
        assert services.account_email_requests_process() == 30
    many = _measure("b", django_capture_on_commit_callbacks)
    assert few == many
    # And none is large: the session, the throttling counts, a lookup and the outbox rows.
    assert max(max(counts) for counts in many.values()) <= 40, many
