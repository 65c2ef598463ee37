"""A signed-in person changes their password: the current one is checked like a sign-in,
this session or token stays, every other one ends, and an e-mail tells the person."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from wagtail.models import APIToken

from operations.residents import services
from operations.residents.models import SignInAttempt
from tests.factories.accounts import (
    NEW_PASSWORD,
    PASSWORD_CHANGE,
    SESSION_SIGN_IN,
    TOKEN_SIGN_IN,
    WHO,
    Browser,
    account_messages,
    data,
    mails_to,
    post,
    the_link,
)
from tests.factories.residents import SuperUserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def token_for(username: str, password: str) -> str:
    return data(Client(), TOKEN_SIGN_IN, {"username": username, "password": password})["tokenSignIn"]["token"]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def who(token: str | None = None, client: Client | None = None) -> str | None:
    viewer = data(client or Client(), WHO, **(bearer(token) if token else {}))["viewer"]
    return viewer and viewer["username"]


def signed_in_browser(username: str, password: str, **client_kwargs) -> Browser:
    browser = Browser(**client_kwargs)
    answer = browser.data(SESSION_SIGN_IN, {"username": username, "password": password})["sessionSignIn"]
    assert answer["errors"] == []
    return browser


def change(browser: Browser, current: str, new: str = NEW_PASSWORD) -> dict:
    return browser.data(PASSWORD_CHANGE, {"currentPassword": current, "newPassword": new})["passwordChange"]


def codes(answer: dict) -> list[tuple[str | None, str]]:
    return sorted((e["field"], e["code"]) for e in answer["errors"])


def test_a_session_keeps_itself_and_ends_every_other_session_and_token(
    person, password, django_capture_on_commit_callbacks
):
    browser = signed_in_browser("jan.kowalski", password)
    other_browser = signed_in_browser("jan.kowalski", password)
    phone = token_for("jan.kowalski", password)
    SignInAttempt.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        answer = change(browser, password)
    assert answer == {"viewer": {"username": "jan.kowalski"}, "errors": []}
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    assert browser.viewer() == "jan.kowalski"  # this session goes on
    assert other_browser.viewer() is None
    assert who(phone) is None
    assert not APIToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert not SignInAttempt.objects.exists()  # a right current password is not a failure

    # The security notice, by e-mail, with a way back for the owner if it was not them.
    assert account_messages(person) == [("jan.kowalski", "password-changed")]
    (notice,) = mails_to(person.email)
    assert notice.subject == "Hasło do Twojego konta zostało zmienione"
    link = the_link(person.email, "nowe-haslo")
    assert link.uid == services._uid(person)


def test_a_token_keeps_itself_and_ends_every_other_token_and_session(person, password):
    phone = token_for("jan.kowalski", password)
    tablet = token_for("jan.kowalski", password)
    browser = signed_in_browser("jan.kowalski", password)

    answer = data(
        Client(enforce_csrf_checks=True),  # a token needs no CSRF token
        PASSWORD_CHANGE,
        {"currentPassword": password, "newPassword": NEW_PASSWORD},
        **bearer(phone),
    )["passwordChange"]
    assert answer == {"viewer": {"username": "jan.kowalski"}, "errors": []}

    assert who(phone) == "jan.kowalski"
    assert who(tablet) is None
    assert browser.viewer() is None
    assert APIToken.objects.filter(user=person, revoked_at__isnull=True).count() == 1


def test_a_wrong_current_password_is_a_failed_sign_in(person, password):
    browser = signed_in_browser("jan.kowalski", password, REMOTE_ADDR="10.2.0.1", HTTP_USER_AGENT="przegladarka/2")
    answer = change(browser, "nie-to-haslo")
    assert answer["viewer"] is None
    assert codes(answer) == [("currentPassword", "CURRENT_PASSWORD_WRONG")]
    assert answer["errors"][0]["message"]
    failure = SignInAttempt.objects.get(outcome="failure")
    assert (failure.user, failure.username, failure.channel) == (person, "jan.kowalski", "session")
    assert (failure.ip_address, failure.user_agent) == ("10.2.0.1", "przegladarka/2")
    person.refresh_from_db()
    assert person.check_password(password)
    assert browser.viewer() == "jan.kowalski"


def test_guessing_the_current_password_is_throttled_like_sign_in(person, password, settings):
    browser = signed_in_browser("jan.kowalski", password, REMOTE_ADDR="10.2.0.2")
    SignInAttempt.objects.all().delete()  # guessing from a stolen session, with no success since
    for _ in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        assert codes(change(browser, "zgaduje")) == [("currentPassword", "CURRENT_PASSWORD_WRONG")]
    refused = change(browser, password)
    assert codes(refused) == [(None, "THROTTLED")] and refused["viewer"] is None
    person.refresh_from_db()
    assert person.check_password(password)
    assert SignInAttempt.objects.filter(outcome="throttled", channel="session").count() == 1
    # The failures count for sign-ins as well: the same address is refused there too.
    again = data(Client(REMOTE_ADDR="10.2.0.2"), SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password})
    assert again["sessionSignIn"]["errors"] == [{"code": "THROTTLED"}]


def test_a_token_guessing_is_recorded_as_a_token_attempt(person, password):
    phone = token_for("jan.kowalski", password)
    answer = data(Client(), PASSWORD_CHANGE, {"currentPassword": "zle", "newPassword": NEW_PASSWORD}, **bearer(phone))[
        "passwordChange"
    ]
    assert codes(answer) == [("currentPassword", "CURRENT_PASSWORD_WRONG")]
    assert SignInAttempt.objects.get(outcome="failure").channel == "token"


def test_a_weak_new_password_is_refused(person, password):
    browser = signed_in_browser("jan.kowalski", password)
    answer = change(browser, password, "jan.kowalski")
    assert {code for _field, code in codes(answer)} == {"PASSWORD_INVALID"}
    assert {field for field, _code in codes(answer)} == {"newPassword"}
    both = change(browser, "zle", "123")
    assert {code for _field, code in codes(both)} == {"CURRENT_PASSWORD_WRONG", "PASSWORD_INVALID"}
    person.refresh_from_db()
    assert person.check_password(password)
    assert not mail.outbox


def test_anonymous_cannot_change_a_password(client):
    answer = post(client, PASSWORD_CHANGE, {"currentPassword": "x", "newPassword": NEW_PASSWORD})
    assert answer == {
        "data": {
            "passwordChange": {
                "viewer": None,
                "errors": [
                    {
                        "field": None,
                        "code": "NOT_AUTHENTICATED",
                        "message": answer["data"]["passwordChange"]["errors"][0]["message"],
                    }
                ],
            }
        }
    }
    assert not SignInAttempt.objects.exists()


def test_a_session_without_the_csrf_token_is_refused(person, password):
    browser = signed_in_browser("jan.kowalski", password)
    response = browser.client.post(
        "/graphql",
        data={"query": PASSWORD_CHANGE, "variables": {"currentPassword": password, "newPassword": NEW_PASSWORD}},
        content_type="application/json",
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.check_password(password)


def test_staff_change_theirs_the_same_way():
    SuperUserFactory(username="szef")
    browser = signed_in_browser("szef", "Zielony-Balkon-42")
    assert change(browser, "Zielony-Balkon-42")["errors"] == []
    assert User.objects.get(username="szef").check_password(NEW_PASSWORD)
