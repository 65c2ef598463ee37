"""GraphQL types of surveys and resolutions, as each viewer sees them.

A survey (`Survey`) with its questions and choices; where the viewer stands with it
(`answered`, `canAnswer`, `canChangeAnswer`, `unitsToAnswerFor`, and `myAnswers`: the answers
they may change, to start the change from); its `results` where
`policy.may_see_results` allows. A resolution (`Resolution`) with its text, attachments,
counting rule and window; the viewer's seats (`mySeats`: whether each has voted, and how
only for the viewer's own votes); its `tally` where `policy.ResolutionSight` allows, with
each seat's vote for staff only and never in a secret vote.

Lists answer the viewer's standing for a whole page at once: the connections remember
their page on the request (`_remember_page`), and the first row asked works it out for
every row of the page (`selectors.api_reads`, a fixed number of queries); a survey or
resolution asked alone is a page of one. A survey's `results` cost a fixed number of
queries whatever the number of questions and responses, per survey: ask them of one
survey (`survey(id:)`), not of a whole list.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from strawberry import Info, relay

from cms.core.graphql.context import denial, request_of, signed_in_user, viewer_of
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.pagination import HubConnection
from cms.documents import selectors as documents_selectors
from cms.documents.schema import DocumentType
from operations.residents.api import UnitType

from .. import policy, selectors
from ..models import Choice, CountingRule, Question, Resolution, Survey, Vote
from ..selectors import api_reads

SurveyQuestionKind = graphql_enum(Question.Kind, "SurveyQuestionKind", "What kind of answer a question takes.")
SurveyAnswerBy = graphql_enum(Survey.AnswerBy, "SurveyAnswerBy", "Whether each person answers, or each unit once.")
ResolutionState = graphql_enum(Resolution.State, "ResolutionState", "Where a resolution's vote stands.")
VoteChoice = graphql_enum(Vote.Choice, "VoteChoice", "A vote on a resolution.")
VoteChannel = graphql_enum(Vote.Channel, "VoteChannel", "How a vote was cast: online, or a paper ballot staff entered.")
CountingMethod = graphql_enum(CountingRule.Method, "CountingMethod", "What one vote weighs.")
CountingBase = graphql_enum(CountingRule.Base, "CountingBase", "What the votes for are measured against.")


@strawberry.enum(description="Where a survey stands for answering.")
class SurveyState(Enum):
    DRAFT = api_reads.DRAFT  # not published: survey staff only
    UPCOMING = api_reads.UPCOMING
    OPEN = api_reads.OPEN
    CLOSED = api_reads.CLOSED


@strawberry.enum(description="A resolution's result, fixed when its vote is counted.")
class ResolutionResult(Enum):
    ADOPTED = Resolution.Result.ADOPTED.value
    NOT_ADOPTED = Resolution.Result.NOT_ADOPTED.value


# --- Per request: the clock, the pages, the standings -------------------------------------------


def now_of(info: Info) -> datetime.datetime:
    """One "now" for the whole request: every row of a list is judged at the same moment."""
    request = request_of(info)
    if not hasattr(request, "_hub_surveys_now"):
        request._hub_surveys_now = timezone.now()
    return request._hub_surveys_now


def _store(info: Info, name: str) -> dict:
    request = request_of(info)
    store = getattr(request, name, None)
    if store is None:
        store = {}
        setattr(request, name, store)
    return store


def _remember_page(info: Info, kind: str, rows) -> None:
    rows = tuple(rows)
    pages = _store(info, "_hub_surveys_pages")
    for row in rows:
        pages[(kind, row.pk)] = rows


def _per_page(info: Info, kind: str, name: str, row, compute) -> object:
    """`compute(page)` (a dict by row id) once for the page of `kind` ("survey",
    "resolution") the row was listed in (or the row alone), kept on the request under
    `name`; this row's value."""
    answers = _store(info, f"_hub_surveys_{name}")
    if row.pk not in answers:
        page = _store(info, "_hub_surveys_pages").get((kind, row.pk)) or (row,)
        if not any(r is row for r in page):
            page = (row,)  # the same row read again (a mutation's read-back): asked anew
        answers.update(compute(page))
    return answers[row.pk]


def _standing(info: Info, survey: Survey) -> api_reads.SurveyStanding:
    user = signed_in_user(info)
    return _per_page(info, "survey", "standing", survey, lambda page: api_reads.survey_standings(user, page))


def _answered(info: Info, survey: Survey) -> bool:
    user = signed_in_user(info)
    return _per_page(info, "survey", "answered", survey, lambda page: selectors.answered(user, page))


def _my_answers(info: Info, survey: Survey) -> list[api_reads.MyAnswer]:
    user = signed_in_user(info)
    now = now_of(info)

    def compute(page):
        standings = {row.pk: _standing(info, row) for row in page}
        changeable = [row for row in page if policy.answering_open(row, standings[row.pk], now=now)[1]]
        answers = api_reads.my_answers(user, changeable, standings)
        return {row.pk: answers.get(row.pk, []) for row in page}

    return _per_page(info, "survey", "my_answers", survey, compute)


def resolution_sight(info: Info) -> policy.ResolutionSight:
    request = request_of(info)
    if not hasattr(request, "_hub_resolution_sight"):
        request._hub_resolution_sight = policy.ResolutionSight(signed_in_user(info))
    return request._hub_resolution_sight


# --- Surveys ------------------------------------------------------------------------------------


@model_type(Choice, name="SurveyChoice", description="One of the answers a choice question offers.")
class SurveyChoiceType:
    id: strawberry.ID
    position: int
    label: str


@model_type(Question, name="SurveyQuestion", description="A question of a survey.")
class SurveyQuestionType:
    id: strawberry.ID = instance_field(description="What `surveyRespond` takes as `questionId`.")
    position: int
    text: str
    help_text: str
    required: bool
    choices: list[SurveyChoiceType] = strawberry.field(description="For SINGLE and MULTIPLE, in order; else empty.")

    @instance_field(only=["kind"])
    def kind(self) -> SurveyQuestionKind:
        return SurveyQuestionKind(self.kind)

    @instance_field(only=["kind"], description="The lowest number accepted (SCALE, NPS); null for other kinds.")
    def min_value(self) -> int | None:
        return Question.RANGES[self.kind][0] if self.kind in (Question.Kind.SCALE, Question.Kind.NPS) else None

    @instance_field(only=["kind"], description="The highest number accepted (SCALE, NPS); null for other kinds.")
    def max_value(self) -> int | None:
        return Question.RANGES[self.kind][1] if self.kind in (Question.Kind.SCALE, Question.Kind.NPS) else None

    @instance_field(only=["kind"], description="The longest text accepted (TEXT); null for other kinds.")
    def max_length(self) -> int | None:
        return Question.TEXT_LIMIT if self.kind == Question.Kind.TEXT else None


@strawberry.type(name="SurveyChoiceCount", description="How many answers chose a choice.")
class SurveyChoiceCountType:
    choice_id: strawberry.ID
    label: str
    count: int


@strawberry.type(name="SurveyValueCount", description="How many answers gave a value (scale, 0–10, yes = 1, no = 0).")
class SurveyValueCountType:
    value: int
    count: int


@strawberry.type(name="SurveyQuestionResult", description="The answers to one question, counted.")
class SurveyQuestionResultType:
    question_id: strawberry.ID
    text: str
    kind: SurveyQuestionKind
    answered: int = strawberry.field(description="Responses that answered this question.")
    choices: list[SurveyChoiceCountType] = strawberry.field(description="SINGLE and MULTIPLE: each choice, in order.")
    distribution: list[SurveyValueCountType] = strawberry.field(
        description="SCALE, NPS and YES_NO: every value of the range, in order, with its count."
    )
    average: Decimal | None = strawberry.field(description="SCALE and NPS: the mean, to 0.01; null without answers.")
    nps: int | None = strawberry.field(
        description="NPS: promoters (9–10) less detractors (0–6), in percent; null without answers."
    )
    texts: list[str] | None = strawberry.field(
        description=(
            "TEXT: the answers in alphabetical order (which says nothing of who wrote them or when). For the "
            "cooperative's survey staff only: null for residents, whose neighbours could recognise a text."
        )
    )


@strawberry.type(name="SurveyBuildingRate", description="The response rate in one building.")
class SurveyBuildingRateType:
    building_id: strawberry.ID
    building_code: str
    answered: int
    audience: int = strawberry.field(description="People (or units, in a per-unit survey) of the building asked.")
    rate: Decimal = strawberry.field(description="Percent answered, to 0.1.")


@strawberry.type(
    name="SurveyResults", description="A survey's answers counted: live for staff, after the close for residents."
)
class SurveyResultsType:
    responses: int = strawberry.field(description="People (or units, in a per-unit survey) who answered.")
    uncounted: int = strawberry.field(
        description=(
            "Anonymous surveys: answers given but not counted yet (they are counted in batches, so that nobody can "
            "watch the results to learn what the last person answered); 0 otherwise."
        )
    )
    audience: int = strawberry.field(description="People (or units, in a per-unit survey) in the audience now.")
    response_rate: Decimal = strawberry.field(description="Percent of the audience that answered, to 0.1.")
    by_building: list[SurveyBuildingRateType]
    questions: list[SurveyQuestionResultType]

    @classmethod
    def of(cls, results: selectors.SurveyResults, *, with_texts: bool) -> SurveyResultsType:
        return cls(
            responses=results.responses,
            uncounted=getattr(results, "sealed", 0),
            audience=results.audience,
            response_rate=results.rate,
            by_building=[
                SurveyBuildingRateType(
                    building_id=strawberry.ID(str(rate.building.pk)),
                    building_code=rate.building.code,
                    answered=rate.answered,
                    audience=rate.audience,
                    rate=rate.rate,
                )
                for rate in results.by_building
            ],
            questions=[_question_result(result, with_texts=with_texts) for result in results.questions],
        )


def _question_result(result: selectors.QuestionResult, *, with_texts: bool) -> SurveyQuestionResultType:
    question = result.question
    distribution = []
    if question.kind in Question.RANGES:
        low, high = Question.RANGES[question.kind]
        distribution = [
            SurveyValueCountType(value=value, count=result.distribution.get(value, 0)) for value in range(low, high + 1)
        ]
    return SurveyQuestionResultType(
        question_id=strawberry.ID(str(question.pk)),
        text=question.text,
        kind=SurveyQuestionKind(question.kind),
        answered=result.answered,
        choices=[
            SurveyChoiceCountType(choice_id=strawberry.ID(str(c.choice_id)), label=c.label, count=c.count)
            for c in result.choices
        ],
        distribution=distribution,
        average=result.average,
        nps=result.nps,
        texts=list(result.texts) if with_texts and question.kind == Question.Kind.TEXT else None,
    )


@strawberry.type(
    name="SurveyMyAnswer",
    description="The viewer's answer to one question, as `surveyRespond` takes it (`SurveyAnswerInput`).",
)
class SurveyMyAnswerType:
    question_id: strawberry.ID
    unit_id: strawberry.ID = strawberry.field(
        description="The unit answered for (`surveyRespond`'s unitId in a per-unit survey)."
    )
    choice_ids: list[strawberry.ID] = strawberry.field(description="SINGLE and MULTIPLE: the chosen choices, in order.")
    number: int | None = strawberry.field(description="SCALE and NPS.")
    yes: bool | None = strawberry.field(description="YES_NO.")
    text: str | None = strawberry.field(description="TEXT.")

    @classmethod
    def of(cls, answer: api_reads.MyAnswer) -> SurveyMyAnswerType:
        return cls(
            question_id=strawberry.ID(str(answer.question_id)),
            unit_id=strawberry.ID(str(answer.unit_id)),
            choice_ids=[strawberry.ID(str(pk)) for pk in answer.choice_ids],
            number=answer.number,
            yes=answer.yes,
            text=answer.text,
        )


SURVEY_WINDOW = ["is_published", "opens_at", "closes_at"]
SURVEY_RULES = [*SURVEY_WINDOW, "answer_by", "audience_everyone", "allow_changes", "anonymous"]


@model_type(Survey, name="Survey", description="A survey: its questions, and where the viewer stands with it.")
class SurveyType(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    title: str
    introduction: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    anonymous: bool = instance_field(description="Nobody, staff included, can tell who gave which answers.")
    allow_changes: bool = instance_field(description="An answer may be changed until the close (`surveyRespond`).")
    results_to_residents: bool = instance_field(description="Residents in the audience see the results once closed.")
    questions: list[SurveyQuestionType] = strawberry.field(description="In order.")

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("Survey", str(self.pk))

    @instance_field(only=["answer_by"])
    def answer_by(self) -> SurveyAnswerBy:
        return SurveyAnswerBy(self.answer_by)

    @instance_field(only=SURVEY_WINDOW, description="Draft (staff only), upcoming, open or closed, now.")
    def state(self, info: Info) -> SurveyState:
        return SurveyState(api_reads.survey_state(self, now_of(info)))

    @instance_field(
        only=SURVEY_RULES,
        description=(
            "Whether the viewer has nothing left to answer: they answered (per person), or every unit they "
            "answer for has an answer (per unit)."
        ),
    )
    def answered(self, info: Info) -> bool:
        return bool(_answered(info, self))

    @instance_field(
        only=SURVEY_RULES, description="Whether `surveyRespond` would take a first answer from the viewer now."
    )
    def can_answer(self, info: Info) -> bool:
        return policy.answering_open(self, _standing(info, self), now=now_of(info))[0]

    @instance_field(
        only=SURVEY_RULES,
        description="Whether the viewer may change the answer they gave (`surveyRespond` again) now.",
    )
    def can_change_answer(self, info: Info) -> bool:
        return policy.answering_open(self, _standing(info, self), now=now_of(info))[1]

    @instance_field(
        only=SURVEY_RULES,
        description=(
            "Per-unit surveys: the viewer's units in the audience that have no answer yet (`surveyRespond`'s "
            "unitId); empty for per-person surveys, where no unit need be chosen."
        ),
    )
    def units_to_answer_for(self, info: Info) -> list[UnitType]:
        return _standing(info, self).units_left(self)

    @instance_field(
        only=SURVEY_RULES,
        description=(
            "The answers the viewer gave and may change now (`canChangeAnswer`), to start a change from: their own "
            "(per person), or those they gave for units they still answer for (per unit). Empty otherwise, and "
            "always in an anonymous survey."
        ),
    )
    def my_answers(self, info: Info) -> list[SurveyMyAnswerType]:
        return [SurveyMyAnswerType.of(answer) for answer in _my_answers(info, self)]

    @instance_field(
        only=SURVEY_RULES + ["results_to_residents"],
        description=(
            "The answers counted, for those who may see them (survey staff live; residents in the audience once "
            "it closed, where the survey shows them); null for others. Ask it of one survey (`survey(id:)`)."
        ),
    )
    def results(self, info: Info) -> SurveyResultsType | None:
        viewer = signed_in_user(info)
        if not policy.may_see_results(viewer, self, now=now_of(info)):
            return None
        return SurveyResultsType.of(selectors.survey_results(self), with_texts=selectors.sees_live_results(viewer))


@strawberry.type(name="SurveyConnection", description="A page of surveys, with cursors and the total count.")
class SurveyConnection(HubConnection[SurveyType]):
    """Remembers its page, so that each survey's standing is read for the whole page."""

    @classmethod
    def resolve_connection(cls, nodes, *, info, **kwargs):
        connection = super().resolve_connection(nodes, info=info, **kwargs)
        _remember_page(info, "survey", [edge.node for edge in connection.edges])
        return connection


# --- Resolutions ----------------------------------------------------------------------------------


@model_type(
    CountingRule, name="CountingRule", description="How a resolution's votes are counted, with its legal basis."
)
class CountingRuleType:
    code: str
    version: int = instance_field(description="A change in the law is a new version; a resolution keeps its own.")
    name: str
    legal_basis: str
    effective_from: datetime.date

    @instance_field(only=["method"])
    def method(self) -> CountingMethod:
        return CountingMethod(self.method)

    @instance_field(only=["base"])
    def base(self) -> CountingBase:
        return CountingBase(self.base)


@strawberry.type(name="ResolutionSeat", description="A seat in a resolution's electorate whose vote the viewer casts.")
class ResolutionSeatType:
    id: strawberry.ID
    label: str = strawberry.field(
        description=(
            "The unit or units, e.g. A/1, and the member's name where spouses holding a flat jointly have a "
            "seat each: A/1 (Jan Kowalski)."
        )
    )
    weight: Decimal
    as_proxy: bool = strawberry.field(description="The viewer casts it as the proxy named for it.")
    voted: bool = strawberry.field(description="The seat has a vote (the viewer's, a co-owner's or a paper ballot).")
    voted_at: datetime.datetime | None
    channel: VoteChannel | None
    by_me: bool = strawberry.field(description="The seat's vote is the viewer's own.")
    my_choice: VoteChoice | None = strawberry.field(
        description="How the viewer voted; null when the seat's vote is someone else's or there is none."
    )

    @classmethod
    def of(cls, standing: api_reads.SeatStanding) -> ResolutionSeatType:
        seat = standing.seat
        return cls(
            id=strawberry.ID(str(seat.pk)),
            label=seat.label,
            weight=seat.weight,
            as_proxy=standing.as_proxy,
            voted=standing.voted,
            voted_at=standing.voted_at,
            channel=VoteChannel(standing.channel) if standing.channel else None,
            by_me=standing.by_me,
            my_choice=VoteChoice(standing.my_choice) if standing.my_choice else None,
        )


@strawberry.type(
    name="ResolutionSeatVote", description="A seat's vote as it counts (staff, votes that are not secret)."
)
class ResolutionSeatVoteType:
    seat_label: str
    weight: Decimal
    choice: VoteChoice
    channel: VoteChannel
    cast_at: datetime.datetime
    voter_name: str = strawberry.field(description="As signed on the ballot or the account.")

    @classmethod
    def of(cls, vote: Vote) -> ResolutionSeatVoteType:
        return cls(
            seat_label=vote.seat.label,
            weight=vote.weight,
            choice=VoteChoice(vote.choice),
            channel=VoteChannel(vote.channel),
            cast_at=vote.cast_at,
            voter_name=vote.voter_name,
        )


@strawberry.type(name="ResolutionTally", description="A resolution's votes counted: weights and seats, never who.")
class ResolutionTallyType:
    total_weight: Decimal = strawberry.field(description="The whole electorate's weight, fixed when voting opened.")
    weight_for: Decimal
    weight_against: Decimal
    weight_abstained: Decimal
    seats: int = strawberry.field(description="Seats in the electorate.")
    seats_voted: int
    seats_for: int
    seats_against: int
    seats_abstained: int
    majority_reached: bool = strawberry.field(
        description="The rule's majority is reached by the votes counted now (the result once closed)."
    )
    threshold_crossed_at: datetime.datetime | None = strawberry.field(
        description="The vote after which the majority held (to the close); null while it does not hold."
    )
    result: ResolutionResult | None = strawberry.field(description="Fixed when the vote is counted; null before.")
    decided_at: datetime.datetime | None
    notified_at: datetime.datetime | None = strawberry.field(description="When the owners were told the result.")
    challenge_until: datetime.date | None = strawberry.field(
        description="The last day to challenge the resolution in court (six weeks from the notification)."
    )
    votes: list[ResolutionSeatVoteType] | None = strawberry.field(
        description="Each seat's vote as it counts, by seat: for staff, never in a secret vote; null otherwise."
    )


def _tally_type(resolution: Resolution, tally: selectors.Tally, votes: list[Vote] | None) -> ResolutionTallyType:
    closed = resolution.state == Resolution.State.CLOSED and resolution.result
    return ResolutionTallyType(
        total_weight=resolution.total_weight,
        weight_for=tally.weight_for,
        weight_against=tally.weight_against,
        weight_abstained=tally.weight_abstained,
        seats=tally.seats,
        seats_voted=tally.seats_voted,
        seats_for=tally.seats_for,
        seats_against=tally.seats_against,
        seats_abstained=tally.seats_abstained,
        majority_reached=(resolution.result == Resolution.Result.ADOPTED) if closed else tally.adopted,
        threshold_crossed_at=resolution.threshold_crossed_at if closed else tally.threshold_crossed_at,
        result=ResolutionResult(resolution.result) if closed else None,
        decided_at=resolution.decided_at,
        notified_at=resolution.notified_at,
        challenge_until=resolution.challenge_until,
        votes=None if votes is None else [ResolutionSeatVoteType.of(vote) for vote in votes],
    )


def _attachments_prefetch(info: Info) -> Prefetch:
    """The attachments the viewer may download (the documents' own visibility rule)."""
    documents = documents_selectors.documents_visible_to(viewer_of(info), denial=denial(info))
    return Prefetch(
        "attachments", queryset=documents.select_related("collection", "building"), to_attr="visible_attachments"
    )


RESOLUTION_COUNT = ["state", "total_weight", "rule__base", "secret", "result", "threshold_crossed_at"]


@model_type(Resolution, name="Resolution", description="A resolution put to the vote between meetings.")
class ResolutionType(relay.Node):
    id: relay.NodeID[int]
    number: str = instance_field(description="E.g. 5/2026.")
    title: str
    text: str = instance_field(description="The text of the resolution.")
    opens_at: datetime.datetime = instance_field(description="Voting opens.")
    closes_at: datetime.datetime = instance_field(description="Voting closes.")
    allow_changes: bool = instance_field(description="A vote may be changed until the close.")
    secret: bool = instance_field(description="Counts only, never who voted how, for everyone.")
    rule: CountingRuleType = instance_field(description="The rule it opened with.")

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("Resolution", str(self.pk))

    @instance_field(only=["state"])
    def state(self) -> ResolutionState:
        return ResolutionState(self.state)

    @instance_field(only=["state", "result"], description="Adopted or not, once counted; null before.")
    def result(self) -> ResolutionResult | None:
        return ResolutionResult(self.result) if self.state == Resolution.State.CLOSED and self.result else None

    @instance_field(
        prefetch_related=[_attachments_prefetch],
        description="Documents attached to it that the viewer may download (their URLs as `documents` gives them).",
    )
    def attachments(self, info: Info) -> list[DocumentType]:
        if not hasattr(self, "visible_attachments"):  # a resolution the optimizer did not load (a mutation's)
            prefetch_related_objects([self], _attachments_prefetch(info))
        return self.visible_attachments

    @instance_field(
        only=["state"],
        description="The seats whose vote the viewer casts (their units, or as a proxy), each with its vote.",
    )
    def my_seats(self, info: Info) -> list[ResolutionSeatType]:
        return [ResolutionSeatType.of(standing) for standing in _seats(info, self)]

    @instance_field(
        only=["state", "opens_at", "closes_at", "allow_changes"],
        description="Whether `voteCast` would take the viewer's vote now.",
    )
    def can_vote(self, info: Info) -> bool:
        now = now_of(info)
        if self.state != Resolution.State.OPEN or not (self.opens_at <= now < self.closes_at):
            return False
        seats = _seats(info, self)
        return any(self.allow_changes or not standing.voted for standing in seats)

    @instance_field(
        only=[*RESOLUTION_COUNT, "decided_at", "notified_at", "challenge_until"],
        select_related=["rule"],
        description=(
            "The votes counted: for staff who see resolutions at any time, for residents once closed; null for "
            "others. Weights and seat counts only, with each seat's vote for staff where the vote is not secret."
        ),
    )
    def tally(self, info: Info) -> ResolutionTallyType | None:
        sight = resolution_sight(info)
        if not sight.may_see_tally(self):
            return None
        tally = _per_page(info, "resolution", "tally", self, api_reads.tallies)
        votes = None
        if sight.may_see_votes(self):
            votes = _per_page(
                info,
                "resolution",
                "votes",
                self,
                lambda page: api_reads.current_votes([r for r in page if sight.may_see_votes(r)]),
            )
        return _tally_type(self, tally, votes)


def _seats(info: Info, resolution: Resolution) -> list[api_reads.SeatStanding]:
    user = signed_in_user(info)
    return _per_page(info, "resolution", "seats", resolution, lambda page: api_reads.seat_standings(user, page))


@strawberry.type(name="ResolutionConnection", description="A page of resolutions, with cursors and the total count.")
class ResolutionConnection(HubConnection[ResolutionType]):
    """Remembers its page, so that the viewer's seats and the tallies are read for the whole page."""

    @classmethod
    def resolve_connection(cls, nodes, *, info, **kwargs):
        connection = super().resolve_connection(nodes, info=info, **kwargs)
        _remember_page(info, "resolution", [edge.node for edge in connection.edges])
        return connection
