"""Answers that depend on who asks must never be shared by caches between viewers."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_graphql_answers_are_private_and_vary_by_credentials(client):
    response = client.post("/graphql", data=json.dumps({"query": "{ viewer { id } }"}), content_type="application/json")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Authorization", "Cookie"} <= vary


def test_public_image_files_are_cached_only_briefly(client):
    from tests.factories import content as f

    image = f.make_image()
    rendition = image.get_rendition("max-800x800")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=600"
