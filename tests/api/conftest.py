"""Fixtures of the API tests: one scenario per module, rolled back at the end of it.

Building the scenario (some thirty Wagtail pages published through revisions) takes
seconds, and the visibility tests read it dozens of times, once per viewer. So it is
built once per module inside an outer transaction; each test runs in a savepoint inside
it (pytest-django's usual per-test transaction), and the outer transaction is rolled
back when the module is done, leaving the database as it found it.

The tickets API tests share the same way a `world` of tickets (tickets_world.py) and,
for the upload tests, the `cast` of tests/conftest.py with a `ticket` and a `prepared`
request per upload path (tickets_uploads_kit.py).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings


@pytest.fixture(scope="session")
def api_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("api-media")


@pytest.fixture(autouse=True)
def _isolated_media(settings, api_media_root):
    """Overrides the per-test media folder: the module's scenario files must stay readable."""
    settings.MEDIA_ROOT = api_media_root


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker, api_media_root):
    from tests.api.scenario import build_scenario

    with django_db_blocker.unblock():
        with override_settings(MEDIA_ROOT=api_media_root):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                cache.clear()
                built = build_scenario()
                yield built
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                cache.clear()


def signer(gql, user_of):
    """`sign_in(viewer)` -> `gql` signed in as `user_of(viewer)` (anonymous when that is None)."""

    def sign_in(viewer: str):
        gql.logout()
        user = user_of(viewer)
        if user is not None:
            gql.login(user)
        return gql

    return sign_in


@pytest.fixture
def as_viewer(gql, scenario):
    """`as_viewer(name)` -> the GraphQL client signed in as that viewer (or anonymous)."""
    return signer(gql, scenario.user)


# --- The tickets API world (tests/api/tickets_world.py) -------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, api_media_root):
    """Tickets in every place that matters, built once per test module that asks for it;
    each test runs in a savepoint inside it."""
    from tests.api.tickets_world import build_world
    from tests.factories import tickets as tf

    with override_settings(MEDIA_ROOT=api_media_root):
        with tf.shared_cast(django_db_blocker) as cast:
            yield build_world(cast)


@pytest.fixture
def as_(gql, world):
    """`as_(viewer)` -> the GraphQL client signed in as that viewer of the tickets world."""
    return signer(gql, world.user)


# --- The tickets upload tests (tests/api/tickets_uploads_kit.py) ----------------------------------


@pytest.fixture
def media_per_test(_isolated_media, settings, tmp_path):
    """A media folder per test instead of the session's, so that "no files were written"
    means exactly that. Modules ask for it with `pytest.mark.usefixtures("media_per_test")`."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ticket(cast):
    """The reporter's ticket, assigned to the firm (its worker named), without photos."""
    from tests.api.tickets_uploads_kit import assigned_ticket

    made = assigned_ticket(cast)
    made.refresh_from_db()
    return made


@pytest.fixture
def prepared(cast, client):
    """`prepared(name)` -> (client signed in as the mutation's user, query, variables)."""
    from tests.api.tickets_uploads_kit import assigned_ticket, mutations

    def prepare(name: str):
        user, query, variables = mutations(cast, lambda: assigned_ticket(cast))[name]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client, query, variables()

    return prepare
