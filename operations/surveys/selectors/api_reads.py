"""Reads the API asks for a whole page at once: the surveys and resolutions lists in their
order (open first), where each viewer stands with each survey of a page (the units they
may still answer for, whether they answered themselves) and each resolution of a page
(their seats, whether each has voted and, for their own votes, how), and the tallies of a
page of resolutions. A fixed number of queries whatever the number of rows.

They build on `surveys` and `resolutions` of this package and say nothing of GraphQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from operations.residents.models import Audience, Membership, Unit

from ..models import Answer, Participation, Question, Resolution, Seat, Survey, Vote
from .resolutions import TALLY_COLUMNS, TALLY_ORDER, Tally, count_votes, resolutions_visible_to
from .surveys import Person, _signed_in, falls_in_audience, surveys_visible_to

# --- surveys ---------------------------------------------------------------------------------

DRAFT, UPCOMING, OPEN, CLOSED = "DRAFT", "UPCOMING", "OPEN", "CLOSED"


def survey_state(survey: Survey, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if not survey.is_published:
        return DRAFT
    if now < survey.opens_at:
        return UPCOMING
    if now >= survey.closes_at:
        return CLOSED
    return OPEN


def _survey_state_condition(state: str, now: datetime) -> Q:
    return {
        DRAFT: Q(is_published=False),
        UPCOMING: Q(is_published=True, opens_at__gt=now),
        OPEN: Q(is_published=True, opens_at__lte=now, closes_at__gt=now),
        CLOSED: Q(is_published=True, closes_at__lte=now),
    }[state]


def surveys_list(person: Person, *, state: str | None = None, now: datetime | None = None) -> QuerySet[Survey]:
    """The surveys the person sees: open ones first (closing soonest first), then those
    still to open (opening soonest first), then closed ones (latest first); drafts, which
    only survey staff see, last."""
    now = now or timezone.now()
    surveys = surveys_visible_to(person)
    if state is not None:
        surveys = surveys.filter(_survey_state_condition(state, now))
    rank = Case(
        When(_survey_state_condition(OPEN, now), then=Value(0)),
        When(_survey_state_condition(UPCOMING, now), then=Value(1)),
        When(_survey_state_condition(CLOSED, now), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    soonest = Case(
        When(_survey_state_condition(OPEN, now), then="closes_at"),
        When(_survey_state_condition(UPCOMING, now), then="opens_at"),
        default=None,
    )
    return surveys.annotate(list_rank=rank, list_soonest=soonest).order_by(
        "list_rank", "list_soonest", "-closes_at", "-pk"
    )


@dataclass
class SurveyStanding:
    """Where a person stands with one survey: the units through which they are in its
    audience (in a fixed order), those that have an answer (per-unit surveys), and
    whether they answered it themselves (the answer they may change)."""

    units: list[Unit] = field(default_factory=list)
    answered_unit_ids: set[int] = field(default_factory=set)
    my_unit_ids: set[int] = field(default_factory=set)  # the units the person answered for
    answered_by_me: bool = False

    @property
    def in_audience(self) -> bool:
        return bool(self.units)

    def units_left(self, survey: Survey) -> list[Unit]:
        if survey.answer_by != Survey.AnswerBy.UNIT:
            return []
        return [unit for unit in self.units if unit.pk not in self.answered_unit_ids]


def survey_standings(person: Person, surveys: list[Survey]) -> dict[int, SurveyStanding]:
    """`SurveyStanding` for each survey; three queries for any number of surveys."""
    surveys = list(surveys)
    result = {survey.pk: SurveyStanding() for survey in surveys}
    if not _signed_in(person) or not surveys:
        return result
    memberships = list(
        Membership.objects.live()
        .filter(user=person)
        .select_related("unit__building__estate")
        .order_by("unit__building__code", "unit__number", "unit_id")
    )
    chosen: dict[int, list[Audience]] = defaultdict(list)
    rows = Survey.audiences.through.objects.filter(survey_id__in=list(result)).select_related("group__audience")
    for row in rows:
        audience = getattr(row.group, "audience", None)
        if audience is not None:
            chosen[row.survey_id].append(audience)
    unit_ids = {m.unit_id for m in memberships}
    participations = list(
        Participation.objects.filter(survey_id__in=list(result))
        .filter(Q(person=person) | Q(unit_id__in=unit_ids))
        .values_list("survey_id", "person_id", "unit_id")
    )
    for survey in surveys:
        standing = result[survey.pk]
        seen: set[int] = set()
        for membership in memberships:
            unit = membership.unit
            if unit.pk in seen:
                continue
            if falls_in_audience(
                survey,
                chosen.get(survey.pk, []),
                estate_id=unit.building.estate_id,
                building_id=unit.building_id,
                role=membership.role,
            ):
                seen.add(unit.pk)
                standing.units.append(unit)
    per_unit = {survey.pk for survey in surveys if survey.answer_by == Survey.AnswerBy.UNIT}
    for survey_id, person_id, unit_id in participations:
        standing = result[survey_id]
        # In a per-unit survey the answer is the unit's: theirs to change only while they
        # still answer for that unit (review: one who moved out rewrote the new household's).
        mine = survey_id not in per_unit or any(unit.pk == unit_id for unit in standing.units)
        if person_id == person.pk and mine:
            standing.answered_by_me = True
            standing.my_unit_ids.add(unit_id)
        standing.answered_unit_ids.add(unit_id)
    return result


@dataclass
class MyAnswer:
    """The answer the person gave to one question, in `surveyRespond`'s terms: the chosen
    choices (SINGLE, MULTIPLE), the number (SCALE, NPS), yes or no (YES_NO) or the text."""

    question_id: int
    unit_id: int
    choice_ids: list[int] = field(default_factory=list)
    number: int | None = None
    yes: bool | None = None
    text: str | None = None


def my_answers(
    person: Person, surveys: list[Survey], standings: dict[int, SurveyStanding]
) -> dict[int, list[MyAnswer]]:
    """The answers the person gave and may change, for each survey (`SurveyStanding` from
    `survey_standings`): their own response in a per-person survey, the responses they gave
    for units they still answer for in a per-unit survey; only where the survey allows
    changes, never in an anonymous one (nothing ties its answers to anyone). The caller
    passes the surveys whose answer the person may change now (`policy.answering_open`).
    In the order of the units, questions and choices. One query for any number of surveys,
    none when nothing can be changed."""
    result: dict[int, list[MyAnswer]] = {survey.pk: [] for survey in surveys}
    if not _signed_in(person):
        return result
    units: dict[int, set[int] | None] = {}  # survey → the units its answers may be for (None: any)
    for survey in surveys:
        standing = standings.get(survey.pk)
        if survey.anonymous or not survey.allow_changes or standing is None or not standing.answered_by_me:
            continue
        units[survey.pk] = set(standing.my_unit_ids) if survey.answer_by == Survey.AnswerBy.UNIT else None
    if not units:
        return result
    rows = (
        Answer.objects.filter(
            response__survey_id__in=list(units),
            response__survey__anonymous=False,
            response__participation__person=person,
        )
        .order_by(
            "response__participation__unit_id", "question__position", "question_id", "choice__position", "choice_id"
        )
        .values_list(
            "response__survey_id",
            "response__participation__unit_id",
            "question_id",
            "question__kind",
            "choice_id",
            "number",
            "text",
        )
    )
    by_question: dict[tuple[int, int, int], MyAnswer] = {}
    for survey_id, unit_id, question_id, kind, choice_id, number, text in rows:
        allowed = units[survey_id]
        if allowed is not None and unit_id not in allowed:
            continue  # a unit they no longer answer for: the household's now, not theirs
        answer = by_question.get((survey_id, unit_id, question_id))
        if answer is None:
            answer = by_question[(survey_id, unit_id, question_id)] = MyAnswer(question_id=question_id, unit_id=unit_id)
            result[survey_id].append(answer)
        if choice_id is not None:
            answer.choice_ids.append(choice_id)
        elif kind == Question.Kind.YES_NO:
            answer.yes = None if number is None else bool(number)
        elif number is not None:
            answer.number = number
        else:
            answer.text = text
    return result


# --- resolutions -----------------------------------------------------------------------------


def resolutions_list(person: Person, *, state: str | None = None) -> QuerySet[Resolution]:
    """The resolutions the person sees: voting now first (closing soonest first), then
    announced ones (opening soonest first), then closed ones (latest first), drafts last."""
    resolutions = resolutions_visible_to(person)
    if state is not None:
        resolutions = resolutions.filter(state=state)
    S = Resolution.State
    rank = Case(
        When(state=S.OPEN, then=Value(0)),
        When(state=S.SCHEDULED, then=Value(1)),
        When(state=S.CLOSED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    soonest = Case(When(state=S.OPEN, then="closes_at"), When(state=S.SCHEDULED, then="opens_at"), default=None)
    return resolutions.annotate(list_rank=rank, list_soonest=soonest).order_by(
        "list_rank", "list_soonest", "-closes_at", "-pk"
    )


@dataclass
class SeatStanding:
    """One seat the person casts the vote of, and its current (last) vote: whether it
    voted, when and how it came (online, paper), and its choice only when the person cast
    it themselves (a co-owner's or a paper vote is someone else's to tell)."""

    seat: Seat
    as_proxy: bool
    voted: bool = False
    voted_at: datetime | None = None
    channel: str | None = None
    by_me: bool = False
    my_choice: str | None = None


def seat_standings(person: Person, resolutions: list[Resolution]) -> dict[int, list[SeatStanding]]:
    """The person's seats in each resolution (as `seats_of` gives them) with their votes;
    two queries for any number of resolutions and seats."""
    resolutions = list(resolutions)
    result: dict[int, list[SeatStanding]] = {resolution.pk: [] for resolution in resolutions}
    if not _signed_in(person) or not resolutions:
        return result
    seats = list(
        Seat.objects.filter(resolution_id__in=list(result))
        .filter(Q(proxy=person) | Q(proxy__isnull=True, holders=person))
        .distinct()
        .order_by("resolution_id", "label", "pk")
    )
    standings = {seat.pk: SeatStanding(seat=seat, as_proxy=seat.proxy_id == person.pk) for seat in seats}
    votes = Vote.objects.filter(seat_id__in=list(standings)).order_by("seat_id", *TALLY_ORDER)
    for seat_id, choice, channel, cast_by_id, cast_at in votes.values_list(
        "seat_id", "choice", "channel", "cast_by_id", "cast_at"
    ):
        standing = standings[seat_id]  # the last one of each seat stays
        standing.voted, standing.voted_at, standing.channel = True, cast_at, channel
        standing.by_me = cast_by_id == person.pk
        standing.my_choice = choice if standing.by_me else None
    for seat in seats:
        result[seat.resolution_id].append(standings[seat.pk])
    return result


def tallies(resolutions: list[Resolution]) -> dict[int, Tally]:
    """`resolutions.tally` of each resolution (their rules loaded with them), counted by
    the same `count_votes`, in two queries for any number of resolutions and votes."""
    resolutions = list(resolutions)
    if not resolutions:
        return {}
    pks = [resolution.pk for resolution in resolutions]
    seats = dict(
        Seat.objects.filter(resolution_id__in=pks)
        .values("resolution_id")
        .annotate(n=Count("pk"))
        .values_list("resolution_id", "n")
        .order_by()
    )
    rows: dict[int, list[tuple]] = defaultdict(list)
    votes = Vote.objects.filter(resolution_id__in=pks).order_by("resolution_id", *TALLY_ORDER)
    for resolution_id, *row in votes.values_list("resolution_id", *TALLY_COLUMNS):
        rows[resolution_id].append(tuple(row))
    return {r.pk: count_votes(r, rows[r.pk], seats=seats.get(r.pk, 0)) for r in resolutions}


def current_votes(resolutions: list[Resolution]) -> dict[int, list[Vote]]:
    """The last vote of each seat that voted, by the seat's label, for each resolution: who
    voted and how, in one query. Only for staff, and only for resolutions that are not
    secret (the API asks `policy.ResolutionSight`)."""
    result: dict[int, list[Vote]] = {resolution.pk: [] for resolution in resolutions}
    if not result:
        return result
    last = Vote.objects.filter(seat_id=OuterRef("seat_id")).order_by("-cast_at", "-sequence").values("sequence")[:1]
    votes = (
        Vote.objects.filter(resolution_id__in=list(result))
        .annotate(last_sequence=Subquery(last))
        .filter(sequence=F("last_sequence"))
        .select_related("seat")
        .order_by("resolution_id", "seat__label", "seat_id")
    )
    for vote in votes:
        result[vote.resolution_id].append(vote)
    return result
