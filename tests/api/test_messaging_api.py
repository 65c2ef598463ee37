"""The messaging API for each kind of viewer: the inbox and marking messages read.

Preferences and push devices: test_messaging_preferences_api.py; shared operations and
helpers: messaging_api_helpers.py.

Every viewer of the scenario (tests/api/scenario.py) gets messages of their own; each must
see exactly theirs, and nobody may read or mark another person's, even by naming its id.
The scenario's verified residents already have one message each: the membership decision
that verifying them sent through `message_send`.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from strawberry import relay

from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind
from operations.messaging.models import Message, NotificationSettings, PushDevice
from tests.api.messaging_api_helpers import (
    INBOX,
    MARK_READ,
    PREFERENCES,
    PREFERENCES_UPDATE,
    PUSH_REGISTER,
    PUSH_UNREGISTER,
    TOKEN,
    client_error,
    codes,
    global_id,
    inbox,
    make_message,
    payload,
    subjects,
)

pytestmark = pytest.mark.django_db


# --- Who sees what ----------------------------------------------------------------------------


def test_anonymous_has_no_inbox_and_no_preferences(as_viewer, scenario):
    make_message(scenario.user("resident_a"), subject="for resident a")
    gql = as_viewer("anonymous")
    assert gql.data(INBOX)["viewer"] is None
    assert gql.data(PREFERENCES)["viewer"] is None


def test_anonymous_mutations_are_refused(as_viewer, scenario):
    mine = make_message(scenario.user("resident_a"))
    gql = as_viewer("anonymous")
    marked = payload(gql, MARK_READ, {"ids": [global_id(mine)]}, "messageMarkRead")
    assert codes(marked) == [(None, "NOT_AUTHENTICATED")]
    assert marked["messages"] == [] and marked["unreadCount"] == 0
    marked_all = payload(gql, MARK_READ, {"all": True}, "messageMarkRead")
    assert codes(marked_all) == [(None, "NOT_AUTHENTICATED")]
    mine.refresh_from_db()
    assert mine.read_at is None

    update = payload(gql, PREFERENCES_UPDATE, {"input": {"phone": "600123456"}}, "notificationPreferencesUpdate")
    assert codes(update) == [(None, "NOT_AUTHENTICATED")] and update["preferences"] is None
    register = payload(gql, PUSH_REGISTER, {"token": TOKEN}, "pushDeviceRegister")
    assert codes(register) == [(None, "NOT_AUTHENTICATED")] and register["device"] is None
    unregister = payload(gql, PUSH_UNREGISTER, {"token": TOKEN}, "pushDeviceUnregister")
    assert codes(unregister) == [(None, "NOT_AUTHENTICATED")] and unregister["removed"] is False
    assert not NotificationSettings.objects.exists()
    assert not PushDevice.objects.exists()


SIGNED_IN = ("pending", "resident_a", "resident_b", "tenant_a", "contractor", "staff", "superuser")


@pytest.mark.parametrize("viewer", SIGNED_IN)
def test_each_viewer_sees_exactly_their_own_messages(as_viewer, scenario, viewer):
    for name in SIGNED_IN:
        make_message(scenario.user(name), subject=f"to {name}")
    gql = as_viewer(viewer)
    connection = inbox(gql)
    user = scenario.user(viewer)
    expected = set(Message.objects.filter(recipient=user).values_list("subject", flat=True))
    assert f"to {viewer}" in expected
    assert set(subjects(connection)) == expected
    assert connection["totalCount"] == len(expected)
    assert not {f"to {name}" for name in SIGNED_IN if name != viewer} & set(subjects(connection))


def test_membership_decision_reaches_the_inbox(as_viewer, scenario):
    """Verifying resident_a sent a message through message_send; it is in their inbox, unread."""
    connection = inbox(as_viewer("resident_a"))
    accounts = [edge["node"] for edge in connection["edges"] if edge["node"]["kind"] == "ACCOUNT"]
    assert len(accounts) == 1
    assert accounts[0]["isRead"] is False and accounts[0]["body"]
    assert connection["unreadCount"] >= 1
    # Nobody else got it.
    assert "ACCOUNT" not in {edge["node"]["kind"] for edge in inbox(as_viewer("contractor"))["edges"]}


def test_message_sent_to_staff_and_contractor(as_viewer, scenario):
    for name in ("staff", "contractor"):
        messaging.message_send(
            kind=MessageKind.ACCOUNT,
            template_key="membership-verified",
            recipients=[scenario.user(name)],
            context={"unit": "A/1", "address": "Lipowa 1", "role": "owner", "reason": ""},
            dedupe_key=f"test-send:{name}",
        )
    for name in ("staff", "contractor"):
        connection = inbox(as_viewer(name))
        assert connection["totalCount"] == 1
        assert connection["unreadCount"] == 1
        assert "A/1" in connection["edges"][0]["node"]["body"]


def test_inbox_fields(as_viewer, scenario):
    user = scenario.user("tenant_a")
    Message.objects.filter(recipient=user).delete()
    plain = make_message(user, subject="plain", body_text="Line <b>one</b>\n\nSecond & last", age_minutes=5)
    html = make_message(
        user,
        subject="html",
        kind=MessageKind.OUTAGE_ALERT,
        body_text="text",
        body_html="<p>The <strong>HTML</strong> part</p>",
        link="https://example.com/aktualnosci/awaria/",
        read=True,
    )
    nodes = [edge["node"] for edge in inbox(as_viewer("tenant_a"))["edges"]]
    assert [node["subject"] for node in nodes] == ["html", "plain"]  # newest first
    newest, oldest = nodes
    assert newest["id"] == global_id(html)
    assert newest["kind"] == "OUTAGE_ALERT"
    assert newest["bodyHtml"] == "<p>The <strong>HTML</strong> part</p>"
    assert newest["link"] == "https://example.com/aktualnosci/awaria/"
    assert newest["isRead"] is True and newest["readAt"]
    assert oldest["id"] == global_id(plain)
    assert oldest["kind"] == "ANNOUNCEMENT"
    assert oldest["body"] == "Line <b>one</b>\n\nSecond & last"
    # The text turned into paragraphs, escaped: the text's markup is shown, never run.
    assert oldest["bodyHtml"] == "<p>Line &lt;b&gt;one&lt;/b&gt;</p>\n\n<p>Second &amp; last</p>"
    assert oldest["link"] is None
    assert oldest["isRead"] is False and oldest["readAt"] is None


def test_messages_without_an_inbox_entry_are_in_no_read_of_the_inbox(as_viewer, resident_inbox, scenario):
    """A message sent with inbox=False (an account e-mail with a link that sets the password)
    is not listed, counted, filtered or marked, even by its own recipient naming its id."""
    user = scenario.user("resident_a")
    secret = make_message(user, subject="secret link", kind=MessageKind.ACCOUNT, in_inbox=False)
    gql = as_viewer("resident_a")
    for variables in ({}, {"unreadOnly": True}, {"kind": "ACCOUNT"}, {"first": 100}):
        connection = inbox(gql, **variables)
        assert "secret link" not in subjects(connection), variables
        assert connection["unreadCount"] == 3
    assert inbox(gql)["totalCount"] == 7
    named = payload(gql, MARK_READ, {"ids": [global_id(secret)]}, "messageMarkRead")
    assert codes(named) == [("ids", "MESSAGE_NOT_FOUND")] and named["unreadCount"] == 3
    assert payload(gql, MARK_READ, {"all": True}, "messageMarkRead")["unreadCount"] == 0
    secret.refresh_from_db()
    assert secret.read_at is None  # not touched: it is not in the inbox


# --- Filters and pages ------------------------------------------------------------------------


@pytest.fixture
def resident_inbox(scenario):
    """resident_a's inbox: 6 messages of their own (3 unread, 2 outage alerts) and the decision message."""
    user = scenario.user("resident_a")
    # The decision message: read, and older than the others.
    Message.objects.filter(recipient=user).update(read_at=timezone.now(), created_at=timezone.now() - timedelta(days=1))
    made = [
        make_message(user, subject="m1", age_minutes=60),
        make_message(user, subject="m2", age_minutes=50, read=True),
        make_message(user, subject="m3", age_minutes=40, kind=MessageKind.OUTAGE_ALERT),
        make_message(user, subject="m4", age_minutes=30, read=True),
        make_message(user, subject="m5", age_minutes=20, kind=MessageKind.OUTAGE_ALERT, read=True),
        make_message(user, subject="m6", age_minutes=10),
    ]
    make_message(scenario.user("resident_b"), subject="not yours")
    return made


def test_filters_narrow_the_list_but_not_the_unread_count(as_viewer, resident_inbox):
    gql = as_viewer("resident_a")
    everything = inbox(gql)
    assert everything["totalCount"] == 7 and everything["unreadCount"] == 3
    assert subjects(everything)[:6] == ["m6", "m5", "m4", "m3", "m2", "m1"]

    unread = inbox(gql, unreadOnly=True)
    assert subjects(unread) == ["m6", "m3", "m1"]
    assert unread["totalCount"] == 3 and unread["unreadCount"] == 3

    alerts = inbox(gql, kind="OUTAGE_ALERT")
    assert subjects(alerts) == ["m5", "m3"]
    assert alerts["totalCount"] == 2 and alerts["unreadCount"] == 3

    unread_alerts = inbox(gql, kind="OUTAGE_ALERT", unreadOnly=True)
    assert subjects(unread_alerts) == ["m3"]
    assert inbox(gql, kind="OFFERS")["totalCount"] == 0


def test_pages_follow_cursors(as_viewer, resident_inbox):
    gql = as_viewer("resident_a")
    first = inbox(gql, first=4)
    assert subjects(first) == ["m6", "m5", "m4", "m3"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = inbox(gql, first=4, after=first["pageInfo"]["endCursor"])
    assert subjects(rest)[:2] == ["m2", "m1"] and len(rest["edges"]) == 3
    assert rest["pageInfo"]["hasNextPage"] is False
    assert subjects(inbox(gql, last=2, before=first["edges"][2]["cursor"])) == ["m6", "m5"]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 101},
        {"last": 101},
        {"first": -1},
        {"after": base64.b64encode(b"arrayconnection:99999999999999999999").decode()},
        {"after": base64.b64encode(b"somethingelse:3").decode()},
        {"after": "not base64 at all!"},
        {"before": base64.b64encode(b"arrayconnection:-5").decode()},
    ],
    ids=["first-101", "last-101", "first-negative", "huge-cursor", "foreign-cursor", "garbage-cursor", "negative"],
)
def test_bad_page_arguments_are_client_errors(as_viewer, resident_inbox, variables):
    errors = client_error(as_viewer("resident_a"), INBOX, variables)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_page_of_100_is_allowed(as_viewer, resident_inbox):
    assert inbox(as_viewer("resident_a"), first=100)["totalCount"] == 7


@pytest.mark.parametrize(
    "query, variables",
    [
        ("{ viewer { inbox(kind: NOPE) { totalCount } } }", None),
        ('{ viewer { inbox(kind: "announcement") { totalCount } } }', None),
        ("query($k: MessageKind) { viewer { inbox(kind: $k) { totalCount } } }", {"k": "announcement"}),
        ("query($k: MessageKind) { viewer { inbox(kind: $k) { totalCount } } }", {"k": "NOPE"}),
        ("query($u: Boolean!) { viewer { inbox(unreadOnly: $u) { totalCount } } }", {"u": "yes"}),
    ],
)
def test_unknown_kind_or_mistyped_filter(as_viewer, scenario, query, variables):
    client_error(as_viewer("resident_a"), query, variables)


def test_nul_in_a_variable_is_refused(as_viewer, scenario):
    errors = client_error(as_viewer("resident_a"), PUSH_REGISTER, {"token": "ExponentPushToken[a\u0000b]"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not PushDevice.objects.exists()


# --- Marking read -----------------------------------------------------------------------------


def test_mark_some_read(as_viewer, resident_inbox):
    m1, _m2, m3, *_rest = resident_inbox
    gql = as_viewer("resident_a")
    result = payload(gql, MARK_READ, {"ids": [global_id(m1), global_id(m3)]}, "messageMarkRead")
    assert result["errors"] == []
    assert {message["subject"] for message in result["messages"]} == {"m1", "m3"}
    assert all(message["isRead"] and message["readAt"] for message in result["messages"])
    assert result["unreadCount"] == 1
    assert inbox(gql)["unreadCount"] == 1
    assert subjects(inbox(gql, unreadOnly=True)) == ["m6"]


def test_mark_read_keeps_the_first_read_time(as_viewer, resident_inbox):
    m2 = resident_inbox[1]
    before = Message.objects.get(pk=m2.pk).read_at
    result = payload(as_viewer("resident_a"), MARK_READ, {"ids": [global_id(m2)]}, "messageMarkRead")
    assert result["errors"] == [] and result["messages"][0]["isRead"]
    assert Message.objects.get(pk=m2.pk).read_at == before


def test_mark_all_read(as_viewer, resident_inbox, scenario):
    other = Message.objects.get(subject="not yours")
    gql = as_viewer("resident_a")
    result = payload(gql, MARK_READ, {"all": True}, "messageMarkRead")
    assert result == {"messages": [], "unreadCount": 0, "errors": []}
    assert inbox(gql)["unreadCount"] == 0
    assert not Message.objects.filter(recipient=scenario.user("resident_a"), read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # another person's inbox is untouched


def test_nothing_named_changes_nothing(as_viewer, resident_inbox):
    result = payload(as_viewer("resident_a"), MARK_READ, {"ids": []}, "messageMarkRead")
    assert result == {"messages": [], "unreadCount": 3, "errors": []}


def test_another_persons_message_is_not_found_and_nothing_changes(as_viewer, resident_inbox, scenario):
    """resident_b (another building) names resident_a's messages, alone and next to their own."""
    theirs = resident_inbox[0]
    own = make_message(scenario.user("resident_b"), subject="b's own")
    gql = as_viewer("resident_b")
    for ids in ([global_id(theirs)], [global_id(own), global_id(theirs)]):
        result = payload(gql, MARK_READ, {"ids": ids}, "messageMarkRead")
        assert codes(result) == [("ids", "MESSAGE_NOT_FOUND")]
        assert result["messages"] == []
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert theirs.read_at is None and own.read_at is None
    # ...and the inbox never shows it either.
    assert "m1" not in subjects(inbox(gql))


def test_message_that_does_not_exist_is_not_found(as_viewer, resident_inbox):
    missing = str(relay.GlobalID("InboxMessage", "999999999"))
    result = payload(as_viewer("resident_a"), MARK_READ, {"ids": [missing]}, "messageMarkRead")
    assert codes(result) == [("ids", "MESSAGE_NOT_FOUND")]
    assert result["unreadCount"] == 3


@pytest.mark.parametrize(
    "ids",
    [
        ["1"],
        ["not-an-id"],
        [str(relay.GlobalID("NewsItem", "1"))],
        [str(relay.GlobalID("InboxMessage", "abc"))],
        [str(relay.GlobalID("InboxMessage", "0"))],
        [str(relay.GlobalID("InboxMessage", "9" * 30))],
    ],
    ids=["bare-number", "garbage", "other-type", "non-numeric", "zero", "too-big"],
)
def test_malformed_ids_are_client_errors(as_viewer, resident_inbox, ids):
    errors = client_error(as_viewer("resident_a"), MARK_READ, {"ids": ids})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == "ids"


def test_ids_and_all_together_or_too_many_ids(as_viewer, resident_inbox):
    gql = as_viewer("resident_a")
    client_error(gql, MARK_READ, {"ids": [global_id(resident_inbox[0])], "all": True})
    too_many = [str(relay.GlobalID("InboxMessage", str(n))) for n in range(1, 102)]
    client_error(gql, MARK_READ, {"ids": too_many})
    assert inbox(gql)["unreadCount"] == 3


# --- Query counts -----------------------------------------------------------------------------

FEW, MANY = 5, 50


# Each computed field alone too: a field that reads a column the optimizer deferred costs
# one query per message, which a selection of every field would hide.
INBOX_SELECTIONS = [
    "id kind subject body bodyHtml link createdAt readAt isRead",
    "bodyHtml",
    "body",
    "kind",
    "link",
    "isRead",
    "id",
]


INBOX_COUNTED = """
query($first: Int) {
  viewer {
    notificationPreferences { language }
    inbox(first: $first) { totalCount unreadCount edges { node { SELECTION } } }
  }
}
"""


@pytest.mark.parametrize("selection", INBOX_SELECTIONS)
def test_inbox_query_count_does_not_grow(as_viewer, scenario, selection):
    user = scenario.user("staff")
    gql = as_viewer("staff")
    query = INBOX_COUNTED.replace("SELECTION", selection)

    def add(count):
        Message.objects.bulk_create(
            Message(
                recipient=user,
                kind=MessageKind.ANNOUNCEMENT if n % 2 else MessageKind.OUTAGE_ALERT,
                dedupe_key=f"count:{count}:{n}",
                subject=f"count {n}",
                body_text=f"body {n}",
                link="/aktualnosci/" if n % 2 else "",
                read_at=timezone.now() if n % 3 == 0 else None,
            )
            for n in range(count)
        )

    add(FEW)
    few, data = gql.count_queries(query, {"first": 100})
    assert data["viewer"]["inbox"]["totalCount"] == FEW
    add(MANY - FEW)
    many, data = gql.count_queries(query, {"first": 100})
    assert len(data["viewer"]["inbox"]["edges"]) == MANY
    assert few == many, (few, many)
    # Session, user, the page with its total (one query), the unread count, the settings.
    assert many == 5, many


def test_mark_read_query_count_does_not_grow(as_viewer, scenario):
    user = scenario.user("tenant_a")
    gql = as_viewer("tenant_a")
    few = [make_message(user) for _ in range(FEW)]
    many = [make_message(user) for _ in range(MANY)]
    counts = []
    for batch in (few, many):
        queries, data = gql.count_queries(MARK_READ, {"ids": [global_id(message) for message in batch]})
        assert data["messageMarkRead"]["errors"] == [] and len(data["messageMarkRead"]["messages"]) == len(batch)
        counts.append(queries)
    assert counts[0] == counts[1], counts


# --- The portal's operations run ----------------------------------------------------------------


def test_portal_operations_run(as_viewer, resident_inbox):
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "graphql" / "operations"
    gql = as_viewer("resident_a")
    inbox_data = gql.data((folder / "Inbox.graphql").read_text(), {"first": 3})
    first_id = inbox_data["viewer"]["inbox"]["edges"][0]["node"]["id"]
    marked = gql.data((folder / "MessageMarkRead.graphql").read_text(), {"ids": [first_id]})
    assert marked["messageMarkRead"]["errors"] == []
    preferences = gql.data((folder / "NotificationPreferences.graphql").read_text())
    assert preferences["viewer"]["notificationPreferences"]["kinds"]
    updated = gql.data(
        (folder / "NotificationPreferencesUpdate.graphql").read_text(),
        {"input": {"choices": [{"kind": "OFFERS", "channel": "PUSH", "enabled": True}]}},
    )
    assert updated["notificationPreferencesUpdate"]["errors"] == []
    registered = gql.data((folder / "PushDeviceRegister.graphql").read_text(), {"token": TOKEN, "name": "iPhone"})
    assert registered["pushDeviceRegister"]["errors"] == []
