"""The surveys' API (operations/surveys/api): `surveys`, `survey(id:)` with its results,
and `surveyRespond`, for every kind of viewer.

The cast (tests/factories/tickets.py, once per module): building A with units A/1 (the
reporter, an owner, and the co-resident, a tenant) and A/2 (the neighbour, an owner),
building B (the stranger, an owner of B/1), staff (the board sees every survey and its
results; the dispatcher nothing of surveys) and a firm's worker.

Also the helpers the other surveys and resolutions API tests (and the field-paths review)
build with.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from strawberry import relay

from operations.residents import services as residents_services
from operations.residents.models import Audience
from operations.surveys import services
from operations.surveys.models import Participation, Question, Response, Survey
from tests.factories.surveys import DEFAULT_QUESTIONS, make_survey

pytestmark = pytest.mark.django_db
K = Question.Kind

# --- helpers ---------------------------------------------------------------------------------------


def gid(kind: str, pk) -> str:
    return str(relay.GlobalID(kind, str(pk)))


def questions_of(survey) -> list[Question]:
    return list(survey.questions.prefetch_related("choices"))


def service_answers(survey, *, single=1, scale=4, nps=9, yes=True, text="Więcej koszy") -> dict:
    q = questions_of(survey)
    return {
        q[0].pk: q[0].choices.all()[single].pk,
        q[1].pk: [q[1].choices.all()[0].pk, q[1].choices.all()[2].pk],
        q[2].pk: scale,
        q[3].pk: nps,
        q[4].pk: yes,
        q[5].pk: text,
    }


def api_answers(survey, *, single=1, scale=4, nps=9, yes=True, text="Więcej koszy") -> list[dict]:
    q = questions_of(survey)
    return [
        {"questionId": str(q[0].pk), "choiceIds": [str(q[0].choices.all()[single].pk)]},
        {"questionId": str(q[1].pk), "choiceIds": [str(q[1].choices.all()[0].pk), str(q[1].choices.all()[2].pk)]},
        {"questionId": str(q[2].pk), "number": scale},
        {"questionId": str(q[3].pk), "number": nps},
        {"questionId": str(q[4].pk), "yes": yes},
        {"questionId": str(q[5].pk), "text": text},
    ]


def group_of(**target):
    return residents_services.audience_group(**target)


def sign_in(gql, user):
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql


SURVEYS = """query($filter: SurveyFilter) { surveys(first: 50, filter: $filter) { totalCount edges { node {
  id title state answered canAnswer canChangeAnswer unitsToAnswerFor { id number }
} } } }"""

SURVEY = """query($id: ID!) { survey(id: $id) {
  id title state answerBy anonymous answered canAnswer
  questions { id kind text required minValue maxValue maxLength choices { id label } }
  results {
    responses uncounted audience responseRate byBuilding { buildingCode answered audience rate }
    questions {
      questionId kind answered average nps texts choices { choiceId label count } distribution { value count }
    }
  }
} }"""

RESPOND = """mutation($input: SurveyRespondInput!) { surveyRespond(input: $input) {
  changed survey { id answered canAnswer canChangeAnswer unitsToAnswerFor { id } }
  errors { field message ... on SurveyError { code } }
} }"""


def respond(gql, survey, answers, unit=None) -> dict:
    variables = {"input": {"surveyId": gid("Survey", survey.pk), "answers": answers}}
    if unit is not None:
        variables["input"]["unitId"] = str(unit.pk)
    return gql.data(RESPOND, variables)["surveyRespond"]


def titles(gql, variables=None) -> list[str]:
    return [edge["node"]["title"] for edge in gql.data(SURVEYS, variables)["surveys"]["edges"]]


def codes(payload) -> list[tuple[str, str | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


# --- surveys: who sees which -----------------------------------------------------------------------


@pytest.fixture
def audiences(cast):
    return {
        "everyone": make_survey(title="Wszyscy"),
        "building A": make_survey(title="Budynek A", groups=[group_of(building=cast.building)]),
        "owners": make_survey(title="Właściciele", groups=[group_of(role=Audience.Role.OWNERS)]),
        "draft": make_survey(title="Szkic", is_published=False),
    }


@pytest.mark.parametrize(
    "viewer, expected",
    [
        (None, set()),
        ("reporter", {"Wszyscy", "Budynek A", "Właściciele"}),
        ("stranger", {"Wszyscy", "Właściciele"}),
        ("co_resident", {"Wszyscy", "Budynek A"}),  # a tenant: not an owners' survey
        ("firm_worker", set()),
        ("dispatcher", set()),  # staff without the surveys' permissions
        ("board", {"Wszyscy", "Budynek A", "Właściciele", "Szkic"}),  # survey staff: drafts too
    ],
)
def test_the_list_shows_each_viewer_the_surveys_addressed_to_them(gql, cast, audiences, viewer, expected):
    sign_in(gql, getattr(cast, viewer) if viewer else None)
    assert set(titles(gql)) == expected


@pytest.mark.parametrize(
    "viewer, visible",
    [
        (None, False),
        ("reporter", True),
        ("neighbour", True),
        ("co_resident", True),
        ("stranger", False),
        ("firm_worker", False),
        ("dispatcher", False),
        ("board", True),
    ],
)
def test_one_survey_is_not_found_for_anyone_outside_its_audience(gql, cast, audiences, viewer, visible):
    survey = audiences["building A"]
    sign_in(gql, getattr(cast, viewer) if viewer else None)
    data = gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]
    if not visible:
        assert data is None
        return
    assert data["title"] == "Budynek A"
    assert [q["kind"] for q in data["questions"]] == ["SINGLE", "MULTIPLE", "SCALE", "NPS", "YES_NO", "TEXT"]
    assert [c["label"] for c in data["questions"][0]["choices"]] == ["Za rzadko", "W sam raz", "Za często"]
    assert (data["questions"][2]["minValue"], data["questions"][2]["maxValue"]) == (1, 5)
    assert (data["questions"][3]["minValue"], data["questions"][3]["maxValue"]) == (0, 10)
    assert data["questions"][5]["maxLength"] == Question.TEXT_LIMIT
    assert (data["results"] is not None) == (viewer == "board")  # live results: survey staff only


def test_a_draft_is_not_found_for_a_resident(gql, cast, audiences):
    sign_in(gql, cast.reporter)
    assert gql.data(SURVEY, {"id": gid("Survey", audiences["draft"].pk)})["survey"] is None


def test_open_first_then_upcoming_then_closed_and_the_state_filter(gql, cast):
    now = timezone.now()
    make_survey(title="Zamknięta dawno", opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=20))
    make_survey(title="Zamknięta wczoraj", opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    make_survey(title="Otwarta do jutra", closes_at=now + timedelta(days=1))
    make_survey(title="Otwarta do przyszłego tygodnia", closes_at=now + timedelta(days=7))
    make_survey(title="Za tydzień", opens_at=now + timedelta(days=7), closes_at=now + timedelta(days=14))
    sign_in(gql, cast.reporter)
    assert titles(gql) == [
        "Otwarta do jutra",
        "Otwarta do przyszłego tygodnia",
        "Za tydzień",
        "Zamknięta wczoraj",
        "Zamknięta dawno",
    ]
    assert titles(gql, {"filter": {"state": "OPEN"}}) == ["Otwarta do jutra", "Otwarta do przyszłego tygodnia"]
    assert titles(gql, {"filter": {"state": "UPCOMING"}}) == ["Za tydzień"]
    assert titles(gql, {"filter": {"state": "CLOSED"}}) == ["Zamknięta wczoraj", "Zamknięta dawno"]
    states = {e["node"]["title"]: e["node"]["state"] for e in gql.data(SURVEYS)["surveys"]["edges"]}
    assert states["Za tydzień"] == "UPCOMING" and states["Zamknięta dawno"] == "CLOSED"
    # Nobody may answer what is not open.
    assert {e["node"]["title"] for e in gql.data(SURVEYS)["surveys"]["edges"] if e["node"]["canAnswer"]} == {
        "Otwarta do jutra",
        "Otwarta do przyszłego tygodnia",
    }


def test_answered_and_units_to_answer_for_in_a_per_unit_survey(gql, cast):
    survey = make_survey(title="Na lokal", answer_by=Survey.AnswerBy.UNIT)
    sign_in(gql, cast.reporter)
    node = gql.data(SURVEYS)["surveys"]["edges"][0]["node"]
    assert (node["answered"], node["canAnswer"]) == (False, True)
    assert [unit["number"] for unit in node["unitsToAnswerFor"]] == [cast.unit.number]
    # The tenant of the same unit answers for it: the household has answered.
    services.survey_respond(survey=survey, person=cast.co_resident, answers=service_answers(survey))
    node = gql.data(SURVEYS)["surveys"]["edges"][0]["node"]
    assert (node["answered"], node["canAnswer"], node["canChangeAnswer"], node["unitsToAnswerFor"]) == (
        True,
        False,
        False,
        [],
    )
    payload = respond(gql, survey, api_answers(survey))
    assert codes(payload) == [("ALREADY_ANSWERED", None)]


def test_a_per_person_survey_names_no_units(gql, cast):
    make_survey(title="Na osobę")
    sign_in(gql, cast.reporter)
    assert gql.data(SURVEYS)["surveys"]["edges"][0]["node"]["unitsToAnswerFor"] == []


# --- surveyRespond ---------------------------------------------------------------------------------


def test_a_resident_answers_and_the_payload_shows_it_answered(gql, cast):
    survey = make_survey()
    sign_in(gql, cast.reporter)
    payload = respond(gql, survey, api_answers(survey))
    assert payload["errors"] == []
    assert payload["changed"] is False
    assert payload["survey"]["answered"] is True and payload["survey"]["canAnswer"] is False
    response = Response.objects.get(survey=survey)
    assert response.participation.person == cast.reporter
    assert response.answers.count() == 7


def test_the_tenant_and_the_neighbour_answer_a_building_survey(gql, cast):
    survey = make_survey(groups=[group_of(building=cast.building)])
    for person in (cast.co_resident, cast.neighbour):
        sign_in(gql, person)
        assert respond(gql, survey, api_answers(survey))["errors"] == []
    assert Participation.objects.filter(survey=survey).count() == 2


def test_an_answer_is_changed_where_the_survey_allows_it(gql, cast):
    survey = make_survey(allow_changes=True)
    sign_in(gql, cast.reporter)
    assert respond(gql, survey, api_answers(survey, scale=2))["changed"] is False
    first = gql.data(SURVEYS)["surveys"]["edges"][0]["node"]
    assert (first["canAnswer"], first["canChangeAnswer"]) == (False, True)
    payload = respond(gql, survey, api_answers(survey, scale=5))
    assert payload["errors"] == [] and payload["changed"] is True
    question = questions_of(survey)[2]
    assert list(Response.objects.get(survey=survey).answers.filter(question=question).values_list("number", flat=True))
    assert Response.objects.filter(survey=survey).count() == 1
    assert Response.objects.get(survey=survey).answers.get(question=question).number == 5


def test_a_survey_that_keeps_the_first_answer_refuses_the_second(gql, cast):
    survey = make_survey()
    sign_in(gql, cast.reporter)
    respond(gql, survey, api_answers(survey))
    payload = respond(gql, survey, api_answers(survey, scale=1))
    assert payload["survey"] is None and payload["changed"] is False
    assert codes(payload) == [("ALREADY_ANSWERED", None)]


def test_an_anonymous_visitor_is_told_to_sign_in(gql, cast):
    survey = make_survey()
    sign_in(gql, None)
    assert codes(respond(gql, survey, api_answers(survey))) == [("NOT_AUTHENTICATED", None)]
    assert not Participation.objects.exists()


@pytest.mark.parametrize("viewer", ["stranger", "firm_worker", "dispatcher"])
def test_outside_the_audience_the_survey_is_not_found(gql, cast, viewer):
    survey = make_survey(groups=[group_of(building=cast.building)])
    sign_in(gql, getattr(cast, viewer))
    assert codes(respond(gql, survey, api_answers(survey))) == [("NOT_FOUND", "surveyId")]


def test_an_owners_survey_is_not_found_for_the_tenant(gql, cast):
    survey = make_survey(groups=[group_of(role=Audience.Role.OWNERS)])
    sign_in(gql, cast.co_resident)
    assert codes(respond(gql, survey, api_answers(survey))) == [("NOT_FOUND", "surveyId")]


def test_staff_who_see_every_survey_are_not_its_audience(gql, cast):
    survey = make_survey(groups=[group_of(building=cast.building)])
    sign_in(gql, cast.board)
    assert codes(respond(gql, survey, api_answers(survey))) == [("NOT_IN_AUDIENCE", None)]


def test_closed_and_not_yet_open(gql, cast):
    now = timezone.now()
    closed = make_survey(opens_at=now - timedelta(days=3), closes_at=now - timedelta(minutes=1))
    early = make_survey(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=3))
    sign_in(gql, cast.reporter)
    assert codes(respond(gql, closed, api_answers(closed))) == [("CLOSED", None)]
    assert codes(respond(gql, early, api_answers(early))) == [("NOT_OPEN", None)]
    assert not Participation.objects.exists()


def test_every_problem_of_the_answers_at_its_field_path(gql, cast):
    survey = make_survey()
    other = make_survey(title="Inna")
    q, theirs = questions_of(survey), questions_of(other)
    sign_in(gql, cast.reporter)
    payload = respond(
        gql,
        survey,
        [
            {"questionId": str(q[0].pk), "choiceIds": [str(theirs[0].choices.all()[0].pk)]},  # another survey's
            {"questionId": str(q[3].pk), "number": 11},
            {"questionId": str(q[4].pk), "yes": True},
            {"questionId": str(q[4].pk), "yes": False},  # twice
            {"questionId": str(theirs[2].pk), "number": 3},
        ],
    )
    assert payload["survey"] is None
    found = set(codes(payload))
    assert ("VALUE_INVALID", f"answers.{q[4].pk}") in found
    # The question given twice is refused before the service reads the rest.
    payload = respond(
        gql,
        survey,
        [
            {"questionId": str(q[0].pk), "choiceIds": [str(theirs[0].choices.all()[0].pk)]},
            {"questionId": str(q[3].pk), "number": 11},
            {"questionId": str(theirs[2].pk), "number": 3},
        ],
    )
    assert set(codes(payload)) == {
        ("CHOICE_INVALID", f"answers.{q[0].pk}"),
        ("ANSWER_REQUIRED", f"answers.{q[2].pk}"),
        ("VALUE_INVALID", f"answers.{q[3].pk}"),
        ("QUESTION_INVALID", f"answers.{theirs[2].pk}"),
    }
    assert all(error["message"] for error in payload["errors"])
    assert not Participation.objects.exists()


def test_a_missing_required_answer(gql, cast):
    survey = make_survey()
    q = questions_of(survey)
    sign_in(gql, cast.reporter)
    answers = [a for a in api_answers(survey) if a["questionId"] != str(q[0].pk)]
    assert codes(respond(gql, survey, answers)) == [("ANSWER_REQUIRED", f"answers.{q[0].pk}")]


def test_an_invalid_choice_and_a_single_choice_given_two(gql, cast):
    survey = make_survey()
    q = questions_of(survey)
    sign_in(gql, cast.reporter)
    answers = api_answers(survey)
    answers[0] = {"questionId": str(q[0].pk), "choiceIds": [str(c.pk) for c in q[0].choices.all()[:2]]}
    answers[1] = {"questionId": str(q[1].pk), "choiceIds": ["999999999"]}
    assert set(codes(respond(gql, survey, answers))) == {
        ("CHOICE_INVALID", f"answers.{q[0].pk}"),
        ("CHOICE_INVALID", f"answers.{q[1].pk}"),
    }


def test_a_unit_the_viewer_does_not_answer_for(gql, cast):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    sign_in(gql, cast.reporter)
    payload = respond(gql, survey, api_answers(survey), unit=cast.other_unit)
    assert codes(payload) == [("UNIT_INVALID", "unitId")]
    assert respond(gql, survey, api_answers(survey), unit=cast.unit)["errors"] == []


def test_a_person_with_two_units_answers_for_each_and_changes_one(gql, cast):
    from operations.residents.models import Membership
    from tests.factories.residents import MembershipFactory
    from tests.factories.tickets import resident

    person = resident(cast.unit, username="dwa-lokale")
    MembershipFactory(user=person, unit=cast.other_unit, role=Membership.Role.OWNER, verified=True)
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT, allow_changes=True)
    sign_in(gql, person)
    node = gql.data(SURVEYS)["surveys"]["edges"][0]["node"]
    assert {unit["number"] for unit in node["unitsToAnswerFor"]} == {cast.unit.number, cast.other_unit.number}
    assert codes(respond(gql, survey, api_answers(survey))) == [("UNIT_REQUIRED", "unitId")]
    payload = respond(gql, survey, api_answers(survey, scale=1), unit=cast.unit)
    assert payload["errors"] == [] and payload["changed"] is False
    assert [unit["id"] for unit in payload["survey"]["unitsToAnswerFor"]] == [str(cast.other_unit.pk)]
    assert payload["survey"]["canAnswer"] is True and payload["survey"]["canChangeAnswer"] is True
    payload = respond(gql, survey, api_answers(survey, scale=2), unit=cast.other_unit)
    assert payload["changed"] is False and payload["survey"]["answered"] is True
    payload = respond(gql, survey, api_answers(survey, scale=5), unit=cast.unit)
    assert payload["errors"] == [] and payload["changed"] is True
    scale = questions_of(survey)[2]
    by_unit = {
        r.participation.unit_id: r.answers.get(question=scale).number
        for r in Response.objects.filter(survey=survey).select_related("participation")
    }
    assert by_unit == {cast.unit.pk: 5, cast.other_unit.pk: 2}


# --- results --------------------------------------------------------------------------------------


def _answered_by(survey, people, **answers):
    for person in people:
        services.survey_respond(survey=survey, person=person, answers=service_answers(survey, **answers))


def test_staff_see_live_results_residents_only_after_the_close(gql, cast):
    survey = make_survey(groups=[group_of(building=cast.building)])
    _answered_by(survey, [cast.reporter], nps=10, text="Więcej koszy")
    _answered_by(survey, [cast.neighbour], nps=3, scale=2, text="Ciszej rano")
    sign_in(gql, cast.reporter)
    assert gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]["results"] is None
    sign_in(gql, cast.board)
    results = gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]["results"]
    assert results["responses"] == 2 and results["audience"] == 3  # reporter, co-resident, neighbour
    assert results["responseRate"] == "66.7"
    assert results["byBuilding"] == [{"buildingCode": cast.building.code, "answered": 2, "audience": 3, "rate": "66.7"}]
    single, multiple, scale, nps, yes_no, text = results["questions"]
    assert [c["count"] for c in single["choices"]] == [0, 2, 0]
    assert [c["count"] for c in multiple["choices"]] == [2, 0, 2]
    assert scale["average"] == "3.00" and scale["distribution"][1] == {"value": 2, "count": 1}
    assert len(nps["distribution"]) == 11 and nps["nps"] == 0  # one promoter, one detractor
    assert yes_no["distribution"] == [{"value": 0, "count": 0}, {"value": 1, "count": 2}]
    assert text["texts"] == ["Ciszej rano", "Więcej koszy"]  # sorted, not in the order given
    # Closed: the residents in the audience see the counts, not their neighbours' words.
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(seconds=1)
    )
    sign_in(gql, cast.reporter)
    results = gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]["results"]
    assert results["responses"] == 2 and results["questions"][5]["texts"] is None
    sign_in(gql, cast.stranger)
    assert gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"] is None


def test_a_surveys_results_hold_its_own_questions_only_when_asked_with_its_questions(gql, cast):
    """Review (portal): asked for `questions` and `results` together, the results listed
    every survey's questions (the optimizer's prefetch reached the results' reads)."""
    other = make_survey(questions=DEFAULT_QUESTIONS)
    survey = make_survey(questions=DEFAULT_QUESTIONS[:2])
    _answered_by(other, [cast.reporter])
    sign_in(gql, cast.board)
    data = gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]
    own = [question["id"] for question in data["questions"]]
    assert [question["questionId"] for question in data["results"]["questions"]] == own
    assert len(own) == 2


def test_a_survey_that_keeps_its_results_from_residents(gql, cast):
    now = timezone.now()
    survey = make_survey(results_to_residents=False, opens_at=now - timedelta(days=3), closes_at=now - timedelta(1))
    sign_in(gql, cast.reporter)
    assert gql.data(SURVEY, {"id": gid("Survey", survey.pk)})["survey"]["results"] is None


def test_an_anonymous_surveys_results_name_nobody(gql, cast):
    survey = make_survey(anonymous=True, groups=[group_of(building=cast.building)])
    people = [cast.reporter, cast.neighbour, cast.co_resident]
    for n, person in enumerate(people):
        sign_in(gql, person)
        assert respond(gql, survey, api_answers(survey, text=f"Uwaga {3 - n}"))["errors"] == []
    if hasattr(services, "anonymous_ballots_seal"):  # answers are counted in batches
        services.anonymous_ballots_seal(batch=1)
    sign_in(gql, cast.board)
    answer = gql.execute(SURVEY, {"id": gid("Survey", survey.pk)})
    text = str(answer)
    for person in people:
        for mark in (person.username, person.get_full_name() or "\x00", person.email or "\x00"):
            assert mark not in text
    assert answer["data"]["survey"]["results"]["questions"][5]["texts"] == ["Uwaga 1", "Uwaga 2", "Uwaga 3"]
    # The rows say no more: responses name no participation and no time.
    assert not Response.objects.filter(survey=survey).exclude(participation=None, submitted_at=None).exists()
    # A change is refused: nothing says whose answer it would be.
    sign_in(gql, cast.reporter)
    assert codes(respond(gql, survey, api_answers(survey))) == [("ALREADY_ANSWERED", None)]


# --- query counts ----------------------------------------------------------------------------------

LIST_WITH_QUESTIONS = """{ surveys(first: 50) { totalCount edges { node {
  id title state answerBy answered canAnswer canChangeAnswer unitsToAnswerFor { id number building { code } }
  questions { id kind text choices { id label } }
} } } }"""


def test_the_list_costs_the_same_for_2_or_10_surveys(gql, cast):
    for n in range(2):
        make_survey(title=f"Ankieta {n}", answer_by=Survey.AnswerBy.UNIT if n % 2 else Survey.AnswerBy.PERSON)
    sign_in(gql, cast.reporter)
    gql.execute(LIST_WITH_QUESTIONS)  # what a process remembers, remembered
    small, data = gql.count_queries(LIST_WITH_QUESTIONS)
    assert data["surveys"]["totalCount"] == 2
    for n in range(2, 10):
        survey = make_survey(
            title=f"Ankieta {n}",
            groups=[group_of(building=cast.building)] if n % 3 else [],
            answer_by=Survey.AnswerBy.UNIT if n % 2 else Survey.AnswerBy.PERSON,
        )
        if n % 4 == 0:
            services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    large, data = gql.count_queries(LIST_WITH_QUESTIONS)
    assert data["surveys"]["totalCount"] == 10
    assert small == large, (small, large)


def _questions(n: int):
    kinds = [
        (K.SINGLE, ["a", "b", "c"]),
        (K.MULTIPLE, ["x", "y"]),
        (K.SCALE, []),
        (K.NPS, []),
        (K.TEXT, []),
        (K.YES_NO, []),
    ]
    return [(kinds[i % 6][0], f"Pytanie {i}", kinds[i % 6][1], False) for i in range(n)]


def test_a_survey_costs_the_same_with_2_or_20_questions(gql, cast):
    small_survey = make_survey(questions=_questions(2))
    large_survey = make_survey(questions=_questions(20))
    sign_in(gql, cast.board)
    gql.execute(SURVEY, {"id": gid("Survey", small_survey.pk)})  # what a process remembers, remembered
    small, small_data = gql.count_queries(SURVEY, {"id": gid("Survey", small_survey.pk)})
    large, large_data = gql.count_queries(SURVEY, {"id": gid("Survey", large_survey.pk)})
    assert len(small_data["survey"]["questions"]) == 2 and len(large_data["survey"]["questions"]) == 20
    assert small == large, (small, large)
    sign_in(gql, cast.reporter)
    small, _ = gql.count_queries(SURVEY, {"id": gid("Survey", small_survey.pk)})
    large, _ = gql.count_queries(SURVEY, {"id": gid("Survey", large_survey.pk)})
    assert small == large, (small, large)


def test_results_cost_the_same_with_2_or_30_responses(gql, cast):
    from tests.factories.tickets import resident

    survey = make_survey()
    _answered_by(survey, [cast.reporter, cast.neighbour])
    sign_in(gql, cast.board)
    gql.execute(SURVEY, {"id": gid("Survey", survey.pk)})  # what a process remembers, remembered
    small, data = gql.count_queries(SURVEY, {"id": gid("Survey", survey.pk)})
    assert data["survey"]["results"]["responses"] == 2
    for n in range(28):
        person = resident(cast.other_unit if n % 2 else cast.unit, username=f"ankietowany{n}")
        services.survey_respond(survey=survey, person=person, answers=service_answers(survey, scale=1 + n % 5))
    large, data = gql.count_queries(SURVEY, {"id": gid("Survey", survey.pk)})
    assert data["survey"]["results"]["responses"] == 30
    assert small == large, (small, large)
