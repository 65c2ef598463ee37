"""The surveys and the resolutions lists as the portal asks for them, against hand-written
floor views.

Run on purpose: `.venv/bin/python -m pytest -m benchmark -s -q -n 0 tests/benchmarks/test_surveys_lists.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

The viewer is a resident who owns two units of building A (a flat and a garage; the
tickets' cast's reporter): surveys are addressed to residents and resolutions voted on
by owners, and each list shows where the viewer stands (answered, may answer, units
left; their seats and votes), worked out per viewer.

- `Surveys` (`graphql/operations/Surveys.graphql`) with `first: 100`: 110 surveys the
  resident sees (for everyone, or for the estate's audience) and 5 for another estate
  they do not; open, upcoming and closed, per person and per unit, some anonymous, some
  allowing changes, a third answered by the resident (`services.survey_respond`).
- `Resolutions` (`graphql/operations/Resolutions.graphql`) with `first: 100`: 110
  resolutions of building A made through the services (`resolution_schedule`, which
  fixes the seats; `vote_cast`; `resolution_close`): voting now (the resident voted on
  half), announced, and closed with a result; the resident has a seat for each unit.

Personal standing, never served from a shared cache: warm (requests repeated) and cold
(every cache emptied before each). Asserts only that GraphQL and the floor return the
same JSON and that the GraphQL query count is the same for 10 and for 110 rows; speed
is reported, never asserted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from operations.residents import services as residents
from operations.surveys import services
from operations.surveys.models import Survey
from tests.benchmarks import kit
from tests.factories import tickets as tf
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, UnitFactory
from tests.surveys.admin_kit import answers, make_resolution, make_survey, resolution_staff

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ITEMS = 110
FIRST = 10


def _owner_of_two_units(cast):
    """The cast's reporter, who owns A/1, now owns a garage in building A too."""
    garage = UnitFactory(building=cast.building, number="G1", kind="commercial")
    MembershipFactory(user=cast.reporter, unit=garage, role="owner", verified=True)
    return tf.fresh(cast.reporter)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts(graphql_call, floor_call) -> tuple[int, int]:
    return kit.queries(graphql_call), kit.queries(floor_call)


# --- Surveys ---------------------------------------------------------------------------------------


def _make_surveys(resident, estate_group, start: int, count: int) -> None:
    """`count` surveys: states by n % 4 (two open, one upcoming, one closed), every
    third per unit, every fifth anonymous, every other allowing changes, every seventh
    for the estate's audience only; the resident answered a third of the open ones."""
    now = timezone.now()
    for n in range(start, start + count):
        state = n % 4
        if state in (0, 1):
            window = {"opens_at": now - timedelta(days=2 + n % 5), "closes_at": now + timedelta(days=3 + n)}
        elif state == 2:
            window = {"opens_at": now + timedelta(days=1 + n), "closes_at": now + timedelta(days=30 + n)}
        else:
            window = {"opens_at": now - timedelta(days=60 + n), "closes_at": now - timedelta(days=30 - n % 20)}
        survey = make_survey(
            groups=[estate_group] if n % 7 == 6 else (),
            title=f"Ankieta nr {n + 1}: sprzątanie, zieleń i parking",
            answer_by=Survey.AnswerBy.UNIT if n % 3 == 0 else Survey.AnswerBy.PERSON,
            anonymous=n % 5 == 0,
            allow_changes=n % 2 == 0 and n % 5 != 0,  # an anonymous answer is final
            **window,
        )
        if state in (0, 1) and n % 3 != 2:
            unit = resident.memberships.first().unit if survey.answer_by == Survey.AnswerBy.UNIT else None
            services.survey_respond(survey=survey, person=resident, answers=answers(survey), unit=unit)


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_surveys_list_graphql_against_floor():
    cast = tf.build_cast(with_firms=False)
    resident = _owner_of_two_units(cast)
    estate_group = residents.audience_group(estate=cast.building.estate)
    elsewhere = residents.audience_group(estate=EstateFactory())
    for n in range(5):
        make_survey(groups=[elsewhere], title=f"Gdzie indziej {n}")  # not addressed to the resident
    client = _client(resident)

    _make_surveys(resident, estate_group, 0, FIRST)
    cases_10 = kit.list_cases("Surveys", "/floor/surveys", {"resident": client})
    kit.answer(cases_10["resident"][0])
    at_10 = _counts(*cases_10["resident"])
    _make_surveys(resident, estate_group, FIRST, ITEMS - FIRST)
    cases = kit.list_cases("Surveys", "/floor/surveys", {"resident": client})
    at_100 = _counts(*cases["resident"])

    got = kit.answer(cases["resident"][0])["data"]["surveys"]
    assert got["totalCount"] == ITEMS and len(got["edges"]) == 100
    nodes = [edge["node"] for edge in got["edges"]]
    assert any(node["unitsToAnswerFor"] for node in nodes) and any(node["answered"] for node in nodes)
    assert any(node["canChangeAnswer"] for node in nodes) and {node["state"] for node in nodes} >= {"OPEN", "CLOSED"}
    assert at_10[0] == at_100[0], (at_10, at_100)

    kit.compare_warm_and_cold(
        "surveys",
        cases,
        bound_query=kit.operation("Surveys"),
        bound_variables={"first": 100},
        items=100,
        graphql_queries_at_10_and_100=f"{at_10[0]}/{at_100[0]}",
        floor_queries_at_10_and_100=f"{at_10[1]}/{at_100[1]}",
    )


# --- Resolutions -----------------------------------------------------------------------------------


def _make_resolutions(cast, resident, staff, start: int, count: int) -> None:
    """`count` resolutions of building A: by n % 3 voting now (the resident voted on
    every other one), announced (voting opens later), or closed with a result."""
    now = timezone.now()
    for n in range(start, start + count):
        state = n % 3
        fields = {"title": f"Uchwała nr {n + 1} w sprawie remontu dachu", "secret": n % 4 == 0}
        if state == 0:
            resolution = make_resolution(cast.building, staff, allow_changes=n % 2 == 0, **fields)
            if n % 2:
                services.vote_cast(resolution=resolution, person=resident, choice=("for", "against")[n % 4 == 1])
        elif state == 1:
            make_resolution(
                cast.building,
                staff,
                opens_at=now + timedelta(days=1 + n),
                closes_at=now + timedelta(days=14 + n),
                **fields,
            )
        else:
            opened = now - timedelta(days=20 + n)
            resolution = make_resolution(
                cast.building,
                staff,
                schedule=False,
                opens_at=opened,
                closes_at=opened + timedelta(days=7),
                **fields,
            )
            resolution = services.resolution_schedule(resolution=resolution, by=staff, now=opened)
            services.vote_cast(resolution=resolution, person=resident, choice="for", now=opened + timedelta(hours=1))
            services.vote_cast(
                resolution=resolution, person=cast.neighbour, choice="against", now=opened + timedelta(hours=2)
            )
            services.resolution_close(resolution=resolution, now=now)


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_resolutions_list_graphql_against_floor():
    cast = tf.build_cast(with_firms=False)
    resident = _owner_of_two_units(cast)
    staff = resolution_staff(username="uchwaly-benchmark")
    other_building = BuildingFactory(estate=cast.building.estate, code="Z9")
    MembershipFactory(unit=UnitFactory(building=other_building), role="owner", verified=True)
    make_resolution(other_building, staff, title="Nie dotyczy budynku A")  # not the resident's
    client = _client(resident)

    _make_resolutions(cast, resident, staff, 0, FIRST)
    cases_10 = kit.list_cases("Resolutions", "/floor/resolutions", {"resident": client})
    kit.answer(cases_10["resident"][0])
    at_10 = _counts(*cases_10["resident"])
    _make_resolutions(cast, resident, staff, FIRST, ITEMS - FIRST)
    cases = kit.list_cases("Resolutions", "/floor/resolutions", {"resident": client})
    at_100 = _counts(*cases["resident"])

    got = kit.answer(cases["resident"][0])["data"]["resolutions"]
    assert got["totalCount"] == ITEMS and len(got["edges"]) == 100
    nodes = [edge["node"] for edge in got["edges"]]
    assert all(len(node["mySeats"]) == 2 for node in nodes if node["state"] != "SCHEDULED")
    assert any(node["canVote"] for node in nodes) and any(node["result"] for node in nodes)
    assert at_10[0] == at_100[0], (at_10, at_100)

    kit.compare_warm_and_cold(
        "resolutions",
        cases,
        bound_query=kit.operation("Resolutions"),
        bound_variables={"first": 100},
        items=100,
        graphql_queries_at_10_and_100=f"{at_10[0]}/{at_100[0]}",
        floor_queries_at_10_and_100=f"{at_10[1]}/{at_100[1]}",
    )
