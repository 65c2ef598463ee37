"""Independent tests of surveys (issue 15), from the issue's requirements and the module
docstrings: audiences, one answer per person or per unit, anonymity, every question
kind's valid and invalid values, required and optional questions, results computed by
hand (counts, averages and NPS rounded half up, the response rate by building), and query
counts that do not grow with questions, choices or responses."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.core.exceptions import ServiceError, service_errors
from operations.residents import services as residents
from operations.residents.models import Audience, Membership
from operations.surveys import policy, selectors, services
from operations.surveys.errors import SurveyErrorCode as E
from operations.surveys.models import Answer, Choice, Participation, Question, Response, Survey
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=21)
DURING = OPENS + timedelta(days=2, hours=3, minutes=17, seconds=41, microseconds=512345)
K = Question.Kind


def person_in(unit, role=Membership.Role.OWNER, user=None, **names):
    user = user or UserFactory(**names)
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return user


def make_survey(*, audiences=(), everyone=None, answer_by=Survey.AnswerBy.PERSON, **fields) -> Survey:
    fields.setdefault("is_published", True)
    survey = Survey.objects.create(
        title="Ankieta o zieleni",
        opens_at=OPENS,
        closes_at=CLOSES,
        audience_everyone=not audiences if everyone is None else everyone,
        answer_by=answer_by,
        **fields,
    )
    survey.audiences.set(list(audiences))
    return survey


def question(survey, kind, *, required=True, choices=(), position=0, text="Pytanie"):
    made = Question.objects.create(survey=survey, kind=kind, text=text, required=required, position=position)
    for n, label in enumerate(choices):
        Choice.objects.create(question=made, label=label, position=n)
    return made


def codes(call, *args, **kwargs) -> list[tuple[str, str | None]]:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return [(error.code, error.field) for error in service_errors(caught.value)]


def count_anonymous(now=CLOSES):
    """Anonymous answers may wait to be counted in a batch (the working tree is adding
    `services.anonymous_ballots_seal`): count whatever waits, as after the close."""
    seal = getattr(services, "anonymous_ballots_seal", None)
    if seal is not None:
        seal(now=now)


def respond(survey, person, answers, **kwargs):
    return services.survey_respond(survey=survey, person=person, answers=answers, now=DURING, **kwargs)


# --- The cast ---------------------------------------------------------------------------------


class Place:
    """Estate 1 with buildings A and B, estate 2 with building C.
    A/1: Anna (owner) and Tomasz (tenant) — two members of one unit.
    A/2 and B/1: Piotr, owner of both — one person with units in two buildings.
    A/3: Barbara, a board member. B/2: Celina, owner. A/4: Zofia, pending.
    C/1: Ewa, owner in the other estate. Olek: signed in, no membership."""

    def __init__(self):
        self.estate = EstateFactory(name="Zielone Wzgórze", slug="zielone-wzgorze")
        self.other_estate = EstateFactory(name="Stare Miasto", slug="stare-miasto")
        self.a = BuildingFactory(estate=self.estate, code="A")
        self.b = BuildingFactory(estate=self.estate, code="B")
        self.c = BuildingFactory(estate=self.other_estate, code="C")
        self.a1, self.a2, self.a3, self.a4 = (UnitFactory(building=self.a, number=str(n)) for n in range(1, 5))
        self.b1, self.b2 = (UnitFactory(building=self.b, number=str(n)) for n in range(1, 3))
        self.c1 = UnitFactory(building=self.c, number="1")
        self.anna = person_in(self.a1, first_name="Anna")
        self.tomasz = person_in(self.a1, Membership.Role.TENANT, first_name="Tomasz")
        self.piotr = person_in(self.a2, first_name="Piotr")
        person_in(self.b1, user=self.piotr)
        self.barbara = person_in(self.a3, Membership.Role.BOARD, first_name="Barbara")
        self.celina = person_in(self.b2, first_name="Celina")
        self.zofia = UserFactory(first_name="Zofia")
        MembershipFactory(user=self.zofia, unit=self.a4)
        self.ewa = person_in(self.c1, first_name="Ewa")
        self.olek = UserFactory(first_name="Olek")
        self.everyone = {
            "anna": self.anna,
            "tomasz": self.tomasz,
            "piotr": self.piotr,
            "barbara": self.barbara,
            "celina": self.celina,
            "zofia": self.zofia,
            "ewa": self.ewa,
            "olek": self.olek,
        }


@pytest.fixture
def place(db):
    return Place()


AUDIENCES = {
    "everyone": (lambda p: [], {"anna", "tomasz", "piotr", "barbara", "celina", "ewa"}),
    "estate": (lambda p: [residents.audience_group(estate=p.estate)], {"anna", "tomasz", "piotr", "barbara", "celina"}),
    "building-A": (lambda p: [residents.audience_group(building=p.a)], {"anna", "tomasz", "piotr", "barbara"}),
    "building-B": (lambda p: [residents.audience_group(building=p.b)], {"piotr", "celina"}),
    "owners": (lambda p: [residents.audience_group(role=Audience.Role.OWNERS)], {"anna", "piotr", "celina", "ewa"}),
    "tenants": (lambda p: [residents.audience_group(role=Audience.Role.TENANTS)], {"tomasz"}),
    "board": (lambda p: [residents.audience_group(role=Audience.Role.BOARD)], {"barbara"}),
    "building-C-or-tenants": (
        lambda p: [residents.audience_group(building=p.c), residents.audience_group(role=Audience.Role.TENANTS)],
        {"ewa", "tomasz"},
    ),
}


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_audience_decides_who_sees_and_answers(place, audience):
    groups, inside = AUDIENCES[audience]
    survey = make_survey(audiences=groups(place))
    question(survey, K.YES_NO)
    for name, person in place.everyone.items():
        visible = selectors.surveys_visible_to(person).filter(pk=survey.pk).exists()
        assert visible is (name in inside), (name, "sees")
        assert selectors.in_audience(person, survey) is (name in inside), name
        assert policy.may_view(person, survey) is (name in inside), name
        if name in inside:
            respond(survey, person, {survey.questions.get().pk: True})
        else:
            assert codes(respond, survey, person, {survey.questions.get().pk: True}) == [(E.NOT_IN_AUDIENCE, None)]
    assert Participation.objects.filter(survey=survey).count() == len(inside)


def test_a_draft_and_a_survey_before_or_after_its_window(place):
    survey = make_survey(is_published=False)
    q = question(survey, K.YES_NO)
    assert not selectors.surveys_visible_to(place.anna).filter(pk=survey.pk).exists()
    assert codes(respond, survey, place.anna, {q.pk: True}) == [(E.NOT_FOUND, None)]
    survey.is_published = True
    survey.save()
    early = services.survey_respond
    assert [
        e[0]
        for e in codes(early, survey=survey, person=place.anna, answers={q.pk: True}, now=OPENS - timedelta(seconds=1))
    ] == [E.NOT_OPEN]
    assert [e[0] for e in codes(early, survey=survey, person=place.anna, answers={q.pk: True}, now=CLOSES)] == [
        E.CLOSED
    ]
    services.survey_respond(survey=survey, person=place.anna, answers={q.pk: True}, now=OPENS)
    # Outside the audience, nothing about the window is told.
    assert [e[0] for e in codes(early, survey=survey, person=place.olek, answers={q.pk: True}, now=CLOSES)] == [
        E.NOT_IN_AUDIENCE
    ]


def test_staff_see_every_survey_but_answer_only_as_residents(place):
    staff = SuperUserFactory()
    survey = make_survey(is_published=False)
    q = question(survey, K.YES_NO)
    assert selectors.surveys_visible_to(staff).filter(pk=survey.pk).exists()
    survey.is_published = True
    survey.save()
    assert codes(respond, survey, staff, {q.pk: True}) == [(E.NOT_IN_AUDIENCE, None)]


# --- One answer per person or per unit -------------------------------------------------------


def test_one_answer_per_person(place):
    survey = make_survey()
    q = question(survey, K.SCALE)
    respond(survey, place.anna, {q.pk: 4})
    respond(survey, place.tomasz, {q.pk: 2})  # the other member of A/1 answers too
    respond(survey, place.piotr, {q.pk: 5})  # units in two buildings: no unit needed
    assert codes(respond, survey, place.piotr, {q.pk: 3}) == [(E.ALREADY_ANSWERED, None)]
    assert codes(respond, survey, place.anna, {q.pk: 3}) == [(E.ALREADY_ANSWERED, None)]
    assert Response.objects.filter(survey=survey).count() == 3
    assert Answer.objects.filter(question=q).count() == 3


def test_one_answer_per_unit(place):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.SCALE)
    respond(survey, place.anna, {q.pk: 4})
    assert codes(respond, survey, place.tomasz, {q.pk: 2}) == [(E.ALREADY_ANSWERED, None)]
    # Piotr answers for A/2 and for B/1, each once, and must say which.
    assert codes(respond, survey, place.piotr, {q.pk: 5}) == [(E.UNIT_REQUIRED, "unit")]
    respond(survey, place.piotr, {q.pk: 5}, unit=place.a2)
    respond(survey, place.piotr, {q.pk: 1}, unit=place.b1.pk)
    assert codes(respond, survey, place.piotr, {q.pk: 3}, unit=place.b1) == [(E.ALREADY_ANSWERED, None)]
    assert codes(respond, survey, place.piotr, {q.pk: 3}, unit=place.b2) == [(E.UNIT_INVALID, "unit")]
    assert codes(respond, survey, place.piotr, {q.pk: 3}, unit=place.a1) == [(E.UNIT_INVALID, "unit")]
    assert sorted(Answer.objects.filter(question=q).values_list("number", flat=True)) == [1, 4, 5]
    assert set(Participation.objects.filter(survey=survey).values_list("key", flat=True)) == {
        f"unit:{place.a1.pk}",
        f"unit:{place.a2.pk}",
        f"unit:{place.b1.pk}",
    }
    standing = selectors.answered(place.piotr, [survey])
    assert standing == {survey.pk: True}
    assert selectors.answered(place.tomasz, [survey]) == {survey.pk: True}  # A/1 answered


def test_a_person_with_two_units_has_answered_a_per_unit_survey_only_when_both_have(place):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.YES_NO)
    respond(survey, place.piotr, {q.pk: True}, unit=place.b1)
    assert selectors.answered(place.piotr, [survey]) == {survey.pk: False}
    respond(survey, place.piotr, {q.pk: True}, unit=place.a2)
    assert selectors.answered(place.piotr, [survey]) == {survey.pk: True}


def test_rate_is_rounded_half_up_to_a_tenth(db):
    """One of sixteen units: 6.25 % is shown as 6.3 %, not 6.2 %."""
    building = BuildingFactory(estate=EstateFactory(), code="A")
    people = [person_in(UnitFactory(building=building, number=str(n))) for n in range(1, 17)]
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.YES_NO)
    respond(survey, people[0], {q.pk: True})
    results = selectors.survey_results(survey)
    assert (results.audience, results.rate) == (16, Decimal("6.3"))
    assert [(r.answered, r.audience, r.rate) for r in results.by_building] == [(1, 16, Decimal("6.3"))]


def test_per_unit_survey_for_one_building_needs_no_unit_choice(place):
    survey = make_survey(audiences=[residents.audience_group(building=place.b)], answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.YES_NO)
    respond(survey, place.piotr, {q.pk: False})  # his only unit in building B
    participation = Participation.objects.get(survey=survey)
    assert participation.unit == place.b1
    assert codes(respond, survey, place.piotr, {q.pk: True}, unit=place.a2) == [(E.UNIT_INVALID, "unit")]


def test_a_refused_answer_writes_nothing(place):
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.SCALE)
    assert codes(respond, survey, place.anna, {q.pk: 9}) == [(E.VALUE_INVALID, f"answers.{q.pk}")]
    assert not Participation.objects.filter(survey=survey).exists()
    assert not Response.objects.filter(survey=survey).exists()
    respond(survey, place.tomasz, {q.pk: 3})  # the unit is still free


def test_changing_an_answer_until_the_close(place):
    survey = make_survey(allow_changes=True)
    q = question(survey, K.SCALE)
    first = respond(survey, place.anna, {q.pk: 2})
    changed = services.survey_response_change(survey=survey, person=place.anna, answers={q.pk: 5}, now=DURING)
    assert changed.pk == first.pk
    assert list(Answer.objects.filter(question=q).values_list("number", flat=True)) == [5]
    assert codes(
        services.survey_response_change, survey=survey, person=place.tomasz, answers={q.pk: 1}, now=DURING
    ) == [(E.NOT_ANSWERED, None)]
    assert [
        c
        for c, _ in codes(
            services.survey_response_change, survey=survey, person=place.anna, answers={q.pk: 1}, now=CLOSES
        )
    ] == [E.CLOSED]
    fixed = make_survey(allow_changes=False)
    fq = question(fixed, K.SCALE)
    respond(fixed, place.anna, {fq.pk: 2})
    assert codes(services.survey_response_change, survey=fixed, person=place.anna, answers={fq.pk: 5}, now=DURING) == [
        (E.CHANGE_NOT_ALLOWED, None)
    ]


# --- Anonymous surveys -----------------------------------------------------------------------


def _columns(model) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def test_anonymous_rows_say_nothing_of_who_answered(place):
    survey = make_survey(anonymous=True, everyone=True)
    scale = question(survey, K.SCALE, position=1)
    text = question(survey, K.TEXT, required=False, position=2)
    single = question(survey, K.SINGLE, choices=["tak", "nie"], position=3)
    people = [place.anna, place.tomasz, place.piotr, place.barbara, place.celina, place.ewa]
    choice_ids = list(single.choices.values_list("pk", flat=True))
    for n, person in enumerate(people):
        services.survey_respond(
            survey=survey,
            person=person,
            answers={scale.pk: n % 5 + 1, text.pk: f"uwaga {n}", single.pk: choice_ids[n % 2]},
            now=DURING + timedelta(minutes=7 * n, microseconds=n),
        )
    count_anonymous()
    # What each table holds, column by column.
    assert _columns(Response) == {"id", "survey_id", "participation_id", "submitted_at", "changed_at"}
    assert _columns(Answer) == {"id", "response_id", "question_id", "choice_id", "number", "text"}
    assert _columns(Participation) == {"id", "survey_id", "person_id", "unit_id", "key", "answered_on"}
    responses = list(Response.objects.filter(survey=survey).values())
    assert len(responses) == 6
    for row in responses:
        assert row["participation_id"] is None and row["submitted_at"] is None and row["changed_at"] is None
        assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4
    for row in Answer.objects.filter(question__survey=survey).values():
        assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4
    participations = list(Participation.objects.filter(survey=survey).values())
    assert {row["answered_on"] for row in participations} == {date(2026, 4, 3)}  # the day only, all the same
    assert all(type(row["answered_on"]) is date for row in participations)
    # Nothing joins: no participation names a response, no response a participation.
    assert not Response.objects.filter(survey=survey, participation__isnull=False).exists()
    assert not Response.objects.filter(participation__survey=survey).exists()
    # An anonymous answer is final.
    assert codes(
        services.survey_response_change, survey=survey, person=place.anna, answers={scale.pk: 1}, now=DURING
    ) == [(E.CHANGE_NOT_ALLOWED, None)]
    # The results list the free texts sorted, not in the order people wrote them.
    texts = next(r for r in selectors.survey_results(survey).questions if r.question.pk == text.pk).texts
    assert texts == sorted(texts)


def test_anonymous_storage_order_does_not_pair_responses_with_people(place):
    survey = make_survey(anonymous=True, everyone=True)
    scale = question(survey, K.NPS)
    """No ORDER BY: the rows as the database keeps them. If anonymous responses are stored
    in the order people answered, as participations are (with sequential ids), a plain
    SELECT pairs the n-th answer with the n-th person. Eight people: a shuffled storage
    order matches by chance once in 40320."""
    people = [place.anna, place.tomasz, place.piotr, place.barbara, place.celina, place.ewa]
    people += [person_in(UnitFactory(building=place.b, number=str(n))) for n in (7, 8)]
    for n, person in enumerate(people):
        services.survey_respond(survey=survey, person=person, answers={scale.pk: n}, now=DURING)
    count_anonymous()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.number FROM {Answer._meta.db_table} a JOIN {Response._meta.db_table} r "
            f"ON a.response_id = r.id WHERE r.survey_id = %s",
            [survey.pk],
        )
        in_storage_order = [row[0] for row in cursor.fetchall()]
    by_participation = list(
        Participation.objects.filter(survey=survey).order_by("id").values_list("person_id", flat=True)
    )
    # If the storage order followed the answering order, the n-th answer is the n-th person's.
    paired = dict(zip(by_participation, in_storage_order, strict=True))
    assert paired != {person.pk: n for n, person in enumerate(people)}


def test_live_results_of_an_anonymous_survey_do_not_reveal_one_persons_answer(place):
    """Staff watch live counts and see who answered (participations): if each answer
    showed in the counts at once, comparing the counts before and after one person's
    participation tells what they answered."""
    survey = make_survey(anonymous=True, everyone=True)
    q = question(survey, K.NPS)

    def snapshot():
        result = selectors.survey_results(survey).questions[0]
        return dict(result.distribution), result.answered

    before = snapshot()
    services.survey_respond(survey=survey, person=place.anna, answers={q.pk: 2}, now=DURING)
    assert Participation.objects.filter(survey=survey, person=place.anna).exists()
    assert snapshot() == before, "Anna's answer shows in the live counts the moment she answered"


def test_anonymous_survey_cannot_allow_changes(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_survey(anonymous=True, allow_changes=True)


# --- Question kinds: valid and invalid values -------------------------------------------------


@pytest.fixture
def kinds(place):
    survey = make_survey()
    return survey, {
        K.SINGLE: question(survey, K.SINGLE, required=False, choices=["zieleń", "parking", "plac zabaw"], position=1),
        K.MULTIPLE: question(survey, K.MULTIPLE, required=False, choices=["pn", "wt", "śr"], position=2),
        K.SCALE: question(survey, K.SCALE, required=False, position=3),
        K.NPS: question(survey, K.NPS, required=False, position=4),
        K.TEXT: question(survey, K.TEXT, required=False, position=5),
        K.YES_NO: question(survey, K.YES_NO, required=False, position=6),
    }


def _choice(q, n):
    return list(q.choices.order_by("position").values_list("pk", flat=True))[n]


VALID = [
    (K.SINGLE, lambda q: _choice(q, 0), [("choice", 0)]),
    (K.SINGLE, lambda q: [_choice(q, 2)], [("choice", 2)]),
    (K.MULTIPLE, lambda q: [_choice(q, 0), _choice(q, 2)], [("choice", 0), ("choice", 2)]),
    (K.MULTIPLE, lambda q: [_choice(q, 1)], [("choice", 1)]),
    (K.SCALE, lambda q: 1, [("number", 1)]),
    (K.SCALE, lambda q: 5, [("number", 5)]),
    (K.NPS, lambda q: 0, [("number", 0)]),
    (K.NPS, lambda q: 10, [("number", 10)]),
    (K.TEXT, lambda q: "  Więcej ławek.  ", [("text", "Więcej ławek.")]),
    (K.TEXT, lambda q: "ż" * 2000, [("text", "ż" * 2000)]),
    (K.YES_NO, lambda q: True, [("number", 1)]),
    (K.YES_NO, lambda q: False, [("number", 0)]),
]


@pytest.mark.parametrize(("kind", "value", "stored"), VALID, ids=[f"{k}-{n}" for n, (k, _, _) in enumerate(VALID)])
def test_valid_values_are_stored_as_given(place, kinds, kind, value, stored):
    survey, questions = kinds
    q = questions[kind]
    respond(survey, place.anna, {q.pk: value(q)})
    rows = Answer.objects.filter(question=q).order_by("choice__position")
    got = []
    for row, (what, expected) in zip(rows, stored, strict=True):
        if what == "choice":
            got.append(row.choice.position == expected)
        else:
            got.append(getattr(row, what) == expected)
    assert all(got) and len(rows) == len(stored)


INVALID = [
    (K.SINGLE, lambda q, other: [_choice(q, 0), _choice(q, 1)], E.CHOICE_INVALID),  # two for one
    (K.SINGLE, lambda q, other: _choice(other, 0), E.CHOICE_INVALID),  # another question's choice
    (K.SINGLE, lambda q, other: 10**9, E.CHOICE_INVALID),
    (K.SINGLE, lambda q, other: "zieleń", E.CHOICE_INVALID),
    (K.SINGLE, lambda q, other: _choice(q, 0) + 0.5, E.CHOICE_INVALID),  # not an id, truncated to one
    (K.MULTIPLE, lambda q, other: [_choice(q, 0), _choice(q, 0)], E.CHOICE_INVALID),  # duplicate
    (K.MULTIPLE, lambda q, other: [_choice(q, 0), _choice(other, 1)], E.CHOICE_INVALID),
    (K.MULTIPLE, lambda q, other: [_choice(q, 0), None], E.CHOICE_INVALID),
    (K.SCALE, lambda q, other: 0, E.VALUE_INVALID),
    (K.SCALE, lambda q, other: 6, E.VALUE_INVALID),
    (K.SCALE, lambda q, other: True, E.VALUE_INVALID),  # a bool is no number
    (K.SCALE, lambda q, other: 3.0, E.VALUE_INVALID),
    (K.SCALE, lambda q, other: 2.5, E.VALUE_INVALID),
    (K.SCALE, lambda q, other: "3", E.VALUE_INVALID),
    (K.NPS, lambda q, other: -1, E.VALUE_INVALID),
    (K.NPS, lambda q, other: 11, E.VALUE_INVALID),
    (K.NPS, lambda q, other: False, E.VALUE_INVALID),
    (K.NPS, lambda q, other: [7], E.VALUE_INVALID),
    (K.YES_NO, lambda q, other: 1, E.VALUE_INVALID),  # an int is no yes
    (K.YES_NO, lambda q, other: 0, E.VALUE_INVALID),
    (K.YES_NO, lambda q, other: "tak", E.VALUE_INVALID),
    (K.TEXT, lambda q, other: 5, E.VALUE_INVALID),
    (K.TEXT, lambda q, other: "ż" * 2001, E.VALUE_INVALID),
    (K.TEXT, lambda q, other: ["a"], E.VALUE_INVALID),
]


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    INVALID,
    ids=[
        "single-two-choices",
        "single-other-questions-choice",
        "single-unknown-id",
        "single-label-not-id",
        "single-float-id-truncated",
        "multiple-duplicate",
        "multiple-other-questions-choice",
        "multiple-none-inside",
        "scale-0",
        "scale-6",
        "scale-bool",
        "scale-float-3.0",
        "scale-2.5",
        "scale-str",
        "nps-minus-1",
        "nps-11",
        "nps-bool-false",
        "nps-list",
        "yes_no-int-1",
        "yes_no-int-0",
        "yes_no-str",
        "text-int",
        "text-2001-chars",
        "text-list",
    ],
)
def test_invalid_values_are_refused(place, kinds, kind, value, code):
    survey, questions = kinds
    q = questions[kind]
    other = questions[K.MULTIPLE if kind == K.SINGLE else K.SINGLE]
    assert codes(respond, survey, place.anna, {q.pk: value(q, other)}) == [(code, f"answers.{q.pk}")]
    assert not Response.objects.filter(survey=survey).exists()


def test_a_bool_is_not_the_choice_whose_id_is_one(place, kinds):
    """True == 1 in Python: a yes/no value sent for a single choice must not pick choice 1."""
    survey, questions = kinds
    q = questions[K.SINGLE]
    if not Choice.objects.filter(pk=1).exists():
        Choice.objects.create(pk=1, question=q, label="pierwsza", position=9)
    elif Choice.objects.get(pk=1).question_id != q.pk:
        pytest.skip("choice 1 belongs to another question in this database")
    assert codes(respond, survey, place.anna, {q.pk: True}) == [(E.CHOICE_INVALID, f"answers.{q.pk}")]


def test_required_and_optional_questions_and_every_problem_at_once(place):
    survey = make_survey()
    required_scale = question(survey, K.SCALE, position=1)
    required_multi = question(survey, K.MULTIPLE, choices=["a", "b"], position=2)
    required_text = question(survey, K.TEXT, position=3)
    optional_nps = question(survey, K.NPS, required=False, position=4)
    other_survey = make_survey()
    foreign = question(other_survey, K.SCALE)
    problems = codes(
        respond,
        survey,
        place.anna,
        {required_multi.pk: [], required_text.pk: "   ", optional_nps.pk: 12, foreign.pk: 3},
    )
    assert sorted(problems) == sorted(
        [
            (E.ANSWER_REQUIRED, f"answers.{required_scale.pk}"),
            (E.ANSWER_REQUIRED, f"answers.{required_multi.pk}"),
            (E.ANSWER_REQUIRED, f"answers.{required_text.pk}"),
            (E.VALUE_INVALID, f"answers.{optional_nps.pk}"),
            (E.QUESTION_INVALID, f"answers.{foreign.pk}"),
        ]
    )
    assert not Participation.objects.exists()
    # The optional question left out, or given None: no row for it.
    respond(
        survey,
        place.anna,
        {
            required_scale.pk: 3,
            required_multi.pk: [_choice(required_multi, 1)],
            required_text.pk: "ok",
            optional_nps.pk: None,
        },
    )
    assert not Answer.objects.filter(question=optional_nps).exists()
    assert Answer.objects.filter(response__survey=survey).count() == 3


# --- Results ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distribution", "nps"),
    [
        ({9: 1, 7: 1}, 50),  # 1 promoter of 2
        ({10: 1, 8: 2}, 33),  # 1 of 3: 33.33
        ({9: 2, 7: 1}, 67),  # 2 of 3: 66.67
        ({9: 1, 8: 7}, 13),  # 1 of 8: 12.5, half up
        ({9: 3, 7: 5}, 38),  # 3 of 8: 37.5, half up
        ({9: 5, 6: 1, 7: 2}, 50),  # (5 - 1) / 8
        ({6: 1, 8: 1}, -50),  # 6 is a detractor
        ({0: 1, 10: 1}, 0),
        ({9: 1, 6: 1, 7: 1, 8: 1}, 0),
        ({10: 4}, 100),
        ({0: 3}, -100),
        ({}, None),
    ],
)
def test_net_promoter_score_by_hand(distribution, nps):
    assert selectors.net_promoter_score(distribution) == nps


def test_results_by_hand(place):
    """Eight respondents. Scale: seven 1s and a 2 = 9/8 = 1.125, rounded half up 1.13.
    NPS: one 9 and seven 8s, NPS 1/8 = 12.5 -> 13, average 65/8 = 8.125 -> 8.13."""
    survey = make_survey()
    single = question(survey, K.SINGLE, choices=["X", "Y", "Z"], position=1)
    multi = question(survey, K.MULTIPLE, choices=["a", "b", "c"], position=2)
    scale = question(survey, K.SCALE, position=3)
    nps = question(survey, K.NPS, position=4)
    text = question(survey, K.TEXT, required=False, position=5)
    yes_no = question(survey, K.YES_NO, position=6)
    x, y, _z = (_choice(single, n) for n in range(3))
    a, b, _c = (_choice(multi, n) for n in range(3))
    building = place.a
    people = [place.anna, place.tomasz, place.piotr, place.barbara, place.celina, place.ewa]
    people += [person_in(UnitFactory(building=building, number=str(n))) for n in (5, 6)]
    plan = [
        # single, multiple, scale, nps, text, yes/no
        (x, [a, b], 1, 9, "Więcej zieleni", True),
        (x, [a], 1, 8, "", True),
        (y, [a, b], 1, 8, None, False),
        (x, [a], 1, 8, "Ławki", True),
        (y, [a], 1, 8, None, False),
        (x, [a], 2, 8, "Ale cisza", True),
        (y, [b], 1, 8, None, False),
        (x, [b], 1, 8, None, True),
    ]
    for person, (s, m, sc, n, t, yn) in zip(people, plan, strict=True):
        answers = {single.pk: s, multi.pk: m, scale.pk: sc, nps.pk: n, yes_no.pk: yn}
        if t is not None:
            answers[text.pk] = t
        respond(survey, person, answers)
    results = selectors.survey_results(survey)
    by_q = {r.question.pk: r for r in results.questions}
    assert results.responses == 8
    assert [(c.label, c.count) for c in by_q[single.pk].choices] == [("X", 5), ("Y", 3), ("Z", 0)]
    assert by_q[single.pk].answered == 8
    assert [(c.label, c.count) for c in by_q[multi.pk].choices] == [("a", 6), ("b", 4), ("c", 0)]
    assert by_q[multi.pk].answered == 8  # people, not ticks
    assert by_q[scale.pk].distribution == {1: 7, 2: 1}
    assert by_q[scale.pk].average == Decimal("1.13")
    assert by_q[nps.pk].nps == 13
    assert by_q[nps.pk].average == Decimal("8.13")
    assert by_q[yes_no.pk].distribution == {1: 5, 0: 3}
    assert by_q[text.pk].answered == 3  # "" is no answer
    assert sorted(by_q[text.pk].texts) == ["Ale cisza", "Więcej zieleni", "Ławki"]


def test_response_rate_by_building_per_person(db):
    """A: four people (two share A/1), one answers: 25.0 %. B: three people, two answer:
    66.7 %. All: 3 of 7 = 42.857 -> 42.9 %."""
    estate = EstateFactory()
    a = BuildingFactory(estate=estate, code="A")
    b = BuildingFactory(estate=estate, code="B")
    a1 = UnitFactory(building=a, number="1")
    in_a = [person_in(a1), person_in(a1, Membership.Role.TENANT)]
    in_a += [person_in(UnitFactory(building=a, number=str(n))) for n in (2, 3)]
    in_b = [person_in(UnitFactory(building=b, number=str(n))) for n in (1, 2, 3)]
    survey = make_survey(audiences=[residents.audience_group(estate=estate)])
    q = question(survey, K.YES_NO)
    for person in [in_a[1], in_b[0], in_b[2]]:
        respond(survey, person, {q.pk: True})
    results = selectors.survey_results(survey)
    assert (results.responses, results.audience, results.rate) == (3, 7, Decimal("42.9"))
    rates = [(r.building.code, r.answered, r.audience, r.rate) for r in results.by_building]
    assert rates == [("A", 1, 4, Decimal("25.0")), ("B", 2, 3, Decimal("66.7"))]


def test_response_rate_by_building_per_unit(db):
    """Per unit: A has three units (A/1 with two people), two answered: 66.7 %; B one unit
    of one: 100.0 %. All: 3 of 4 = 75.0 %."""
    estate = EstateFactory()
    a = BuildingFactory(estate=estate, code="A")
    b = BuildingFactory(estate=estate, code="B")
    a1 = UnitFactory(building=a, number="1")
    anna, tomasz = person_in(a1), person_in(a1, Membership.Role.TENANT)
    jan = person_in(UnitFactory(building=a, number="2"))
    person_in(UnitFactory(building=a, number="3"))
    ola = person_in(UnitFactory(building=b, number="1"))
    survey = make_survey(answer_by=Survey.AnswerBy.UNIT)
    q = question(survey, K.YES_NO)
    respond(survey, anna, {q.pk: True})
    assert codes(respond, survey, tomasz, {q.pk: False}) == [(E.ALREADY_ANSWERED, None)]
    respond(survey, jan, {q.pk: False})
    respond(survey, ola, {q.pk: False})
    results = selectors.survey_results(survey)
    assert (results.responses, results.audience, results.rate) == (3, 4, Decimal("75.0"))
    rates = [(r.building.code, r.answered, r.audience, r.rate) for r in results.by_building]
    assert rates == [("A", 2, 3, Decimal("66.7")), ("B", 1, 1, Decimal("100.0"))]


def test_results_for_residents_only_after_the_close_where_allowed(place):
    survey = make_survey()
    question(survey, K.YES_NO)
    staff = SuperUserFactory()
    assert policy.may_see_results(staff, survey, now=DURING)
    assert not policy.may_see_results(place.anna, survey, now=DURING)
    assert policy.may_see_results(place.anna, survey, now=CLOSES)
    assert not policy.may_see_results(place.olek, survey, now=CLOSES)
    hidden = make_survey(results_to_residents=False)
    assert not policy.may_see_results(place.anna, hidden, now=CLOSES)


# --- Query counts ----------------------------------------------------------------------------


def _build(place, questions: int, choices: int, people: list) -> Survey:
    survey = make_survey()
    made = []
    for n in range(questions):
        kind = [K.SINGLE, K.MULTIPLE, K.SCALE, K.NPS, K.TEXT, K.YES_NO][n % 6]
        labels = [f"odp {i}" for i in range(choices)] if kind in Question.CHOICE_KINDS else []
        made.append(question(survey, kind, choices=labels, position=n))
    values = {K.SCALE: 3, K.NPS: 9, K.TEXT: "tekst", K.YES_NO: True}
    for person in people:
        answers = {}
        for q in made:
            if q.kind == K.SINGLE:
                answers[q.pk] = _choice(q, 0)
            elif q.kind == K.MULTIPLE:
                answers[q.pk] = [_choice(q, i) for i in range(choices)]
            else:
                answers[q.pk] = values[q.kind]
        respond(survey, person, answers)
    return survey


def _results_queries(survey) -> int:
    survey = Survey.objects.get(pk=survey.pk)
    with CaptureQueriesContext(connection) as captured:
        results = selectors.survey_results(survey)
        # Use everything, as a results page does.
        for r in results.questions:
            list(r.choices), r.average, r.nps, list(r.texts), r.question.text
        rates = [(rate.building.code, rate.rate) for rate in results.by_building]
        assert rates
    return len(captured.captured_queries)


def test_results_queries_do_not_grow(place):
    small = _build(place, questions=2, choices=2, people=[place.anna, place.tomasz])
    big = _build(
        place,
        questions=12,
        choices=6,
        people=[place.anna, place.tomasz, place.piotr, place.barbara, place.celina, place.ewa],
    )
    assert _results_queries(big) == _results_queries(small)


def test_answered_queries_do_not_grow_with_surveys(place):
    few = [make_survey() for _ in range(2)]
    many = few + [make_survey(answer_by=Survey.AnswerBy.UNIT) for _ in range(8)]
    with CaptureQueriesContext(connection) as captured:
        selectors.answered(place.piotr, few)
    first = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        selectors.answered(place.piotr, many)
    assert len(captured.captured_queries) == first
