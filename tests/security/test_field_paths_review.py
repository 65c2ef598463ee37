"""Adversarial review of three performance changes, for any change in what the API answers:

1. `InstanceField` (cms/core/graphql/fields.py): forward foreign keys read from Django's
   field cache (`_related_row_reader`) on strawberry's short path, and resolvers taking
   only `self` and `info` called directly (`_call_with_info`).
2. `FieldOptimizerExtension` (cms/core/graphql/optimizer.py): the optimizer without its
   per-field `resolve` middleware.
3. `clean_html`'s memo (cms/core/html.py), exercised through every operation answering HTML.

The differential test answers every operation of graphql/operations/*.graphql, for six
kinds of viewer, from the real schema and from a twin built from the same types with every
`InstanceField` on strawberry-django's long path (`StrawberryDjangoField.get_result`, no
short path, no lean call) and the stock `DjangoOptimizerExtension`, middleware included.
Unlike the earlier review's twin (tests/security/test_perf_memos_review.py), the twin is
told apart by the schema executing, so the real schema keeps its lean calls too.
"""

from __future__ import annotations

import datetime
import json
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from graphql import OperationDefinitionNode, parse
from strawberry.django.context import StrawberryDjangoContext
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

from cms import schema as schema_module
from cms.core.graphql import response_cache
from cms.core.graphql.errors import bad_input
from cms.core.graphql.extensions import Schema
from cms.core.graphql.fields import InstanceField
from cms.core.graphql.optimizer import FieldOptimizerExtension
from cms.core.rich_text import _Reader, _reader
from cms.core.sites import forget_site_roots
from cms.core.visibility import forget_denials
from cms.preview.tokens import token_for
from operations.residents.models import Membership, Unit
from operations.tickets import services as ticket_services
from operations.tickets.models import Ticket
from tests.billing import kit as billing_kit
from tests.factories import content as f
from tests.factories import messaging as mf
from tests.factories import tickets as tf
from tests.factories.residents import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

OPERATIONS = django_settings.BASE_DIR / "graphql" / "operations"
FROZEN = datetime.datetime(2026, 3, 4, 10, 30, tzinfo=datetime.UTC)

# --- The twin --------------------------------------------------------------------------------


_TWINS: list[Schema] = []


def _twin_schema() -> Schema:
    """The real schema's types, with every `InstanceField` on strawberry-django's path and
    the stock optimizer extension (its per-field middleware included)."""
    if _TWINS:
        return _TWINS[0]
    real = InstanceField.is_basic_field
    InstanceField.is_basic_field = property(lambda self: False)
    try:
        source = schema_module.schema
        extensions = [
            DjangoOptimizerExtension if extension is FieldOptimizerExtension else extension
            for extension in source.extensions
        ]
        assert DjangoOptimizerExtension in extensions and FieldOptimizerExtension not in extensions
        twin = Schema(**schema_module.schema_options(extensions=extensions))
    finally:
        InstanceField.is_basic_field = real
    _TWINS.append(twin)
    return twin


@pytest.fixture
def twin(monkeypatch, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    twin = _twin_schema()
    real_get_result = InstanceField.get_result

    def get_result(self, source, info, args, kwargs):
        # The fields are shared by both schemas: only the twin's calls take the long path.
        if info is not None and info._raw_info.schema is twin._schema:
            return StrawberryDjangoField.get_result(self, source, info, args, kwargs)
        return real_get_result(self, source, info, args, kwargs)

    monkeypatch.setattr(InstanceField, "get_result", get_result)
    # The two really differ where the review says they do.
    real_map, twin_map = schema_module.schema._schema.type_map, twin._schema.type_map
    for type_name, field_name in (("Ticket", "category"), ("Ticket", "unit"), ("Ticket", "title")):
        assert real_map[type_name].fields[field_name].resolve.__name__ == "_get_basic_result"
        assert twin_map[type_name].fields[field_name].resolve.__name__ != "_get_basic_result"
    return twin


def _forget_process_state():
    response_cache.forget_everything()
    forget_site_roots()
    forget_denials()
    cache.clear()


@contextmanager
def _rolled_back(keep: bool = False):
    """A savepoint rolled back after. PostgreSQL's sequences do not roll back: they are put
    back too, so that a row a mutation makes gets the same id (and reference) in both
    schemas' runs."""
    sequences = _sequences()
    with transaction.atomic():
        yield
        transaction.set_rollback(not keep)
    if sequences and not keep:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(format('%%I.%%I', s.schema_name, s.sequence_name), s.value, s.called)"
                " FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bool[])"
                " AS s(schema_name, sequence_name, value, called)",
                [list(column) for column in zip(*sequences, strict=True)],
            )


def _sequences() -> list[tuple] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, sequencename, COALESCE(last_value, 1), last_value IS NOT NULL FROM pg_sequences"
        )
        return cursor.fetchall()


def _run(schema, query: str, user, variables: dict | None = None, operation_name: str | None = None, keep=False):
    """Answer `query` as `user` (reloaded: no permission cache carried between runs) at a
    frozen moment, with every process cache forgotten, inside a savepoint rolled back after:
    both schemas start from the same state. Returns (JSON answer, SQL queries run)."""
    _forget_process_state()
    if user is not None:
        user = tf.fresh(user)
    request = RequestFactory().post("/graphql", HTTP_HOST="testserver")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    token = _reader.set(_Reader(request=request))
    try:
        with mock.patch("django.utils.timezone.now", return_value=FROZEN), _rolled_back(keep):
            with CaptureQueriesContext(connection) as captured:
                result = schema.execute_sync(
                    query,
                    variable_values=variables,
                    operation_name=operation_name,
                    context_value=StrawberryDjangoContext(request=request, response=HttpResponse()),
                )
    finally:
        _reader.reset(token)
    answer = json.dumps({"data": result.data, "errors": [e.formatted for e in result.errors or []]})
    return _unfrozen_moments(answer), len(captured.captured_queries)


def _unfrozen_moments(answer: str) -> str:
    """A few columns take the real clock (`default=timezone.now` keeps the function it was
    given, not the frozen one): today's moments, to the microsecond, read as one placeholder."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return re.sub(rf'"{today}T\d\d:\d\d:\d\d\.\d{{6}}\+00:00"', '"<now>"', answer)


def _compare(twin, query, user, variables=None, operation_name=None, *, label=""):
    real_answer, real_queries = _run(schema_module.schema, query, user, variables, operation_name)
    twin_answer, twin_queries = _run(twin, query, user, variables, operation_name)
    assert real_answer == twin_answer, (label, real_answer[:600], twin_answer[:600])
    assert real_queries <= twin_queries, (label, real_queries, twin_queries)
    return json.loads(real_answer)


# --- The world ---------------------------------------------------------------------------------


@pytest.fixture
def world(site_tree):
    cast = tf.build_cast()
    assigned = tf.report(cast.reporter, title="Cieknie kran", description="Pod zlewem", location="Kuchnia")
    ticket_services.ticket_comment_add(ticket=assigned, author=cast.reporter, body="Nadal cieknie")
    ticket_services.ticket_comment_add(ticket=assigned, author=cast.dispatcher, body="Notatka", internal=True)
    ticket_services.ticket_assign(
        ticket=assigned, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker, note="Klucz u dozorcy"
    )
    fresh = tf.report(cast.reporter, category=cast.category, title="Nie dziala domofon")
    done = tf.put_in_status(tf.report(cast.reporter, title="Drzwi skrzypia"), Ticket.Status.DONE, contractor=cast.firm)
    common = tf.report(cast.reporter, building=cast.building, title="Winda stoi")  # unit is null
    theirs = tf.report(cast.stranger, title="Zimny kaloryfer")  # building B
    mf.notification_settings(cast.reporter, phone="+48500100200")
    device = mf.push_device(cast.reporter, name="Pixel")
    image = f.make_image(title="Dach")
    news = f.make_news(
        site_tree.news,
        title="Awaria",
        slug="awaria",
        image=image,
        lead="Brak wody",
        body='<p>Woda <b>wróci</b><script>alert(1)</script><a href="javascript:x">x</a></p>',
        buildings=(cast.building,),
    )
    hidden = f.make_news(site_tree.news, title="Dla zalogowanych", slug="dla-zalogowanych", body="<p>Tylko</p>")
    f.restrict_page(hidden, login=True)
    f.make_alert(site_tree.news, title="Alarm")
    f.make_document(title="Regulamin", building=cast.building)
    f.make_document(title="Ogolny")
    f.make_investment(site_tree.investments, title="Dach", image=image, gallery=[image])
    contractor = f.make_contractor(site_tree.contractors, title="Hydro", services="Rury\nKrany\n")
    account = billing_kit.open_account(cast.unit, payer_name="Anna Zgłaszająca")
    billing_kit.charge(account, "412.35", due=datetime.date(2026, 1, 12))
    billing_kit.charge(account, "412.35", due=datetime.date(2026, 2, 10), component="repair_fund")
    billing_kit.pay(account, "500.00", on=datetime.date(2026, 1, 20))
    ids = {
        "assigned": _global_id(cast.reporter, assigned),
        "fresh": _global_id(cast.reporter, fresh),
        "done": _global_id(cast.reporter, done),
        "common": _global_id(cast.reporter, common),
        "theirs": _global_id(cast.stranger, theirs),
        "billing": json.loads(
            _run(schema_module.schema, "{ viewer { billingAccounts { edges { node { id } } } } }", cast.reporter)[0]
        )["data"]["viewer"]["billingAccounts"]["edges"][0]["node"]["id"],
    }
    from tests.api.test_resolutions_api import review_ids  # surveys and resolutions (issue 15)

    ids.update(review_ids(cast))
    return {
        "cast": cast,
        "ids": ids,
        "tickets": {"assigned": assigned, "fresh": fresh, "done": done, "common": common, "theirs": theirs},
        "device": device,
        "news": news,
        "hidden": hidden,
        "contractor": contractor,
    }


def _global_id(user, ticket) -> str:
    answer, _ = _run(schema_module.schema, "{ tickets(first: 50) { edges { node { id title } } } }", user)
    for edge in json.loads(answer)["data"]["tickets"]["edges"]:
        if edge["node"]["title"] == ticket.title:
            return edge["node"]["id"]
    raise AssertionError(ticket.title)


def _api_ids(world) -> dict:
    cast = world["cast"]
    answer, _ = _run(
        schema_module.schema,
        "{ ticketCategories { id } viewer { memberships { unit { id building { id } } } } "
        "contractors(first: 50) { edges { node { id title } } } }",
        cast.reporter,
    )
    data = json.loads(answer)["data"]
    unit = data["viewer"]["memberships"][0]["unit"]
    firms = {edge["node"]["title"]: edge["node"]["id"] for edge in data["contractors"]["edges"]}
    return {
        "category": data["ticketCategories"][0]["id"],
        "unit": unit["id"],
        "building": unit["building"]["id"],
        "firm": firms[cast.firm.title],
        "other_firm": firms[cast.other_firm.title],
    }


def _operations():
    """(file, operation name, kind, document) for every operation in graphql/operations."""
    for path in sorted(OPERATIONS.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode):
                yield path.stem, definition.name.value, definition.operation.value, text


def _variables(world, api) -> dict:
    cast, ids = world["cast"], world["ids"]
    return {
        "UserRegister": {"email": "nowy.mieszkaniec@example.pl", "firstName": "Jan", "lastName": "Nowy"},
        "AccountConfirm": {"uid": "MQ", "token": "zly-token", "password": "Zielony-Balkon-43"},
        "PasswordResetRequest": {"email": cast.reporter.email or "x@example.pl"},
        "PasswordResetConfirm": {"uid": "MQ", "token": "zly-token", "newPassword": "Zielony-Balkon-43"},
        "PasswordChange": {"currentPassword": DEFAULT_PASSWORD, "newPassword": "Inny-Zielony-Balkon-77"},
        "BillingAccount": {"id": ids["billing"], "from": "2026-01-01", "to": "2026-03-31"},
        "BillingAccounts": {},
        "BillingConsentsUpdate": {
            "input": {
                "accountId": ids["billing"],
                "electronicDocuments": True,
                "reminders": True,
                "requestInstallment": True,
                "installmentNote": "Prosze o trzy raty",
            }
        },
        "BillingDocuments": {"id": ids["billing"]},
        "BillingGlance": {},
        "Resolution": {"id": ids["resolution"]},
        "Resolutions": {},
        "Search": {"query": "Hydro", "first": 10},
        "SearchSuggest": {"prefix": "hyd"},
        "Survey": {"id": ids["survey"]},
        "SurveyRespond": {"input": {"surveyId": ids["survey"], "answers": ids["survey_answers"]}},
        "Surveys": {},
        "VoteCast": {"input": {"resolutionId": ids["resolution"], "choice": "AGAINST"}},
        "Contractors": {},
        "Documents": {},
        "Inbox": {},
        "Investments": {},
        "MembershipRequest": {
            "role": "TENANT",
            "proofKind": "MEMBER_NUMBER",
            "proofValue": "12345",
            "buildingCode": cast.building.code,
            "unitNumber": "2",
        },
        "MessageMarkRead": {"all": True},
        "News": {},
        "CurrentAlerts": {},
        "NotificationPreferences": {},
        "NotificationPreferencesUpdate": {"input": {"language": "en", "phone": "+48500100201"}},
        "Page": {"urlPath": world["news"].url_path.removeprefix("/home")},
        "PagePreview": {"token": token_for("nieistniejacy")},
        "PrintPage": {"urlPath": world["hidden"].url_path.removeprefix("/home")},
        "PushDeviceRegister": {"token": mf.push_token(), "name": "Nowy"},
        "PushDeviceUnregister": {"token": world["device"].token},
        "CsrfToken": {},
        "SessionSignIn": {"username": cast.reporter.username, "password": DEFAULT_PASSWORD},
        "SessionSignOut": {},
        "SignInHistory": {},
        "Site": {},
        "Ticket": {"id": ids["assigned"]},
        "TicketAnonymousCreate": {
            "input": {
                "categoryId": api["category"],
                "buildingId": api["building"],
                "title": "Zepsuta winda",
                "description": "Stoi na trzecim pietrze",
                "contactPhone": "+48500100300",
            }
        },
        "TicketBuildings": {},
        "TicketCategories": {},
        "TicketCommentAdd": {"ticketId": ids["assigned"], "body": "Kiedy?", "internal": False},
        "TicketCreate": {
            "input": {
                "categoryId": api["category"],
                "unitId": api["unit"],
                "title": "Pekniety kafel",
                "description": "W lazience, przy wannie",
            }
        },
        "TicketRate": {"ticketId": ids["done"], "rating": 4, "comment": "Sprawnie"},
        "TicketReopen": {"ticketId": ids["done"], "reason": "Nadal skrzypia"},
        "TicketTransition": {"ticketId": ids["fresh"], "status": "ACCEPTED", "note": ""},
        "Tickets": {},
        "Viewer": {},
    }


def _viewers(cast) -> dict:
    return {
        "anonymous": None,
        "resident of building A": cast.reporter,
        "resident of building B": cast.stranger,
        "tenant": cast.co_resident,
        "contractor worker": cast.firm_worker,
        "dispatcher": cast.dispatcher,
    }


# Answers that are random by design, whatever the schema: compared by their shape.
RANDOM_BY_DESIGN = {"CsrfToken"}


def test_every_operation_answers_the_same_on_the_real_schema_and_the_stock_twin(world, twin):
    api = _api_ids(world)
    variables = _variables(world, api)
    operations = list(_operations())
    # Image renditions are made on first use, with a random file name: made once, kept.
    for stem, name, _kind, document in operations:
        if stem in ("Investments", "News", "Page", "Preview", "TicketBuildings"):
            _run(schema_module.schema, document, world["cast"].reporter, variables[name], name, keep=True)
    assert {name for _, name, _, _ in operations} == set(variables), "an operation has no variables chosen"
    compared, answered_data = 0, set()
    for label, viewer in _viewers(world["cast"]).items():
        for stem, name, _kind, document in operations:
            if name in RANDOM_BY_DESIGN:
                real, _ = _run(schema_module.schema, document, viewer, {}, name)
                other, _ = _run(twin, document, viewer, {}, name)
                assert len(real) == len(other) and '"errors": []' in real, (real, other)
                continue
            answer = _compare(twin, document, viewer, variables[name], name, label=(stem, name, label))
            compared += 1
            if answer["data"] is not None and not answer["errors"]:
                answered_data.add(name)
    assert compared == 6 * (len(operations) - len(RANDOM_BY_DESIGN))
    # The comparison is not vacuous: nearly every operation answered with data for someone.
    assert {
        "Ticket",
        "Tickets",
        "Inbox",
        "Viewer",
        "News",
        "Page",
        "TicketCreate",
        "TicketCommentAdd",
        "TicketTransition",
        "TicketRate",
        "MembershipRequest",
        "NotificationPreferencesUpdate",
        "SessionSignIn",
        "Documents",
        "Investments",
        "Contractors",
    } <= answered_data, answered_data


# --- The foreign-key short path: edge cases ---------------------------------------------------------

TICKET_FKS = """query ($id: ID!) {
  ticket(id: $id) {
    id unit { id number building { id code } } building { id code estate { id } } category { id name }
    contractor { id name } workerName
  }
}"""

TICKETS_FKS = """{ tickets(first: 50) { edges { node {
  id title unit { id number building { code } } building { code } category { name } contractor { name }
} } } }"""


def test_a_null_nullable_foreign_key_is_null_on_both_paths(world, twin):
    cast, ids = world["cast"], world["ids"]
    for viewer in (cast.reporter, cast.dispatcher, cast.co_resident, cast.stranger):
        one = _compare(twin, TICKET_FKS, viewer, {"id": ids["common"]}, label="one")
        _compare(twin, TICKETS_FKS, viewer, label="list")
        if viewer is cast.reporter:
            assert one["data"]["ticket"]["unit"] is None
            assert one["data"]["ticket"]["building"]["code"] == cast.building.code


def _ticket_field(name: str) -> InstanceField:
    definition = schema_module.schema.get_type_by_name("Ticket")
    field = next(field for field in definition.fields if field.python_name == name)
    assert isinstance(field, InstanceField) and field._read_instance is not None
    return field


def test_a_foreign_key_row_filtered_out_by_a_restricted_prefetch_is_not_loaded_again(world):
    """A row a prefetch with a restricted queryset left out is cached as None: the short path
    answers None, as strawberry-django's path does, and never loads the hidden row."""
    ticket = world["tickets"]["assigned"]
    rows = list(
        Ticket.objects.filter(pk=ticket.pk).prefetch_related(
            Prefetch("unit", queryset=Unit.objects.none()),
        )
    )
    field = _ticket_field("unit")
    with CaptureQueriesContext(connection) as captured:
        short = field._read_instance(rows[0])
        long = StrawberryDjangoField.get_result(field, rows[0], None, [], {})
    assert short is None and long is None
    assert captured.captured_queries == []


def test_a_foreign_key_row_kept_by_a_restricted_prefetch_is_the_prefetched_object(world):
    ticket = world["tickets"]["assigned"]
    restricted = Unit.objects.filter(pk=ticket.unit_id).only("id", "number", "building_id")
    row = Ticket.objects.prefetch_related(Prefetch("unit", queryset=restricted)).get(pk=ticket.pk)
    field = _ticket_field("unit")
    with CaptureQueriesContext(connection) as captured:
        short = field._read_instance(row)
    assert short is row._state.fields_cache["unit"] and captured.captured_queries == []


def test_a_foreign_key_not_loaded_with_the_row_is_loaded_as_django_loads_it(world):
    ticket = Ticket.objects.only("id", "unit_id", "category_id", "building_id").get(pk=world["tickets"]["assigned"].pk)
    for name in ("unit", "category", "building"):
        field = _ticket_field(name)
        assert name not in ticket._state.fields_cache
        short = field._read_instance(ticket)
        long = StrawberryDjangoField.get_result(field, Ticket.objects.get(pk=ticket.pk), None, [], {"info": None})
        assert short.pk == long.pk == getattr(world["tickets"]["assigned"], f"{name}_id")


MUTATION_PAYLOAD_FKS = """mutation ($input: TicketCreateInput!) {
  ticketCreate(input: $input) {
    ticket { id title unit { id number building { code } } building { code } category { id name } contractor { name } }
    errors { field message }
  }
}"""

MEMBERSHIP_PAYLOAD_FKS = """mutation ($code: String) {
  membershipRequest(role: TENANT, proofKind: MEMBER_NUMBER, proofValue: "1", buildingCode: $code, unitNumber: "2") {
    membership { id status unit { id number building { id code address estate { id } } } }
    errors { field message }
  }
}"""


def test_mutation_payloads_read_their_foreign_keys_after_the_write(world, twin):
    cast = world["cast"]
    api = _api_ids(world)
    variables = {
        "input": {"categoryId": api["category"], "unitId": api["unit"], "title": "Kafel", "description": "Pekniety"}
    }
    for viewer in (cast.reporter, cast.co_resident, cast.stranger, cast.dispatcher, None):
        answer = _compare(twin, MUTATION_PAYLOAD_FKS, viewer, variables, label="ticketCreate")
        if viewer is cast.reporter:
            created = answer["data"]["ticketCreate"]["ticket"]
            assert created["unit"]["number"] == "1" and created["building"]["code"] == cast.building.code
        answer = _compare(twin, MEMBERSHIP_PAYLOAD_FKS, viewer, {"code": cast.building.code}, label="membership")
        if viewer is cast.stranger:
            assert answer["data"]["membershipRequest"]["membership"]["unit"]["number"] == "2"


ASSIGN_TWICE = """mutation ($id: ID!, $first: ID!, $second: ID!) {
  a: ticketAssign(ticketId: $id, contractorId: $first) {
    ticket { id status contractor { id name } category { id name } unit { number } workerName }
    errors { field message }
  }
  b: ticketAssign(ticketId: $id, contractorId: $second) {
    ticket { id status contractor { id name } category { id name } unit { number } workerName }
    errors { field message }
  }
}"""


def test_a_foreign_key_changed_by_a_mutation_in_the_same_request_is_not_answered_stale(world, twin):
    cast, ids = world["cast"], world["ids"]
    api = _api_ids(world)
    variables = {"id": ids["assigned"], "first": api["other_firm"], "second": api["firm"]}
    for viewer in (cast.dispatcher, cast.firm_worker, cast.reporter):
        answer = _compare(twin, ASSIGN_TWICE, viewer, variables, label="assign twice")
        if viewer is cast.dispatcher:
            a, b = answer["data"]["a"], answer["data"]["b"]
            assert a["errors"] == [] and b["errors"] == [], answer
            assert a["ticket"]["contractor"]["name"] == cast.other_firm.title
            assert b["ticket"]["contractor"]["name"] == cast.firm.title
            assert a["ticket"]["workerName"] is None  # the worker of the first firm went with it


def test_a_category_changed_between_two_mutations_of_one_request_is_read_afresh(world, twin, monkeypatch):
    """The service changes the ticket's category (a foreign key) on the row it was given: the
    payload is read back, so neither path answers the cached category of before."""
    cast, ids = world["cast"], world["ids"]
    api = _api_ids(world)
    other = tf.CategoryFactory(name="Inna kategoria")
    real_assign = ticket_services.ticket_assign

    def assign_and_recategorise(*, ticket, **kwargs):
        ticket.category = other  # the instance's cache now holds `other`
        ticket.save(update_fields=["category"])
        return real_assign(ticket=ticket, **kwargs)

    monkeypatch.setattr(ticket_services, "ticket_assign", assign_and_recategorise)
    answer = _compare(
        twin,
        ASSIGN_TWICE,
        cast.dispatcher,
        {"id": ids["assigned"], "first": api["other_firm"], "second": api["firm"]},
        label="recategorise",
    )
    assert answer["data"]["a"]["ticket"]["category"]["name"] == "Inna kategoria", answer


# --- The lean path ------------------------------------------------------------------------------


def _lean_fields():
    for graphql_type in schema_module.schema.schema_converter.type_map.values():
        definition = graphql_type.definition
        for field in getattr(definition, "fields", ()):
            if isinstance(field, InstanceField) and field._call_with_info is not None:
                yield definition.name, field


def test_no_lean_resolver_returns_a_queryset_or_manager_today(world, monkeypatch):
    """What every lean resolver returns while the reference operations are answered: lists
    and objects it built, never a queryset or manager left to the (absent) middleware."""
    from django.db.models import QuerySet
    from django.db.models.manager import BaseManager

    returned: dict[str, set[str]] = {}
    for type_name, field in list(_lean_fields()):
        call = field._call_with_info

        def recording(instance, info, call=call, key=f"{type_name}.{field.python_name}"):
            result = call(instance, info)
            returned.setdefault(key, set()).add(type(result).__name__)
            assert not isinstance(result, QuerySet | BaseManager), (key, result)
            return result

        monkeypatch.setattr(field, "_call_with_info", recording)
    api = _api_ids(world)
    variables = _variables(world, api)
    cast = world["cast"]
    for _stem, name, kind, document in _operations():
        if kind == "query" and name not in RANDOM_BY_DESIGN:
            for viewer in (cast.reporter, cast.dispatcher, cast.firm_worker):
                _run(schema_module.schema, document, viewer, variables[name], name)
    assert {"Ticket.comments", "Ticket.photos", "Ticket.actions", "Document.download_url"} <= set(returned)
    assert {"Investment.gallery", "NewsItem.lead_image"} <= set(returned), returned


def test_a_queryset_returned_on_the_lean_path_goes_through_get_queryset(world):
    """Were a lean resolver to return a manager, it is resolved and handed to the field's
    queryset hook, as strawberry-django's path does (the optimizer middleware is gone)."""
    field = _ticket_field("unit")  # any field object; only its hook is used
    lean = next(field for type_name, field in _lean_fields() if type_name == "Ticket" and field.python_name == "photos")
    ticket = Ticket.objects.get(pk=world["tickets"]["assigned"].pk)
    seen = []
    with (
        mock.patch.object(lean, "_call_with_info", lambda instance, info: instance.photos),
        mock.patch.object(
            type(lean), "get_queryset_hook", lambda self, info, **kw: lambda qs: seen.append(qs) or list(qs)
        ),
    ):
        result = InstanceField.get_result(lean, ticket, object(), [], {})
    assert isinstance(result, list) and len(seen) == 1 and seen[0].model.__name__ == "TicketPhoto"
    assert field is not lean


ERRORS_QUERY = """query ($id: ID!) {
  ticket(id: $id) { id title contact { name } actions { comment } photos { id url } }
  documents(first: 5) { edges { node { id title downloadUrl } } }
}"""


CONTACT_QUERY = "query ($id: ID!) { ticket(id: $id) { id title contact { name } } }"


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        (lambda: bad_input("Nie tak."), "BAD_USER_INPUT"),
        (lambda: RuntimeError("sekret w srodku: /srv/db"), "INTERNAL_SERVER_ERROR"),
        (lambda: Membership.DoesNotExist("Membership matching query does not exist."), "INTERNAL_SERVER_ERROR"),
    ],
)
def test_errors_raised_in_lean_resolvers_are_typed_errors(world, twin, monkeypatch, raised, code):
    from cms.documents import schema as documents_schema
    from operations.tickets.api import types as ticket_types

    def boom(*args, **kwargs):
        raise raised()

    monkeypatch.setattr(ticket_types, "_ticket_viewer", boom)  # Ticket.contact, actions
    monkeypatch.setattr(documents_schema, "request_of", boom)  # Document.downloadUrl
    cast = world["cast"]
    answer = _compare(twin, ERRORS_QUERY, cast.dispatcher, {"id": world["ids"]["assigned"]}, label=code)
    errors = answer["errors"]
    assert errors and {error["extensions"]["code"] for error in errors} == {code}, errors
    assert all("sekret" not in error["message"] and "/srv" not in error["message"] for error in errors)
    paths = {tuple(error["path"][:2]) for error in errors}
    assert ("ticket", "contact") in paths and ("ticket", "actions") in paths
    assert any(error["path"][-1] == "downloadUrl" for error in errors)
    # A nullable lean field that fails leaves the rest of the answer standing.
    partial = _compare(twin, CONTACT_QUERY, cast.dispatcher, {"id": world["ids"]["assigned"]}, label="partial")
    assert partial["data"]["ticket"] == {"id": world["ids"]["assigned"], "title": "Cieknie kran", "contact": None}
    assert [error["extensions"]["code"] for error in partial["errors"]] == [code]


def test_errors_in_lean_resolvers_are_answered_over_http_as_typed_errors(world, client, settings, monkeypatch):
    from operations.tickets.api import types as ticket_types

    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0

    def boom(*args, **kwargs):
        raise RuntimeError("sekret")

    monkeypatch.setattr(ticket_types, "_ticket_viewer", boom)
    client.force_login(world["cast"].reporter)
    response = client.post(
        "/graphql",
        json.dumps({"query": ERRORS_QUERY, "variables": {"id": world["ids"]["assigned"]}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert {error["extensions"]["code"] for error in body["errors"]} == {"INTERNAL_SERVER_ERROR"}
    assert b"sekret" not in response.content


# --- The optimizer without its middleware: plain resolvers' querysets ------------------------------


def test_the_twin_really_runs_the_middleware_and_the_real_schema_does_not(world, twin):
    calls = []
    real_resolve = DjangoOptimizerExtension.resolve

    def counting(self, next_, root, info, *args, **kwargs):
        calls.append(info.field_name)
        return real_resolve(self, next_, root, info, *args, **kwargs)

    with mock.patch.object(DjangoOptimizerExtension, "resolve", counting):
        _run(schema_module.schema, "{ tickets(first: 5) { edges { node { title } } } }", world["cast"].reporter)
        assert calls == []
        _run(twin, "{ tickets(first: 5) { edges { node { title } } } }", world["cast"].reporter)
        assert "tickets" in calls and "title" in calls


# --- clean_html's memo: one viewer's HTML is never another's -------------------------------------------


def test_html_answers_do_not_leak_between_viewers_through_the_memo(world, twin):
    cast = world["cast"]
    hidden = world["hidden"].url_path.removeprefix("/home")
    page = (OPERATIONS / "Page.graphql").read_text()
    news_path = world["news"].url_path.removeprefix("/home")
    _run(schema_module.schema, page, None, {"urlPath": news_path}, keep=True)  # renditions made once, kept
    signed_in = _compare(twin, page, cast.reporter, {"urlPath": hidden}, label="signed in")
    assert signed_in["data"]["page"] is not None and "Tylko" in json.dumps(signed_in)
    anonymous = _compare(twin, page, None, {"urlPath": hidden}, label="anonymous")
    assert anonymous["data"]["page"] is None and "Tylko" not in json.dumps(anonymous)
    _compare(twin, page, None, {"urlPath": news_path}, label="news")


def test_the_cleaned_html_memo_answers_only_cleaned_html_and_per_text():
    from cms.core.html import clean_html

    dirty = '<p>Rachunek<script>fetch("/graphql")</script><a href="javascript:x" onclick="y">tu</a></p>'
    first, second = clean_html(dirty), clean_html(dirty)  # the second from the memo
    assert first == second and "<script" not in second and "javascript:" not in second and "onclick" not in second
    # A text differing by one character is cleaned on its own, not answered from its neighbour.
    other = dirty.replace("Rachunek", "Rachunel")
    assert "Rachunel" in clean_html(other) and "Rachunek" in clean_html(dirty)
