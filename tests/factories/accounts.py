"""Helpers for the account tests (registration, confirmation, passwords): the GraphQL
operations, a browser that plays by the CSRF rules, and the links read from e-mails.

A sign-up or reset request only writes an AccountEmailRequest and queues its task after
commit; the task looks the address up and writes the account e-mail to messaging's outbox,
which is sent after that commit. Tests run the request inside
`django_capture_on_commit_callbacks(execute=True)` (which runs callbacks added by
callbacks too), or call `services.account_email_requests_process()`, then read Django's
locmem `mail.outbox`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.core import mail
from django.test import Client

from operations.messaging.models import Delivery, Message

REGISTER = """
mutation($email: String!, $firstName: String!, $lastName: String!) {
  userRegister(email: $email, firstName: $firstName, lastName: $lastName) {
    accepted
    errors { field code message }
  }
}
"""
ACCOUNT_CONFIRM = """
mutation($uid: String!, $token: String!, $password: String!, $firstName: String, $lastName: String) {
  accountConfirm(uid: $uid, token: $token, password: $password, firstName: $firstName, lastName: $lastName) {
    viewer { username email firstName lastName }
    errors { field code message }
  }
}
"""
RESET_REQUEST = """
mutation($email: String!) {
  passwordResetRequest(email: $email) { accepted errors { field code message } }
}
"""
RESET_CONFIRM = """
mutation($uid: String!, $token: String!, $newPassword: String!) {
  passwordResetConfirm(uid: $uid, token: $token, newPassword: $newPassword) {
    viewer { username }
    errors { field code message }
  }
}
"""
PASSWORD_CHANGE = """
mutation($currentPassword: String!, $newPassword: String!) {
  passwordChange(currentPassword: $currentPassword, newPassword: $newPassword) {
    viewer { username }
    errors { field code message }
  }
}
"""
SESSION_SIGN_IN = """
mutation($username: String!, $password: String!) {
  sessionSignIn(username: $username, password: $password) { viewer { username } errors { code } }
}
"""
TOKEN_SIGN_IN = """
mutation($username: String!, $password: String!) {
  tokenSignIn(username: $username, password: $password, clientName: "Telefon") { token errors { code } }
}
"""
WHO = "{ viewer { username } }"

NEW_PASSWORD = "Kasztanowiec-przy-bramie-9"
LINK = re.compile(r"/konto/(?P<purpose>potwierdz|nowe-haslo)/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


def post(client: Client, query: str, variables: dict | None = None, **headers) -> dict:
    """The whole JSON answer of one operation (HTTP 200 expected)."""
    response = client.post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content[:500]
    return response.json()


def data(client: Client, query: str, variables: dict | None = None, **headers) -> dict:
    body = post(client, query, variables, **headers)
    assert "errors" not in body, body["errors"]
    return body["data"]


def register_form(email: str = "maria.zielinska@example.pl", **overrides) -> dict:
    return {"email": email, "firstName": "Maria", "lastName": "Zielińska", **overrides}


def register(client: Client, email: str = "maria.zielinska@example.pl", **overrides) -> dict:
    """Sign up through the API (userRegister) with the form's usual names."""
    return post(client, REGISTER, register_form(email, **overrides))


class Browser:
    """A web portal's browser: cookies, and Django's CSRF token sent as the portal sends it."""

    def __init__(self, **client_kwargs):
        self.client = Client(enforce_csrf_checks=True, **client_kwargs)
        self.client.get("/graphql", {"query": "{ csrfToken }"})

    def headers(self) -> dict:
        return {"HTTP_X_CSRFTOKEN": self.client.cookies["csrftoken"].value}

    def post(self, query: str, variables: dict | None = None) -> dict:
        return post(self.client, query, variables, **self.headers())

    def data(self, query: str, variables: dict | None = None) -> dict:
        return data(self.client, query, variables, **self.headers())

    def viewer(self) -> str | None:
        viewer = self.data(WHO)["viewer"]
        return viewer and viewer["username"]


@dataclass(frozen=True)
class Link:
    purpose: str  # "potwierdz" (confirm an account) or "nowe-haslo" (new password)
    uid: str
    token: str
    url: str


def links(email) -> list[Link]:
    found = []
    for match in LINK.finditer(email.body):
        start = email.body.rfind("http", 0, match.start())
        found.append(Link(match["purpose"], match["uid"], match["token"], email.body[start : match.end()]))
    return found


def mails_to(address: str) -> list:
    return [email for email in mail.outbox if address.lower() in [to.lower() for to in email.to]]


def the_link(address: str, purpose: str) -> Link:
    """The link of the latest e-mail to `address`, which must be of `purpose`."""
    received = mails_to(address)
    assert received, f"no e-mail to {address}"
    found = links(received[-1])
    assert [link.purpose for link in found] == [purpose], received[-1].body
    return found[0]


def account_messages(user=None) -> list[tuple[str, str]]:
    """(recipient's user name, template key) of every account message in the outbox, oldest first."""
    rows = Message.objects.filter(kind="account").order_by("pk")
    if user is not None:
        rows = rows.filter(recipient=user)
    return [(m.recipient.get_username(), m.dedupe_key.rsplit(":", 1)[0]) for m in rows.select_related("recipient")]


def email_deliveries(user) -> list[tuple[str, str]]:
    return list(Delivery.objects.filter(message__recipient=user).order_by("pk").values_list("channel", "address"))
