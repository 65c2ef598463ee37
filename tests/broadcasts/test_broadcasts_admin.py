"""Broadcasts in the Wagtail admin, driven through the test client: composing a broadcast,
its preview, sending, cancelling, the report and its CSV, the listing, the "Messages"
menu it sits in, and the offer to broadcast a freshly published outage alert. (The
delivery log and message templates: tests/messaging/test_admin.py.)"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cms.core.portal_links import page_portal_url
from cms.news.models import NewsPage
from operations.broadcasts import selectors, services
from operations.broadcasts.admin.exports import describe_progress
from operations.broadcasts.admin.forms import NEWS_AUDIENCE_HELP
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.messaging.rendering import SmsLength, sms_length
from operations.messaging.services import preferences
from operations.residents import services as residents
from operations.residents.roles import StaffRole, staff_group_name
from tests.factories import content as f
from tests.factories import messaging as mf
from tests.factories.admin import html_form, staff_client
from tests.factories.broadcasts import draft
from tests.factories.residents import SuperUserFactory

pytestmark = pytest.mark.django_db


# --- People and places ---------------------------------------------------------------------------


def resident(building, username, **fields):
    return mf.reachable_resident(building, username, **fields)


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(SuperUserFactory(username="admin"))
    return client


def url(name: str, broadcast) -> str:
    return reverse(f"broadcasts:{name}", args=[broadcast.pk])


def form_data(**overrides) -> dict:
    data = {
        "title": "Wymiana wodomierzy",
        "kind": "announcement",
        "subject": "Wymiana wodomierzy w budynku A",
        "body": "Dzień dobry {{ recipient.first_name }},\nw poniedziałek wymieniamy wodomierze.",
        "sms_text": "Wymiana wodomierzy w poniedzialek.",
        "subject_en": "",
        "body_en": "",
        "sms_text_en": "",
        "link": "",
        "roles": [],
        "channels": ["email", "push"],
        "send_at": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sent(broadcast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("send", broadcast))
    broadcast.refresh_from_db()
    return response


# --- Composing -----------------------------------------------------------------------------------


def test_dispatcher_creates_a_draft_through_the_admin_form(dispatcher_client, building_a, reachable_people):
    assert dispatcher_client.get("/admin/broadcasts/new/").status_code == 200
    response = dispatcher_client.post(
        "/admin/broadcasts/new/", form_data(buildings=[building_a.pk], roles=["owners"], channels=["email", "sms"])
    )
    assert response.status_code == 302, response.context["form"].errors
    broadcast = Broadcast.objects.get(title="Wymiana wodomierzy")
    assert response.url == url("preview", broadcast)
    assert broadcast.status == Broadcast.Status.DRAFT
    assert broadcast.created_by == dispatcher_client.user
    assert list(broadcast.buildings.all()) == [building_a]
    assert (broadcast.roles, broadcast.channels) == (["owners"], ["email", "sms"])
    readers_in_a = {reachable_people[n] for n in ("anna", "jan", "ewa", "piotr")}
    assert set(selectors.broadcast_recipients(broadcast)) == readers_in_a
    assert not Message.objects.filter(broadcast=broadcast).exists()  # a draft sends nothing


def test_template_errors_and_a_too_long_sms_are_refused_next_to_their_fields(dispatcher_client, building_a):
    response = dispatcher_client.post(
        "/admin/broadcasts/new/",
        form_data(
            buildings=[building_a.pk],
            body="Dzień dobry {% if %}",
            sms_text="Przerwa w dostawie ciepła, przepraszamy. " * 8,  # Polish letters: UCS-2, 5 parts
            subject_en="Heating outage",
            channels=["email", "sms"],
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert "if" in errors["body"][0].params["error"]  # the template error, as Django words it
    assert errors["sms_text"][0].params == {"segments": 5, "maximum": 3}
    assert errors["body_en"]  # an English subject needs an English text
    assert not Broadcast.objects.exists()


def test_sms_channel_needs_an_sms_text_and_someone_must_be_chosen(dispatcher_client):
    response = dispatcher_client.post("/admin/broadcasts/new/", form_data(sms_text="", channels=["sms"]))
    form = response.context["form"]
    assert form.errors["sms_text"]
    assert form.non_field_errors()  # no audience chosen
    assert not Broadcast.objects.exists()


# --- Preview -------------------------------------------------------------------------------------


def test_preview_counts_who_each_channel_reaches(dispatcher_client, building_a, reachable_people):
    broadcast = draft(building_a)
    response = dispatcher_client.get(url("preview", broadcast))
    assert response.status_code == 200
    reach = response.context["reach"]
    assert reach.total == 4  # Zofia lives in building B
    by_channel = {row.channel.value: (row.reached, row.declined, row.no_address) for row in reach.channels}
    assert by_channel == {
        "email": (2, 1, 1),  # Anna, Jan; Piotr turned e-mail off; Ewa has no address
        "sms": (1, 3, 0),  # only Anna allowed SMS (and has a phone)
        "push": (2, 0, 2),  # Anna's and Ewa's phones
    }
    assert reach.inbox_only == 1  # Piotr
    [polish] = response.context["samples"]
    assert polish.body_text.startswith("Dzień dobry Anna,")
    # The cooperative's name has Polish letters: the SMS goes as UCS-2 (70 characters a part).
    assert polish.sms_text == "Przeglad gazowy w czwartek 8-16. Spółdzielnia Mieszkaniowa"
    assert sms_length(polish.sms_text) == SmsLength("UCS-2", 58, 1, 70)
    with translation.override("pl"):  # the admin speaks the cooperative's language
        assert polish.sms_length == sms_length(polish.sms_text).describe()
    assert response.context["problems"] == []
    assert f'action="{url("send", broadcast)}"' in response.content.decode()


def test_preview_renders_english_and_lists_problems(dispatcher_client, building_a, reachable_people):
    broadcast = draft(building_a, subject_en="Gas inspection", body_en="Hello {{ recipient.first_name }}", channels=[])
    response = dispatcher_client.get(url("preview", broadcast))
    languages = [sample.language for sample in response.context["samples"]]
    assert languages == ["pl", "en"]
    assert response.context["samples"][1].body_text == "Hello Anna"
    assert [problem.field for problem in response.context["problems"]] == ["channels"]
    assert f'action="{url("send", broadcast)}"' not in response.content.decode()


def test_preview_of_offers_counts_only_people_who_agreed(dispatcher_client, building_a, reachable_people):
    preferences.notification_preferences_update(user=reachable_people["jan"], choices=[("offers", "email", True)])
    broadcast = draft(building_a, kind="offers", channels=["email", "push"])
    reach = dispatcher_client.get(url("preview", broadcast)).context["reach"]
    by_channel = {row.channel.value: row.reached for row in reach.channels}
    assert (reach.total, by_channel, reach.without_consent, reach.inbox_only) == (4, {"email": 1, "push": 0}, 3, 0)


def test_preview_queries_do_not_grow_with_the_audience(dispatcher_client, building_a, reachable_people):
    broadcast = draft(building_a)
    dispatcher_client.get(url("preview", broadcast))  # warm caches (site, permissions)
    with CaptureQueriesContext(connection) as small:
        dispatcher_client.get(url("preview", broadcast))
    for n in range(4):
        resident(building_a, f"extra{n}", phone=f"+4860020030{n}", push=True, sms=True)
    with CaptureQueriesContext(connection) as large:
        response = dispatcher_client.get(url("preview", broadcast))
    assert response.context["reach"].total == 8
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Sending, report, CSV ------------------------------------------------------------------------


def test_send_queues_and_delivers_then_the_report_counts(
    dispatcher_client, building_a, reachable_people, mailoutbox, django_capture_on_commit_callbacks
):
    broadcast = draft(building_a)
    response = sent(broadcast, dispatcher_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == url("report", broadcast)
    assert broadcast.status == Broadcast.Status.SENT
    assert broadcast.recipient_count == 4
    assert Message.objects.filter(broadcast=broadcast).count() == 4
    deliveries = Delivery.objects.filter(broadcast=broadcast)
    assert sorted(deliveries.values_list("channel", "address")) == [
        ("email", "anna@example.pl"),
        ("email", "jan@example.pl"),
        ("push", "ExponentPushToken[anna-phone]"),
        ("push", "ExponentPushToken[ewa-phone]"),
        ("sms", "+48600100200"),
    ]
    assert set(deliveries.values_list("state", flat=True)) == {"sent"}
    mails = [mail for mail in mailoutbox if mail.subject == "Przegląd instalacji gazowej"]
    assert sorted(mail.to[0] for mail in mails) == ["anna@example.pl", "jan@example.pl"]

    report = dispatcher_client.get(url("report", broadcast))
    assert report.status_code == 200
    rows = {row.channel.value: row for row in report.context["channels"]}
    assert (rows["email"].counts["sent"], rows["sms"].counts["sent"], rows["push"].counts["sent"]) == (2, 1, 2)
    assert rows["email"].done_percent == 100
    # Sent: it can no longer be edited or sent again.
    assert dispatcher_client.get(url("edit", broadcast)).url == url("report", broadcast)
    again = dispatcher_client.post(url("send", broadcast))
    assert again.url == url("preview", broadcast)
    assert Message.objects.filter(broadcast=broadcast).count() == 4


def test_report_lists_failures_and_the_csv_has_every_delivery_safely(
    dispatcher_client, building_a, reachable_people, django_capture_on_commit_callbacks
):
    anna = reachable_people["anna"]
    anna.first_name = '=HYPERLINK("http://zly.example")'
    anna.save()
    broadcast = draft(building_a)
    sent(broadcast, dispatcher_client, django_capture_on_commit_callbacks)
    # The provider refused one address (as a bounce would be recorded).
    Delivery.objects.filter(broadcast=broadcast, address="jan@example.pl").update(
        state=Delivery.State.BOUNCED, error="550 mailbox unavailable"
    )

    report = dispatcher_client.get(url("report", broadcast))
    [failure] = report.context["failures"].object_list
    assert (failure.address, failure.error) == ("jan@example.pl", "550 mailbox unavailable")
    assert "550 mailbox unavailable" in report.content.decode()

    response = dispatcher_client.get(url("deliveries_csv", broadcast))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(header) == 8 and len(body) == 5
    by_address = {row[2]: row for row in body}
    assert by_address["anna@example.pl"][0] == '\'=HYPERLINK("http://zly.example") Lis'
    assert by_address["jan@example.pl"][7] == "550 mailbox unavailable"
    assert by_address["'+48600100200"][1] == "anna"  # a phone number starts like a formula too
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)


def test_csv_is_refused_without_the_delivery_log_permission(
    dispatcher_client, building_a, reachable_people, django_capture_on_commit_callbacks
):
    broadcast = draft(building_a)
    sent(broadcast, dispatcher_client, django_capture_on_commit_callbacks)
    board = staff_client(StaffRole.BOARD)
    assert board.get(url("report", broadcast)).status_code == 200  # the board follows broadcasts
    assert board.get(url("deliveries_csv", broadcast)).status_code == 403
    assert "deliveries.csv" not in board.get(url("report", broadcast)).content.decode()


def test_staff_without_send_permission_cannot_send(dispatcher_client, building_a, reachable_people):
    broadcast = draft(building_a)
    board = staff_client(StaffRole.BOARD)
    refused = board.post(url("send", broadcast))
    assert (refused.status_code, refused.url) == (302, "/admin/")  # Wagtail's "permission denied"

    # A dispatcher whose group lost the send permission may prepare, not send.
    Group.objects.get(name=staff_group_name(StaffRole.DISPATCHER)).permissions.remove(
        Permission.objects.get(codename="send_broadcast")
    )
    limited = staff_client(StaffRole.DISPATCHER, username="dispatcher.limited")
    preview = limited.get(url("preview", broadcast))
    assert preview.status_code == 200
    assert f'action="{url("send", broadcast)}"' not in preview.content.decode()
    assert limited.post(url("send", broadcast)).url == "/admin/"
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT
    assert not Message.objects.filter(broadcast=broadcast).exists()


def test_scheduled_broadcast_is_cancelled_and_never_sent(dispatcher_client, building_a, reachable_people):
    broadcast = draft(building_a, send_at=timezone.now() + timedelta(days=2))
    response = dispatcher_client.post(url("send", broadcast))
    broadcast.refresh_from_db()
    assert response.url == url("report", broadcast)
    assert broadcast.status == Broadcast.Status.SCHEDULED
    # Still editable, but a scheduled broadcast keeps its time (without one it would never go).
    edit = dispatcher_client.get(url("edit", broadcast))
    assert "data-scheduled-warning" in edit.content.decode()
    form = html_form(edit, "w-editor-form")
    assert "units" not in form and form["buildings"] == str(building_a.pk)
    refused = dispatcher_client.post(url("edit", broadcast), {**form, "send_at": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["send_at"]

    assert dispatcher_client.post(url("cancel", broadcast)).url == url("report", broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    assert services.broadcasts_queue_due() == 0
    assert not Message.objects.filter(broadcast=broadcast).exists()
    # Cancelling twice is an error message, not a crash.
    twice = dispatcher_client.post(url("cancel", broadcast), follow=True)
    with translation.override("pl"):
        finished = gettext("This broadcast has already finished.")
    assert any(finished in str(message) for message in twice.context["messages"])


def test_listing_shows_progress(dispatcher_client, building_a, reachable_people, django_capture_on_commit_callbacks):
    broadcast = draft(building_a)
    sent(broadcast, dispatcher_client, django_capture_on_commit_callbacks)
    draft(building_a, title="Drugi szkic")
    response = dispatcher_client.get("/admin/broadcasts/")
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("pl"):
        progress = describe_progress({"sent": 5, "failed": 0, "bounced": 0})
    assert progress in html and "Drugi szkic" in html
    assert staff_client(StaffRole.ACCOUNTANT).get("/admin/broadcasts/").status_code == 200


# --- The menu -------------------------------------------------------------------------------------


def test_broadcasts_come_first_in_the_messages_menu(rf):
    """Broadcasts are their own app, and still the first item of messaging's "Messages" menu."""
    from wagtail.admin.menu import admin_menu

    request = rf.get("/admin/")
    request.user = staff_client(StaffRole.EDITOR).user  # broadcasts, templates and the delivery log
    with translation.override("en"):
        [messages_menu] = [item for item in admin_menu.menu_items_for_request(request) if item.label == "Messages"]
        items = sorted(messages_menu.menu.menu_items_for_request(request), key=lambda item: item.order)
        assert [str(item.label) for item in items] == ["Broadcasts", "Message templates", "Delivery log"]
        assert items[0].url == reverse("broadcasts:index")


# --- An outage alert offers its broadcast --------------------------------------------------------


def test_publishing_an_alert_offers_a_broadcast_that_reaches_only_its_readers(
    site_tree, building_a, building_b, reachable_people
):
    editor = staff_client(StaffRole.EDITOR)
    add_url = reverse("wagtailadmin_pages:add", args=["news", "newspage", site_tree.news.pk])
    data = html_form(editor.get(add_url), "page-edit-form")
    data.update(
        {
            "title": "Brak wody {{ jutro }}",
            "slug": "brak-wody",
            "kind": "outage",
            "priority": "urgent",
            "lead": "W czwartek 8–14 nie będzie wody w budynkach A i B.",
            "action-publish": "action-publish",
            "affected_buildings": [str(building_a.pk), str(building_b.pk)],
        }
    )
    response = editor.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = NewsPage.objects.get(slug="brak-wody")
    assert page.live
    offer_url = reverse("broadcasts:from_news", args=[page.pk])
    assert any(offer_url in str(message) for message in get_messages(response.wsgi_request))

    # The editor restricts the alert to building A's residents.
    f.restrict_page(page, groups=[residents.audience_group(building=building_a)])
    confirmation = editor.get(offer_url)
    assert confirmation.status_code == 200
    assert not Broadcast.objects.exists()  # GET only asks
    created = editor.post(offer_url)
    broadcast = Broadcast.objects.get(news_page=page)
    assert created.url == url("edit", broadcast)
    assert (broadcast.kind, broadcast.status, broadcast.channels) == ("outage_alert", "draft", ["email", "push"])
    assert broadcast.body == "W czwartek 8–14 nie będzie wody w budynkach A i B."
    assert broadcast.link == page_portal_url(page)  # where residents read it: the portal
    assert broadcast.created_by == editor.user
    assert set(broadcast.buildings.all()) == {building_a, building_b}
    # A title is not a template: it reaches people exactly as written.
    assert broadcast.compiled_texts()["pl"].render({}).subject == "Brak wody {{ jutro }}"
    readers_in_a = {reachable_people[n] for n in ("anna", "jan", "ewa", "piotr")}
    assert set(selectors.broadcast_recipients(broadcast)) == readers_in_a  # not Zofia in B

    # Widening the audience in the edit form cannot reach beyond the item's readers.
    edit_page = editor.get(url("edit", broadcast))
    assert str(edit_page.context["form"].fields["everyone"].help_text) == str(NEWS_AUDIENCE_HELP)
    form = html_form(edit_page, "w-editor-form")
    form["everyone"] = "on"
    assert editor.post(url("edit", broadcast), form).status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.everyone and broadcast.news_page == page
    assert set(selectors.broadcast_recipients(broadcast)) == readers_in_a


def test_no_offer_for_announcements_or_for_staff_who_may_not_broadcast(site_tree, building_a):
    announcement = f.make_news(site_tree.news, title="Zebranie", kind=NewsPage.Kind.ANNOUNCEMENT)
    alert = f.make_alert(site_tree.news, title="Awaria windy")
    accountant = staff_client(StaffRole.ACCOUNTANT)
    assert accountant.get(reverse("broadcasts:from_news", args=[alert.pk])).url == "/admin/"
    accountant.post(reverse("broadcasts:from_news", args=[alert.pk]))
    assert not Broadcast.objects.exists()

    from operations.broadcasts.admin.views import broadcast_news_button_url

    editor = staff_client(StaffRole.EDITOR).user
    assert broadcast_news_button_url(alert, editor) is not None
    assert broadcast_news_button_url(announcement, editor) is None
    assert broadcast_news_button_url(alert, accountant.user) is None


def test_the_add_button_speaks_polish_grammar(dispatcher_client):
    """Wagtail's "Add %(model_name)s" would say "Dodaj rozsyłka" (the nominative)."""
    html = dispatcher_client.get("/admin/broadcasts/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Dodaj rozsyłkę" in html
    assert "Dodaj rozsyłka" not in html
