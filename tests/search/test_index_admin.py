"""The admin's "Search index" screen (search/admin/views.py): who gets it, its figures, the
rebuild and reconcile buttons through the Celery tasks and their run log
(`SearchIndexRun`), a second rebuild refused, a broker down, Elasticsearch configured but
not answering.

Celery is eager in tests, so a button's task runs once the request's transaction commits:
`django_capture_on_commit_callbacks(execute=True)` around the POST commits it here."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from http.server import HTTPServer

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.contractors.models import ContractorStaff
from operations.residents.roles import StaffRole
from search import selectors, sources
from search.backends.base import SearchQuery
from search.models import SearchEntry, SearchIndexRun, SearchVocabulary
from search.tasks import RUNS_KEPT, search_reconcile
from tests.factories import content as f
from tests.factories.admin import signed_in_client, staff_client
from tests.factories.residents import SuperUserFactory, UserFactory
from tests.search.elasticsearch_like import ElasticsearchLikeHandler

pytestmark = pytest.mark.django_db

INDEX = reverse("directory-search-index:index")
REBUILD = reverse("directory-search-index:rebuild")
RECONCILE = reverse("directory-search-index:reconcile")
K, S = SearchIndexRun.Kind, SearchIndexRun.State


def manage_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="directory_search", codename="manage_search_index")


@pytest.fixture
def content(site_tree):
    """Two firms, two news items, an investment and a document, indexed as published."""
    trade = f.make_trade()
    return {
        "contractor": [
            f.make_contractor(site_tree.contractors, title="Hydro-Serwis", trade=trade),
            f.make_contractor(site_tree.contractors, title="Łączbud Instalacje", trade=trade),
        ],
        "news": [
            f.make_news(site_tree.news, title="Dezynsekcja piwnic"),
            f.make_news(site_tree.news, title="Przegląd kominiarski"),
        ],
        "investment": [f.make_investment(site_tree.investments, title="Termomodernizacja budynku A")],
        "document": [f.make_document(title="Regulamin rozliczania ciepła")],
    }


@pytest.fixture
def manager(db):
    """Staff whose role lacks the permission (the accounts), given it through a group, as
    an administrator grants it."""
    client = staff_client(StaffRole.ACCOUNTANT, username="indeks.opiekun")
    group = Group.objects.create(name="Opiekunowie wyszukiwarki")
    group.permissions.add(manage_permission())
    client.user.groups.add(group)
    return client


@pytest.fixture
def superuser_client(db):
    return signed_in_client(SuperUserFactory(username="super.indeks"))


def found(text: str) -> list[tuple[str, int]]:
    results = selectors.search(SearchQuery(text=text), user=AnonymousUser())
    return [(hit.kind, hit.object_id) for hit in results.hits]


def page_html(client) -> str:
    response = client.get(INDEX)
    assert response.status_code == 200
    return response.content.decode()


def run_row(html: str, run: SearchIndexRun) -> str:
    start = html.index(f'data-run="{run.pk}"')
    return html[start : html.index("</tr>", start)]


# --- who gets the screen -------------------------------------------------------------------


def _contractor_worker(site_tree):
    """A firm's worker given admin access and the permission itself, by mistake."""
    worker = UserFactory(username="pracownik.firmy")
    firm = f.make_contractor(site_tree.contractors, title="Firma Wod-Kan")
    ContractorStaff.objects.create(user=worker, firm=firm)
    worker.user_permissions.add(
        manage_permission(), Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return signed_in_client(worker)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", "sign-in"),
        ("resident", "sign-in"),
        ("contractor worker", "denied"),
        ("editor", "denied"),
        ("accountant", "denied"),
        ("administrator", "screen"),  # the role holds the permission
        ("staff with the permission", "screen"),
        ("superuser", "screen"),
    ],
)
def test_each_kind_of_person_gets_what_is_theirs(who, expected, site_tree, unit_a1, resident, manager):
    client = {
        "anonymous": lambda: Client(),
        "resident": lambda: signed_in_client(resident(unit_a1)),
        "contractor worker": lambda: _contractor_worker(site_tree),
        "editor": lambda: staff_client(StaffRole.EDITOR),
        "accountant": lambda: staff_client(StaffRole.ACCOUNTANT),
        "administrator": lambda: staff_client(StaffRole.ADMINISTRATOR),
        "staff with the permission": lambda: manager,
        "superuser": lambda: signed_in_client(SuperUserFactory()),
    }[who]()
    shown = client.get(INDEX)
    posted = [client.post(REBUILD), client.post(RECONCILE)]
    if expected == "screen":
        assert shown.status_code == 200 and "data-search-index" in shown.content.decode()
        assert all((response.status_code, response.url) == (302, INDEX) for response in posted)
        assert SearchIndexRun.objects.filter(requested_by=client.user).count() == 2
        assert INDEX in client.get("/admin/").content.decode()  # in the Settings menu
        return
    for response in [shown, *posted]:
        if expected == "sign-in":
            assert response.status_code == 302 and response.url.startswith("/admin/login/"), response
        else:
            assert (response.status_code, response.url) == (302, "/admin/"), response  # Wagtail's "permission denied"
    assert not SearchIndexRun.objects.exists()
    if expected == "denied":
        assert INDEX not in client.get("/admin/").content.decode()


def test_the_permission_is_offered_in_the_group_editor(superuser_client):
    group = Group.objects.create(name="Redakcja")
    html = superuser_client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content.decode()
    assert f'value="{manage_permission().pk}"' in html


def test_get_is_not_a_way_to_start_a_run(manager):
    assert manager.get(REBUILD).status_code == 405
    assert manager.get(RECONCILE).status_code == 405
    assert not SearchIndexRun.objects.exists()


def test_the_buttons_need_the_csrf_token(manager):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager.user)
    assert strict.post(REBUILD).status_code == 403
    assert not SearchIndexRun.objects.exists()


# --- the figures ---------------------------------------------------------------------------


def test_the_screen_shows_the_database_backend_and_its_figures(manager, content):
    html = page_html(manager)
    assert 'data-backend="database"' in html and "Baza danych" in html
    for kind, items in content.items():
        assert _count(html, kind) == len(items)
    assert _count(html, "all") == 6 == SearchEntry.objects.count()
    vocabulary = SearchVocabulary.objects.count()
    assert vocabulary > 10 and _count(html, "vocabulary") == vocabulary
    assert "Jeszcze nie było żadnego przebiegu." in html


def _count(html: str, kind: str) -> int:
    match = re.search(rf'<tr data-kind="{kind}">.*?data-count>(?:<strong>)?(\d+)<', html, re.S)
    return int(match.group(1))


# --- the buttons ---------------------------------------------------------------------------


def test_the_rebuild_button_rebuilds_the_index_and_logs_the_run(manager, content, django_capture_on_commit_callbacks):
    news = content["news"][0]
    SearchEntry.objects.all().delete()
    SearchVocabulary.objects.all().delete()
    assert found("piwnice") == []
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(REBUILD)
    assert (response.status_code, response.url) == (302, INDEX)
    assert found("piwnice") == [("news", news.pk)]
    assert SearchEntry.objects.count() == 6
    run = SearchIndexRun.objects.get()
    assert (run.kind, run.state, run.requested_by, run.error) == (K.REBUILD, S.DONE, manager.user, "")
    assert run.requested_at <= run.started_at <= run.finished_at
    assert run.outcome["database"] == 6 and "elasticsearch" not in run.outcome
    row = run_row(page_html(manager), run)
    assert 'data-state="done"' in row and "przebudowa" in row and "baza danych: 6 wpisów" in row
    assert "Dorota Biuro" in row  # who asked


def test_the_reconcile_button_repairs_what_differs(manager, content, django_capture_on_commit_callbacks):
    lost = content["news"][1]
    SearchEntry.objects.filter(key=sources.page_key(lost.pk)).delete()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(RECONCILE)
    assert found("kominiarski") == [("news", lost.pk)]
    run = SearchIndexRun.objects.get()
    assert (run.kind, run.state, run.outcome) == (K.RECONCILE, S.DONE, {"indexed": 1, "removed": 0})
    assert "zaindeksowano ponownie: 1, usunięto: 0" in run_row(page_html(manager), run)


def test_the_hourly_reconciliation_leaves_a_row_of_its_own(manager, content):
    assert search_reconcile.apply(throw=True).get() == {"indexed": 0, "removed": 0}
    run = SearchIndexRun.objects.get()
    assert (run.kind, run.state, run.requested_by) == (K.RECONCILE, S.DONE, None)
    assert run.started_at and run.finished_at
    assert "harmonogram" in run_row(page_html(manager), run)


def test_the_log_keeps_the_last_runs_of_each_kind(manager):
    old = timezone.now() - timedelta(days=30)
    rebuild = SearchIndexRun.objects.create(kind=K.REBUILD, state=S.DONE, requested_at=old - timedelta(days=1))
    SearchIndexRun.objects.bulk_create(
        SearchIndexRun(kind=K.RECONCILE, state=S.DONE, requested_at=old + timedelta(hours=n))
        for n in range(RUNS_KEPT + 5)
    )
    search_reconcile.apply(throw=True)
    assert SearchIndexRun.objects.filter(kind=K.RECONCILE).count() == RUNS_KEPT
    assert SearchIndexRun.objects.filter(kind=K.RECONCILE, requested_at__lt=old + timedelta(hours=6)).count() == 0
    assert SearchIndexRun.objects.filter(pk=rebuild.pk).exists()  # a month-old rebuild stays known


# --- one rebuild at a time -----------------------------------------------------------------


def test_a_second_rebuild_is_refused_while_one_is_queued(manager, content, django_capture_on_commit_callbacks):
    queued = SearchIndexRun.objects.create(kind=K.REBUILD, requested_by=manager.user)
    SearchEntry.objects.all().delete()
    html = page_html(manager)
    assert "data-rebuilding" in html and "data-rebuild-form>" in html
    assert html.split("data-rebuild-form>", 1)[1].split("</form>", 1)[0].count("disabled") == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager.post(REBUILD, follow=True)
    assert callbacks == [] and SearchIndexRun.objects.get() == queued  # no second run, no task
    assert SearchEntry.objects.count() == 0
    assert "Przebudowa jest już w stanie: w kolejce" in response.content.decode()
    # Running is refused alike, and two at once cannot both be written.
    SearchIndexRun.objects.filter(pk=queued.pk).update(state=S.RUNNING, started_at=timezone.now())
    assert "w stanie: w toku" in manager.post(REBUILD, follow=True).content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        SearchIndexRun.objects.create(kind=K.REBUILD)
    # A reconciliation may still be asked meanwhile.
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(RECONCILE)
    assert SearchIndexRun.objects.filter(kind=K.RECONCILE, state=S.DONE).exists()


def test_a_run_stuck_for_hours_counts_as_failed(manager, content, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(hours=3)
    stuck = SearchIndexRun.objects.create(kind=K.REBUILD, state=S.RUNNING, requested_at=long_ago, started_at=long_ago)
    html = page_html(manager)
    assert "data-rebuilding" not in html
    row = run_row(html, stuck)
    assert 'data-state="failed"' in row and "uznane za utracone" in row
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(REBUILD)
    stuck.refresh_from_db()
    assert stuck.state == S.FAILED and stuck.outcome == {"lost": True} and stuck.finished_at
    assert SearchIndexRun.objects.filter(kind=K.REBUILD, state=S.DONE).count() == 1


def test_a_task_that_arrives_for_a_run_given_up_does_nothing(content):
    from search.tasks import search_rebuild

    given_up = SearchIndexRun.objects.create(kind=K.REBUILD, state=S.FAILED, outcome={"lost": True})
    SearchEntry.objects.all().delete()
    assert search_rebuild.apply((given_up.pk,), throw=True).get() == {}
    assert SearchEntry.objects.count() == 0
    assert SearchIndexRun.objects.get().outcome == {"lost": True}


# --- when something is down -----------------------------------------------------------------


def test_a_broker_down_records_the_run_as_not_queued(manager, content, broker_down, django_capture_on_commit_callbacks):
    SearchEntry.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(REBUILD)
    assert (response.status_code, response.url) == (302, INDEX)
    run = SearchIndexRun.objects.get()
    assert run.state == S.NOT_QUEUED and run.finished_at and run.started_at is None
    assert SearchEntry.objects.count() == 0
    row = run_row(page_html(manager), run)
    assert "nieprzyjęte do kolejki" in row and "Kolejka zadań go nie przyjęła" in row
    # Not queued is not running: the next click is not refused (publishing is paused for
    # a while after the failure, and that is recorded alike).
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(REBUILD)
        manager.post(RECONCILE)
    assert list(SearchIndexRun.objects.values_list("state", flat=True)) == [S.NOT_QUEUED] * 3
    broker_down()  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(REBUILD)
    assert SearchIndexRun.objects.filter(state=S.DONE).count() == 1 and SearchEntry.objects.count() == 6


def test_elasticsearch_not_answering_is_said_and_the_database_still_rebuilt(
    manager, content, settings, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = "http://user:secret@127.0.0.1:9"  # nobody listens on port 9
    settings.ELASTICSEARCH_INDEX_PREFIX = "hub-admin-test"
    html = page_html(manager)
    assert 'data-backend="elasticsearch"' in html and 'data-es-reachable="no"' in html
    assert "hub-admin-test-directory" in html and "http://127.0.0.1:9" in html
    assert "secret" not in html
    assert "Elasticsearch teraz nie odpowiada." in html
    SearchEntry.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(REBUILD)
    assert response.status_code == 302
    run = SearchIndexRun.objects.get()
    assert run.state == S.FAILED and run.outcome["database"] == 6 and "elasticsearch" not in run.outcome
    assert "Elasticsearch" in run.error and "secret" not in run.error
    assert SearchEntry.objects.count() == 6  # the database, rebuilt before Elasticsearch failed
    row = run_row(page_html(manager), run)
    assert "nieudane" in row and "baza danych: 6 wpisów" in row and "data-error" in row
    assert "secret" not in page_html(manager)


class _ElasticsearchLike(ElasticsearchLikeHandler):
    """Answers the two requests the screen makes as an Elasticsearch 8 node does: the
    indices behind the alias, and the count of documents in them."""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        if self.server.bare:  # not Elasticsearch: a bare 404, as a proxy in the way gives
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/_alias/hub-admin-up-directory"):
            self._json({"hub-admin-up-directory-20261205": {"aliases": {"hub-admin-up-directory": {}}}})
        elif self.path.startswith("/hub-admin-up-directory/_count"):
            self._json({"count": 6, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
        else:
            self._json({"error": "no such path", "status": 404}, status=404)

    do_POST = do_GET  # noqa: N815


@pytest.fixture
def elasticsearch_like():
    server = HTTPServer(("127.0.0.1", 0), _ElasticsearchLike)
    server.bare = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_elasticsearch_answering_is_said_with_its_index(manager, settings, elasticsearch_like):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{elasticsearch_like.server_port}"
    settings.ELASTICSEARCH_INDEX_PREFIX = "hub-admin-up"
    html = page_html(manager)
    assert 'data-es-reachable="yes"' in html and "Elasticsearch teraz odpowiada." in html
    assert "Indeks hub-admin-up-directory-20261205: 6 dokumentów." in html
    # Never built: Elasticsearch answers that the alias is missing.
    settings.ELASTICSEARCH_INDEX_PREFIX = "hub-admin-new"
    html = page_html(manager)
    assert 'data-es-reachable="yes"' in html and "Pod aliasem nie ma jeszcze indeksu" in html
    # Whatever answers a bare 404 at that address is not Elasticsearch.
    elasticsearch_like.bare = True
    html = page_html(manager)
    assert 'data-es-reachable="no"' in html and "NotFoundError: HTTP 404" in html
