"""What the messaging API tests share: the operations they send, a phone's push tokens and
small helpers that read payloads and errors. Not a test module (no `test_` prefix)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone
from strawberry import relay

from operations.messaging.kinds import MessageKind
from operations.messaging.models import Message

CLIENT_CODES = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}
TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"
OTHER_TOKEN = "ExponentPushToken[yyyyyyyyyyyyyyyyyyyyyy]"

INBOX = """
query($first: Int, $after: String, $last: Int, $before: String, $unreadOnly: Boolean! = false, $kind: MessageKind) {
  viewer {
    username
    inbox(first: $first, after: $after, last: $last, before: $before, unreadOnly: $unreadOnly, kind: $kind) {
      totalCount unreadCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id kind subject body bodyHtml link createdAt readAt isRead } }
    }
  }
}
"""

MARK_READ = """
mutation($ids: [ID!], $all: Boolean! = false) {
  messageMarkRead(ids: $ids, all: $all) {
    messages { id subject isRead readAt }
    unreadCount
    errors { field message ... on MessagingError { code } }
  }
}
"""

PREFERENCES = """
query {
  viewer {
    notificationPreferences {
      language phone
      kinds { kind label description needsConsent channels { channel label enabled locked } }
      pushDevices { name createdAt lastSeenAt }
    }
  }
}
"""

PREFERENCES_UPDATE = """
mutation($input: NotificationPreferencesInput!) {
  notificationPreferencesUpdate(input: $input) {
    preferences { language phone kinds { kind channels { channel enabled locked } } }
    errors { field message ... on MessagingError { code } }
  }
}
"""

PUSH_REGISTER = """
mutation($token: String!, $name: String) {
  pushDeviceRegister(token: $token, name: $name) {
    device { name createdAt }
    errors { field message ... on MessagingError { code } }
  }
}
"""

PUSH_UNREGISTER = """
mutation($token: String!) {
  pushDeviceUnregister(token: $token) { removed errors { field message ... on MessagingError { code } } }
}
"""

_numbers = itertools.count(1)


def make_message(user, *, subject=None, kind=MessageKind.ANNOUNCEMENT, read=False, age_minutes=0, **fields):
    """An inbox entry for `user`, as the outbox writes it (no deliveries: the inbox does not need them)."""
    number = next(_numbers)
    now = timezone.now()
    return Message.objects.create(
        recipient=user,
        kind=kind,
        dedupe_key=f"test:{number}",
        subject=subject or f"message {number} for {user.username}",
        body_text=fields.pop("body_text", f"body {number}"),
        created_at=now - timedelta(minutes=age_minutes),
        read_at=now if read else None,
        **fields,
    )


def global_id(message) -> str:
    return str(relay.GlobalID("InboxMessage", str(message.pk)))


def inbox(gql, **variables) -> dict:
    return gql.data(INBOX, variables)["viewer"]["inbox"]


def subjects(connection) -> list[str]:
    return [edge["node"]["subject"] for edge in connection["edges"]]


def payload(gql, query, variables, name) -> dict:
    return gql.data(query, variables)[name]


def codes(result) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in result["errors"]]


def client_error(gql, query, variables=None) -> list[dict]:
    """HTTP 200 with errors that all carry a client-fault code."""
    result = gql.execute(query, variables)
    errors = result.get("errors")
    assert errors, result
    found = {(error.get("extensions") or {}).get("code") for error in errors}
    assert found <= CLIENT_CODES, errors
    return errors
