"""The "Search index" screen of the admin's Settings menu ("Wyszukiwarka").

It shows which backend answers the directory's searches (the database, or Elasticsearch
with its alias and whether the cluster answers now, asked with a short timeout: a
cluster down is said, never a failed page), the database index's entries per kind and
its vocabulary, and the last runs (`SearchIndexRun`: rebuilds and reconciliations, who
asked, when they started and finished, what they did or why they failed). Two buttons
queue a rebuild of every backend (`search.tasks.search_rebuild`, the work of `manage.py
search_rebuild`) and a reconciliation (`search.tasks.search_reconcile`); a second
rebuild while one is queued or running is refused.

Who: `directory_search.manage_search_index` (superusers have it), never a contractor's
worker (`may_manage`).
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from cms.contractors.models import ContractorStaff
from cms.core.admin.views import local_time, person_label
from search import selectors, tasks
from search.backends.base import KINDS
from search.models import SearchEntry, SearchIndexRun, SearchVocabulary

PERMISSION = "directory_search.manage_search_index"
NAME = "directory-search-index"
# How long the screen waits for Elasticsearch to say it is there, in all: both requests
# share it, and the page does not wait past it even for a server that answers a byte at a
# time (which a per-read socket timeout never stops).
STATUS_TIMEOUT = 2.0
# Runs listed (the log keeps more: `tasks.RUNS_KEPT` of each kind).
RUNS_SHOWN = 30

KIND_LABELS = {
    "contractor": _("Contractors"),
    "document": _("Documents"),
    "news": _("News"),
    "investment": _("Investments"),
}
K = SearchIndexRun.Kind
S = SearchIndexRun.State


def may_manage(user) -> bool:
    """Staff with `manage_search_index` (superusers implicitly), never a contractor's
    worker, whatever permissions they were given."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(PERMISSION)):
        return False
    return not ContractorStaff.objects.filter(user=user).exists()


def _host(url: str) -> str:
    """The cluster's address without credentials: "https://es.example:9200" (a port that
    is not one left out)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


def _from_elasticsearch(error) -> bool:
    headers = {name.lower(): value for name, value in (error.meta.headers or {}).items()}
    body = error.body if isinstance(error.body, dict) else {}
    return headers.get("x-elastic-product") == "Elasticsearch" or "error" in body


def _problem(error: BaseException) -> str:
    meta = getattr(error, "meta", None)
    detail = f"HTTP {meta.status}" if getattr(meta, "status", None) else str(error)
    return tasks.redact(f"{type(error).__name__}: {detail}")[:300]


def _ask_elasticsearch(backend, deadline: float) -> dict:
    """The indices behind the alias and their documents, each request given what is left
    of the time until `deadline`."""
    from elasticsearch import ApiError

    def client():
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no time left for the next request")
        return backend.client.options(request_timeout=left, max_retries=0)

    indices: list[str] = []
    try:
        indices = sorted(str(name) for name in client().indices.get_alias(name=backend.alias).body)
    except ApiError as error:
        # 404 from Elasticsearch itself: never built, nothing behind the alias yet. A bare
        # 404 from whatever else answers at that address (a proxy) is not that.
        if error.meta.status != 404 or not _from_elasticsearch(error):
            raise
    documents = int(client().count(index=backend.alias)["count"]) if indices else None
    return {"indices": indices, "documents": documents}


def elasticsearch_status(backend, timeout: float = STATUS_TIMEOUT) -> dict:
    """Whether the cluster answers now (within `timeout` in all), the indices behind the
    alias and the documents in them. Any failure is "not reachable" with its reason
    (credentials taken out). The requests run in a thread of their own, so that a server
    answering slowly enough never to trip a socket timeout still cannot hold the page; the
    thread is left to finish by itself."""
    status = {"alias": backend.alias, "reachable": False, "indices": [], "documents": None, "problem": ""}
    answer: dict = {}

    def ask() -> None:
        try:
            answer["found"] = _ask_elasticsearch(backend, time.monotonic() + timeout)
        except Exception as error:  # a cluster down, refusing, timing out: said, never a 500
            answer["error"] = error

    worker = threading.Thread(target=ask, name="search-index-status", daemon=True)
    worker.start()
    worker.join(timeout + 0.25)
    if worker.is_alive():
        status["problem"] = f"TimeoutError: no answer within {timeout:g} s"
    elif "error" in answer:
        status["problem"] = _problem(answer["error"])
    else:
        status.update(answer["found"], reachable=True)
    return status


def index_figures() -> dict:
    """The database index: entries per kind (every kind, zero included), the vocabulary."""
    counted = dict(SearchEntry.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    kinds = [{"kind": kind, "label": KIND_LABELS[kind], "count": counted.get(kind, 0)} for kind in KINDS]
    return {
        "kinds": kinds,
        "entries": sum(row["count"] for row in kinds),
        "vocabulary": SearchVocabulary.objects.count(),
    }


def lost_text() -> str:
    return gettext("No word from its task for %(hours)d hours: taken as lost.") % {
        "hours": int(tasks.STALE_AFTER.total_seconds() // 3600)
    }


def _whole(value) -> int | None:
    """A count stored in an outcome, or None for anything else (a row of another version)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def state_label(state: str) -> str:
    return S(state).label if state in S.values else str(state)


def outcome_text(run: SearchIndexRun) -> str:
    """What the run did, from its outcome; whatever in it is not as written is left out."""
    outcome = run.outcome if isinstance(run.outcome, dict) else {}
    if outcome.get("lost"):
        return lost_text()
    if run.state == S.NOT_QUEUED:
        return gettext("The task queue did not take it: nothing was done.")
    parts = []
    if run.kind == K.REBUILD:
        database = _whole(outcome.get("database"))
        if database is not None:
            parts.append(
                ngettext("database: %(count)d entry", "database: %(count)d entries", database) % {"count": database}
            )
        index = outcome.get("elasticsearch")
        if isinstance(index, str) and index:
            parts.append(gettext("Elasticsearch: index %(index)s") % {"index": index})
    elif outcome:
        parts.append(
            gettext("%(indexed)d indexed again, %(removed)d removed")
            % {"indexed": _whole(outcome.get("indexed")) or 0, "removed": _whole(outcome.get("removed")) or 0}
        )
    return "; ".join(parts)


def requester_label(run: SearchIndexRun) -> str:
    """Who asked: a person, the schedule, or "–" for an account deleted since (its runs
    keep no name)."""
    if run.requested_by_id:
        return person_label(run.requested_by)
    if run.scheduled:
        return gettext("schedule")
    return "–"


def run_rows(runs) -> list[dict]:
    rows = []
    for run in runs:
        stale = tasks.is_stale(run)
        state = S.FAILED if stale else run.state
        rows.append(
            {
                "run": run,
                "kind": run.get_kind_display(),
                "state": state,
                "state_label": state_label(state),
                "requested_at": local_time(run.requested_at),
                "requested_by": requester_label(run),
                "started_at": local_time(run.started_at),
                "finished_at": local_time(run.finished_at),
                "outcome": lost_text() if stale else outcome_text(run),
                "error": run.error,
            }
        )
    return rows


class SearchIndexMixin(WagtailAdminTemplateMixin):
    header_icon = "search"
    page_title = _("Search index")

    def dispatch(self, request, *args, **kwargs):
        if not may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def index_url(self) -> str:
        return reverse(f"{NAME}:index")


class SearchIndexView(SearchIndexMixin, TemplateView):
    template_name = "directory_search/admin/index.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    @cached_property
    def backend(self) -> dict:
        host = _host(settings.ELASTICSEARCH_URL) if getattr(settings, "ELASTICSEARCH_URL", "") else ""
        try:
            elastic = selectors.configured_elasticsearch()
        except Exception as error:  # a URL the client cannot take (quoted whole in its error)
            prefix = getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "hub")
            return {
                "name": "elasticsearch",
                "host": host,
                "alias": f"{prefix}-directory",
                "reachable": False,
                "indices": [],
                "documents": None,
                "problem": _problem(error),
            }
        if elastic is None:
            return {"name": "database"}
        return {"name": "elasticsearch", "host": host, **elasticsearch_status(elastic)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rebuilding = tasks.active_run(K.REBUILD)
        reconciling = tasks.active_run(K.RECONCILE)
        last_rebuild = SearchIndexRun.objects.filter(kind=K.REBUILD).select_related("requested_by").first()
        context.update(
            backend=self.backend,
            figures=index_figures(),
            rebuilding=run_rows([rebuilding])[0] if rebuilding else None,
            reconciling=run_rows([reconciling])[0] if reconciling else None,
            last_rebuild=run_rows([last_rebuild])[0] if last_rebuild else None,
            runs=run_rows(SearchIndexRun.objects.select_related("requested_by")[:RUNS_SHOWN]),
            rebuild_url=reverse(f"{NAME}:rebuild"),
            reconcile_url=reverse(f"{NAME}:reconcile"),
            stale_hours=int(tasks.STALE_AFTER.total_seconds() // 3600),
        )
        return context


class RunView(SearchIndexMixin, TemplateView):
    """POST only: queue a run of `kind`, say what became of it, back to the screen."""

    kind = ""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        try:
            run = tasks.request_run(self.kind, by=request.user)
        except tasks.RunRefused as refused:
            messages.warning(request, self.refused_text(refused.running))
        else:
            self.report(run)
        return redirect(self.index_url)

    def refused_text(self, running) -> str:
        raise NotImplementedError

    def report(self, run: SearchIndexRun) -> None:
        if run.state == S.NOT_QUEUED:
            messages.error(
                self.request,
                gettext(
                    "The task queue is not answering, so nothing was started. "
                    "The attempt is recorded below; try again in a few minutes."
                ),
            )
        elif run.state == S.FAILED:
            messages.error(self.request, gettext("It failed: %(error)s") % {"error": run.error})
        elif run.state == S.DONE:
            messages.success(self.request, self.done_text(run))
        else:
            messages.success(self.request, self.queued_text())


class RebuildView(RunView):
    kind = K.REBUILD

    def refused_text(self, running) -> str:
        return gettext(
            "A rebuild is already %(state)s (asked at %(moment)s); a second one is not queued. Wait for it to finish."
        ) % {"state": S(running.state).label, "moment": local_time(running.requested_at)}

    def queued_text(self) -> str:
        return gettext("The rebuild of the search index is queued. Its progress is shown below.")

    def done_text(self, run) -> str:
        return gettext("The search index is rebuilt: %(outcome)s.") % {"outcome": outcome_text(run)}


class ReconcileView(RunView):
    kind = K.RECONCILE

    def refused_text(self, running) -> str:
        return gettext("A reconciliation is already %(state)s (asked at %(moment)s); a second one is not queued.") % {
            "state": S(running.state).label,
            "moment": local_time(running.requested_at),
        }

    def queued_text(self) -> str:
        return gettext("The reconciliation is queued. Its result is shown below.")

    def done_text(self, run) -> str:
        return gettext("The index is reconciled with the content: %(outcome)s.") % {"outcome": outcome_text(run)}


class SearchIndexViewSet(ViewSet):
    """The screen in the Settings menu, shown to those who may use it."""

    name = NAME
    icon = "search"
    menu_label = _("Search index")
    menu_name = "directory-search-index"
    add_to_settings_menu = True

    @cached_property
    def menu_item_class(self):
        class SearchIndexMenuItem(MenuItem):
            def is_shown(self, request):
                return may_manage(request.user)

        return SearchIndexMenuItem

    def get_urlpatterns(self):
        return [
            path("", SearchIndexView.as_view(), name="index"),
            path("rebuild/", RebuildView.as_view(), name="rebuild"),
            path("reconcile/", ReconcileView.as_view(), name="reconcile"),
        ]
