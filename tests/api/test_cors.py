"""A portal hosted on another origin may call the API, and only the API, when the hub
names that origin (PORTAL_ORIGINS); no other origin gets anything."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example.org"


@pytest.fixture(autouse=True)
def _portal_origin(settings):
    settings.PORTAL_ORIGINS = [PORTAL]


def _preflight(origin: str, path: str = "/graphql"):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_a_named_origin_is_answered_with_credentials():
    preflight = _preflight(PORTAL)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == PORTAL
    assert preflight["Access-Control-Allow-Credentials"] == "true"
    assert "X-CSRFToken" in preflight["Access-Control-Allow-Headers"]
    answer = Client().post(
        "/graphql", json.dumps({"query": "{ site { name } }"}), content_type="application/json", HTTP_ORIGIN=PORTAL
    )
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == PORTAL
    assert "Origin" in answer["Vary"]
    assert Client().get("/graphql/operations.json", HTTP_ORIGIN=PORTAL)["Access-Control-Allow-Origin"] == PORTAL


@pytest.mark.parametrize("origin", ["https://evil.example", "https://portal.example.org.evil.example", "null"])
def test_any_other_origin_gets_no_cors_headers(origin):
    assert "Access-Control-Allow-Origin" not in _preflight(origin)
    answer = Client().post(
        "/graphql", json.dumps({"query": "{ site { name } }"}), content_type="application/json", HTTP_ORIGIN=origin
    )
    assert "Access-Control-Allow-Origin" not in answer


@pytest.mark.parametrize("path", ["/admin/", "/documents/1/x.pdf", "/"])
def test_nothing_but_the_api_is_opened_to_the_portals_origin(path):
    assert "Access-Control-Allow-Origin" not in Client().get(path, HTTP_ORIGIN=PORTAL)
    assert "Access-Control-Allow-Origin" not in _preflight(PORTAL, path)
