"""One installation may serve several cooperatives, each a Wagtail site: lists and pages
answer for the site the request is addressed to, never another's."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from cms.home.models import HomePage
from cms.news.models import NewsIndexPage
from tests.factories import content as f

pytestmark = pytest.mark.django_db

QUERY = '{ news { totalCount edges { node { title urlPath } } } page(urlPath: "/aktualnosci/") { title } }'


@pytest.fixture
def two_sites(site_tree, settings):
    settings.ALLOWED_HOSTS = ["testserver", "inna.example"]
    f.make_news(site_tree.news, title="Nasza")
    other_home = f.publish(Page.get_first_root_node(), HomePage(title="Inna spółdzielnia", slug="inna"))
    Site.objects.create(hostname="inna.example", port=80, root_page=other_home)
    other_news = f.publish(other_home, NewsIndexPage(title="Aktualności innej", slug="aktualnosci"))
    f.make_news(other_news, title="Cudza")


def _ask(client, host):
    response = client.post("/graphql", json.dumps({"query": QUERY}), content_type="application/json", HTTP_HOST=host)
    assert response.status_code == 200
    return response.json()["data"]


def test_each_site_lists_its_own_news(client, two_sites):
    ours = _ask(client, "testserver")
    assert [e["node"]["title"] for e in ours["news"]["edges"]] == ["Nasza"]
    assert ours["page"]["title"] == "Aktualności"
    theirs = _ask(client, "inna.example")
    assert [e["node"]["title"] for e in theirs["news"]["edges"]] == ["Cudza"]
    assert theirs["news"]["edges"][0]["node"]["urlPath"].startswith("/aktualnosci/")
    assert theirs["page"]["title"] == "Aktualności innej"


def _site_queries(client, host) -> int:
    with CaptureQueriesContext(connection) as captured:
        _ask(client, host)
    return sum("wagtailcore_site" in query["sql"] for query in captured.captured_queries)


def test_a_process_remembers_each_sites_root_until_content_changes(client, two_sites, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # every answer made afresh
    assert _site_queries(client, "inna.example") == 1
    assert _site_queries(client, "inna.example") == 0
    assert _site_queries(client, "testserver") == 1  # another host, its own entry
    assert [e["node"]["title"] for e in _ask(client, "testserver")["news"]["edges"]] == ["Nasza"]


def test_a_site_moved_to_another_root_is_seen_at_once(client, two_sites, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    assert [e["node"]["title"] for e in _ask(client, "inna.example")["news"]["edges"]] == ["Cudza"]
    site = Site.objects.get(hostname="inna.example")
    site.root_page = Site.objects.get(is_default_site=True).root_page
    site.save()
    assert [e["node"]["title"] for e in _ask(client, "inna.example")["news"]["edges"]] == ["Nasza"]


def test_a_new_site_for_a_host_is_seen_at_once(client, two_sites, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "trzecia.example"]
    assert [e["node"]["title"] for e in _ask(client, "trzecia.example")["news"]["edges"]] == ["Nasza"]  # the default
    other_root = Site.objects.get(hostname="inna.example").root_page
    Site.objects.create(hostname="trzecia.example", port=80, root_page=other_root)
    assert [e["node"]["title"] for e in _ask(client, "trzecia.example")["news"]["edges"]] == ["Cudza"]
