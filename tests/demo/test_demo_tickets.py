"""The demo's tickets: made through the tickets services, in the statuses the data says,
spread over the last two months, visible to the right people, with real photo files,
and gone (files too) when the demo is removed.

The demo is loaded once for the module inside a transaction that is rolled back at the
end; each test runs in its own savepoint within it.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image as PILImage

from cms.contractors.models import ContractorStaff
from demo_cooperative import data
from demo_cooperative.builder import demo_is_loaded, remove_demo
from operations.messaging.models import Message
from operations.tickets.models import Ticket, TicketComment, TicketEvent, TicketPhoto
from operations.tickets.selectors import photos_visible_to, tickets_visible_to

User = get_user_model()
SPECS = {spec.key: spec for spec in data.TICKETS}


@pytest.fixture(scope="module")
def demo_media(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-tickets-media")
    messages = tmp_path_factory.mktemp("demo-tickets-messages")  # the SMS the build sends
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, MESSAGING_FILE_DIR=messages),
        transaction.atomic(),
    ):
        call_command("load_demo_data", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_media, db, settings):
    settings.MEDIA_ROOT = demo_media  # where the module's files are (conftest isolates media per test)
    return demo_media


def demo_tickets():
    return Ticket.objects.filter(building__estate__slug=data.ESTATE_SLUG)


def ticket(key: str) -> Ticket:
    spec = SPECS[key]
    return demo_tickets().get(title=spec.title, building__code=spec.building)


def user(username: str):
    return User.objects.get(username=username)


# --- what is there -------------------------------------------------------------------------


def test_every_demo_ticket_is_in_its_intended_status(demo):
    assert 35 <= len(data.TICKETS) <= 50
    assert demo_tickets().count() == len(data.TICKETS)
    for spec in data.TICKETS:
        made = ticket(spec.key)
        assert made.status == spec.status, spec.key
        assert made.category.slug == spec.category
        assert (made.unit.number if made.unit else None) == spec.unit
    statuses = set(demo_tickets().values_list("status", flat=True))
    assert statuses == set(Ticket.Status.values)
    assert demo_tickets().values("category").distinct().count() >= 6
    assert set(demo_tickets().values_list("building__code", flat=True)) == {"A", "B", "C"}


def test_history_is_what_the_services_write(demo):
    for made in demo_tickets():
        events = list(made.events.all())
        assert events[0].kind == TicketEvent.Kind.CREATED and events[0].to_status == Ticket.Status.NEW
        status_events = [e for e in events if e.to_status and e.kind != TicketEvent.Kind.CREATED]
        if made.status != Ticket.Status.NEW:
            assert status_events and status_events[-1].to_status == made.status, made.title
        # Each step happened after the one before, and none in the future.
        moments = [e.at for e in events]
        assert moments == sorted(moments) and abs(moments[0] - made.created_at) < timedelta(seconds=1)
        assert made.updated_at >= made.created_at
        assert all(moment <= timezone.now() for moment in moments)


def test_contractor_accepted_one_assigned_ticket_and_not_the_other(demo):
    accepted, waiting = ticket("assigned-accepted"), ticket("phone")
    assert accepted.status == waiting.status == Ticket.Status.ASSIGNED
    assert accepted.contractor_accepted_at is not None and accepted.worker.username == data.ELECTRICIAN
    assert waiting.contractor_accepted_at is None and waiting.contractor.slug == data.PLUMBING_FIRM


def test_waiting_for_parts_says_why_and_got_a_new_deadline(demo):
    made = ticket("waiting")
    pause = made.events.filter(to_status=Ticket.Status.WAITING).get()
    assert "DN32" in pause.note
    change = made.events.get(kind=TicketEvent.Kind.DEADLINE)
    assert "→" in change.note and made.due_at > timezone.now() + timedelta(days=2)
    assert not made.is_overdue


def test_done_ticket_awaits_the_residents_confirmation(demo):
    made = ticket("done")
    assert made.done_at is not None and made.closed_at is None and made.rating is None
    assert timezone.now() - made.done_at < timedelta(days=7)  # still within the reopening window


def test_closed_tickets_carry_the_residents_ratings(demo):
    five, three = ticket("closed-5"), ticket("closed-3")
    assert (five.rating, three.rating) == (5, 3)
    assert five.rating_comment and three.rating_comment
    for made in (five, three):
        closing = made.events.get(to_status=Ticket.Status.CLOSED)
        assert closing.actor == made.reporter  # closed by the resident's confirmation
        assert made.events.filter(kind=TicketEvent.Kind.RATED).exists()


def test_rejected_ticket_gives_the_reason(demo):
    made = ticket("rejected")
    rejection = made.events.get(to_status=Ticket.Status.REJECTED)
    assert "właściciela" in rejection.note and rejection.actor.username == "dispatcher"
    assert made.closed_at is not None


def test_reopened_ticket_went_back_to_the_firm(demo):
    made = ticket("reopened")
    assert made.reopened_count == 1 and made.status == Ticket.Status.ASSIGNED
    assert made.done_at is None and made.contractor.slug == data.PLUMBING_FIRM
    reopening = made.events.get(from_status=Ticket.Status.DONE)
    assert reopening.actor == made.reporter and reopening.note
    assert made.due_at > timezone.now()


OVERDUE = ["overdue", "overdue-pavement", "overdue-tree"]


def test_exactly_the_overdue_tickets_are_marked_overdue(demo):
    made = [ticket(key) for key in OVERDUE]
    assert {t.pk for t in demo_tickets() if t.is_overdue} == {t.pk for t in made}
    administrator = user("administrator")
    for overdue in made:
        assert overdue.is_overdue and overdue.due_at < timezone.now()
        assert overdue.events.filter(kind=TicketEvent.Kind.ESCALATED).exists()
        assert Message.objects.filter(recipient=administrator, dedupe_key__startswith=f"ticket:{overdue.pk}:").exists()


def test_phone_report_taken_by_the_dispatcher(demo):
    made = ticket("phone")
    assert made.source == Ticket.Source.PHONE
    assert made.recorded_by.username == "dispatcher"
    assert made.reporter is not None and made.reporter != made.recorded_by
    assert made.contact_phone and made.contact_name == made.reporter.get_full_name()
    assert made.events.get(kind=TicketEvent.Kind.CREATED).actor == made.recorded_by


def test_anonymous_common_area_report(demo):
    made = ticket("new-anonymous")
    assert made.reporter is None and made.unit is None
    assert made.contact_phone.startswith("+48") and made.contact_name
    assert made.status == Ticket.Status.NEW


def test_public_and_internal_comments(demo):
    comments = TicketComment.objects.filter(ticket__in=demo_tickets())
    assert comments.filter(is_internal=True).count() >= 3
    assert comments.filter(is_internal=False).count() >= 5
    # A resident's own comment and a firm's answer.
    assert comments.filter(author__username="resident.a").exists()
    assert comments.filter(author__username=data.PLUMBER, is_internal=False).exists()


def test_created_over_the_last_two_months(demo):
    now = timezone.now()
    created = sorted(demo_tickets().values_list("created_at", flat=True))
    assert timedelta(days=58) < now - created[0] < timedelta(days=65)
    assert now - created[-1] < timedelta(hours=6)
    days = {(now - moment).days for moment in created}
    assert len(days) >= 25
    # Reference numbers grow with time, as they would.
    assert list(demo_tickets().order_by("created_at").values_list("pk", flat=True)) == sorted(
        demo_tickets().values_list("pk", flat=True)
    )


def test_deadlines_follow_the_categories(demo):
    for made in demo_tickets().select_related("category"):
        category = made.category
        assert made.response_due_at == made.created_at + timedelta(hours=category.response_hours)
        if not made.events.filter(kind=TicketEvent.Kind.DEADLINE).exists():
            assert made.due_at == made.clock_started_at + timedelta(hours=category.resolution_hours), made.title


def test_notifications_were_sent_when_things_happened(demo):
    resident = user("resident.a")
    made = ticket("done")
    messages = Message.objects.filter(recipient=resident, dedupe_key__startswith=f"ticket:{made.pk}:")
    assert messages.count() >= 4  # received, assigned, comment, in progress, done
    received = messages.get(dedupe_key=f"ticket:{made.pk}:received")
    assert abs(received.created_at - made.created_at) < timedelta(minutes=1)


# --- who sees what ---------------------------------------------------------------------------


def test_resident_a_sees_their_tickets_in_several_states(demo):
    resident = user("resident.a")
    visible = tickets_visible_to(resident)
    own = demo_tickets().filter(reporter=resident)
    assert own.count() >= 3
    assert set(own.values_list("pk", flat=True)) <= set(visible.values_list("pk", flat=True))
    assert own.values("status").distinct().count() >= 3
    # Their own reports and their own flat's tickets, nothing else.
    assert visible.exists()
    for made in visible.select_related("building", "unit"):
        assert made.reporter == resident or (made.building.code, made.unit.number) == ("A", "12"), made.title


def test_other_residents_do_not_see_resident_a_tickets(demo):
    for username in ("resident.b", "tenant.a"):
        assert not tickets_visible_to(user(username)).filter(reporter__username="resident.a").exists()


@pytest.mark.parametrize("username", [data.PLUMBER, data.ELECTRICIAN])
def test_contractor_sees_only_their_firms_tickets(demo, username):
    contractor = user(username)
    firm = ContractorStaff.objects.get(user=contractor).firm
    visible = set(tickets_visible_to(contractor).values_list("pk", flat=True))
    assigned = set(demo_tickets().filter(contractor=firm).values_list("pk", flat=True))
    assert assigned and visible == assigned
    if username == data.PLUMBER:
        assert len(assigned) >= 4
        # One still waits for the firm to accept it.
        assert Ticket.objects.filter(pk__in=assigned, status="assigned", contractor_accepted_at__isnull=True).exists()


def test_staff_see_every_demo_ticket(demo):
    for username in ("dispatcher", "administrator", "board"):
        assert tickets_visible_to(user(username)).filter(pk__in=demo_tickets()).count() == len(data.TICKETS)


# --- photos ----------------------------------------------------------------------------------


def test_photos_are_real_jpeg_files(demo):
    photos = TicketPhoto.objects.filter(ticket__in=demo_tickets())
    assert 2 <= photos.values("ticket").distinct().count() <= 4
    for photo in photos:
        for name in (photo.file.name, photo.thumbnail.name):
            assert default_storage.exists(name), name
        with default_storage.open(photo.file.name) as f:
            picture = PILImage.open(f)
            assert picture.format == "JPEG" and picture.size == (photo.width, photo.height)
        assert default_storage.size(photo.file.name) == photo.size
    assert photos.filter(comment__isnull=True, ticket__status=Ticket.Status.NEW).exists()  # with the report
    assert photos.filter(ticket__status=Ticket.Status.DONE, uploaded_by__username=data.PLUMBER).exists()


def test_internal_photo_is_for_staff_and_the_firm_only(demo):
    made = ticket("waiting")
    internal = made.photos.get(is_internal=True)
    assert internal.comment.is_internal
    assert internal in photos_visible_to(user(data.PLUMBER))
    assert internal in photos_visible_to(user("dispatcher"))
    assert made.reporter is not None and internal not in photos_visible_to(made.reporter)


# --- removing and building again -----------------------------------------------------------


def test_remove_deletes_tickets_their_messages_and_photo_files(
    demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    # Removing the demo deletes files once the transaction commits: it works on a copy of
    # the module's files, which the other tests still read. (Building it again after a
    # removal is test_demo_data.py's test_reset_rebuilds_without_duplicates.)
    settings.MEDIA_ROOT = tmp_path / "media-copy"
    shutil.copytree(demo, settings.MEDIA_ROOT)
    photos = list(TicketPhoto.objects.filter(ticket__in=demo_tickets()))
    names = [name for photo in photos for name in (photo.file.name, photo.thumbnail.name)]
    assert photos and all(default_storage.exists(name) for name in names)
    ticket_pks = list(demo_tickets().values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        remove_demo()
    assert not demo_is_loaded()
    assert not Ticket.objects.filter(pk__in=ticket_pks).exists()
    assert not TicketPhoto.objects.filter(ticket_id__in=ticket_pks).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert not Message.objects.filter(dedupe_key__in=[f"ticket:{pk}:received" for pk in ticket_pks]).exists()
