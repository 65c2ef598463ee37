"""`Survey.myAnswers` (issue 15): the answers the viewer gave and may change now, for the
portal's flow to start a change from; empty for every other viewer, for a survey that
keeps the first answer or has closed, and always for an anonymous survey.

The cast as in tests/api/test_surveys_api.py: building A with units A/1 (the reporter, an
owner, and the co-resident, a tenant) and A/2 (the neighbour), building B (the stranger),
staff (the board sees every survey).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.residents.models import Membership
from operations.surveys import services
from operations.surveys.models import Survey
from tests.api.test_surveys_api import api_answers, gid, questions_of, respond, service_answers, sign_in
from tests.factories.surveys import make_survey

pytestmark = pytest.mark.django_db

MY_ANSWERS = """query($id: ID!) { survey(id: $id) {
  canChangeAnswer myAnswers { questionId unitId choiceIds number yes text }
} }"""

LIST = """{ surveys(first: 50) { totalCount edges { node {
  id canChangeAnswer myAnswers { questionId unitId choiceIds number yes text }
} } } }"""


def my_answers(gql, survey):
    node = gql.data(MY_ANSWERS, {"id": gid("Survey", survey.pk)})["survey"]
    return None if node is None else node["myAnswers"]


def expected(survey, unit, *, single=1, scale=4, nps=9, yes=True, text="Więcej koszy") -> list[dict]:
    """What `service_answers(...)` gave, as `myAnswers` hands it back."""
    q = questions_of(survey)
    blank = {"unitId": str(unit.pk), "choiceIds": [], "number": None, "yes": None, "text": None}
    return [
        {**blank, "questionId": str(q[0].pk), "choiceIds": [str(q[0].choices.all()[single].pk)]},
        {
            **blank,
            "questionId": str(q[1].pk),
            "choiceIds": [str(q[1].choices.all()[0].pk), str(q[1].choices.all()[2].pk)],
        },
        {**blank, "questionId": str(q[2].pk), "number": scale},
        {**blank, "questionId": str(q[3].pk), "number": nps},
        {**blank, "questionId": str(q[4].pk), "yes": yes},
        {**blank, "questionId": str(q[5].pk), "text": text},
    ]


@pytest.mark.parametrize(
    "viewer, own",
    [
        ("reporter", True),  # who answered
        ("co_resident", False),  # the tenant of the same unit, who has not answered
        ("neighbour", False),
        ("stranger", False),  # another building's resident
        ("board", False),  # staff see the survey, never anyone's answers
        (None, False),  # signed out
    ],
)
def test_a_per_person_survey_gives_each_viewer_only_their_own_answers(gql, cast, viewer, own):
    survey = make_survey(allow_changes=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey, yes=False))
    sign_in(gql, getattr(cast, viewer) if viewer else None)
    answers = my_answers(gql, survey)
    if own:
        assert answers == expected(survey, cast.unit, yes=False)
    else:
        assert not answers  # [] for residents and staff; no survey at all when signed out


@pytest.mark.parametrize("viewer, own", [("reporter", True), ("co_resident", False), ("neighbour", False)])
def test_a_per_unit_survey_gives_the_answer_to_who_gave_it_not_to_the_household(gql, cast, viewer, own):
    """Only the person who answered for the unit changes its answer (`surveyRespond`),
    so a co-member of the unit, who may not change it, is given nothing."""
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT, allow_changes=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey, scale=2))
    sign_in(gql, getattr(cast, viewer))
    node = gql.data(MY_ANSWERS, {"id": gid("Survey", survey.pk)})["survey"]
    assert node["canChangeAnswer"] is own
    assert node["myAnswers"] == (expected(survey, cast.unit, scale=2) if own else [])


def test_a_tenant_who_answered_gets_their_own(gql, cast):
    survey = make_survey(allow_changes=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    services.survey_respond(survey=survey, person=cast.co_resident, answers=service_answers(survey, nps=3))
    sign_in(gql, cast.co_resident)
    assert my_answers(gql, survey) == expected(survey, cast.unit, nps=3)


def test_an_anonymous_survey_gives_nothing_even_to_who_answered(gql, cast):
    survey = make_survey(anonymous=True)  # anonymous answers are final (a constraint)
    sign_in(gql, cast.reporter)
    assert respond(gql, survey, api_answers(survey))["errors"] == []
    services.anonymous_ballots_seal(batch=1)
    assert my_answers(gql, survey) == []


def test_nothing_where_the_answer_cannot_be_changed(gql, cast):
    keeps_first = make_survey(title="Bez zmian")
    closing = make_survey(title="Zamknięta", allow_changes=True)
    for survey in (keeps_first, closing):
        services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    Survey.objects.filter(pk=closing.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    sign_in(gql, cast.reporter)
    assert my_answers(gql, keeps_first) == []
    assert my_answers(gql, closing) == []


def test_nothing_of_a_unit_the_viewer_no_longer_answers_for(gql, cast):
    """The reporter answered for A/1 and moved out: the answer is the new household's."""
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT, allow_changes=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    Membership.objects.filter(user=cast.reporter, unit=cast.unit).update(ended_at=timezone.now())
    sign_in(gql, cast.reporter)
    assert not my_answers(gql, survey)


def test_a_changed_answer_is_given_as_changed(gql, cast):
    survey = make_survey(allow_changes=True)
    sign_in(gql, cast.reporter)
    respond(gql, survey, api_answers(survey, scale=2))
    assert respond(gql, survey, api_answers(survey, scale=5, text="Ławki"))["changed"] is True
    assert my_answers(gql, survey) == expected(survey, cast.unit, scale=5, text="Ławki")


def test_the_list_costs_the_same_for_2_or_10_surveys_with_answers(gql, cast):
    for n in range(2):
        survey = make_survey(title=f"Ankieta {n}", allow_changes=True)
        services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    sign_in(gql, cast.reporter)
    gql.execute(LIST)  # what a process remembers, remembered
    small, data = gql.count_queries(LIST)
    assert all(len(edge["node"]["myAnswers"]) == 6 for edge in data["surveys"]["edges"])
    for n in range(2, 10):
        survey = make_survey(
            title=f"Ankieta {n}",
            allow_changes=n % 3 != 0,
            answer_by=Survey.AnswerBy.UNIT if n % 2 else Survey.AnswerBy.PERSON,
        )
        services.survey_respond(survey=survey, person=cast.reporter, answers=service_answers(survey))
    large, data = gql.count_queries(LIST)
    assert data["surveys"]["totalCount"] == 10
    assert sum(bool(edge["node"]["myAnswers"]) for edge in data["surveys"]["edges"]) == 7
    assert small == large, (small, large)
