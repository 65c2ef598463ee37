"""Fixtures of the API tests: one scenario per module, rolled back at the end of it.

Building the scenario (some thirty Wagtail pages published through revisions) takes
seconds, and the visibility tests read it dozens of times, once per viewer. So it is
built once per module inside an outer transaction; each test runs in a savepoint inside
it (pytest-django's usual per-test transaction), and the outer transaction is rolled
back when the module is done, leaving the database as it found it.
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


@pytest.fixture
def as_viewer(gql, scenario):
    """`as_viewer(name)` -> the GraphQL client signed in as that viewer (or anonymous)."""

    def sign_in(viewer: str):
        gql.logout()
        user = scenario.user(viewer)
        if user is not None:
            gql.login(user)
        return gql

    return sign_in
