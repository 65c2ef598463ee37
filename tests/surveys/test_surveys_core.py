"""Surveys (operations/surveys): who sees and answers which survey, answering once per
person or per unit, changing answers, anonymity, and the results.

The cast (tests/factories/tickets.py): building A with units A/1 (the reporter, an owner,
and the co-resident, a tenant) and A/2 (the neighbour, an owner), building B (the
stranger, an owner of B/1), staff and a firm's workers.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.core.exceptions import ServiceError, service_errors
from operations.residents import services as residents_services
from operations.residents.models import Audience
from operations.surveys import policy, selectors, services
from operations.surveys.errors import SurveyErrorCode
from operations.surveys.models import Answer, Participation, Question, Response, SealedBallot, Survey
from tests.factories.surveys import DEFAULT_QUESTIONS, make_survey

pytestmark = pytest.mark.django_db
K = Question.Kind


def questions(survey):
    return list(survey.questions.prefetch_related("choices"))


def full_answers(survey, *, single=1, scale=4, nps=9, yes=True, text="Więcej koszy"):
    q = questions(survey)
    return {
        q[0].pk: q[0].choices.all()[single].pk,
        q[1].pk: [q[1].choices.all()[0].pk, q[1].choices.all()[2].pk],
        q[2].pk: scale,
        q[3].pk: nps,
        q[4].pk: yes,
        q[5].pk: text,
    }


def codes(error: ServiceError) -> list[str]:
    return [e.code for e in service_errors(error)]


def group_of(**target):
    return residents_services.audience_group(**target)


# --- who sees a survey --------------------------------------------------------------------


def test_everyone_signed_in_means_every_resident_not_the_anonymous_visitor_nor_a_firm(cast):
    survey = make_survey()
    assert selectors.surveys_visible_to(cast.reporter).filter(pk=survey.pk).exists()
    assert selectors.surveys_visible_to(cast.stranger).filter(pk=survey.pk).exists()
    assert not selectors.surveys_visible_to(AnonymousUser()).exists()
    assert not selectors.surveys_visible_to(None).exists()
    assert not selectors.surveys_visible_to(cast.firm_worker).filter(pk=survey.pk).exists()


def test_a_building_survey_is_invisible_to_another_buildings_resident(cast):
    survey = make_survey(groups=[group_of(building=cast.building)])
    assert policy.may_view(cast.reporter, survey)
    assert policy.may_view(cast.neighbour, survey)
    assert not policy.may_view(cast.stranger, survey)
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=cast.stranger, answers=full_answers(survey))
    assert codes(refused.value) == [SurveyErrorCode.NOT_IN_AUDIENCE]


def test_an_owners_survey_is_not_the_tenants(cast):
    survey = make_survey(groups=[group_of(role=Audience.Role.OWNERS)])
    assert policy.may_view(cast.reporter, survey)
    assert policy.may_view(cast.stranger, survey)
    assert not policy.may_view(cast.co_resident, survey)
    assert selectors.units_answering_for(cast.co_resident, survey) == []


def test_a_draft_is_seen_by_survey_staff_only(cast):
    survey = make_survey(is_published=False)
    assert not policy.may_view(cast.reporter, survey)
    staff = cast.board
    staff.user_permissions.add(Permission.objects.get(codename="view_survey"))
    staff = type(staff).objects.get(pk=staff.pk)
    assert policy.may_view(staff, survey)
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    assert codes(refused.value) == [SurveyErrorCode.NOT_FOUND]


def test_a_firms_worker_given_the_permission_by_mistake_is_still_no_survey_staff(cast):
    worker = cast.firm_worker
    worker.user_permissions.add(Permission.objects.get(codename="view_survey"))
    worker = type(worker).objects.get(pk=worker.pk)
    make_survey(is_published=False)
    assert not selectors.surveys_visible_to(worker).exists()


# --- answering ------------------------------------------------------------------------------


def test_an_answer_is_stored_with_its_participation(cast):
    survey = make_survey()
    response = services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    assert response.participation.person == cast.reporter
    assert response.participation.unit == cast.unit
    assert response.submitted_at is not None
    assert Answer.objects.filter(response=response).count() == 7  # two ticked in the multiple choice


def test_one_answer_per_person(cast):
    survey = make_survey()
    services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    assert codes(refused.value) == [SurveyErrorCode.ALREADY_ANSWERED]
    assert Response.objects.filter(survey=survey).count() == 1


def test_one_answer_per_unit_refuses_the_second_member(cast):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=cast.co_resident, answers=full_answers(survey))
    assert codes(refused.value) == [SurveyErrorCode.ALREADY_ANSWERED]
    # The neighbour's unit is another unit: they answer.
    services.survey_respond(survey=survey, person=cast.neighbour, answers=full_answers(survey))
    assert selectors.answered(cast.co_resident, [survey]) == {survey.pk: True}


def test_before_the_opening_and_after_the_close(cast):
    now = timezone.now()
    early = make_survey(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2))
    late = make_survey(opens_at=now - timedelta(days=2), closes_at=now - timedelta(seconds=1))
    for survey, code in ((early, SurveyErrorCode.NOT_OPEN), (late, SurveyErrorCode.CLOSED)):
        with pytest.raises(ServiceError) as refused:
            services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
        assert codes(refused.value) == [code]
    assert not Participation.objects.exists()


def test_every_problem_of_the_answers_at_once_and_nothing_written(cast):
    survey = make_survey()
    q = questions(survey)
    other = make_survey()
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(
            survey=survey,
            person=cast.reporter,
            answers={
                q[0].pk: questions(other)[0].choices.all()[0].pk,  # another survey's choice
                q[1].pk: [q[1].choices.all()[0].pk, q[1].choices.all()[0].pk],  # the same twice
                q[3].pk: 11,
                q[4].pk: "tak",
                q[5].pk: "x" * (Question.TEXT_LIMIT + 1),
                questions(other)[2].pk: 3,
            },
        )
    found = {(e.code, e.field) for e in service_errors(refused.value)}
    assert found == {
        (SurveyErrorCode.QUESTION_INVALID, f"answers.{questions(other)[2].pk}"),
        (SurveyErrorCode.CHOICE_INVALID, f"answers.{q[0].pk}"),
        (SurveyErrorCode.CHOICE_INVALID, f"answers.{q[1].pk}"),
        (SurveyErrorCode.ANSWER_REQUIRED, f"answers.{q[2].pk}"),
        (SurveyErrorCode.VALUE_INVALID, f"answers.{q[3].pk}"),
        (SurveyErrorCode.VALUE_INVALID, f"answers.{q[4].pk}"),
        (SurveyErrorCode.VALUE_INVALID, f"answers.{q[5].pk}"),
    }
    assert not Participation.objects.exists() and not Response.objects.exists() and not Answer.objects.exists()


@pytest.mark.parametrize("value", [0, 6, True, "3", 3.0])
def test_a_scale_takes_whole_numbers_one_to_five_only(cast, value):
    survey = make_survey(questions=[(K.SCALE, "Ocena", [], True)])
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=cast.reporter, answers={questions(survey)[0].pk: value})
    assert codes(refused.value) == [SurveyErrorCode.VALUE_INVALID]


def test_optional_questions_may_be_left_out(cast):
    survey = make_survey()
    q = questions(survey)
    services.survey_respond(
        survey=survey, person=cast.reporter, answers={q[0].pk: q[0].choices.all()[0].pk, q[2].pk: 5, q[5].pk: "  "}
    )
    assert Answer.objects.count() == 2


def test_a_person_with_two_units_says_which_one_in_a_per_unit_survey(cast, resident):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    both = resident(cast.unit)
    residents_services.membership_verify(
        membership=residents_services.membership_request(
            user=both,
            unit=cast.other_unit,
            role="owner",
            proof_kind="access_code",
            proof_value=cast.other_unit.access_code,
        ),
        decided_by=cast.administrator,
    )
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=both, answers=full_answers(survey))
    assert codes(refused.value) == [SurveyErrorCode.UNIT_REQUIRED]
    with pytest.raises(ServiceError) as refused:
        services.survey_respond(survey=survey, person=both, answers=full_answers(survey), unit=cast.other_building)
    assert codes(refused.value) == [SurveyErrorCode.UNIT_INVALID]
    services.survey_respond(survey=survey, person=both, answers=full_answers(survey), unit=cast.other_unit)
    assert selectors.answered(both, [survey]) == {survey.pk: False}  # A/1 is still to answer
    services.survey_respond(survey=survey, person=both, answers=full_answers(survey), unit=cast.unit)
    assert selectors.answered(both, [survey]) == {survey.pk: True}


# --- changing an answer ------------------------------------------------------------------


def test_an_answer_changes_until_the_close_when_the_survey_allows(cast):
    survey = make_survey(allow_changes=True)
    first = services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey, scale=2))
    changed = services.survey_response_change(
        survey=survey, person=cast.reporter, answers=full_answers(survey, scale=5)
    )
    assert changed.pk == first.pk and changed.changed_at is not None
    assert list(Answer.objects.filter(question__kind=K.SCALE).values_list("number", flat=True)) == [5]
    after_close = survey.closes_at + timedelta(seconds=1)
    with pytest.raises(ServiceError) as refused:
        services.survey_response_change(
            survey=survey, person=cast.reporter, answers=full_answers(survey), now=after_close
        )
    assert codes(refused.value) == [SurveyErrorCode.CLOSED]


def test_no_change_where_the_survey_keeps_the_first_answer_or_none_was_given(cast):
    keeps = make_survey()
    services.survey_respond(survey=keeps, person=cast.reporter, answers=full_answers(keeps))
    with pytest.raises(ServiceError) as refused:
        services.survey_response_change(survey=keeps, person=cast.reporter, answers=full_answers(keeps))
    assert codes(refused.value) == [SurveyErrorCode.CHANGE_NOT_ALLOWED]
    allows = make_survey(allow_changes=True)
    with pytest.raises(ServiceError) as refused:
        services.survey_response_change(survey=allows, person=cast.reporter, answers=full_answers(allows))
    assert codes(refused.value) == [SurveyErrorCode.NOT_ANSWERED]


# --- anonymity ---------------------------------------------------------------------------


def test_an_anonymous_response_names_nobody_and_no_moment(cast, resident):
    survey = make_survey(anonymous=True)
    people = [cast.reporter, cast.neighbour, cast.stranger, cast.co_resident] + [resident(cast.unit) for _ in range(2)]
    for person in people[:4]:
        services.survey_respond(survey=survey, person=person, answers=full_answers(survey))
    # Fewer than a batch: sealed, not counted, and nothing of them in the responses yet.
    assert services.anonymous_ballots_seal(batch=5) == 0
    assert not Response.objects.filter(survey=survey).exists()
    assert SealedBallot.objects.filter(survey=survey).count() == 4
    results = selectors.survey_results(survey)
    assert (results.responses, results.sealed) == (4, 4) and results.questions[2].distribution == {}
    for person in people[4:]:
        services.survey_respond(survey=survey, person=person, answers=full_answers(survey))
    assert services.anonymous_ballots_seal(batch=5) == 6
    assert services.anonymous_ballots_seal(batch=5) == 0  # nothing twice
    assert not SealedBallot.objects.exists()
    for response in Response.objects.filter(survey=survey):
        assert response.participation_id is None
        assert response.submitted_at is None and response.changed_at is None
    assert selectors.survey_results(survey).questions[2].distribution == {4: 6}
    # Participation says who took part, by day only.
    assert {type(p.answered_on).__name__ for p in Participation.objects.filter(survey=survey)} == {"date"}


def test_an_anonymous_surveys_last_answers_are_counted_once_it_closes(cast):
    survey = make_survey(anonymous=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey))
    assert services.anonymous_ballots_seal(batch=5) == 0
    assert services.anonymous_ballots_seal(batch=5, now=survey.closes_at) == 1
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_batch_is_counted_in_an_order_unrelated_to_the_answering(cast, resident, monkeypatch):
    """Shuffled with the system's randomness: the stored order of responses follows no
    order of answering (here: a shuffle that rotates by one, applied to the responses and
    again to the answers, seen in the rows' physical order)."""
    import random

    survey = make_survey(anonymous=True, questions=[(K.SCALE, "Ocena", [], True)])
    question = questions(survey)[0]
    people = [resident(cast.unit) for _ in range(5)]
    for score, person in enumerate(people, start=1):
        services.survey_respond(survey=survey, person=person, answers={question.pk: score})
    monkeypatch.setattr(random.SystemRandom, "shuffle", lambda self, items: items.append(items.pop(0)))
    services.anonymous_ballots_seal(batch=5)
    inserted = list(
        Answer.objects.filter(question=question).order_by("response__survey", "pk").values_list("number", flat=True)
    )
    assert sorted(inserted) == [1, 2, 3, 4, 5]
    with connection.cursor() as cursor:  # the physical order, as a database user could read it
        table = Answer._meta.db_table
        order = "rowid" if connection.vendor == "sqlite" else "ctid"
        cursor.execute(f"SELECT number FROM {table} WHERE question_id = %s ORDER BY {order}", [question.pk])  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == [3, 4, 5, 1, 2]


def test_an_anonymous_survey_cannot_allow_changes():
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(
            title="x", opens_at=now, closes_at=now + timedelta(days=1), anonymous=True, allow_changes=True
        )


# --- results --------------------------------------------------------------------------------


def test_results_count_choices_values_nps_and_the_rate_by_building(cast):
    survey = make_survey()
    services.survey_respond(survey=survey, person=cast.reporter, answers=full_answers(survey, scale=5, nps=10))
    services.survey_respond(survey=survey, person=cast.neighbour, answers=full_answers(survey, scale=4, nps=9))
    services.survey_respond(
        survey=survey,
        person=cast.stranger,
        answers=full_answers(survey, single=0, scale=2, nps=3, yes=False, text="Brud"),
    )
    results = selectors.survey_results(survey)
    single, multiple, scale, nps, yes_no, text = results.questions
    assert [(c.label, c.count) for c in single.choices] == [("Za rzadko", 1), ("W sam raz", 2), ("Za często", 0)]
    assert [c.count for c in multiple.choices] == [3, 0, 3]
    assert scale.distribution == {5: 1, 4: 1, 2: 1} and scale.average == Decimal("3.67")
    assert nps.nps == 33  # 2 promoters, 1 detractor of 3: 33.3 % rounds to 33
    assert yes_no.distribution == {1: 2, 0: 1}
    assert text.texts == ["Brud", "Więcej koszy", "Więcej koszy"]  # sorted, not in the order given
    assert results.responses == 3
    # Everyone signed in: reporter, co-resident, neighbour in A; stranger in B.
    rates = {rate.building.code: (rate.answered, rate.audience) for rate in results.by_building}
    assert rates == {cast.building.code: (2, 3), cast.other_building.code: (1, 1)}
    assert results.audience == 4 and results.rate == Decimal("75.0")


@pytest.mark.parametrize(
    ("scores", "expected"),
    [({10: 1}, 100), ({6: 1}, -100), ({7: 1, 8: 1}, 0), ({9: 1, 6: 2}, -33), ({9: 2, 0: 1}, 33), ({}, None)],
)
def test_net_promoter_score(scores, expected):
    assert selectors.net_promoter_score(scores) == expected


def test_residents_see_results_after_the_close_where_allowed_staff_any_time(cast):
    survey = make_survey()
    assert not policy.may_see_results(cast.reporter, survey)
    after = survey.closes_at + timedelta(minutes=1)
    assert policy.may_see_results(cast.reporter, survey, now=after)
    assert not policy.may_see_results(cast.firm_worker, survey, now=after)
    hidden = make_survey(results_to_residents=False)
    assert not policy.may_see_results(cast.reporter, hidden, now=hidden.closes_at + timedelta(minutes=1))
    staff = cast.board
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_survey", "view_survey_results"]))
    staff = type(staff).objects.get(pk=staff.pk)
    assert policy.may_see_results(staff, hidden)


def _results_queries(survey) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.survey_results(survey)
    return len(queries)


def test_the_results_cost_the_same_queries_for_any_number_of_questions_and_responses(cast, resident):
    small = make_survey(questions=DEFAULT_QUESTIONS[:2])
    services.survey_respond(survey=small, person=cast.reporter, answers=full_answers_for(small))
    big = make_survey(questions=DEFAULT_QUESTIONS * 3)
    for person in [cast.reporter, cast.neighbour, cast.stranger] + [resident(cast.unit) for _ in range(4)]:
        services.survey_respond(survey=big, person=person, answers=full_answers_for(big))
    assert _results_queries(big) == _results_queries(small)


def test_answered_costs_the_same_queries_for_any_number_of_surveys(cast):
    few = [make_survey()]
    many = [make_survey(answer_by=Survey.AnswerBy.UNIT if i % 2 else "person") for i in range(6)]
    with CaptureQueriesContext(connection) as one:
        selectors.answered(cast.reporter, few)
    with CaptureQueriesContext(connection) as six:
        selectors.answered(cast.reporter, many)
    assert len(one) == len(six)


def full_answers_for(survey):
    """A valid answer to every question of any mix of DEFAULT_QUESTIONS."""
    answers = {}
    for question in questions(survey):
        choices = list(question.choices.all())
        answers[question.pk] = {
            K.SINGLE: choices[0].pk if choices else None,
            K.MULTIPLE: [choices[-1].pk] if choices else None,
            K.SCALE: 3,
            K.NPS: 8,
            K.YES_NO: False,
            K.TEXT: "ok",
        }[question.kind]
    return answers
