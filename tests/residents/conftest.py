"""Fixtures for the residents tests: a small cooperative and a GraphQL client."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from tests.factories.residents import (
    DEFAULT_PASSWORD,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a request and send what it queued, as the workers would after commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def unit_a1(building_a):
    return UnitFactory(building=building_a, number="1", access_code="A1-KOD-2026")


@pytest.fixture
def unit_a2(building_a):
    return UnitFactory(building=building_a, number="2", access_code="A2-KOD-2026")


@pytest.fixture
def unit_b1(building_b):
    return UnitFactory(building=building_b, number="1", access_code="B1-KOD-2026")


@pytest.fixture
def superuser(db):
    return SuperUserFactory(username="admin")


@pytest.fixture
def person(db):
    return UserFactory(username="jan.kowalski", first_name="Jan", last_name="Kowalski")


@pytest.fixture
def make_request():
    """A request as the services see it: address, browser and a session."""

    def make(ip: str = "10.0.0.1", user_agent: str = "pytest-browser/1.0"):
        request = RequestFactory().post("/graphql", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
        request.session = SessionStore()
        return request

    return make


class GraphQLClient:
    """Posts operations to /graphql through the whole middleware stack."""

    def __init__(self, client: Client):
        self.client = client

    def __call__(self, query: str, variables: dict | None = None, *, token: str | None = None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
            **extra,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def graphql(client):
    return GraphQLClient(client)


@pytest.fixture
def graphql_for():
    """A GraphQL client of its own, e.g. signed in as someone: graphql_for(user)."""

    def make(user=None, **client_kwargs) -> GraphQLClient:
        client = Client(**client_kwargs)
        if user is not None:
            client.force_login(user)
        return GraphQLClient(client)

    return make
