"""The demo on the admin's first page (the situation centre, issue 13): every panel has
something to show, as a cooperative of this size would on an ordinary morning.

The demo is built once for the module, as if it were 10:00 yesterday (`DemoBuilder(now=...)`,
inside a transaction rolled back at the end), and the panels' selectors are asked at that
moment: what they count (today, this month, the last 7 and 30 days) then does not depend
on the hour or the day of the month the tests run at (on the 1st at 00:30 "this month"
would otherwise hold a single ticket). The pages themselves are rendered at the present.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from statistics import mean

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from wagtail.models import APIToken, WorkflowState

from cms.home.selectors import editorial
from cms.investments.models import InvestmentPage
from cms.news.models import NewsPage
from cms.news.selectors import outage_alert_board
from demo_cooperative import data
from demo_cooperative.builder import DemoBuilder
from operations.broadcasts import selectors as broadcast_selectors
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery
from operations.residents import selectors as resident_selectors
from operations.residents.admin.dashboard import LONG_WAIT
from operations.tickets.models import Ticket
from operations.tickets.selectors import situation

User = get_user_model()
NOW = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(10)))
SPECS = {spec.key: spec for spec in data.TICKETS}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-situation-media")
    messages = tmp_path_factory.mktemp("demo-situation-messages")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, MESSAGING_FILE_DIR=messages),
        transaction.atomic(),
    ):
        DemoBuilder(now=NOW).build()
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(built, db, settings):
    settings.MEDIA_ROOT = built
    return built


def demo_tickets():
    return Ticket.objects.filter(building__estate__slug=data.ESTATE_SLUG)


def ticket(key: str) -> Ticket:
    spec = SPECS[key]
    return demo_tickets().get(title=spec.title, building__code=spec.building)


# --- Tickets now ----------------------------------------------------------------------------------


def test_tickets_now_has_every_figure(demo):
    figures = situation.ticket_situation(NOW)
    assert figures.reported_today >= 3
    assert 10 <= figures.open <= 25
    assert figures.awaiting_assignment >= 2
    assert figures.past_response >= 2  # the noise complaint and the drying room's lock
    assert figures.overdue >= 3
    assert figures.due_today >= 2  # the lift in C and the leak in B/15, due around midday
    assert all(figures.by_status.values()), figures.by_status  # every open status has tickets


def test_a_leaking_riser_clusters_in_building_b_this_week(demo):
    week = situation.clusters_this_week(NOW)
    top = week.clusters[0]
    assert (top.building_label.split(" ")[0], top.category_label, top.count) == ("B", "Hydraulika", 4)
    assert len(week.clusters) >= 2


# --- Tickets this month -----------------------------------------------------------------------------


def test_this_month_and_the_previous_one_both_have_tickets(demo):
    months = situation.month_comparison(NOW)
    current, previous = months.current, months.previous
    assert current.figures.reported >= 3
    assert previous.figures.reported >= 10
    assert previous.figures.done >= 5 and previous.figures.avg_resolution is not None
    assert previous.ratings.count >= 3 and 3.5 <= previous.ratings.mean <= 4.8


def test_the_last_thirty_days_have_shape(demo):
    recent = situation.recent_days(NOW)
    per_day = recent.per_day
    assert len(per_day) == 30
    assert sum(1 for day in per_day if day.reported) >= 10
    assert sum(day.reported for day in per_day) >= 20
    assert sum(day.done for day in per_day) >= 8 and sum(day.rejected for day in per_day) >= 1
    # Working days are busier than weekends.
    weekdays = [day.reported for day in per_day if day.day.weekday() < 5]
    weekends = [day.reported for day in per_day if day.day.weekday() >= 5]
    assert mean(weekdays) > mean(weekends)
    measured = [item for item in recent.by_category if item.figures.avg_resolution is not None]
    assert len(measured) >= 4


def test_the_history_is_on_working_days_unless_it_could_not_wait(demo):
    for spec in data.TICKETS:
        if spec.calendar and not spec.weekend_ok:
            made = ticket(spec.key)
            assert timezone.localtime(made.created_at).weekday() < 5, spec.key
            assert 7 <= timezone.localtime(made.created_at).hour < 21, spec.key


def test_ratings_are_mostly_good_with_a_few_low_ones(demo):
    ratings = list(demo_tickets().filter(rating__isnull=False).values_list("rating", flat=True))
    assert len(ratings) >= 15
    assert sum(1 for rating in ratings if rating >= 4) >= 0.75 * len(ratings)
    assert sum(1 for rating in ratings if rating <= 2) >= 2
    assert demo_tickets().filter(status=Ticket.Status.REJECTED).count() >= 3


def test_done_tickets_nobody_confirmed_were_closed_by_the_periodic_task(demo):
    autoclosed = [spec.key for spec in data.TICKETS if any(step.action == "autoclose" for step in spec.steps)]
    assert autoclosed
    for key in autoclosed:
        made = ticket(key)
        assert made.status == Ticket.Status.CLOSED and made.rating is None
        closing = made.events.get(to_status=Ticket.Status.CLOSED)
        assert closing.actor is None
        assert timedelta(days=7) < closing.at - made.done_at < timedelta(days=8)


# --- Residents ----------------------------------------------------------------------------------


def test_requests_await_verification_the_oldest_over_a_week(demo):
    queue = resident_selectors.verification_queue()
    assert queue.pending == len(data.PENDING_REQUESTS) >= 3
    assert NOW - queue.oldest_requested_at > LONG_WAIT


def test_adoption_differs_by_building(demo):
    report = resident_selectors.adoption_by_building(NOW)
    shares = {}
    for row in report.buildings:
        if row.building.estate.slug != data.ESTATE_SLUG:
            continue
        assert row.residents and 0 < row.active_residents < row.residents, row.building.code
        shares[row.building.code] = row.active_residents / row.residents
    assert set(shares) == {"A", "B", "C"}
    assert shares["A"] > shares["C"] + 0.2
    # Some use the app: a token they signed in with, used in these 30 days.
    assert APIToken.objects.filter(last_used_at__gte=report.since, user__memberships__isnull=False).exists()


# --- Broadcasts ------------------------------------------------------------------------------------


def test_a_broadcast_partly_failed(demo):
    figures = broadcast_selectors.broadcast_situation(NOW)
    assert (figures.partly_failed, figures.failed) == (1, 0)
    # None is "being sent": the services cannot hold that state once the build commits
    # (demo_cooperative/builder.py says why), and this module's build never commits.
    assert figures.sending == 0
    spec = next(spec for spec in data.BROADCASTS if spec.get("sent"))
    broadcast = Broadcast.objects.get(title=spec["title"])
    assert broadcast.status == Broadcast.Status.SENT
    assert timedelta(days=1) < NOW - broadcast.finished_at < broadcast_selectors.FAILURES_SHOWN_FOR
    bounced = Delivery.objects.get(broadcast=broadcast, state=Delivery.State.BOUNCED)
    assert bounced.channel == "sms" and "UNDELIVERED" in bounced.error
    assert Delivery.objects.filter(broadcast=broadcast, state=Delivery.State.SENT, channel="sms").count() >= 3
    assert Delivery.objects.filter(broadcast=broadcast, state=Delivery.State.SENT, channel="email").exists()
    # Its residents got it then, in their inboxes too.
    assert all(NOW - message.created_at > timedelta(days=1) for message in broadcast.messages.all())
    assert "{when}" not in broadcast.body + broadcast.sms_text


# --- Outage alerts ---------------------------------------------------------------------------------


def test_an_outage_alert_in_force_and_one_coming_up(demo):
    board = outage_alert_board(now=NOW)
    assert board.current_count >= 1 and board.upcoming_count >= 1
    planned = next(page for page in board.upcoming if page.slug == "wylaczenie-cieplej-wody-budynek-c")
    start, end = timezone.localtime(planned.valid_from), timezone.localtime(planned.valid_until)
    assert start.weekday() < 5 and (start.hour, end.hour) == (8, 14) and start.date() == end.date()
    assert start.strftime("%d.%m") in planned.lead and "{when}" not in planned.lead + planned.body


# --- Editorial work ----------------------------------------------------------------------------------


def test_editors_have_a_page_in_moderation_a_draft_and_a_scheduled_page(demo):
    editor = User.objects.get(username="editor")
    figures = editorial.editorial_situation(editor)
    assert figures.awaiting_moderation >= 1
    assert figures.unpublished >= 1
    assert figures.scheduled >= 1 and figures.next_go_live > timezone.now()

    moderated = NewsPage.objects.get(slug=data.NEWS_IN_MODERATION.slug)
    assert not moderated.live
    state = WorkflowState.objects.get(object_id=str(moderated.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.requested_by == editor and state.workflow.name == "Moderators approval"

    slug, changes = data.INVESTMENT_DRAFT
    draft = InvestmentPage.objects.get(slug=slug)
    assert draft.live and draft.has_unpublished_changes
    assert draft.progress != changes["progress"]  # the live page is as it was
    assert draft.get_latest_revision_as_object().progress == changes["progress"]


# --- The page itself -----------------------------------------------------------------------------------

PANELS = {
    "verification": "Mieszkańcy czekający na weryfikację",
    "tickets": "Zgłoszenia teraz",
    "tickets-month": "Zgłoszenia w tym miesiącu",
    "outage-alerts": "Komunikaty o awariach",
    "broadcasts": "Rozsyłki",
    "editorial": "Praca redakcji",
    "adoption": "Korzystanie z portalu i aplikacji",
}


@pytest.mark.parametrize(
    "username, panels",
    [
        ("admin", set(PANELS)),
        ("dispatcher", {"tickets", "tickets-month", "outage-alerts", "broadcasts", "adoption"}),
        ("editor", {"outage-alerts", "broadcasts", "editorial", "adoption"}),
        ("board", {"tickets", "tickets-month", "outage-alerts", "adoption"}),
    ],
)
def test_each_role_signs_in_to_its_panels(demo, username, panels):
    client = Client()
    assert client.login(username=username, password=data.DEMO_PASSWORD)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert page.status_code == 200
    text = page.content.decode()
    for name, title in PANELS.items():
        heading = f'<h2 id="hub-dashboard-{name}" class="w-h2">{title}</h2>'
        assert (heading in text) == (name in panels), name
