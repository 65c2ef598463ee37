"""The situation centre's editors' panel on the admin's first page (issue 13): pages
waiting for a moderator or sent back, unpublished changes, scheduled publications, each
number the length of the list it opens (Wagtail's workflow report, or the editors' own
page list), shown to whoever may edit pages, at a cost that does not grow with the pages."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowState, WorkflowTask

from cms.core.admin.views import local_time
from cms.home.selectors import editorial
from cms.news.models import NewsPage
from operations.residents.roles import StaffRole
from tests.factories import content as f
from tests.factories.admin import staff_client
from tests.factories.residents import SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN_LIST = "/admin/editorial-pages/"
WORKFLOW_REPORT = "/admin/reports/workflow/"


def _panel(client):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").find(
        "section", attrs={"aria-labelledby": "hub-dashboard-editorial"}
    )


def _cards(panel) -> dict[str, tuple[int, str, str]]:
    cards = {}
    for link in panel.select(".hub-dashboard__cards a"):
        note = link.select_one(".hub-dashboard__note")
        cards[link.select_one(".hub-dashboard__label").get_text(strip=True)] = (
            int(link.select_one(".hub-dashboard__value").get_text(strip=True)),
            link["href"],
            note.get_text(strip=True) if note else "",
        )
    return cards


def _listed(client, href) -> set[int]:
    response = client.get(href)
    assert response.status_code == 200, href
    if href.startswith(WORKFLOW_REPORT):
        return {int(state.object_id) for state in response.context["object_list"]}
    return {page.pk for page in response.context["object_list"]}


def _workflow() -> Workflow:
    moderators, _ = Group.objects.get_or_create(name="Moderatorzy treści")
    task = GroupApprovalTask.objects.create(name="Akceptacja")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Moderacja")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


_numbers = itertools.count()


def _page(title, **fields):
    return NewsPage(title=title, slug=f"strona-{next(_numbers)}", **fields)


def _a_week_of_editing(site_tree, workflow, author) -> dict[str, NewsPage]:
    """One page in each state the panel counts, and one with nothing pending."""
    news = site_tree.news
    now = timezone.now()
    pages = {"clean": f.publish(news, _page("Opublikowana"))}

    changed = f.publish(news, _page("Zmieniana"))
    changed.title = "Zmieniana, nowa wersja"
    changed.save_revision()
    pages["live_with_draft"] = changed
    pages["draft"] = f.draft(news, _page("Szkic"))

    pages["scheduled_new"] = f.schedule(news, _page("Zaplanowana"), now + timedelta(days=2))
    update = f.publish(news, _page("Zmiana na jutro"))
    update.title = "Zmiana na jutro, nowa wersja"
    update.go_live_at = now + timedelta(days=1)
    update.save_revision().publish()
    pages["scheduled_change"] = update

    pages["moderated"] = f.draft(news, _page("Do akceptacji"))
    workflow.start(pages["moderated"], author)
    pages["sent_back"] = f.draft(news, _page("Do poprawy"))
    state = workflow.start(pages["sent_back"], author)
    state.current_task_state.reject(user=None)
    return pages


@pytest.fixture
def editor():
    return staff_client(StaffRole.EDITOR)


def test_every_number_is_the_length_of_the_list_it_opens(editor, site_tree):
    pages = _a_week_of_editing(site_tree, _workflow(), UserFactory())
    assert WorkflowState.objects.get(object_id=str(pages["sent_back"].pk)).status == WorkflowState.STATUS_NEEDS_CHANGES

    cards = _cards(_panel(editor))

    assert set(cards) == {
        "Czekają na moderację",
        "Odesłane do poprawy",
        "Nieopublikowane zmiany",
        "Zaplanowana publikacja",
    }
    expected = {
        "Czekają na moderację": {pages["moderated"].pk},
        "Odesłane do poprawy": {pages["sent_back"].pk},
        "Nieopublikowane zmiany": {pages["live_with_draft"].pk, pages["draft"].pk},
        "Zaplanowana publikacja": {pages["scheduled_new"].pk, pages["scheduled_change"].pk},
    }
    for label, (count, href, _note) in cards.items():
        assert _listed(editor, href) == expected[label], label
        assert count == len(expected[label]), label
    assert cards["Czekają na moderację"][1] == f"{WORKFLOW_REPORT}?status=in_progress"
    assert cards["Odesłane do poprawy"][1] == f"{WORKFLOW_REPORT}?status=needs_changes"
    assert cards["Nieopublikowane zmiany"][1] == f"{OWN_LIST}?state=unpublished"
    assert cards["Zaplanowana publikacja"][1] == f"{OWN_LIST}?state=scheduled"


def test_the_next_scheduled_publication_is_named_in_local_time(editor, site_tree):
    pages = _a_week_of_editing(site_tree, _workflow(), UserFactory())
    soonest = pages["scheduled_change"].revisions.get(approved_go_live_at__isnull=False).approved_go_live_at

    cards = _cards(_panel(editor))

    assert cards["Zaplanowana publikacja"][2] == f"najbliższa: {local_time(soonest)}"
    assert cards["Nieopublikowane zmiany"][2] == "poza harmonogramem i moderacją"


def test_the_list_of_scheduled_pages_says_when_each_goes_live(editor, site_tree):
    pages = _a_week_of_editing(site_tree, _workflow(), UserFactory())

    html = editor.get(f"{OWN_LIST}?state=scheduled", HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    for name in ("scheduled_new", "scheduled_change"):
        moment = pages[name].revisions.get(approved_go_live_at__isnull=False).approved_go_live_at
        assert local_time(moment) in html, name
    assert "Termin publikacji" in html


def test_a_quiet_site_shows_zeros(editor, site_tree):
    f.publish(site_tree.news, _page("Opublikowana"))

    cards = _cards(_panel(editor))

    assert {label: count for label, (count, _href, _note) in cards.items()} == {
        "Czekają na moderację": 0,
        "Odesłane do poprawy": 0,
        "Nieopublikowane zmiany": 0,
        "Zaplanowana publikacja": 0,
    }
    assert cards["Zaplanowana publikacja"][2] == ""


def test_the_own_list_searches_within_a_state(editor, site_tree):
    pages = _a_week_of_editing(site_tree, _workflow(), UserFactory())

    assert _listed(editor, f"{OWN_LIST}?state=unpublished&q=Szkic") == {pages["draft"].pk}
    assert _listed(editor, f"{OWN_LIST}?state=unknown") == _listed(editor, OWN_LIST)


def test_only_pages_the_viewer_may_edit_are_counted(site_tree):
    # A superuser may edit every page, the home page and the sections included.
    pages = _a_week_of_editing(site_tree, _workflow(), UserFactory())
    site_tree.home.title = "Start, nowa wersja"
    site_tree.home.save_revision()
    client = Client()
    client.force_login(SuperUserFactory())

    cards = _cards(_panel(client))

    assert cards["Nieopublikowane zmiany"][0] == 3
    assert _listed(client, cards["Nieopublikowane zmiany"][1]) == {
        pages["live_with_draft"].pk,
        pages["draft"].pk,
        site_tree.home.pk,
    }


@pytest.mark.parametrize("role", [role for role in StaffRole if role != StaffRole.EDITOR])
def test_staff_who_do_not_edit_pages_see_neither_the_panel_nor_the_list(site_tree, role):
    client = staff_client(role)

    assert _panel(client) is None
    assert client.get(f"{OWN_LIST}?state=unpublished").status_code == 302


def test_may_edit_pages_is_wagtails_page_permission(site_tree):
    assert editorial.may_edit_pages(staff_client(StaffRole.EDITOR).user)
    assert editorial.may_edit_pages(SuperUserFactory())
    assert not editorial.may_edit_pages(staff_client(StaffRole.BOARD).user)
    assert not editorial.may_edit_pages(None)


def test_the_panel_costs_the_same_queries_with_more_pages(editor, site_tree):
    workflow = _workflow()
    author = UserFactory()
    _a_week_of_editing(site_tree, workflow, author)
    editor.get("/admin/")  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as few:
        editor.get("/admin/")
    for _ in range(3):
        _a_week_of_editing(site_tree, workflow, author)
    with CaptureQueriesContext(connection) as many:
        editor.get("/admin/")

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    counted = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"]]
    # The panel's two: the workflow states (as the report counts them), then the pages.
    assert len([sql for sql in counted if sql.startswith('SELECT COUNT("wagtailcore_workflowstate"')]) == 1
    assert len([sql for sql in counted if "approved_go_live_at" in sql]) == 1
