"""Registration: a new person asks for an account with their e-mail address, confirms it by
the link sent there (choosing the password then), and asks for a unit.

Nothing in the answer tells a stranger whether an address has an account: only the
e-mail differs, and only the mailbox's owner reads it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from operations.messaging import services as messaging
from operations.messaging.models import Delivery, Message
from operations.residents import errors as residents_errors
from operations.residents import services
from operations.residents.models import AccountConfirmation, AccountEmailRequest, SignInAttempt
from tests.factories.accounts import (
    ACCOUNT_CONFIRM,
    NEW_PASSWORD,
    RESET_CONFIRM,
    SESSION_SIGN_IN,
    Browser,
    account_messages,
    data,
    email_deliveries,
    mails_to,
    post,
    register,
    the_link,
)
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

ADDRESS = "maria.zielinska@example.pl"


def test_a_new_address_gets_an_inactive_account_and_a_link_to_confirm_it(client, sent):
    answer = sent(register, client, "Maria.Zielinska@Example.PL")
    assert answer == {"data": {"userRegister": {"accepted": True, "errors": []}}}

    user = User.objects.get(email__iexact=ADDRESS)
    assert user.username == ADDRESS  # the sign-in name is the address, in lower case
    assert user.email == "Maria.Zielinska@example.pl"  # the domain normalised
    assert (user.first_name, user.last_name) == ("Maria", "Zielińska")
    assert not user.is_active and not user.has_usable_password()
    assert AccountConfirmation.objects.get(user=user).confirmed_at is None
    assert not user.groups.exists()  # an unverified person sees only public content

    assert account_messages() == [(ADDRESS, "account-confirm")]
    assert email_deliveries(user) == [("email", "Maria.Zielinska@example.pl")]
    assert Delivery.objects.get().state == Delivery.State.SENT  # reaches the inactive account
    (email,) = mails_to(ADDRESS)
    assert email.subject == "Potwierdź adres e-mail i ustaw hasło"
    assert email.body.startswith("Dzień dobry,\n") and ADDRESS in email.body
    # Names typed at sign-up are never printed: whoever signed up may not own the mailbox.
    assert "Maria" not in email.body and "Zielińska" not in email.body
    link = the_link(ADDRESS, "potwierdz")
    assert link.url.startswith("http://localhost:8000/konto/potwierdz/")
    # The link is not in the inbox, where a stolen session could read it.
    assert Message.objects.get().in_inbox is False
    assert AccountEmailRequest.objects.get().processed_at is not None


def test_the_request_only_writes_a_request_and_the_work_is_done_after_commit(
    client, django_capture_on_commit_callbacks
):
    """The same work for every address in the request: the lookup happens in the task."""
    with django_capture_on_commit_callbacks() as callbacks:
        answer = register(client)
    assert answer == {"data": {"userRegister": {"accepted": True, "errors": []}}}
    assert len(callbacks) == 1
    assert not User.objects.exists() and not Message.objects.exists()
    request = AccountEmailRequest.objects.get()
    assert (request.purpose, request.email, request.first_name, request.last_name, request.processed_at) == (
        "register",
        ADDRESS,
        "Maria",
        "Zielińska",
        None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the task, as a worker runs it
    assert User.objects.get(username=ADDRESS).first_name == "Maria"
    the_link(ADDRESS, "potwierdz")
    # Acting on a request twice sends nothing twice.
    assert services.account_email_request_process(request_id=request.pk) is False
    assert services.account_email_requests_process() == 0
    assert len(mails_to(ADDRESS)) == 1


def test_register_confirm_sign_in_and_ask_for_a_unit(client, sent, unit_a1):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")

    browser = Browser()
    confirmed = browser.data(ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD})
    assert confirmed["accountConfirm"] == {
        "viewer": {"username": ADDRESS, "email": ADDRESS, "firstName": "Maria", "lastName": "Zielińska"},
        "errors": [],
    }
    assert browser.viewer() == ADDRESS  # the web session is signed in
    user = User.objects.get(username=ADDRESS)
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert AccountConfirmation.objects.get(user=user).confirmed_at is not None
    attempt = SignInAttempt.objects.get()
    assert (attempt.user, attempt.channel, attempt.outcome) == (user, "email_link", "success")

    requested = browser.data(
        """mutation { membershipRequest(buildingCode: "A", unitNumber: "1", role: TENANT,
                                        proofKind: ACCESS_CODE, proofValue: "A1-KOD-2026") {
             membership { status } errors { code } } }"""
    )
    assert requested["membershipRequest"] == {"membership": {"status": "PENDING"}, "errors": []}

    # Later, anywhere: the address is the sign-in name.
    signed_in = data(Client(), SESSION_SIGN_IN, {"username": ADDRESS, "password": NEW_PASSWORD})
    assert signed_in["sessionSignIn"] == {"viewer": {"username": ADDRESS}, "errors": []}


def test_the_confirmation_link_works_once(client, sent):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    variables = {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD}
    assert Browser().data(ACCOUNT_CONFIRM, variables)["accountConfirm"]["errors"] == []

    again = Browser().post(ACCOUNT_CONFIRM, {**variables, "password": "Inne-haslo-wlamywacza-1"})
    assert again == {
        "data": {
            "accountConfirm": {
                "viewer": None,
                "errors": [
                    {
                        "field": None,
                        "code": "TOKEN_INVALID",
                        "message": again["data"]["accountConfirm"]["errors"][0]["message"],
                    }
                ],
            }
        }
    }
    assert User.objects.get(username=ADDRESS).check_password(NEW_PASSWORD)


def test_older_links_of_an_unconfirmed_account_keep_working_until_it_is_confirmed(client, sent):
    sent(register, client)
    first = the_link(ADDRESS, "potwierdz")
    sent(register, client)
    second = the_link(ADDRESS, "potwierdz")
    assert User.objects.filter(email__iexact=ADDRESS).count() == 1
    assert account_messages() == [(ADDRESS, "account-confirm"), (ADDRESS, "account-confirm")]

    browser = Browser()
    answer = browser.data(ACCOUNT_CONFIRM, {"uid": first.uid, "token": first.token, "password": NEW_PASSWORD})
    assert answer["accountConfirm"]["errors"] == []
    late = Browser().data(ACCOUNT_CONFIRM, {"uid": second.uid, "token": second.token, "password": NEW_PASSWORD})
    assert [e["code"] for e in late["accountConfirm"]["errors"]] == ["TOKEN_INVALID"]


def confirm_codes(uid: str, token: str, password: str = NEW_PASSWORD) -> list[str]:
    answer = Browser().data(ACCOUNT_CONFIRM, {"uid": uid, "token": token, "password": password})["accountConfirm"]
    assert answer["viewer"] is None or not answer["errors"]
    return [error["code"] for error in answer["errors"]]


def test_bad_links_are_one_code_whatever_the_reason(client, sent, person, settings, monkeypatch):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    user = User.objects.get(username=ADDRESS)
    person_uid = services._uid(person)

    assert confirm_codes("", link.token) == ["TOKEN_INVALID"]
    assert confirm_codes("not-base64!", link.token) == ["TOKEN_INVALID"]
    assert confirm_codes("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ", link.token) == ["TOKEN_INVALID"]  # beyond any id
    assert confirm_codes(link.uid, "") == ["TOKEN_INVALID"]
    altered = link.token[:-1] + ("1" if link.token.endswith("0") else "0")  # never the token itself
    assert confirm_codes(link.uid, altered) == ["TOKEN_INVALID"]
    # A link of one account does not open another, confirmed or not.
    assert confirm_codes(person_uid, link.token) == ["TOKEN_INVALID"]
    assert confirm_codes(person_uid, services.account_confirm_tokens.make_token(person)) == ["TOKEN_INVALID"]
    # A new-password token is not a confirmation token (each purpose has its own salt).
    assert confirm_codes(link.uid, services.password_reset_tokens.make_token(user)) == ["TOKEN_INVALID"]
    # Expired.
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(services.account_confirm_tokens, "_now", lambda: later)
    assert confirm_codes(link.uid, link.token) == ["TOKEN_INVALID"]
    monkeypatch.undo()
    assert confirm_codes(link.uid, link.token) == []  # the right link still works


def test_a_weak_password_is_refused_and_the_link_still_works(client, sent):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    refused = Browser().data(ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": "123"})
    errors = refused["accountConfirm"]["errors"]
    assert refused["accountConfirm"]["viewer"] is None
    assert errors and {(e["field"], e["code"]) for e in errors} == {("password", "PASSWORD_INVALID")}
    assert all(e["message"] for e in errors)
    similar = Browser().data(ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": "maria.zielinska"})
    assert {e["code"] for e in similar["accountConfirm"]["errors"]} == {"PASSWORD_INVALID"}
    assert not User.objects.get(username=ADDRESS).is_active
    assert confirm_codes(link.uid, link.token) == []


def test_confirmation_needs_the_csrf_token(client, sent):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    forged = Client(enforce_csrf_checks=True)  # another site's form posting to the API
    answer = post(forged, ACCOUNT_CONFIRM, {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD})
    assert [e["code"] for e in answer["data"]["accountConfirm"]["errors"]] == ["CSRF"]
    assert not User.objects.get(username=ADDRESS).is_active
    assert confirm_codes(link.uid, link.token) == []


# --- Names at confirmation: the mailbox's holder decides ------------------------------------------


def confirm_with_names(link, **names) -> dict:
    variables = {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD, **names}
    return Browser().data(ACCOUNT_CONFIRM, variables)["accountConfirm"]


def test_names_given_at_confirmation_replace_the_registered_ones(client, sent):
    sent(register, client, firstName="Ktoś", lastName="Obcy")
    answer = confirm_with_names(the_link(ADDRESS, "potwierdz"), firstName=" Maria ", lastName="Zielińska")
    assert answer == {
        "viewer": {"username": ADDRESS, "email": ADDRESS, "firstName": "Maria", "lastName": "Zielińska"},
        "errors": [],
    }
    user = User.objects.get(username=ADDRESS)
    assert (user.first_name, user.last_name, user.is_active) == ("Maria", "Zielińska", True)


def test_one_name_given_at_confirmation_replaces_that_one_only(client, sent):
    sent(register, client, firstName="Ktoś", lastName="Zielińska")
    answer = confirm_with_names(the_link(ADDRESS, "potwierdz"), firstName="Maria")
    assert (answer["viewer"]["firstName"], answer["viewer"]["lastName"]) == ("Maria", "Zielińska")


def test_bad_names_at_confirmation_are_refused_with_the_password_and_nothing_changes(client, sent):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    answer = Browser().data(
        ACCOUNT_CONFIRM,
        {"uid": link.uid, "token": link.token, "password": "123", "firstName": "", "lastName": "Płać na x.example"},
    )["accountConfirm"]
    assert answer["viewer"] is None
    found = {(error["field"], error["code"]) for error in answer["errors"]}
    assert found == {("firstName", "NAME_REQUIRED"), ("lastName", "NAME_INVALID"), ("password", "PASSWORD_INVALID")}
    assert all(error["message"] for error in answer["errors"])
    user = User.objects.get(username=ADDRESS)
    assert (user.first_name, user.last_name, user.is_active) == ("Maria", "Zielińska", False)
    # A password like the new name is refused as one like the old name would be.
    similar = confirm_with_names(link, firstName="Katarzyna", lastName="Wierzbicka", password="Wierzbicka!")
    assert {error["code"] for error in similar["errors"]} == {"PASSWORD_INVALID"}
    assert confirm_with_names(link)["errors"] == []  # the link still works


def test_a_bad_link_is_refused_before_the_names_are_looked_at(client, sent):
    sent(register, client)
    link = the_link(ADDRESS, "potwierdz")
    answer = confirm_with_names(replace(link, token="1-2"), firstName="", lastName="x.example")
    assert [error["code"] for error in answer["errors"]] == ["TOKEN_INVALID"]


# --- The same answer whatever the address ---------------------------------------------------


def test_the_answer_is_the_same_for_new_unconfirmed_confirmed_and_disabled_addresses(client, sent, person):
    sent(register, client, "czeka@example.pl")
    disabled = UserFactory(username="wylaczony", email="wylaczony@example.pl", is_active=False)
    mail.outbox.clear()
    Message.objects.all().delete()

    answers = {
        "new": sent(register, client, "nowy@example.pl"),
        "unconfirmed": sent(register, client, "CZEKA@example.pl", firstName="Ewa"),
        "confirmed": sent(register, client, "Jan.Kowalski@Example.pl"),
        "disabled": sent(register, client, "wylaczony@example.pl"),
    }
    expected = {"data": {"userRegister": {"accepted": True, "errors": []}}}
    assert answers == dict.fromkeys(answers, expected)

    # Only the e-mails differ, and each goes to the address's own mailbox.
    assert account_messages() == [
        ("nowy@example.pl", "account-confirm"),
        ("czeka@example.pl", "account-confirm"),
        ("jan.kowalski", "account-exists"),
    ]
    # A second sign-up never renames a pending account: the first registrant may be its owner.
    assert User.objects.get(username="czeka@example.pl").first_name == "Maria"
    assert not mails_to(disabled.email)
    exists = mails_to(person.email)[-1]
    assert exists.subject == "Masz już konto w portalu mieszkańca"
    assert "jan.kowalski" in exists.body  # the sign-in name, for the owner who forgot it
    the_link(person.email, "nowe-haslo")


def test_registering_a_confirmed_address_changes_nothing_and_its_link_sets_a_new_password(
    client, sent, person, password
):
    before = User.objects.count()
    sent(register, client, "jan.kowalski@example.pl", firstName="Włamywacz", lastName="Zły")
    assert User.objects.count() == before
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Jan", "Kowalski")
    assert person.check_password(password) and person.is_active
    assert not AccountConfirmation.objects.exists()

    link = the_link(person.email, "nowe-haslo")
    browser = Browser()
    reset = browser.data(RESET_CONFIRM, {"uid": link.uid, "token": link.token, "newPassword": NEW_PASSWORD})
    assert reset["passwordResetConfirm"] == {"viewer": {"username": "jan.kowalski"}, "errors": []}


# --- Account pre-hijacking -------------------------------------------------------------------


def test_registering_someone_elses_address_never_lets_the_registrant_in(client, sent, person, password):
    """Whoever registers an address they do not read never learns a password or a link."""
    victim = "ofiara@example.pl"
    sent(register, client, victim, firstName="Podszywacz")
    account = User.objects.get(username=victim)
    for guess in ("", "Zielony-Balkon-42", NEW_PASSWORD, "!"):
        answer = data(Client(), SESSION_SIGN_IN, {"username": victim, "password": guess})["sessionSignIn"]
        assert answer["viewer"] is None and answer["errors"][0]["code"] == "INVALID_CREDENTIALS"

    # The mailbox's owner registers too: one account, the registrant's names unchanged...
    sent(register, client, victim, firstName="Ofiara", lastName="Prawdziwa")
    assert User.objects.filter(email__iexact=victim).count() == 1
    account.refresh_from_db()
    assert account.first_name == "Podszywacz"
    # ...until the owner, from the link, gives theirs, with a password only they choose.
    link = the_link(victim, "potwierdz")
    browser = Browser()
    names = {"firstName": "Ofiara", "lastName": "Prawdziwa"}
    variables = {"uid": link.uid, "token": link.token, "password": NEW_PASSWORD, **names}
    confirmed = browser.data(ACCOUNT_CONFIRM, variables)["accountConfirm"]
    assert confirmed["errors"] == [] and confirmed["viewer"]["firstName"] == "Ofiara"
    account.refresh_from_db()
    assert (account.first_name, account.last_name, account.is_active) == ("Ofiara", "Prawdziwa", True)
    assert account.check_password(NEW_PASSWORD)

    # An existing account's address: the registrant gets nothing that signs in.
    sent(register, client, person.email)
    for guess in (NEW_PASSWORD, "Zielony-Balkon-43"):
        answer = data(Client(), SESSION_SIGN_IN, {"username": person.email, "password": guess})["sessionSignIn"]
        assert answer["viewer"] is None
    person.refresh_from_db()
    assert person.check_password(password)


# --- Input ------------------------------------------------------------------------------------


def codes(answer: dict) -> list[tuple[str | None, str]]:
    return sorted((e["field"], e["code"]) for e in answer["data"]["userRegister"]["errors"])


@pytest.mark.parametrize(
    "email, overrides, expected",
    [
        ("maria@", {}, [("email", "EMAIL_INVALID")]),
        ("", {}, [("email", "EMAIL_INVALID")]),
        ("ma ria@example.pl", {}, [("email", "EMAIL_INVALID")]),
        ("ma!ria@example.pl", {}, [("email", "EMAIL_INVALID")]),  # valid mail, not a valid sign-in name
        (("a" * 140) + "@example.pl", {}, [("email", "EMAIL_INVALID")]),  # longer than a sign-in name
        (ADDRESS, {"firstName": " ", "lastName": ""}, [("firstName", "NAME_REQUIRED"), ("lastName", "NAME_REQUIRED")]),
        (ADDRESS, {"lastName": "N" * 151}, [("lastName", "NAME_INVALID")]),
        (ADDRESS, {"lastName": "N" * 61}, [("lastName", "NAME_INVALID")]),
        (ADDRESS, {"firstName": "Pilne: zapłać na https://oplaty.example/pay"}, [("firstName", "NAME_INVALID")]),
        (ADDRESS, {"firstName": "Maria oplaty.example"}, [("firstName", "NAME_INVALID")]),
        (ADDRESS, {"firstName": "biuro@oplaty.example"}, [("firstName", "NAME_INVALID")]),
        (ADDRESS, {"firstName": "Maria 2"}, [("firstName", "NAME_INVALID")]),
        (ADDRESS, {"firstName": "Maria\nZadzwoń"}, [("firstName", "NAME_INVALID")]),
        (ADDRESS, {"lastName": "Zielińska\u202eabc"}, [("lastName", "NAME_INVALID")]),  # right-to-left override
        (ADDRESS, {"lastName": "-'."}, [("lastName", "NAME_INVALID")]),
        ("x", {"lastName": ""}, [("email", "EMAIL_INVALID"), ("lastName", "NAME_REQUIRED")]),  # all at once
    ],
)
def test_input_errors(client, email, overrides, expected):
    answer = register(client, email, **overrides)
    assert answer["data"]["userRegister"]["accepted"] is False
    assert codes(answer) == expected
    assert all(e["message"] for e in answer["data"]["userRegister"]["errors"])
    assert User.objects.count() == 0 and not Message.objects.exists()
    assert not AccountEmailRequest.objects.exists()


@pytest.mark.parametrize(
    "first_name, last_name, stored",
    [
        ("Anna Maria", "Kowalska-Nowak", ("Anna Maria", "Kowalska-Nowak")),
        ("  J. R. ", "O’Brien", ("J. R.", "O’Brien")),
        ("Łucja\u00a0\u00a0Ewa", "d'Arc", ("Łucja Ewa", "d'Arc")),  # a pasted no-break space
        ("Zoe\u0301", "Ñúñez", ("Zoé", "Ñúñez")),  # composed
        ("Олена", "Шевченко", ("Олена", "Шевченко")),
    ],
)
def test_names_as_people_write_them_are_taken(client, sent, first_name, last_name, stored):
    answer = sent(register, client, firstName=first_name, lastName=last_name)
    assert answer["data"]["userRegister"]["errors"] == []
    user = User.objects.get(username=ADDRESS)
    assert (user.first_name, user.last_name) == stored


def test_input_errors_do_not_depend_on_the_account(client, person):
    """A malformed request is refused the same way whether or not the address has an account."""
    known = register(client, person.email, lastName="")
    unknown = register(client, "nikt@example.pl", lastName="")
    assert known == unknown


def test_the_old_arguments_are_gone(client):
    answer = post(
        client,
        'mutation { userRegister(username: "x", password: "y", email: "a@b.pl", firstName: "A", lastName: "B") '
        "{ accepted } }",
    )
    assert answer["errors"]


# --- Limits -----------------------------------------------------------------------------------


def test_sign_ups_from_one_address_are_limited(settings):
    settings.REGISTRATION_LIMIT_PER_HOUR = 2
    for n in range(2):
        services.user_register(
            email=f"nowy{n}@example.pl", first_name="Ewa", last_name="Nowa", ip_address="203.0.113.5"
        )
    with pytest.raises(services.ServiceError) as refused:
        services.user_register(email="nowy9@example.pl", first_name="Ewa", last_name="Nowa", ip_address="203.0.113.5")
    assert refused.value.code == residents_errors.RegistrationErrorCode.THROTTLED
    # Another household is not affected.
    services.user_register(email="sasiad@example.pl", first_name="Ewa", last_name="Nowa", ip_address="198.51.100.5")


def test_the_address_limit_is_a_typed_error_the_same_for_every_address(client, settings, person):
    settings.REGISTRATION_LIMIT_PER_HOUR = 1
    register(client, "pierwszy@example.pl")
    known, unknown = register(client, person.email), register(client, "ktos@example.pl")
    assert known == unknown
    assert codes(known) == [(None, "THROTTLED")]


def test_one_mailbox_gets_a_few_account_emails_an_hour_then_nothing(client, sent, settings, person):
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 3
    answers = [sent(register, client, person.email) for _ in range(5)]
    assert all(answer == answers[0] for answer in answers)
    assert len(mails_to(person.email)) == 3
    answers = [sent(register, client, "nowa@example.pl") for _ in range(5)]
    assert all(answer == answers[0] for answer in answers)
    assert len(mails_to("nowa@example.pl")) == 3
    # Letter case does not make another mailbox.
    sent(register, client, "NOWA@Example.PL")
    assert len(mails_to("nowa@example.pl")) == 3


def test_registration_and_reset_share_the_mailbox_limit(client, sent, settings, person):
    from tests.factories.accounts import RESET_REQUEST

    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 3
    sent(register, client, person.email)
    sent(post, client, RESET_REQUEST, {"email": person.email})
    sent(register, client, person.email)
    assert len(mails_to(person.email)) == 3
    sent(post, client, RESET_REQUEST, {"email": person.email})
    sent(register, client, person.email)
    assert len(mails_to(person.email)) == 3


def test_a_throttled_new_address_creates_no_account(settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.user_register(email=ADDRESS, first_name="Maria", last_name="Z")
    assert AccountEmailRequest.objects.get().processed_at is not None
    assert not User.objects.exists() and not Message.objects.exists()


def test_the_service_answers_nothing(sent):
    assert sent(services.user_register, email=ADDRESS, first_name="Maria", last_name="Z") is None


# --- Messaging reaches unconfirmed accounts with account e-mails only ------------------------------


def test_only_account_emails_reach_an_unconfirmed_account(client, sent):
    sent(register, client)
    pending = User.objects.get(username=ADDRESS)
    disabled = UserFactory(username="wylaczony", is_active=False)
    mail.outbox.clear()
    for person in (pending, disabled):
        sent(
            messaging.message_send,
            kind="announcement",
            template_key="membership-verified",
            recipients=[person],
            context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "najemca"},
            dedupe_key=f"test:announcement:{person.pk}",
        )
    sent(
        messaging.message_send,
        kind="account",
        template_key="membership-verified",
        recipients=[disabled],
        context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "najemca"},
        dedupe_key="test:account",
    )
    assert mail.outbox == []
    assert set(Delivery.objects.filter(message__dedupe_key__startswith="test:").values_list("state", flat=True)) == {
        Delivery.State.FAILED
    }
