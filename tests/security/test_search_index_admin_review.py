"""Security review of the admin's "Search index" screen (issue 16: search/admin/views.py,
search/tasks.py, the template): who gets it, what it writes on GET, what it shows of a
misconfigured or hostile Elasticsearch, of stored errors and of people, how long the
status check may hold a page, one rebuild at a time, and the run log's growth.

Celery is eager here: a button's task runs when the request's transaction commits
(`django_capture_on_commit_callbacks(execute=True)`)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.contractors.models import ContractorStaff
from operations.residents.roles import StaffRole
from search import tasks
from search.models import SearchEntry, SearchIndexRun, SearchVocabulary
from tests.factories import content as f
from tests.factories.admin import signed_in_client, staff_client
from tests.factories.residents import SuperUserFactory, UserFactory
from tests.search.elasticsearch_like import ElasticsearchLikeHandler

pytestmark = pytest.mark.django_db

INDEX = reverse("directory-search-index:index")
REBUILD = reverse("directory-search-index:rebuild")
RECONCILE = reverse("directory-search-index:reconcile")
K, S = SearchIndexRun.Kind, SearchIndexRun.State
SECRET = "s3cr3t-Haslo"


@pytest.fixture
def admin_client(db):
    return staff_client(StaffRole.ADMINISTRATOR, username="przeglad.indeks")


@pytest.fixture
def content(site_tree):
    trade = f.make_trade()
    f.make_contractor(site_tree.contractors, title="Hydro-Serwis", trade=trade)
    f.make_news(site_tree.news, title="Dezynsekcja piwnic")
    f.make_document(title="Regulamin rozliczania ciepła")
    return site_tree


def _index_state() -> tuple:
    return (
        sorted(SearchEntry.objects.values_list("key", "fingerprint")),
        sorted(SearchVocabulary.objects.values_list("term", "frequency")),
    )


# --- credentials and a misconfigured URL -------------------------------------------------
# Property: ELASTICSEARCH_URL's password is never shown on the screen nor stored in a run,
# and a URL the client cannot parse (a typo in the port) is said, not a 500.


def test_a_url_that_cannot_be_parsed_is_said_without_its_password(admin_client, settings):
    settings.ELASTICSEARCH_URL = f"http://indeks:{SECRET}@127.0.0.1:99999"
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-es-reachable="no"' in html and "ValueError" in html
    assert SECRET not in html


def test_a_run_failing_on_that_url_stores_no_password_and_keeps_the_index(
    admin_client, content, settings, django_capture_on_commit_callbacks
):
    """The task runs when the request's transaction commits (eager, as the embedded
    default); the screen then shows the run as failed, without the password. (Not a
    transactional test: those flush the site tree the migrations made, which the tests
    after them need.)"""
    before = _index_state()
    assert before[0]
    settings.ELASTICSEARCH_URL = f"http://indeks:{SECRET}@127.0.0.1:99999"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(REBUILD, follow=True)
    assert SECRET not in response.content.decode()
    run = SearchIndexRun.objects.get()
    assert run.state == S.FAILED and "ValueError" in run.error
    assert SECRET not in run.error and SECRET not in json.dumps(run.outcome)
    html = admin_client.get(INDEX).content.decode()
    assert "ValueError" in html and SECRET not in html
    assert _index_state() == before  # nothing deleted
    # The hourly reconciliation's own row alike.
    with pytest.raises(ValueError):
        tasks.search_reconcile.apply(throw=True)
    reconcile = SearchIndexRun.objects.get(kind=K.RECONCILE)
    assert reconcile.state == S.FAILED and SECRET not in reconcile.error


def test_residents_search_from_the_database_when_that_url_cannot_be_used(content, settings, caplog):
    """Only staff's runs and screen fail on it: a resident's search and a publish go on
    with the database, and the log names the error without the URL."""
    import logging

    from django.contrib.auth.models import AnonymousUser

    from search import selectors
    from search.backends.base import SearchQuery

    settings.ELASTICSEARCH_URL = f"http://indeks:{SECRET}@127.0.0.1:99999"
    with caplog.at_level(logging.ERROR, logger="search.selectors"):
        results = selectors.search(SearchQuery(text="Hydro-Serwis"), user=AnonymousUser())
        published = f.make_news(content.news, title="Wymiana wodomierzy")
    assert results.backend == "database" and results.total >= 1
    assert selectors.search(SearchQuery(text="wodomierzy"), user=AnonymousUser()).total == 1
    assert published.pk and "ELASTICSEARCH_URL cannot be used (ValueError)" in caplog.text
    assert SECRET not in caplog.text


def test_redaction_covers_user_info_and_key_parameters(settings):
    settings.ELASTICSEARCH_URL = f"https://elastic:{SECRET}@es.example:9200/?api_key=KLUCZ123"
    text = (
        f"Could not parse URL 'https://elastic:{SECRET}@es.example:9200/' "
        "redis://:brokerpass@10.0.0.5:6379/0 ?api_key=KLUCZ123&x=1 token=abc.def"
    )
    cleaned = tasks.redact(text)
    for secret in (SECRET, "brokerpass", "KLUCZ123", "abc.def"):
        assert secret not in cleaned
    assert "es.example:9200" in cleaned and "10.0.0.5:6379" in cleaned


# --- what is shown is escaped --------------------------------------------------------------
# Property (held from the start): stored error text, people's names and Elasticsearch's
# index names are escaped on the screen and in the flash message.

XSS = '<script>alert("x")</script>'


def test_stored_errors_names_and_index_names_are_escaped(admin_client):
    person = UserFactory(username="xss.osoba", first_name='<img src=x onerror="alert(1)">', last_name="")
    SearchIndexRun.objects.create(kind=K.RECONCILE, state=S.FAILED, error=XSS, requested_by=person)
    SearchIndexRun.objects.create(kind=K.REBUILD, state=S.DONE, outcome={"database": 3, "elasticsearch": XSS})
    SearchIndexRun.objects.create(kind=K.REBUILD, state=S.RUNNING, requested_by=person, started_at=timezone.now())
    html = admin_client.get(INDEX).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html


class _HostileElasticsearch(ElasticsearchLikeHandler):
    """Answers everything as Elasticsearch refusing it, with markup in its reason; or, for
    the status check, slowly: `_count` trickles its headers a byte every 0.4 s."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        server = self.server
        if server.mode == "trickle":
            if self.path.startswith("/_alias/"):
                return self._json({"hub-slow-directory-1": {"aliases": {"hub-slow-directory": {}}}})
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            started = time.monotonic()
            while not server.stop.is_set() and time.monotonic() - started < server.trickle_seconds:
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.4)
            return self.wfile.write(b"-Pad: 1\r\nContent-Length: 0\r\n\r\n")
        error = {"root_cause": [{"type": "illegal_argument_exception", "reason": XSS}]}
        self._json({"error": {**error, "type": "illegal_argument_exception", "reason": XSS}, "status": 400}, 400)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _answer  # noqa: N815


@pytest.fixture
def hostile_elasticsearch():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileElasticsearch)
    server.daemon_threads = True
    server.mode = "refuse"
    server.trickle_seconds = 6.0
    server.stop = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


def test_an_elasticsearch_reason_with_markup_is_escaped_on_the_screen(
    admin_client, content, settings, hostile_elasticsearch, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{hostile_elasticsearch.server_port}"
    settings.ELASTICSEARCH_INDEX_PREFIX = "hub-xss"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(REBUILD)
    run = SearchIndexRun.objects.get()
    assert run.state == S.FAILED and "<script>" in run.error  # stored as said, shown escaped
    html = admin_client.get(INDEX).content.decode()
    assert "<script>alert" not in html and "BadRequestError" in html and "&lt;script&gt;" in html


# --- the status check's timeout --------------------------------------------------------------
# Property: a page view waits for Elasticsearch at most about STATUS_TIMEOUT in all, even
# when the server answers byte by byte (a per-read timeout never fires then).


def test_a_trickling_server_does_not_hold_the_page(admin_client, settings, hostile_elasticsearch):
    from search.admin.views import STATUS_TIMEOUT

    hostile_elasticsearch.mode = "trickle"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{hostile_elasticsearch.server_port}"
    settings.ELASTICSEARCH_INDEX_PREFIX = "hub-slow"
    started = time.monotonic()
    response = admin_client.get(INDEX)
    took = time.monotonic() - started
    assert response.status_code == 200
    assert took < STATUS_TIMEOUT + 1.5, took
    assert 'data-es-reachable="no"' in response.content.decode()


# --- odd rows and people who left ---------------------------------------------------------


@pytest.mark.parametrize(
    "outcome, state",
    [
        ([], S.DONE),
        ("x", S.DONE),
        ({"database": "6"}, S.DONE),
        ({"database": None, "elasticsearch": {"a": 1}}, S.FAILED),
        ({"indexed": "many", "removed": None}, S.DONE),
        ({}, "paused"),  # a state from another version
    ],
)
def test_an_odd_run_row_does_not_break_the_screen(admin_client, outcome, state):
    kind = K.RECONCILE if "indexed" in outcome else K.REBUILD
    run = SearchIndexRun.objects.create(kind=kind, state=state, outcome=outcome, requested_by=admin_client.user)
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    assert f'data-run="{run.pk}"' in response.content.decode()


def test_a_run_of_a_deleted_account_is_not_shown_as_the_schedules(admin_client):
    leaver = UserFactory(username="odchodzacy")
    moment = timezone.now() - timedelta(minutes=5)
    asked = SearchIndexRun.objects.create(
        kind=K.REBUILD, state=S.DONE, requested_by=leaver, requested_at=moment, started_at=moment + timedelta(seconds=1)
    )
    scheduled = SearchIndexRun.objects.create(
        kind=K.RECONCILE, state=S.DONE, scheduled=True, requested_at=moment, started_at=moment
    )
    leaver.delete()
    html = admin_client.get(INDEX).content.decode()

    def row(run):
        start = html.index(f'data-run="{run.pk}"')
        return html[start : html.index("</tr>", start)]

    assert "harmonogram" in row(scheduled)
    assert "harmonogram" not in row(asked)


# --- methods, redirects, GET writes nothing ----------------------------------------------------


def test_the_buttons_take_post_only_and_go_back_to_the_screen_only(admin_client):
    for method in ("get", "head", "put", "patch", "delete", "options"):
        response = getattr(admin_client, method)(REBUILD)
        assert response.status_code in (405, 200) and not SearchIndexRun.objects.exists(), method
        if method != "options":
            assert response.status_code == 405, method
    response = admin_client.post(
        RECONCILE + "?next=https://evil.example/", {"next": "https://evil.example/", "kind": "rebuild"}
    )
    assert (response.status_code, response.url) == (302, INDEX)
    assert list(SearchIndexRun.objects.values_list("kind", flat=True)) == [K.RECONCILE]


def test_the_screen_writes_nothing_on_get(admin_client):
    """Property: opening the screen changes no row (a stale run is shown failed, not written)."""
    long_ago = timezone.now() - timedelta(hours=5)
    stale = SearchIndexRun.objects.create(kind=K.REBUILD, state=S.RUNNING, requested_at=long_ago, started_at=long_ago)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(INDEX).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
        and "auth_user" not in q["sql"]
    ]
    assert writes == []
    stale.refresh_from_db()
    assert stale.state == S.RUNNING


# --- who gets it ------------------------------------------------------------------------------


def test_a_superuser_who_works_for_a_firm_gets_neither_screen_nor_menu(content):
    superuser = SuperUserFactory(username="super.firma")
    firm = f.make_contractor(content.contractors, title="Firma Super")
    ContractorStaff.objects.create(user=superuser, firm=firm)
    client = signed_in_client(superuser)
    assert (client.get(INDEX).status_code, client.post(REBUILD).status_code) == (302, 302)
    assert not SearchIndexRun.objects.exists()
    assert INDEX not in client.get("/admin/").content.decode()


def test_a_permission_taken_away_counts_at_once(admin_client):
    """Property: the check is made on every request, not remembered from the page."""
    assert admin_client.get(INDEX).status_code == 200
    permission = Permission.objects.get(content_type__app_label="directory_search", codename="manage_search_index")
    admin_client.user.groups.clear()
    admin_client.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    assert not admin_client.user.user_permissions.filter(pk=permission.pk).exists()
    assert (admin_client.post(REBUILD).status_code, admin_client.post(REBUILD).url) == (302, "/admin/")
    assert not SearchIndexRun.objects.exists()


# --- one rebuild at a time, a failed rebuild, the log's growth ------------------------------


def test_the_one_rebuild_constraint_holds_only_for_active_rebuilds(db):
    """Property (both databases): the partial unique index exists and refuses a second
    queued or running rebuild, and nothing else."""
    constraints = connection.introspection.get_constraints(connection.cursor(), SearchIndexRun._meta.db_table)
    assert constraints["search_one_rebuild_at_a_time"]["unique"]
    for state in (S.DONE, S.FAILED, S.NOT_QUEUED, S.DONE, S.FAILED, S.NOT_QUEUED):
        SearchIndexRun.objects.create(kind=K.REBUILD, state=state)
    for state in (S.QUEUED, S.RUNNING, S.QUEUED):
        SearchIndexRun.objects.create(kind=K.RECONCILE, state=state)
    SearchIndexRun.objects.create(kind=K.REBUILD, state=S.QUEUED)
    for state in (S.QUEUED, S.RUNNING):
        with pytest.raises(IntegrityError), transaction.atomic():
            SearchIndexRun.objects.create(kind=K.REBUILD, state=state)


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_asked_at_the_same_moment_give_one_run(django_db_blocker):
    """Property: a rebuild written by another connection and not yet committed (so the
    check before the insert cannot see it) still refuses the second: PostgreSQL makes the
    insert wait on the unique index; SQLite makes the transaction wait for the lock."""
    if connection.vendor != "postgresql":
        pytest.skip("the test database of SQLite is in memory, shared by threads through table locks")
    asker = UserFactory(username="drugi.klik")
    first_written, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def first():
        try:
            with transaction.atomic():
                SearchIndexRun.objects.create(kind=K.REBUILD)
                first_written.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            outcome["run"] = tasks.request_run(K.REBUILD, by=asker)
        except tasks.RunRefused as refused:
            outcome["refused"] = refused
        except Exception as error:  # reported below
            outcome["error"] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_written.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)  # the second is waiting on the first's uncommitted row
    release.set()
    one.join(10)
    two.join(10)
    assert "refused" in outcome, outcome
    assert SearchIndexRun.objects.filter(kind=K.REBUILD).count() == 1


def test_a_rebuild_task_without_a_run_does_not_run_beside_an_active_one(content):
    SearchIndexRun.objects.create(kind=K.REBUILD, state=S.RUNNING, started_at=timezone.now())
    SearchEntry.objects.all().delete()
    assert tasks.search_rebuild.apply(throw=True).get() == {}
    assert SearchEntry.objects.count() == 0  # the running one's work, not done twice
    assert SearchIndexRun.objects.count() == 1


def test_a_rebuild_failing_half_way_leaves_the_old_database_index(
    admin_client, content, django_capture_on_commit_callbacks
):
    """Property: the database index is replaced in one transaction; a failure part-way
    (here the database refusing the terms, after the old entries were deleted and the new
    ones written) leaves the old index whole."""
    before = _index_state()
    assert before[0] and before[1]
    inserts = {"terms": 0}

    def refuse_later_terms(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "searchterm" in sql.lower():
            inserts["terms"] += 1
            if inserts["terms"] >= 1:
                raise IntegrityError("refused for the test")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_later_terms), django_capture_on_commit_callbacks(execute=True):
        admin_client.post(REBUILD)
    assert inserts["terms"] >= 1
    run = SearchIndexRun.objects.get()
    assert run.state == S.FAILED and "refused for the test" in run.error
    assert _index_state() == before


def test_clicks_while_the_broker_is_down_do_not_grow_the_log_without_bound(
    admin_client, broker_down, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(days=1)
    SearchIndexRun.objects.bulk_create(
        SearchIndexRun(kind=K.REBUILD, state=S.NOT_QUEUED, requested_at=old + timedelta(minutes=n))
        for n in range(tasks.RUNS_KEPT)
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(REBUILD)
    assert SearchIndexRun.objects.filter(state=S.NOT_QUEUED).count() == tasks.RUNS_KEPT
