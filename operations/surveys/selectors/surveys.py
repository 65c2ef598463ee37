"""Every read of surveys that depends on who asks, and the results.

Who is in a survey's audience (models.py): a live membership that falls in any chosen
audience group — its unit's estate or building, or its role — or any live membership when
the survey is for everyone signed in. Staff with `surveys.view_survey` see every survey,
drafts included, and never answer as staff; a contractor's worker is never staff here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from cms.contractors.models import ContractorStaff
from operations.residents.models import Audience, Building, Membership, Unit

from ..models import Answer, Participation, Question, SealedBallot, Survey

Person = AbstractBaseUser | AnonymousUser | None

# The role audiences residents belong to, and the membership role each stands for.
ROLE_AUDIENCE_MEMBERSHIP = {
    Audience.Role.OWNERS: Membership.Role.OWNER,
    Audience.Role.TENANTS: Membership.Role.TENANT,
    Audience.Role.BOARD: Membership.Role.BOARD,
}


def _signed_in(person: Person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def is_survey_staff(person: Person) -> bool:
    return (
        _signed_in(person)
        and person.has_perm("surveys.view_survey")
        and not ContractorStaff.objects.filter(user=person).exists()
    )


def sees_live_results(person: Person) -> bool:
    return is_survey_staff(person) and person.has_perm("surveys.view_survey_results")


def falls_in_audience(survey: Survey, audiences, *, estate_id, building_id, role) -> bool:
    """`audience_condition` for one live membership already in memory (its unit's estate
    and building, its role) against the survey's chosen `audiences` (Audience rows): the
    same rule, for lists that work a page of surveys out in Python."""
    return survey.audience_everyone or any(
        a.estate_id == estate_id or a.building_id == building_id or ROLE_AUDIENCE_MEMBERSHIP.get(a.role) == role
        for a in audiences
    )


def audience_condition(survey: Survey) -> Q:
    """The condition on `Membership` (live ones) of falling in the survey's audience."""
    if survey.audience_everyone:
        return Q()
    audiences = list(Audience.objects.filter(group__in=survey.audiences.all()))
    estates = [a.estate_id for a in audiences if a.estate_id]
    buildings = [a.building_id for a in audiences if a.building_id]
    roles = [ROLE_AUDIENCE_MEMBERSHIP[a.role] for a in audiences if a.role in ROLE_AUDIENCE_MEMBERSHIP]
    if not (estates or buildings or roles):
        return Q(pk__in=[])  # only staff or firms chosen: no resident answers
    return Q(unit__building__estate_id__in=estates) | Q(unit__building_id__in=buildings) | Q(role__in=roles)


def audience_memberships(survey: Survey) -> QuerySet[Membership]:
    return Membership.objects.live().filter(audience_condition(survey))


def units_answering_for(person: Person, survey: Survey) -> list[Unit]:
    """The units through which `person` is in the survey's audience, in a fixed order."""
    if not _signed_in(person):
        return []
    units = Unit.objects.filter(pk__in=audience_memberships(survey).filter(user=person).values("unit_id"))
    return list(units.select_related("building").order_by("building__code", "number", "pk"))


def in_audience(person: Person, survey: Survey) -> bool:
    return _signed_in(person) and audience_memberships(survey).filter(user=person).exists()


def surveys_visible_to(person: Person) -> QuerySet[Survey]:
    """Published surveys whose audience the person is in; every survey for survey staff."""
    if not _signed_in(person):
        return Survey.objects.none()
    if is_survey_staff(person):
        return Survey.objects.all()
    live = Membership.objects.live().filter(user=person)
    if not live.exists():
        return Survey.objects.none()
    roles = [audience for audience, role in ROLE_AUDIENCE_MEMBERSHIP.items() if live.filter(role=role).exists()]
    groups = Audience.objects.filter(
        Q(estate_id__in=live.values("unit__building__estate_id"))
        | Q(building_id__in=live.values("unit__building_id"))
        | Q(role__in=roles)
    ).values("group_id")
    chosen = Survey.audiences.through.objects.filter(group_id__in=groups).values("survey_id")
    return Survey.objects.filter(is_published=True).filter(Q(audience_everyone=True) | Q(pk__in=chosen))


def participation_key(survey: Survey, person, unit: Unit) -> str:
    return f"unit:{unit.pk}" if survey.answer_by == Survey.AnswerBy.UNIT else f"person:{person.pk}"


def participation_of(person: Person, survey: Survey) -> Participation | None:
    """The person's own participation (in a per-unit survey, the one they submitted)."""
    if not _signed_in(person):
        return None
    return Participation.objects.filter(survey_id=survey.pk, person=person).first()


def answered(person: Person, surveys: list[Survey]) -> dict[int, bool]:
    """For each survey, whether the person has nothing left to answer: they answered a
    per-person survey, or every unit they answer for in a per-unit one has an answer.
    Three queries for any number of surveys (lists show it on every row)."""
    surveys = list(surveys)
    if not _signed_in(person) or not surveys:
        return {survey.pk: False for survey in surveys}
    memberships = list(
        Membership.objects.live()
        .filter(user=person)
        .values_list("unit_id", "unit__building_id", "unit__building__estate_id", "role")
    )
    chosen: dict[int, list[Audience]] = {}
    rows = Survey.audiences.through.objects.filter(survey_id__in=[s.pk for s in surveys]).select_related(
        "group__audience"
    )
    for row in rows:
        audience = getattr(row.group, "audience", None)
        if audience is not None:
            chosen.setdefault(row.survey_id, []).append(audience)
    units = {unit for unit, *_ in memberships}
    done: dict[int, set[str]] = {}
    for survey_id, key in (
        Participation.objects.filter(survey__in=surveys)
        .filter(Q(person=person) | Q(unit_id__in=units))
        .values_list("survey_id", "key")
    ):
        done.setdefault(survey_id, set()).add(key)
    result = {}
    for survey in surveys:
        keys = done.get(survey.pk, set())
        if survey.answer_by == Survey.AnswerBy.PERSON:
            result[survey.pk] = f"person:{person.pk}" in keys
            continue
        eligible = {
            unit
            for unit, building, estate, role in memberships
            if falls_in_audience(survey, chosen.get(survey.pk, []), estate_id=estate, building_id=building, role=role)
        }
        result[survey.pk] = bool(eligible) and all(f"unit:{unit}" in keys for unit in eligible)
    return result


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    choice_id: int
    label: str
    count: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # responses that answered it
    choices: list[ChoiceCount] = field(default_factory=list)
    distribution: dict[int, int] = field(default_factory=dict)  # scale, 0–10, yes (1) / no (0)
    average: Decimal | None = None
    nps: int | None = None
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuildingRate:
    building: Building
    answered: int
    audience: int

    @property
    def rate(self) -> Decimal:
        if not self.audience:
            return Decimal("0")
        return (Decimal(self.answered) * 100 / self.audience).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int  # people (or units) who answered
    sealed: int  # of those, anonymous answers not counted yet (counted in batches)
    audience: int
    questions: list[QuestionResult]
    by_building: list[BuildingRate]

    @property
    def rate(self) -> Decimal:
        if not self.audience:
            return Decimal("0")
        return (Decimal(self.responses) * 100 / self.audience).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def net_promoter_score(distribution: dict[int, int]) -> int | None:
    """Promoters (9–10) less detractors (0–6), in percent of everyone who answered,
    rounded half up; None when nobody answered."""
    total = sum(distribution.values())
    if not total:
        return None
    promoters = sum(count for score, count in distribution.items() if score >= 9)
    detractors = sum(count for score, count in distribution.items() if score <= 6)
    return int((Decimal(promoters - detractors) * 100 / total).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def survey_results(survey: Survey) -> SurveyResults:
    """Counts per choice and value, averages, NPS, the free texts (sorted, so their order
    says nothing of who wrote them first) and the response rate by building, in a fixed
    number of queries whatever the number of questions, choices and responses. An
    anonymous survey's answers count once their batch is sealed (`sealed` says how many
    wait), so that nobody can watch the results to learn what the last person answered."""
    # Read afresh, never through the survey object: the API may hand over a survey whose
    # relations the optimizer prefetched for a whole page (review: every survey's questions
    # came back).
    questions = list(Question.objects.filter(survey_id=survey.pk).prefetch_related("choices"))
    results = {q.pk: QuestionResult(question=q) for q in questions}
    answers = Answer.objects.filter(question__survey=survey)
    counts = answers.values("question_id", "choice_id", "number").annotate(n=Count("pk")).order_by()
    per_choice: dict[tuple[int, int], int] = {}
    for row in counts:
        result = results[row["question_id"]]
        if row["choice_id"] is not None:
            per_choice[(row["question_id"], row["choice_id"])] = row["n"]
        elif row["number"] is not None:
            result.distribution[row["number"]] = result.distribution.get(row["number"], 0) + row["n"]
    answered = answers.values("question_id").annotate(n=Count("response_id", distinct=True)).order_by()
    for row in answered:
        results[row["question_id"]].answered = row["n"]
    texts = answers.filter(question__kind=Question.Kind.TEXT).exclude(text="").order_by("question_id", "text")
    for question_id, text in texts.values_list("question_id", "text"):
        results[question_id].texts.append(text)
    for question in questions:
        result = results[question.pk]
        result.choices = [
            ChoiceCount(choice.pk, choice.label, per_choice.get((question.pk, choice.pk), 0))
            for choice in question.choices.all()
        ]
        if question.kind in (Question.Kind.SCALE, Question.Kind.NPS) and result.distribution:
            total = sum(result.distribution.values())
            score = sum(value * count for value, count in result.distribution.items())
            result.average = (Decimal(score) / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if question.kind == Question.Kind.NPS:
            result.nps = net_promoter_score(result.distribution)
    return SurveyResults(
        survey=survey,
        responses=Participation.objects.filter(survey_id=survey.pk).count(),
        sealed=SealedBallot.objects.filter(survey_id=survey.pk).count() if survey.anonymous else 0,
        audience=_audience_size(survey),
        questions=[results[q.pk] for q in questions],
        by_building=_rates_by_building(survey),
    )


def _counted(survey: Survey) -> str:
    return "unit_id" if survey.answer_by == Survey.AnswerBy.UNIT else "user_id"


def _audience_size(survey: Survey) -> int:
    return audience_memberships(survey).values(_counted(survey)).distinct().count()


def _rates_by_building(survey: Survey) -> list[BuildingRate]:
    audience = dict(
        audience_memberships(survey)
        .values("unit__building_id")
        .annotate(n=Count(_counted(survey), distinct=True))
        .values_list("unit__building_id", "n")
        .order_by()
    )
    answered = dict(
        Participation.objects.filter(survey_id=survey.pk)
        .values("unit__building_id")
        .annotate(n=Count("pk"))
        .values_list("unit__building_id", "n")
        .order_by()
    )
    buildings = Building.objects.filter(pk__in=set(audience) | set(answered)).order_by("code")
    return [BuildingRate(b, answered.get(b.pk, 0), audience.get(b.pk, 0)) for b in buildings]
