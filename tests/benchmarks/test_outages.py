"""What a resident's requests cost while Redis or the mail server is away, against the
same requests with everything up, in the same run.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_outages.py`.

Three states of the cache (Redis in production, where it often shares a server with the
broker):
- up: the per-process memory cache (what a reachable Redis answers like, minus the network);
- refused: nothing listens at the address (Redis stopped): connecting fails at once;
- silent: a server that accepts connections and never answers (a hung Redis or a
  dropped route, simulated on the loopback): each try waits for the socket timeout,
  then the cache is not tried again for a few seconds (cms/core/cache.py).
For each, a fault report (`ticketCreate`, with its hourly limits and its notifications
queued in the outbox), a sign-in, and the news list with image renditions; reported as
milliseconds per request (median) and the ratio to "up". Then the mail server: a
delivery tried against an SMTP port where nothing listens, how long the attempt takes
and what becomes of it (retried later, nothing lost). Nothing is asserted about speed.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.test import Client
from django.test.utils import override_settings

from cms.core import cache as degrading
from cms.core.queue import publishing_resume
from operations.messaging import services as messaging
from operations.messaging.models import Delivery
from operations.messaging.services import sending
from tests.factories import content as f
from tests.factories import tickets as t

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROUNDS = 15

CREATE = """
mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { reference } errors { code } } }
"""
SIGN_IN = """
mutation($u: String!, $p: String!) { sessionSignIn(username: $u, password: $p) { errors { code } } }
"""
NEWS = "{ news(first: 10) { edges { node { title leadImage { rendition(size: THUMBNAIL) { url } } } } } }"


def _redis(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "cms.core.cache.DegradingRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }


class SilentServer:
    """Accepts TCP connections on the loopback and never answers."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.held:
            connection.close()


def _post(client: Client, query: str, variables: dict) -> float:
    started = time.perf_counter()
    response = client.post("/graphql", {"query": query, "variables": variables}, content_type="application/json")
    elapsed = time.perf_counter() - started
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return elapsed


def _measure(cast, site_tree) -> dict[str, float]:
    resident = Client()
    resident.force_login(cast.reporter)
    anonymous = Client()
    create = {
        "input": {
            "categoryId": str(cast.category.pk),
            "unitId": str(cast.unit.pk),
            "title": "Kran",
            "description": "Kapie.",
        }
    }
    sign_in = {"u": cast.neighbour.username, "p": "haslo-sasiada-2026"}
    timings = {"ticketCreate": [], "sessionSignIn": [], "news (10, images)": []}
    for _ in range(ROUNDS):
        timings["ticketCreate"].append(_post(resident, CREATE, create))
        timings["sessionSignIn"].append(_post(Client(), SIGN_IN, sign_in))
        timings["news (10, images)"].append(_post(anonymous, NEWS, {}))
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


def test_requests_while_the_cache_is_down(site_tree, settings):
    settings.TICKET_REPORTS_PER_USER_PER_HOUR = 10_000
    cast = t.build_cast(with_firms=False)
    cast.neighbour.set_password("haslo-sasiada-2026")
    cast.neighbour.save()
    for n in range(10):
        f.make_news(site_tree.news, title=f"Komunikat {n}", image=f.make_image())

    results = {"up (memory cache)": _measure(cast, site_tree)}
    degrading._down_until.clear()
    with override_settings(CACHES=_redis("redis://127.0.0.1:1/0")):
        results["refused (Redis stopped)"] = _measure(cast, site_tree)
    silent = SilentServer()
    degrading._down_until.clear()
    try:
        with override_settings(CACHES=_redis(f"redis://127.0.0.1:{silent.port}/0")):
            first = time.perf_counter()
            _post(Client(), NEWS, {})
            first_request_ms = (time.perf_counter() - first) * 1000
            results["silent (Redis hung)"] = _measure(cast, site_tree)
    finally:
        silent.close()
        degrading._down_until.clear()

    base = results["up (memory cache)"]
    print("\nmilliseconds per request (median of", ROUNDS, "), ratio to up:")
    for state, timings in results.items():
        row = ", ".join(f"{name} {ms:.1f} ({ms / base[name]:.2f}x)" for name, ms in timings.items())
        print(f"  {state}: {row}")
    print(f"  silent: the first request after the outage began took {first_request_ms:.0f} ms (the socket timeout)")


def test_a_delivery_while_the_mail_server_is_down(settings, django_capture_on_commit_callbacks):
    cast = t.build_cast(with_firms=False)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        messaging.message_send(
            kind="account",
            template_key="membership-verified",
            recipients=[cast.reporter],
            context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "właściciel", "reason": ""},
            dedupe_key="benchmark-mail-down",
        )
    elapsed = (time.perf_counter() - started) * 1000
    delivery = Delivery.objects.get(message__dedupe_key="benchmark-mail-down", channel="email")
    print(
        f"\nmail server down: message_send + one delivery attempt {elapsed:.0f} ms; "
        f"the delivery is {delivery.state} (attempt {delivery.attempts}), "
        f"next try at {delivery.next_attempt_at:%H:%M:%S}, "
        f"reason: {delivery.error[:80]!r}"
    )
    assert delivery.state == Delivery.State.QUEUED and not mail.outbox
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    sending.deliveries_send(channel="email")
    delivery.refresh_from_db()
    print(f"mail server back: the delivery is {delivery.state} after the next sweep")
    assert delivery.state == Delivery.State.SENT


@contextmanager
def _broker_at(url: str, monkeypatch):
    """Celery publishing to `url` as production does (not eagerly), for the block."""
    from cms.celery import app as celery_app
    from tests.factories.messaging import fresh_broker_connections

    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=url)
    # Celery prefers the environment variable (set in CI) to its conf.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    fresh_broker_connections()
    publishing_resume()
    try:
        yield
    finally:
        celery_app.conf.update(**saved)
        monkeypatch.undo()
        fresh_broker_connections()
        publishing_resume()


def _reporter_and_report():
    cast = t.build_cast(with_firms=False)
    resident = Client()
    resident.force_login(cast.reporter)
    create = {
        "input": {"categoryId": str(cast.category.pk), "unitId": str(cast.unit.pk), "title": "Kran", "description": "x"}
    }
    return cast, resident, create


def _timed_reports(resident, create, times: int, capture) -> list[float]:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        with capture(execute=True):
            _post(resident, CREATE, create)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def test_a_fault_report_while_the_broker_is_down(settings, monkeypatch, django_capture_on_commit_callbacks):
    """The broker at an address where nothing listens: what the after-commit publish adds
    to a request."""
    cast, resident, create = _reporter_and_report()
    up = statistics.median(_post(resident, CREATE, create) for _ in range(5)) * 1000
    with _broker_at("redis://127.0.0.1:1/0", monkeypatch):
        timings = _timed_reports(resident, create, 3, django_capture_on_commit_callbacks)
    queued = Delivery.objects.filter(message__recipient=cast.reporter, state=Delivery.State.QUEUED).count()
    print(
        f"\nbroker down: ticketCreate {statistics.median(timings):.0f} ms against {up:.0f} ms with it up "
        f"({statistics.median(timings) / up:.1f}x); {queued} deliveries wait in the outbox for the sweep"
    )


def test_a_fault_report_while_the_broker_hangs(settings, monkeypatch, django_capture_on_commit_callbacks):
    """The broker accepts connections and never answers (a hung Redis): what the first
    request pays, and the ones after it while publishing is paused."""
    _cast, resident, create = _reporter_and_report()
    silent = SilentServer()
    try:
        with _broker_at(f"redis://127.0.0.1:{silent.port}/0", monkeypatch):
            timings = _timed_reports(resident, create, 4, django_capture_on_commit_callbacks)
    finally:
        silent.close()
    print(f"\nbroker hung: ticketCreate took {', '.join(f'{ms:.0f}' for ms in timings)} ms (first, then paused)")
