"""Security review of the uncommitted performance memos: strawberry's short path for
instance fields (cms/core/graphql/fields.py), the valid-document memo
(cms/core/graphql/disclosure.py), the per-process denial facts
(visibility.denial_for_request), the site roots (cms/core/sites.py) and the shared
per-request content version (content_version.of_request).

Every test here passes today: each guards an attack that was tried and held. A failing
test is an open finding.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from strawberry.django.context import StrawberryDjangoContext
from strawberry_django.fields.field import StrawberryDjangoField
from wagtail.models import BaseViewRestriction, Page, Site

from cms import schema as schema_module
from cms.core.graphql import disclosure
from cms.core.graphql.extensions import Schema
from cms.core.graphql.fields import InstanceField
from cms.core.rich_text import _Reader, _reader
from cms.news.models import NewsIndexPage
from operations.residents.models import Audience
from operations.tickets import services as ticket_services
from tests.factories import content as f
from tests.factories import messaging as mf
from tests.factories import tickets as tf
from tests.factories.residents import estate_audience_member

pytestmark = pytest.mark.django_db

User = get_user_model()

SLUGS = "{ news(first: 100) { edges { node { slug } } } }"


def _post(client, query: str, variables: dict | None = None, **extra) -> dict:
    body = {"query": query, **({"variables": variables} if variables else {})}
    response = client.post("/graphql", json.dumps(body), content_type="application/json", **extra)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _slugs(client, user=None) -> set[str]:
    client.logout()
    if user is not None:
        client.force_login(user)
    answer = _post(client, SLUGS)
    assert "errors" not in answer, answer
    return {edge["node"]["slug"] for edge in answer["data"]["news"]["edges"]}


def _denial_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _post(client, SLUGS)
    return sum("MAX" in q["sql"] and "UNION" in q["sql"] for q in captured.captured_queries)


# --- 3. Denial facts remembered per process: every change that decides them is seen -------


@pytest.fixture
def aliased(site_tree, settings):
    """A section restricted by `restriction` (made after its alias, so the alias has no
    restriction of its own) and an item published under the section's alias beside it:
    the item is hidden only through the remembered `hidden_alias_ids`."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # every answer made afresh
    resident, audience_group = estate_audience_member("mieszkaniec-memo", "Osiedle Memo")
    other = Group.objects.create(name="Zwykla grupa")  # a group that is no audience
    resident.groups.add(other)
    section = f.publish(site_tree.home, NewsIndexPage(title="Sekcja", slug="sekcja-memo"))
    alias = section.create_alias(parent=site_tree.home, update_slug="sekcja-memo-alias")
    f.make_news(alias, title="Pod aliasem", slug="pod-aliasem")
    f.make_news(site_tree.news, title="Jawny", slug="jawny")
    return {"resident": resident, "audience_group": audience_group, "other": other, "section": section}


def _warm(client, user, expected: set[str]):
    """Two requests: the second finds the viewer's denial facts remembered."""
    assert _slugs(client, user) == expected
    assert _slugs(client, user) == expected
    assert _denial_queries(client) == 0  # the memo really is what answers


def test_audience_taken_from_a_group_hides_login_content_under_an_alias_at_once(client, aliased):
    f.restrict_page(aliased["section"], login=True)
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    Audience.objects.get(group=aliased["audience_group"]).delete()  # no longer recognised
    assert _slugs(client, aliased["resident"]) == {"jawny"}


def test_audience_moved_to_another_group_hides_login_content_under_an_alias_at_once(client, aliased):
    f.restrict_page(aliased["section"], login=True)
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    audience = Audience.objects.get(group=aliased["audience_group"])
    audience.group = Group.objects.create(name="Nowa grupa odbiorcow")
    audience.save()
    assert _slugs(client, aliased["resident"]) == {"jawny"}


def test_a_group_taken_off_a_restriction_hides_content_under_an_alias_at_once(client, aliased):
    restriction = f.restrict_page(aliased["section"], groups=[aliased["other"], aliased["audience_group"]])
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    restriction.groups.remove(aliased["other"], aliased["audience_group"])  # the viewer's groups stay
    assert _slugs(client, aliased["resident"]) == {"jawny"}


def test_a_restriction_made_stricter_in_place_hides_content_under_an_alias_at_once(client, aliased):
    restriction = f.restrict_page(aliased["section"], login=True)
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    restriction.restriction_type = BaseViewRestriction.PASSWORD
    restriction.password = "tajne"
    restriction.save()
    assert _slugs(client, aliased["resident"]) == {"jawny"}


def test_a_deleted_group_that_admitted_the_viewer_hides_content_under_an_alias_at_once(client, aliased):
    f.restrict_page(aliased["section"], groups=[aliased["other"]])
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    aliased["other"].delete()
    assert _slugs(client, aliased["resident"]) == {"jawny"}


def test_a_superuser_demoted_loses_content_under_an_alias_at_once(client, aliased):
    f.restrict_page(aliased["section"], groups=[Group.objects.create(name="Zarzad")])
    boss = User.objects.create_superuser("szef-memo")
    _warm(client, boss, {"jawny", "pod-aliasem"})
    User.objects.filter(pk=boss.pk).update(is_superuser=False)  # no signal, no new version
    assert _slugs(client, boss) == {"jawny"}


def test_a_deactivated_user_is_answered_as_anonymous_at_once(client, aliased):
    f.restrict_page(aliased["section"], login=True)
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    User.objects.filter(pk=aliased["resident"].pk).update(is_active=False)
    answer = _post(client, SLUGS)  # the same session
    assert {edge["node"]["slug"] for edge in answer["data"]["news"]["edges"]} == {"jawny"}


def test_an_anonymous_visitor_after_a_recognised_one_gets_the_anonymous_facts(client, aliased):
    f.restrict_page(aliased["section"], login=True)
    _warm(client, aliased["resident"], {"jawny", "pod-aliasem"})
    assert _slugs(client) == {"jawny"}
    signed_in_nobody = User.objects.create_user("bez-grup-memo")
    assert _slugs(client, signed_in_nobody) == {"jawny"}


# --- 2. Valid documents remembered: no invalid or introspection document runs ------------------


@pytest.fixture
def fresh_documents():
    disclosure.forget_valid_documents()
    yield
    disclosure.forget_valid_documents()


def test_a_document_valid_while_disclosed_does_not_run_introspection_once_closed_over_get(
    client, settings, fresh_documents
):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    query = "{ __schema { types { name } } }"
    settings.GRAPHQL_INTROSPECTION = True
    assert "errors" not in _post(client, query)
    settings.GRAPHQL_INTROSPECTION = False
    response = client.get("/graphql", {"query": query}, HTTP_ACCEPT="application/json")
    answer = response.json()
    assert answer.get("data") is None and answer["errors"], answer


def test_the_token_limit_still_applies_to_a_remembered_document(client, settings, fresh_documents):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    query = "{ news(first: 1) { totalCount } }"
    assert "errors" not in _post(client, query)
    settings.GRAPHQL_MAX_TOKENS = 4
    refused = _post(client, query)
    assert refused.get("data") is None and refused["errors"], refused


def test_the_alias_limit_still_applies_to_a_remembered_document(client, settings, fresh_documents):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    query = "{ a: news(first: 1) { totalCount } b: news(first: 1) { totalCount } c: news(first: 1) { totalCount } }"
    assert "errors" not in _post(client, query)
    settings.GRAPHQL_MAX_ALIASES = 2
    refused = _post(client, query)
    assert refused.get("data") is None and refused["errors"], refused


def test_a_remembered_mutation_is_still_refused_over_get(client, fresh_documents, settings, monkeypatch):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    mutation = (OPERATIONS / "MessageMarkRead.graphql").read_text()
    validated = []
    real = disclosure.validate
    monkeypatch.setattr(disclosure, "validate", lambda *a, **k: validated.append(1) or real(*a, **k))
    client.force_login(User.objects.create_user("czytelnik-memo"))
    assert "errors" not in _post(client, mutation, {"all": True})
    assert validated == [1]  # valid, and now remembered
    response = client.get("/graphql", {"query": mutation, "variables": '{"all": true}'}, HTTP_ACCEPT="application/json")
    assert response.status_code in (400, 405), response.content[:200]


# --- 4. Site roots remembered per host: no host reaches another site's content ---------------


@pytest.fixture
def two_sites(site_tree, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "inna.example", "INNA.example"]
    other_root = Page.objects.get(depth=1).add_child(instance=NewsIndexPage(title="Inna", slug="inna-memo"))
    f.make_news(other_root, title="Cudza", slug="cudza")
    f.make_news(site_tree.news, title="Nasza", slug="nasza")
    Site.objects.create(hostname="inna.example", port=80, root_page=other_root)


def test_a_disallowed_host_is_refused_before_any_site_is_remembered(client, two_sites):
    from cms.core import sites

    sites.forget_site_roots()
    response = client.post(
        "/graphql", json.dumps({"query": SLUGS}), content_type="application/json", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert not sites._roots._facts


def test_each_host_spelling_gets_its_own_sites_content(client, two_sites):
    for _ in range(2):
        ours = _post(client, SLUGS)
        theirs = _post(client, SLUGS, HTTP_HOST="inna.example")
        shouting = _post(client, SLUGS, HTTP_HOST="INNA.example")
        assert {e["node"]["slug"] for e in ours["data"]["news"]["edges"]} == {"nasza"}
        assert {e["node"]["slug"] for e in theirs["data"]["news"]["edges"]} == {"cudza"}
        assert shouting == theirs


# --- 1. The short path answers exactly what strawberry-django's path answered -----------------


def _long_path_schema() -> Schema:
    """The same schema built with every `InstanceField` on strawberry-django's path."""
    real = InstanceField.is_basic_field
    InstanceField.is_basic_field = property(lambda self: False)
    try:
        source = schema_module.schema
        return Schema(**schema_module.schema_options(extensions=list(source.extensions)))
    finally:
        InstanceField.is_basic_field = real


def _answer(schema, query: str, user, variables: dict | None = None) -> str:
    request = RequestFactory().post("/graphql", HTTP_HOST="testserver")
    request.user = user or AnonymousUser()
    token = _reader.set(_Reader(request=request))
    try:
        result = schema.execute_sync(
            query,
            variable_values=variables,
            context_value=StrawberryDjangoContext(request=request, response=HttpResponse()),
        )
    finally:
        _reader.reset(token)
    return json.dumps({"data": result.data, "errors": [e.formatted for e in result.errors or []]})


OPERATIONS = django_settings.BASE_DIR / "graphql" / "operations"


def test_every_reference_query_answers_the_same_on_the_short_and_the_long_path(site_tree, monkeypatch):
    real_get_result = InstanceField.get_result

    def long_when_asked_with_info(self, source, info, args, kwargs):
        # The real schema's short path calls with no Info; the twin always passes one.
        if info is None:
            return real_get_result(self, source, info, args, kwargs)
        return StrawberryDjangoField.get_result(self, source, info, args, kwargs)

    monkeypatch.setattr(InstanceField, "get_result", long_when_asked_with_info)
    twin = _long_path_schema()
    # The twin really takes strawberry-django's path where the real schema takes the short one.
    for type_name, field_name in (("Ticket", "title"), ("Ticket", "statusLabel"), ("InboxMessage", "bodyHtml")):
        assert (
            schema_module.schema._schema.type_map[type_name].fields[field_name].resolve.__name__ == "_get_basic_result"
        )
        assert twin._schema.type_map[type_name].fields[field_name].resolve.__name__ != "_get_basic_result"

    cast = tf.build_cast()
    ticket = tf.report(cast.reporter, title="Cieknie kran", description="Pod zlewem", location="Kuchnia")
    ticket_services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Nadal cieknie")
    ticket_services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Notatka", internal=True)
    ticket_services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    mf.notification_settings(cast.reporter, phone="+48500100200")
    mf.push_device(cast.reporter, name="Pixel")
    image = f.make_image(title="Dach")
    f.make_news(site_tree.news, title="Awaria", image=image, lead="Brak wody", body="<p>Woda <b>wróci</b></p>")
    f.make_alert(site_tree.news, title="Alarm")
    f.make_document(title="Regulamin", building=cast.building)
    f.make_investment(site_tree.investments, title="Dach", image=image, gallery=[image])
    f.make_contractor(site_tree.contractors, title="Hydro", services="Rury\nKrany\n")

    ticket_id = _answer(schema_module.schema, "{ tickets(first: 1) { edges { node { id } } } }", cast.reporter)
    ticket_id = json.loads(ticket_id)["data"]["tickets"]["edges"][0]["node"]["id"]
    runs = {
        "Tickets": {},
        "Ticket": {"id": ticket_id},
        "Inbox": {},
        "NotificationPreferences": {},
        "Viewer": {},
        "News": {},
        "Documents": {},
        "Investments": {},
        "Contractors": {},
        "Site": {},
        "TicketCategories": {},
        "Page": {"urlPath": "/aktualnosci/"},
    }
    compared = 0
    for viewer in (cast.reporter, cast.stranger, cast.dispatcher, cast.firm_worker, None):
        for name, variables in runs.items():
            query = (OPERATIONS / f"{name}.graphql").read_text()
            short = _answer(schema_module.schema, query, viewer, variables)
            long = _answer(twin, query, viewer, variables)
            assert short == long, (name, viewer)
            compared += 1
            if viewer is cast.reporter and name in ("Ticket", "Inbox", "Viewer", "News"):
                assert '"errors": []' in short and '"data": null' not in short, (name, short[:300])
    assert compared == 60
