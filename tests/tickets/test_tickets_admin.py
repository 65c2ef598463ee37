"""The tickets section of the Wagtail admin, driven through the test client as real role
holders: who may open it, one ticket's page with its quick actions (each a service call:
status, history, notifications), and categories. The list, its CSV and the statistics are
in test_tickets_admin_list.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from operations.messaging.models import Message
from operations.tickets import services
from operations.tickets.admin.views import ticket_url
from operations.tickets.models import Category, Ticket, TicketComment, TicketEvent
from tests.factories import tickets as tf
from tests.factories.residents import SuperUserFactory, UserFactory
from tests.tickets.admin_kit import (
    CATEGORIES,
    LIST,
    STATISTICS,
    S,
    about,
    flashed,
    form_html,
    in_polish,
    jpeg,
    login,
    report,
    snapshot,
)

pytestmark = pytest.mark.django_db


# --- Who may open it -------------------------------------------------------------------------------


def admin_urls(ticket: Ticket) -> list[str]:
    return [LIST, f"{LIST}?export=csv", ticket_url("inspect", ticket), STATISTICS, CATEGORIES]


def test_anonymous_visitors_are_sent_to_the_login_page(cast):
    ticket = report(cast)
    for url in admin_urls(ticket):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    before = snapshot(ticket)
    response = Client().post(ticket_url("transition", ticket), {"status-to_status": S.ACCEPTED})
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert snapshot(ticket) == before


def test_residents_and_contractors_have_no_way_in(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    before = snapshot(ticket)
    for person in (cast.reporter, cast.firm_worker, cast.firm_manager):
        client = login(person)
        for url in admin_urls(ticket):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith("/admin/login/"), (person, url)
        # Not even the ticket's own firm or reporter changes it through the admin.
        response = client.post(
            ticket_url("transition", ticket), {"status-to_status": S.IN_PROGRESS, "status-note": "x"}
        )
        assert response.status_code == 302
        client.post(ticket_url("comment", ticket), {"comment-body": "Hej", "comment-visibility": "public"})
    assert snapshot(ticket) == before


def test_staff_without_ticket_permissions_are_refused(cast):
    ticket = report(cast)
    accountant = login(tf.staff("accountant"))
    for url in admin_urls(ticket):
        assert accountant.get(url).url == "/admin/", url
    # "change ticket" alone does not open the list or a ticket: they hold personal data.
    group = Group.objects.create(name="Tylko zmiana zgłoszeń")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_ticket")
    )
    changer = UserFactory()
    changer.groups.add(group)
    client = login(changer)
    assert client.get(LIST).url == "/admin/"
    assert client.get(ticket_url("inspect", ticket)).url == "/admin/"


def test_the_board_reads_everything_but_changes_nothing(cast):
    ticket = report(cast)
    board = login(cast.board)
    assert board.get(LIST).status_code == 200
    page = board.get(ticket_url("inspect", ticket))
    assert page.status_code == 200
    html = page.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select("[data-actions]") and not soup.select("form[id^=ticket-]")
    assert f'action="{ticket_url("transition", ticket)}"' not in html
    assert ticket.title in html and cast.reporter.email in html
    assert board.get(STATISTICS).status_code == 200
    assert board.get(CATEGORIES).url == "/admin/"  # no tickets.view_category

    before = snapshot(ticket)
    posts = {
        "transition": {"status-to_status": S.ACCEPTED},
        "assign": {"assign-contractor": cast.firm.pk},
        "comment": {"comment-body": "Zarząd pyta", "comment-visibility": "public"},
        "deadline": {"deadline-due_at": "2030-01-01 12:00", "deadline-reason": "bo tak"},
    }
    for action, data in posts.items():
        assert board.post(ticket_url(action, ticket), data).status_code == 403, action
    assert snapshot(ticket) == before


def test_the_dispatcher_gets_the_quick_actions_and_only_allowed_statuses(cast):
    ticket = report(cast)
    page = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    assert page.status_code == 200
    for form_id, action in [
        ("ticket-assign", "assign"),
        ("ticket-transition", "transition"),
        ("ticket-comment", "comment"),
        ("ticket-deadline", "deadline"),
    ]:
        form = form_html(page, form_id)
        assert form is not None and form["action"] == ticket_url(action, ticket) and form["method"] == "post"
        assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    options = [option["value"] for option in form_html(page, "ticket-transition").find_all("option")]
    assert options == [S.ACCEPTED, S.REJECTED]  # "assigned" has its own form
    contractors = [
        option["value"] for option in form_html(page, "ticket-assign").select("select[name=assign-contractor] option")
    ]
    assert str(cast.firm.pk) in contractors and str(cast.other_firm.pk) in contractors


def test_a_done_ticket_can_only_be_closed_here(cast):
    ticket = tf.put_in_status(report(cast), S.DONE, contractor=cast.firm)
    page = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    options = [option["value"] for option in form_html(page, "ticket-transition").find_all("option")]
    assert options == [S.CLOSED]
    assert form_html(page, "ticket-assign") is None  # reopening is the way back to work


def test_the_menu_shows_the_section_to_whom_it_concerns(cast):
    from wagtail.admin.menu import admin_menu

    reverse("tickets-admin:index")  # the admin's URLs, and with them its menu, are loaded

    def submenu(user) -> list[str]:
        request = RequestFactory().get("/admin/")
        request.user = user
        for item in admin_menu.menu_items_for_request(request):
            if item.name == "tickets":
                return [child.name for child in item.menu.menu_items_for_request(request)]
        return []

    assert submenu(cast.dispatcher) == ["ticket-list", "ticket-statistics", "ticket-categories"]
    assert submenu(cast.board) == ["ticket-list", "ticket-statistics"]
    assert submenu(tf.staff("accountant")) == []

    # Wagtail's group editor offers the custom permissions, "view" included.
    from wagtail import hooks

    offered = set()
    for registered in hooks.get_hooks("register_permissions"):
        offered |= set(registered().filter(content_type__app_label="tickets").values_list("codename", flat=True))
    assert {"view_ticket", "dispatch_ticket", "view_ticket_statistics", "view_category", "add_category"} <= offered


# --- One ticket ----------------------------------------------------------------------------------------


def test_the_ticket_page_shows_facts_contact_history_comments_and_photos(cast):
    ticket = report(
        cast,
        title="Pęknięta rura",
        location="piwnica, przy liczniku",
        photos=services.photos_process([jpeg()]),
        contact_phone="",
    )
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Proszę zadzwonić przed wizytą.")
    services.ticket_comment_add(
        ticket=ticket,
        author=cast.firm_worker,
        body="Lokator bywa nieuprzejmy.",
        internal=True,
        photos=services.photos_process([jpeg()]),
    )
    response = login(cast.dispatcher).get(ticket_url("inspect", ticket))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    facts = {dd["data-fact"]: dd.get_text(" ", strip=True) for dd in soup.select("[data-fact]")}
    assert facts["reference"] == ticket.reference
    assert facts["contractor"] == cast.firm.title
    assert facts["location"] == "piwnica, przy liczniku"
    assert facts["place"] == f"{cast.building.code}/{cast.unit.number}"
    assert facts["reporter_email"] == cast.reporter.email
    assert facts["reporter"] == "Anna Nowak"
    history = soup.select("[data-history] tbody tr")
    assert len(history) == TicketEvent.objects.filter(ticket=ticket).count() == 2  # reported, assigned
    comments = soup.select("[data-comments] li")
    assert len(comments) == 2 and "data-internal" in comments[1].attrs
    photos = soup.select("[data-photos] li")
    assert len(photos) == 2 and "data-internal" in photos[1].attrs
    first = ticket.photos.order_by("created_at", "pk").first()
    assert photos[0].find("a")["href"] == reverse("tickets:photo", args=[first.pk])
    assert photos[0].find("img")["src"] == reverse("tickets:photo_thumbnail", args=[first.pk])


def test_the_ticket_page_costs_the_same_with_a_longer_history(cast):
    ticket = report(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    client = login(cast.dispatcher)
    client.get(ticket_url("inspect", ticket))  # warm caches (site, permissions)
    with CaptureQueriesContext(connection) as short:
        client.get(ticket_url("inspect", ticket))
    for i in range(6):
        services.ticket_comment_add(
            ticket=ticket,
            author=cast.dispatcher,
            body=f"Notatka {i}",
            internal=bool(i % 2),
            photos=services.photos_process([jpeg()]) if i < 2 else (),
        )
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.WAITING, note=f"Części {i}")
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    with CaptureQueriesContext(connection) as long:
        response = client.get(ticket_url("inspect", ticket))
    assert len(response.context["history"]) == 15 and len(response.context["photos"]) == 2
    assert len(long.captured_queries) == len(short.captured_queries)
    print(f"ticket page: {len(short.captured_queries)} queries")


# --- Quick actions --------------------------------------------------------------------------------------


def test_assigning_hands_the_ticket_to_the_firm_and_tells_everyone(cast):
    ticket = report(cast)
    told_before = about(ticket).count()
    client = login(cast.dispatcher)
    response = client.post(
        ticket_url("assign", ticket),
        {"assign-contractor": cast.firm.pk, "assign-worker": cast.firm_worker.pk, "assign-note": "Pilne"},
        follow=True,
    )
    assert response.redirect_chain == [(ticket_url("inspect", ticket), 302)]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id, ticket.worker_id) == (S.ASSIGNED, cast.firm.pk, cast.firm_worker.pk)
    event = ticket.events.order_by("pk").last()
    assert (event.kind, event.actor, event.to_status, event.note) == (
        TicketEvent.Kind.ASSIGNED,
        cast.dispatcher,
        S.ASSIGNED,
        "Pilne",
    )
    told = about(ticket).filter(dedupe_key=f"ticket:{ticket.pk}:event:{event.pk}")
    # The firm's worker and manager (not the other firm), and the reporter of the progress.
    assert set(told.values_list("recipient_id", flat=True)) == {
        cast.firm_worker.pk,
        cast.firm_manager.pk,
        cast.reporter.pk,
    }
    assert about(ticket).count() == told_before + 3
    assert all(ticket.reference in message.subject for message in told)
    assert any(ticket.reference in message and cast.firm.title in message for message in flashed(response))


def test_a_worker_of_another_firm_is_refused_and_nothing_changes(cast):
    ticket = report(cast)
    before = snapshot(ticket)
    response = login(cast.dispatcher).post(
        ticket_url("assign", ticket), {"assign-contractor": cast.firm.pk, "assign-worker": cast.other_worker.pk}
    )
    assert response.status_code == 200
    refusal = in_polish("This person does not work for that firm.")
    assert refusal in response.context["assign_form"].errors["worker"]
    assert refusal in flashed(response)
    assert snapshot(ticket) == before


def test_changing_status_records_history_and_tells_the_reporter(cast):
    ticket = report(cast)
    client = login(cast.dispatcher)
    response = client.post(ticket_url("transition", ticket), {"status-to_status": S.ACCEPTED}, follow=True)
    assert response.redirect_chain[-1][0] == ticket_url("inspect", ticket)
    ticket.refresh_from_db()
    assert ticket.status == S.ACCEPTED
    event = ticket.events.order_by("pk").last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        TicketEvent.Kind.STATUS,
        S.NEW,
        S.ACCEPTED,
        cast.dispatcher,
    )
    [told] = about(ticket).filter(dedupe_key=f"ticket:{ticket.pk}:event:{event.pk}")
    assert told.recipient == cast.reporter and ticket.reference in told.subject

    # Rejecting needs a reason the resident reads.
    refused = client.post(ticket_url("transition", ticket), {"status-to_status": S.REJECTED})
    assert refused.status_code == 200
    assert in_polish("Say why, for the resident.") in refused.context["transition_form"].errors["note"]
    ticket.refresh_from_db()
    assert ticket.status == S.ACCEPTED
    client.post(ticket_url("transition", ticket), {"status-to_status": S.REJECTED, "status-note": "To nie usterka."})
    ticket.refresh_from_db()
    assert ticket.status == S.REJECTED and ticket.events.order_by("pk").last().note == "To nie usterka."


def test_a_forbidden_transition_shows_the_error_and_changes_nothing(cast):
    ticket = report(cast)
    before = snapshot(ticket)
    response = login(cast.dispatcher).post(
        ticket_url("transition", ticket), {"status-to_status": S.DONE, "status-note": "Zrobione"}
    )
    assert response.status_code == 200
    with translation.override("pl"):
        expected = gettext("A ticket that is “%(from)s” cannot become “%(to)s”.") % {
            "from": S.NEW.label,
            "to": S.DONE.label,
        }
    assert expected in flashed(response)
    assert expected in response.content.decode()
    assert snapshot(ticket) == before
    # The form shown again offers only what is allowed.
    options = [option["value"] for option in form_html(response, "ticket-transition").find_all("option")]
    assert options == [S.ACCEPTED, S.REJECTED]


def test_public_comments_reach_the_reporter_internal_notes_do_not(cast):
    ticket = report(cast)
    client = login(cast.dispatcher)
    told_before = about(ticket).filter(recipient=cast.reporter).count()
    client.post(
        ticket_url("comment", ticket), {"comment-body": "Technik będzie jutro.", "comment-visibility": "public"}
    )
    client.post(
        ticket_url("comment", ticket), {"comment-body": "Lokator bywa nieuprzejmy.", "comment-visibility": "internal"}
    )
    public, internal = TicketComment.objects.filter(ticket=ticket).order_by("pk")
    assert (public.body, public.is_internal, public.author) == ("Technik będzie jutro.", False, cast.dispatcher)
    assert (internal.body, internal.is_internal) == ("Lokator bywa nieuprzejmy.", True)
    to_reporter = about(ticket).filter(recipient=cast.reporter)
    assert to_reporter.count() == told_before + 1
    assert to_reporter.filter(dedupe_key=f"ticket:{ticket.pk}:comment:{public.pk}").exists()
    assert not Message.objects.filter(dedupe_key=f"ticket:{ticket.pk}:comment:{internal.pk}").exists()
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None

    empty = client.post(ticket_url("comment", ticket), {"comment-body": "", "comment-visibility": "public"})
    assert empty.status_code == 200 and empty.context["comment_form"].errors["body"]
    assert TicketComment.objects.filter(ticket=ticket).count() == 2


def test_changing_the_deadline_needs_a_reason_and_is_recorded(cast):
    ticket = report(cast)
    client = login(cast.dispatcher)
    new_deadline = (timezone.localtime() + timedelta(days=5)).replace(second=0, microsecond=0)
    typed = new_deadline.strftime("%Y-%m-%d %H:%M")
    before = snapshot(ticket)
    refused = client.post(ticket_url("deadline", ticket), {"deadline-due_at": typed, "deadline-reason": " "})
    assert refused.status_code == 200 and refused.context["deadline_form"].errors["reason"]
    too_early = client.post(
        ticket_url("deadline", ticket),
        {"deadline-due_at": (ticket.created_at - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"), "deadline-reason": "x"},
    )
    assert in_polish("The deadline must be after the report.") in too_early.context["deadline_form"].errors["due_at"]
    assert snapshot(ticket) == before

    response = client.post(
        ticket_url("deadline", ticket), {"deadline-due_at": typed, "deadline-reason": "Czekamy na części."}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.due_at == new_deadline
    event = ticket.events.order_by("pk").last()
    assert event.kind == TicketEvent.Kind.DEADLINE and event.note.endswith("Czekamy na części.")
    assert event.actor == cast.dispatcher
    [told] = about(ticket).filter(dedupe_key=f"ticket:{ticket.pk}:event:{event.pk}")
    assert told.recipient == cast.reporter  # no firm yet: only the reporter hears of it


def test_actions_are_post_only_and_need_the_csrf_token(cast):
    ticket = report(cast)
    client = login(cast.dispatcher)
    assert client.get(ticket_url("transition", ticket)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.dispatcher)
    before = snapshot(ticket)
    assert strict.post(ticket_url("transition", ticket), {"status-to_status": S.ACCEPTED}).status_code == 403
    assert snapshot(ticket) == before


# --- Categories ---------------------------------------------------------------------------------------


def test_administrators_add_categories_dispatchers_only_read_them(cast):
    administrator = login(cast.administrator)
    assert administrator.get(f"{CATEGORIES}new/").status_code == 200
    response = administrator.post(
        f"{CATEGORIES}new/",
        {
            "name": "Domofony",
            "slug": "domofony",
            "description": "",
            "urgency": Category.Urgency.ROUTINE,
            "response_hours": "24",
            "resolution_hours": "120",
            "default_responsible": cast.dispatcher.pk,
            "is_active": "on",
            "sort_order": "5",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    category = Category.objects.get(slug="domofony")
    assert (category.resolution_hours, category.default_responsible) == (120, cast.dispatcher)
    # Only staff may answer for a category, not any resident with an account.
    form = administrator.get(f"{CATEGORIES}edit/{category.pk}/").context["form"]
    assert cast.reporter not in form.fields["default_responsible"].queryset
    assert cast.dispatcher in form.fields["default_responsible"].queryset

    dispatcher = login(cast.dispatcher)
    listing = dispatcher.get(CATEGORIES)
    assert listing.status_code == 200 and "Domofony" in listing.content.decode()
    assert dispatcher.get(f"{CATEGORIES}inspect/{category.pk}/").status_code == 200
    assert dispatcher.get(f"{CATEGORIES}new/").url == "/admin/"
    assert dispatcher.post(f"{CATEGORIES}edit/{category.pk}/", {"name": "Zmiana"}).url == "/admin/"
    category.refresh_from_db()
    assert category.name == "Domofony"


def test_a_category_with_tickets_cannot_be_deleted(cast):
    superuser = login(SuperUserFactory())
    used = tf.CategoryFactory(name="Używana")
    report(cast, category=used)
    response = superuser.post(f"{CATEGORIES}delete/{used.pk}/", follow=True)
    assert Category.objects.filter(pk=used.pk).exists()
    assert any("Używana" in message for message in flashed(response))
    assert superuser.get(f"{CATEGORIES}delete/{used.pk}/").status_code == 302
    unused = tf.CategoryFactory(name="Nieużywana")
    assert superuser.post(f"{CATEGORIES}delete/{unused.pk}/").status_code == 302
    assert not Category.objects.filter(pk=unused.pk).exists()


def test_a_firm_whose_name_ends_in_a_full_stop_gets_one_full_stop(cast):
    """Issue 13: "Hydro-Tech s.c." at the end of the sentence read "s.c.."."""
    from wagtail.models import Page

    Page.objects.filter(pk=cast.firm.pk).update(title="Hydro-Tech s.c.")
    ticket = report(cast)
    response = login(cast.dispatcher).post(
        ticket_url("assign", ticket),
        {"assign-contractor": cast.firm.pk, "assign-worker": cast.firm_worker.pk, "assign-note": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    shown = [message for message in flashed(response) if "Hydro-Tech s.c." in message]
    assert shown and not any(".." in message for message in shown), flashed(response)


def test_staff_read_the_entry_permission_in_the_third_person_and_references_whole(cast):
    """Issue 13: the resident's own words ("pod moją nieobecność") on a staff page; a
    reference number broken over two lines."""
    ticket = report(cast)
    client = login(cast.dispatcher)
    page = client.get(ticket_url("inspect", ticket), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "wejście pod nieobecność mieszkańca" in page.lower()
    assert "moją" not in page
    listing = BeautifulSoup(client.get(LIST, HTTP_ACCEPT_LANGUAGE="pl").content, "html.parser")
    cell = listing.find("a", string=lambda text: text and ticket.reference in text).find_parent("td")
    assert "w-whitespace-nowrap" in cell["class"]
