"""Fixtures every test may use: isolated media, a GraphQL client, a site tree, the
tickets' cast (tests.factories.tickets.Cast) once per module, and an estate with
buildings A and B."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # SMS and push file backends write here in the embedded default.
    settings.MESSAGING_FILE_DIR = tmp_path / "messages"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and Wagtail's caches (renditions, site roots) outlive a test's
    rollback; a rendition cached by an earlier test would point at a row that no longer
    exists, and counters would throttle the next test. Shared GraphQL answers are kept
    per test (see cms.core.graphql.response_cache), and so are the site roots and denials
    a process remembers by content version (cms.core.sites, cms.core.visibility): a test
    may change content without raising the version."""
    from django.core.cache import cache

    from cms.core.graphql import response_cache
    from cms.core.sites import forget_site_roots
    from cms.core.visibility import forget_denials

    response_cache.forget_everything()
    forget_site_roots()
    forget_denials()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test():
    """Celery tasks run eagerly in every test, whatever broker CI configures: a test sees
    its task's effect without a worker. Tests of an unreachable broker switch this off,
    and tests/messaging/test_celery_worker.py sends through a real worker and broker.

    A test whose broker was unreachable leaves publishing paused for 30 s in its process
    (cms/core/queue.py), and one whose cache was unreachable leaves the cache skipped for
    a few seconds (cms/core/cache.py): both are forgotten around every test, or the next
    test in that process would silently publish nothing (the real-worker test did)."""
    from cms.celery import app as celery_app
    from cms.core import cache as degrading_cache
    from cms.core.queue import publishing_resume

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    publishing_resume()
    degrading_cache._down_until.clear()
    yield
    celery_app.conf.task_always_eager = previous
    publishing_resume()
    degrading_cache._down_until.clear()


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Celery with a broker nobody listens on; kombu told not to retry the connection, so
    each publish fails at once instead of blocking the request for seconds. Calling the
    fixture's value brings the broker "back" (eager again) within the test."""
    from cms.celery import app as celery_app
    from cms.core.queue import publishing_resume
    from tests.factories.messaging import fresh_broker_connections

    publishing_resume()
    conf = celery_app.conf
    keys = ("task_always_eager", "broker_url", "task_publish_retry", "broker_transport_options")
    saved = {key: conf[key] for key in keys}
    conf.update(
        task_always_eager=False,
        broker_url=UNREACHABLE_BROKER,
        task_publish_retry=False,
        broker_transport_options={"max_retries": 0},
    )
    # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its conf.
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
    fresh_broker_connections()
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def back_up():
        monkeypatch.undo()
        conf.update(**saved)
        fresh_broker_connections()
        publishing_resume()
        settings.CELERY_TASK_ALWAYS_EAGER = True

    yield back_up
    back_up()


class GraphQLClient:
    """Posts operations to /graphql the way a cookie-less or signed-in frontend does."""

    def __init__(self, client):
        self.client = client

    def login(self, user):
        self.client.force_login(user)
        return self

    def logout(self):
        self.client.logout()
        return self

    def execute(self, query: str, variables: dict | None = None, **headers) -> dict:
        response = self.client.post(
            "/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content[:500]
        return response.json()

    def data(self, query: str, variables: dict | None = None, **headers) -> dict:
        """Execute and insist on no errors; return `data`."""
        result = self.execute(query, variables, **headers)
        assert not result.get("errors"), result["errors"]
        return result["data"]

    def count_queries(self, query: str, variables: dict | None = None) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            result = self.execute(query, variables)
        assert not result.get("errors"), result["errors"]
        return len(captured.captured_queries), result["data"]


@pytest.fixture
def gql(client):
    """A GraphQL client; the test client enforces no CSRF, like a bearer-token client."""
    return GraphQLClient(client)


@pytest.fixture
def site_tree(db):
    """The section pages under the default site's HomePage."""
    from tests.factories.content import build_site_tree

    return build_site_tree()


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """Everyone around one ticket (tests.factories.tickets.Cast: buildings A and B, their
    residents, staff, two firms), built once per test module inside a transaction rolled
    back at its end; each test runs in a savepoint inside it."""
    from tests.factories import tickets as tf

    with tf.shared_cast(django_db_blocker) as built:
        yield built


@pytest.fixture
def estate(db):
    from tests.factories.residents import EstateFactory

    return EstateFactory(name="Zielone Wzgórze", slug="zielone-wzgorze")


@pytest.fixture
def building_a(estate):
    from tests.factories.residents import BuildingFactory

    return BuildingFactory(estate=estate, code="A", street="ul. Lipowa", number="1")


@pytest.fixture
def building_b(estate):
    from tests.factories.residents import BuildingFactory

    return BuildingFactory(estate=estate, code="B", street="ul. Lipowa", number="3")


# --- Messaging and broadcasts (tests/messaging, tests/broadcasts) -----------------------------
# Shared by both folders; a folder or module that needs another cast defines its own (the
# residents tests' units carry access codes).


@pytest.fixture
def fake_provider(settings):
    """fake_provider(channel, behaviour=..., rate_per_second=...) sends `channel` through a
    ScriptedProvider for the rest of the test and returns its script (what it saw)."""
    from tests.factories import messaging as mf

    with mf.scripted_providers(settings) as install:
        yield install


@pytest.fixture
def unit_a1(building_a):
    from tests.factories.residents import UnitFactory

    return UnitFactory(building=building_a, number="1")


@pytest.fixture
def unit_b1(building_b):
    from tests.factories.residents import UnitFactory

    return UnitFactory(building=building_b, number="1")


@pytest.fixture
def resident(db):
    """resident(unit, role=owner, **user fields): a person with a verified membership."""
    from operations.residents.models import Membership
    from tests.factories.residents import MembershipFactory, UserFactory

    def make(unit, role=Membership.Role.OWNER, **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, unit=unit, role=role, verified=True)
        return user

    return make


@pytest.fixture
def reachable_people(building_a, building_b):
    """Four residents of building A and one of B, each reachable differently
    (tests.factories.messaging.reachable_people)."""
    from tests.factories import messaging as mf

    return mf.reachable_people(building_a, building_b)


@pytest.fixture
def dispatcher_client(db):
    """A client signed in as a new dispatcher; its user is `dispatcher_client.user`."""
    from operations.residents.roles import StaffRole
    from tests.factories.admin import staff_client

    return staff_client(StaffRole.DISPATCHER)
