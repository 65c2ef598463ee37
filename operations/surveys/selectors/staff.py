"""Reads for the staff's screens (the admin): who counts as survey or resolution staff
there (never a contractor's worker), the lists with their counts in one query, the
electorate and votes of a resolution, and the situation centre's figures in a fixed
number of queries whatever the number of surveys, resolutions, members and votes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cms.contractors.models import ContractorStaff
from operations.residents.models import Audience, Membership

from ..models import Answer, Choice, Participation, Question, Resolution, Seat, Survey, Vote
from .resolutions import TALLY_ORDER, _adopted
from .surveys import Person, _signed_in, falls_in_audience


def is_firm_worker(person: Person) -> bool:
    return _signed_in(person) and ContractorStaff.objects.filter(user=person).exists()


def staff_may(person: Person, permission: str) -> bool:
    """A permission of the surveys app, in the admin: never for a contractor's worker."""
    return _signed_in(person) and person.has_perm(permission) and not is_firm_worker(person)


def sees_surveys(person: Person) -> bool:
    return staff_may(person, "surveys.view_survey")


def sees_resolutions(person: Person) -> bool:
    return staff_may(person, "surveys.view_resolution")


def sees_ballots(person: Person) -> bool:
    """Ballot scans: staff who see resolutions and record paper votes."""
    return sees_resolutions(person) and person.has_perm("surveys.record_paper_vote")


def _count_of(queryset, column: str) -> Subquery:
    return Coalesce(
        Subquery(queryset.values(column).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
    )


def survey_rows() -> QuerySet[Survey]:
    """Every survey with its number of responses and questions (one query for the list)."""
    return Survey.objects.annotate(
        response_count=_count_of(Participation.objects.filter(survey=OuterRef("pk")).order_by(), "survey"),
        question_count=_count_of(Survey.questions.rel.related_model.objects.filter(survey=OuterRef("pk")), "survey"),
    )


def resolution_rows() -> QuerySet[Resolution]:
    """Every resolution with its rule, the number of seats and of votes (one query)."""
    return Resolution.objects.select_related("rule").annotate(
        seat_count=_count_of(Seat.objects.filter(resolution=OuterRef("pk")).order_by(), "resolution"),
        vote_count=_count_of(Vote.objects.filter(resolution=OuterRef("pk")).order_by(), "resolution"),
    )


@dataclass
class AnswerRow:
    """One response's answers by question: (choice label, number, text) each. Named
    surveys also say who, for which unit and when; anonymous ones leave those None."""

    answers: dict[int, list[tuple]]
    person: object = None
    unit: object = None
    submitted_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass
class AnswerSheet:
    questions: list[Question]
    rows: list[AnswerRow]


def survey_answer_sheet(survey: Survey) -> AnswerSheet:
    """Every response's answers, in three queries whatever their number. An anonymous
    survey's rows carry nothing but the answers, in no order of answering (its responses'
    ids are random); callers sort them by the answers before showing them."""
    questions = list(survey.questions.order_by("position", "pk"))
    by_response: dict = defaultdict(lambda: defaultdict(list))
    answers = (
        Answer.objects.filter(response__survey=survey)
        .order_by("question__position", "choice__position", "pk")
        .values_list("response_id", "question_id", "choice__label", "number", "text")
    )
    for response_id, question_id, label, number, text in answers:
        by_response[response_id][question_id].append((label, number, text))
    if survey.anonymous:
        ids = survey.responses.values_list("pk", flat=True)
        return AnswerSheet(questions, [AnswerRow(dict(by_response.get(pk, {}))) for pk in ids])
    responses = survey.responses.select_related("participation__person", "participation__unit__building").order_by(
        "submitted_at", "pk"
    )
    rows = []
    for response in responses:
        participation = response.participation
        rows.append(
            AnswerRow(
                dict(by_response.get(response.pk, {})),
                person=participation.person if participation else None,
                unit=participation.unit if participation else None,
                submitted_at=response.submitted_at,
                changed_at=response.changed_at,
            )
        )
    return AnswerSheet(questions, rows)


def choice_labels(question_ids: list[int]) -> dict[int, list[str]]:
    """The questions' choices in order, by question (one query)."""
    labels: dict[int, list[str]] = defaultdict(list)
    rows = Choice.objects.filter(question_id__in=question_ids).order_by("position", "pk")
    for question_id, label in rows.values_list("question_id", "label"):
        labels[question_id].append(label)
    return labels


def has_answers(survey: Survey) -> bool:
    return Participation.objects.filter(survey=survey).exists()


def electorate(resolution: Resolution) -> list[Seat]:
    """The seats with their units, holders and proxy, and the last vote of each (as
    `seat.last_vote`), in four queries whatever their number."""
    seats = list(resolution.seats.select_related("proxy").prefetch_related("holders", "units__building"))
    last: dict[int, Vote] = {}
    for vote in resolution.votes.order_by(*TALLY_ORDER):  # the latest cast counts
        last[vote.seat_id] = vote
    for seat in seats:
        seat.last_vote = last.get(seat.pk)
    return seats


def votes_of(resolution: Resolution) -> QuerySet[Vote]:
    """The votes in the order they were cast, with whoever cast and recorded them (one query)."""
    return resolution.votes.select_related("seat", "cast_by", "recorded_by").order_by("sequence")


# --- the situation centre ----------------------------------------------------------------------


@dataclass
class OpenSurvey:
    survey: Survey
    answered: int
    audience: int


@dataclass
class VotingResolution:
    resolution: Resolution
    seats: int
    seats_voted: int
    weight_for: Decimal
    weight_against: Decimal
    adopted_now: bool


@dataclass
class SurveysSituation:
    open_surveys: list[OpenSurvey] = field(default_factory=list)
    voting: list[VotingResolution] = field(default_factory=list)
    challengeable: list[Resolution] = field(default_factory=list)


def _audience_sizes(surveys: list[Survey]) -> dict[int, int]:
    """Each survey's audience (people, or units for per-unit surveys) from one read of
    the live memberships and one of the chosen groups."""
    if not surveys:
        return {}
    chosen: dict[int, list[Audience]] = defaultdict(list)
    rows = Survey.audiences.through.objects.filter(survey_id__in=[s.pk for s in surveys]).select_related(
        "group__audience"
    )
    for row in rows:
        audience = getattr(row.group, "audience", None)
        if audience is not None:
            chosen[row.survey_id].append(audience)
    memberships = list(
        Membership.objects.live().values_list(
            "user_id", "unit_id", "unit__building_id", "unit__building__estate_id", "role"
        )
    )
    sizes = {}
    for survey in surveys:
        counted = set()
        for user, unit, building, estate, role in memberships:
            if falls_in_audience(survey, chosen.get(survey.pk, []), estate_id=estate, building_id=building, role=role):
                counted.add(unit if survey.answer_by == Survey.AnswerBy.UNIT else user)
        sizes[survey.pk] = len(counted)
    return sizes


def surveys_situation(person: Person, *, now: datetime | None = None, today: date | None = None) -> SurveysSituation:
    """Open surveys with their answers against their audience; resolutions in voting with
    their state now; closed ones still within the challenge window. What the person may
    see of the three; a fixed number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    situation = SurveysSituation()
    if sees_surveys(person):
        surveys = list(filter_open(Survey.objects.all(), now).order_by("closes_at", "pk"))
        answered = dict(
            Participation.objects.filter(survey__in=surveys)
            .values("survey_id")
            .annotate(n=Count("pk"))
            .values_list("survey_id", "n")
            .order_by()
        )
        sizes = _audience_sizes(surveys)
        situation.open_surveys = [OpenSurvey(s, answered.get(s.pk, 0), sizes.get(s.pk, 0)) for s in surveys]
    if sees_resolutions(person):
        voting = list(
            Resolution.objects.filter(state=Resolution.State.OPEN).select_related("rule").order_by("closes_at", "pk")
        )
        seats = dict(
            Seat.objects.filter(resolution__in=voting)
            .values("resolution_id")
            .annotate(n=Count("pk"))
            .values_list("resolution_id", "n")
            .order_by()
        )
        current: dict[int, dict[int, tuple[str, Decimal]]] = defaultdict(dict)
        # Each seat's latest declaration by when it was cast, as the tally counts it: a
        # paper ballot entered late but signed early is not the one that counts (review:
        # by the log's order the panel showed the opposite majority).
        for resolution_id, seat_id, choice, weight in (
            Vote.objects.filter(resolution__in=voting)
            .order_by("resolution_id", *TALLY_ORDER)
            .values_list("resolution_id", "seat_id", "choice", "weight")
        ):
            current[resolution_id][seat_id] = (choice, weight)
        for resolution in voting:
            votes = current.get(resolution.pk, {}).values()
            weight_for = sum((w for c, w in votes if c == Vote.Choice.FOR), Decimal(0))
            weight_against = sum((w for c, w in votes if c == Vote.Choice.AGAINST), Decimal(0))
            situation.voting.append(
                VotingResolution(
                    resolution,
                    seats.get(resolution.pk, 0),
                    len(current.get(resolution.pk, {})),
                    weight_for,
                    weight_against,
                    _adopted(resolution.rule.base, resolution.total_weight, weight_for, weight_against),
                )
            )
        situation.challengeable = list(
            filter_challengeable(Resolution.objects.all(), today).order_by("challenge_until", "pk")
        )
    return situation


def filter_open(queryset: QuerySet[Survey], now: datetime | None = None) -> QuerySet[Survey]:
    """Surveys open now: what the situation centre counts as open."""
    now = now or timezone.now()
    return queryset.filter(Q(is_published=True, opens_at__lte=now, closes_at__gt=now))


def filter_challengeable(queryset: QuerySet[Resolution], today: date | None = None) -> QuerySet[Resolution]:
    """Closed resolutions whose six weeks to challenge them have not ended."""
    today = today or timezone.localdate()
    return queryset.filter(state=Resolution.State.CLOSED, challenge_until__gte=today)
