"""A forgotten password: a link by e-mail, the same answer whether or not the address has
an account, and a reset that no stranger can block by failing sign-ins on purpose."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from wagtail.models import APIToken

from operations.messaging.models import Message
from operations.residents import services, throttling
from operations.residents.models import AccountEmailRequest, SignInAttempt
from tests.factories.accounts import (
    NEW_PASSWORD,
    REGISTER,
    RESET_CONFIRM,
    RESET_REQUEST,
    SESSION_SIGN_IN,
    TOKEN_SIGN_IN,
    WHO,
    Browser,
    account_messages,
    data,
    mails_to,
    post,
    register_form,
    the_link,
)
from tests.factories.residents import SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """passwordResetRequest for `email` from `ip`; what was queued is sent."""

    def run(email: str, ip: str = "10.0.0.1") -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, RESET_REQUEST, {"email": email}, REMOTE_ADDR=ip)

    return run


def reset(link, new_password: str = NEW_PASSWORD, browser: Browser | None = None, **client_kwargs) -> dict:
    browser = browser or Browser(**client_kwargs)
    variables = {"uid": link.uid, "token": link.token, "newPassword": new_password}
    return browser.data(RESET_CONFIRM, variables)["passwordResetConfirm"]


def codes(answer: dict) -> list[str]:
    return [error["code"] for error in answer["errors"]]


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    ask, client, person, superuser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, REGISTER, register_form("czeka@example.pl"))
    disabled = UserFactory(username="wylaczony", email="wylaczony@example.pl", is_active=False)
    Message.objects.all().delete()

    answers = {
        "resident": ask("JAN.KOWALSKI@example.pl"),
        "staff": ask(superuser.email),
        "unconfirmed": ask("czeka@example.pl"),
        "disabled": ask(disabled.email),
        "unknown": ask("nikt@example.pl"),
    }
    expected = {"data": {"passwordResetRequest": {"accepted": True, "errors": []}}}
    assert answers == dict.fromkeys(answers, expected)
    assert account_messages() == [
        ("jan.kowalski", "password-reset"),
        ("admin", "password-reset"),
        ("czeka@example.pl", "account-confirm"),  # its confirmation link again
    ]
    assert not mails_to(disabled.email) and not mails_to("nikt@example.pl")
    email = mails_to(person.email)[0]
    assert email.subject == "Ustaw nowe hasło" and "jan.kowalski" in email.body
    assert email.body.startswith("Dzień dobry,\n") and "Kowalski" not in email.body
    the_link(person.email, "nowe-haslo")
    the_link("czeka@example.pl", "potwierdz")
    assert not Message.objects.filter(in_inbox=True).exists()  # links are never in the inbox


def test_the_request_only_writes_a_request_and_the_lookup_happens_after_commit(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        answer = post(client, RESET_REQUEST, {"email": person.email})
    assert answer == {"data": {"passwordResetRequest": {"accepted": True, "errors": []}}}
    assert len(callbacks) == 1 and not Message.objects.exists()
    request = AccountEmailRequest.objects.get()
    assert (request.purpose, request.email, request.first_name, request.processed_at) == (
        "reset",
        person.email,
        "",
        None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    the_link(person.email, "nowe-haslo")
    assert AccountEmailRequest.objects.get().processed_at is not None


def test_the_link_sets_a_new_password_signs_in_and_works_once(ask, person, password):
    ask(person.email)
    link = the_link(person.email, "nowe-haslo")
    browser = Browser()
    assert reset(link, browser=browser) == {"viewer": {"username": "jan.kowalski"}, "errors": []}
    assert browser.viewer() == "jan.kowalski"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and not person.check_password(password)

    again = reset(link, "Inne-haslo-wlamywacza-1")
    assert again["viewer"] is None and codes(again) == ["TOKEN_INVALID"]
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    old = data(Client(), SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password})["sessionSignIn"]
    assert old["viewer"] is None
    new = data(Client(), SESSION_SIGN_IN, {"username": "jan.kowalski", "password": NEW_PASSWORD})["sessionSignIn"]
    assert new["viewer"] == {"username": "jan.kowalski"}


def test_a_reset_ends_every_other_session_and_token(ask, person, password, graphql_for):
    phone = data(Client(), TOKEN_SIGN_IN, {"username": "jan.kowalski", "password": password})["tokenSignIn"]["token"]
    laptop = graphql_for(person)
    assert laptop(WHO) == {"viewer": {"username": "jan.kowalski"}}

    ask(person.email)
    reset(the_link(person.email, "nowe-haslo"))

    assert laptop(WHO) == {"viewer": None}
    assert data(Client(), WHO, HTTP_AUTHORIZATION=f"Bearer {phone}") == {"viewer": None}
    assert not services.api_token_id(raw_token=phone)
    assert APIToken.objects.filter(user=person, revoked_at__isnull=True).count() == 0


def test_the_reset_is_a_successful_sign_in_that_clears_what_strangers_failed(ask, person, password, settings):
    settings.SIGNIN_DELAY_SECONDS = 1.0
    # Strangers fail on purpose from two addresses: the pair (account, 10.9.9.9) is refused,
    # and the account as a whole is slowed down everywhere.
    for n in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        for ip in ("10.9.9.9", f"10.8.0.{n}"):
            services.sign_in_attempt_record(
                username="jan.kowalski", user=person, channel="session", outcome="failure", ip_address=ip
            )
    assert throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.9.9.9").refused
    assert throttling.sign_in_throttle(username="jan.kowalski", ip_address="10.7.7.7").delay > 0

    ask(person.email, ip="10.9.9.9")
    reset(the_link(person.email, "nowe-haslo"), REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="telefon/1.0")

    attempt = SignInAttempt.objects.filter(outcome="success").get()
    assert (attempt.user, attempt.username, attempt.channel) == (person, "jan.kowalski", "email_link")
    assert (attempt.ip_address, attempt.network, attempt.user_agent) == ("10.9.9.9", "10.9.9.9", "telefon/1.0")
    for ip in ("10.9.9.9", "10.7.7.7", "192.0.2.1"):
        decision = throttling.sign_in_throttle(username="jan.kowalski", ip_address=ip)
        assert not decision.refused and decision.delay == 0, ip
        signed_in = data(
            Client(REMOTE_ADDR=ip), SESSION_SIGN_IN, {"username": "jan.kowalski", "password": NEW_PASSWORD}
        )["sessionSignIn"]
        assert signed_in == {"viewer": {"username": "jan.kowalski"}, "errors": []}


def test_bad_links_are_one_code_whatever_the_reason(ask, person, settings, monkeypatch, client):
    ask(person.email)
    link = the_link(person.email, "nowe-haslo")
    other = UserFactory(username="anna")

    def codes_of(uid: str, token: str) -> list[str]:
        answer = Browser().data(RESET_CONFIRM, {"uid": uid, "token": token, "newPassword": NEW_PASSWORD})
        return codes(answer["passwordResetConfirm"])

    assert codes_of("", link.token) == ["TOKEN_INVALID"]
    assert codes_of("%%%", link.token) == ["TOKEN_INVALID"]
    assert codes_of(link.uid, "1-2") == ["TOKEN_INVALID"]
    assert codes_of(services._uid(other), link.token) == ["TOKEN_INVALID"]
    assert codes_of(link.uid, services.account_confirm_tokens.make_token(person)) == ["TOKEN_INVALID"]
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(services.password_reset_tokens, "_now", lambda: later)
    assert codes_of(link.uid, link.token) == ["TOKEN_INVALID"]
    monkeypatch.undo()

    # Disabled by staff after the link was sent: the link stops working.
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert codes_of(link.uid, link.token) == ["TOKEN_INVALID"]
    person.is_active = True
    person.save(update_fields=["is_active"])
    # A sign-in after the link was sent retires it (Django's token covers the last sign-in).
    data(client, SESSION_SIGN_IN, {"username": "jan.kowalski", "password": "Zielony-Balkon-42"})
    assert codes_of(link.uid, link.token) == ["TOKEN_INVALID"]


def test_an_unconfirmed_account_cannot_be_reset_only_confirmed(client, ask, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, REGISTER, register_form("czeka@example.pl"))
    user = User.objects.get(username="czeka@example.pl")
    forged = Browser().data(
        RESET_CONFIRM,
        {
            "uid": services._uid(user),
            "token": services.password_reset_tokens.make_token(user),
            "newPassword": NEW_PASSWORD,
        },
    )
    assert codes(forged["passwordResetConfirm"]) == ["TOKEN_INVALID"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()


def test_a_weak_password_is_refused_and_the_link_still_works(ask, person, password):
    ask(person.email)
    link = the_link(person.email, "nowe-haslo")
    refused = reset(link, "12345678")
    assert refused["viewer"] is None
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {("newPassword", "PASSWORD_INVALID")}
    person.refresh_from_db()
    assert person.check_password(password)
    assert reset(link)["errors"] == []


def test_the_confirmation_needs_the_csrf_token(ask, person, password):
    ask(person.email)
    link = the_link(person.email, "nowe-haslo")
    forged = post(
        Client(enforce_csrf_checks=True),
        RESET_CONFIRM,
        {"uid": link.uid, "token": link.token, "newPassword": NEW_PASSWORD},
    )
    assert codes(forged["data"]["passwordResetConfirm"]) == ["CSRF"]
    person.refresh_from_db()
    assert person.check_password(password)


def test_staff_reset_the_same_way(ask):
    admin = SuperUserFactory(username="szef", email="szef@example.pl")
    ask("szef@example.pl")
    assert reset(the_link("szef@example.pl", "nowe-haslo"))["viewer"] == {"username": "szef"}
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD)


def test_an_account_without_a_usable_password_can_set_one(ask):
    made_by_staff = UserFactory(username="bez.hasla", email="bez.hasla@example.pl", password=None)
    made_by_staff.set_unusable_password()
    made_by_staff.save()
    ask(made_by_staff.email)
    assert reset(the_link(made_by_staff.email, "nowe-haslo"))["errors"] == []


# --- Input and limits --------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["", "jan@", "jan kowalski@example.pl"])
def test_a_malformed_address_is_refused(ask, email):
    answer = ask(email)["data"]["passwordResetRequest"]
    assert answer["accepted"] is False
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("email", "EMAIL_INVALID")]
    assert not mail.outbox


def test_requests_from_one_address_are_limited_the_same_for_every_email(ask, person, settings):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 2
    ask("a@example.pl", ip="203.0.113.7")
    ask("b@example.pl", ip="203.0.113.7")
    known, unknown = ask(person.email, ip="203.0.113.7"), ask("c@example.pl", ip="203.0.113.7")
    assert known == unknown
    errors = known["data"]["passwordResetRequest"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(None, "THROTTLED")] and errors[0]["message"]
    assert not mails_to(person.email)
    assert ask(person.email, ip="198.51.100.7")["data"]["passwordResetRequest"]["accepted"] is True


def test_requests_for_one_email_from_one_network_are_limited_apart_from_the_others(ask, person, settings):
    """A stranger behind the same router who asks again and again for other addresses
    spends their quotas, not the neighbour's; nor the network's, once refused."""
    settings.PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR = 2
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 5
    shared = "203.0.113.8"
    answers = [ask(address, ip=shared) for address in ["a@example.pl", "b@example.pl"] for _ in range(6)]
    refused = [[e["code"] for e in answer["data"]["passwordResetRequest"]["errors"]] for answer in answers]
    assert refused == ([[]] * 2 + [["THROTTLED"]] * 4) * 2
    assert answers[2]["data"]["passwordResetRequest"]["errors"][0]["message"]
    # The neighbour's own address has a quota of its own: the link comes (the network's 5th).
    assert ask(person.email, ip=shared)["data"]["passwordResetRequest"]["accepted"] is True
    the_link(person.email, "nowe-haslo")
    # Now the network's 5 are spent, for every address.
    spent = ask("c@example.pl", ip=shared)["data"]["passwordResetRequest"]
    assert [e["code"] for e in spent["errors"]] == ["THROTTLED"]
    # Elsewhere, the same address is counted apart; letter case does not make another one.
    elsewhere = "198.51.100.8"
    assert ask("A@example.pl", ip=elsewhere)["data"]["passwordResetRequest"]["accepted"] is True
    assert ask("a@EXAMPLE.PL", ip=elsewhere)["data"]["passwordResetRequest"]["accepted"] is True
    third = ask("a@example.pl", ip=elsewhere)["data"]["passwordResetRequest"]
    assert [e["code"] for e in third["errors"]] == ["THROTTLED"]


@pytest.mark.parametrize("addresses", [10, 30])
def test_accepted_requests_enough_to_spend_the_network_still_block_a_neighbour(ask, person, settings, addresses):
    """Accepted: the limit per network stays (a router is one stranger's cheap source of
    requests), so PASSWORD_RESET_LIMIT_PER_HOUR (30) accepted requests block a neighbour's
    request: 10 distinct addresses asked for 3 times each as well as 30 asked for once."""
    assert settings.PASSWORD_RESET_LIMIT_PER_HOUR == 30
    assert settings.PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR == 3
    shared = "203.0.113.9"
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_HOUR):
        answer = ask(f"ktokolwiek{n % addresses}@example.pl", ip=shared)["data"]["passwordResetRequest"]
        assert answer["accepted"] is True
    blocked = ask(person.email, ip=shared)["data"]["passwordResetRequest"]
    assert [e["code"] for e in blocked["errors"]] == ["THROTTLED"]


def test_an_ipv6_slash_64_is_one_address(ask, settings):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 2
    ask("a@example.pl", ip="2001:db8:1:2::1")
    ask("a@example.pl", ip="2001:db8:1:2:ffff::9")
    refused = ask("a@example.pl", ip="2001:db8:1:2::abcd")["data"]["passwordResetRequest"]
    assert [e["code"] for e in refused["errors"]] == ["THROTTLED"]
    assert ask("a@example.pl", ip="2001:db8:1:3::1")["data"]["passwordResetRequest"]["accepted"] is True


def test_one_mailbox_gets_a_few_links_an_hour_then_nothing(ask, person, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 3
    answers = [ask(person.email, ip=f"10.1.0.{n}") for n in range(6)]
    assert all(answer == answers[0] for answer in answers)
    assert len(mails_to(person.email)) == 3
