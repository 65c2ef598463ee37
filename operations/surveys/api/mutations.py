"""The surveys' and resolutions' mutations: each maps its input to one service call and
the service's refusals to typed errors (`SurveyError`, `ResolutionError`, codes from
`errors`), each next to its field: `answers.<questionId>` for a problem with one answer,
`unitId`, `choice`, or null for the whole form.

`surveyRespond` answers a survey, and changes the viewer's own answer when they answered
already and the survey allows changes (`Survey.canChangeAnswer`): one mutation for the
portal's one form; `changed` says which happened. Where the survey keeps the first answer
(or it is anonymous), a second attempt is ALREADY_ANSWERED.

The survey or resolution is looked up through `selectors` (one the viewer may not see is
NOT_FOUND, whether or not it exists: a resident outside the audience learns nothing of
it), and read back through the same selector after the change.
"""

from __future__ import annotations

import datetime

import strawberry
from django.utils.translation import gettext
from strawberry import Info
from strawberry_django.optimizer import optimize

from cms.core.exceptions import ServiceError, raise_if_any
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.ids import parse_id

from .. import errors as domain_errors
from .. import selectors, services
from ..models import Survey
from ..selectors import api_reads
from .queries import resolution_pk, survey_pk
from .types import ResolutionType, SurveyType, VoteChannel, VoteChoice, now_of

SurveyErrorCode = graphql_enum(domain_errors.SurveyErrorCode, "SurveyErrorCode", "Why a survey answer was refused.")
ResolutionErrorCode = graphql_enum(
    domain_errors.ResolutionErrorCode, "ResolutionErrorCode", "Why a vote on a resolution was refused."
)
S = domain_errors.SurveyErrorCode
R = domain_errors.ResolutionErrorCode


@strawberry.type
class SurveyError(UserError):
    code: SurveyErrorCode  # type: ignore[valid-type]


@strawberry.type
class ResolutionError(UserError):
    code: ResolutionErrorCode  # type: ignore[valid-type]


# Service field names that are named differently in the API; `answers.<id>` stays as it is.
FIELD_NAMES = {"unit": "unitId"}


def _survey_errors(error: ServiceError) -> list[SurveyError]:
    return typed_errors(SurveyError, SurveyErrorCode, error, FIELD_NAMES)


def _resolution_errors(error: ServiceError) -> list[ResolutionError]:
    return typed_errors(ResolutionError, ResolutionErrorCode, error)


@strawberry.input(description="The answer to one question; give the field its kind takes.")
class SurveyAnswerInput:
    question_id: strawberry.ID
    choice_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="SINGLE (exactly one) and MULTIPLE: the chosen choices' ids."
    )
    number: int | None = strawberry.field(default=None, description="SCALE (1–5) and NPS (0–10).")
    text: str | None = strawberry.field(default=None, description="TEXT.")
    yes: bool | None = strawberry.field(default=None, description="YES_NO.")


@strawberry.input(description="A survey's answers; a question left out is unanswered.")
class SurveyRespondInput:
    survey_id: strawberry.ID
    unit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Per-unit surveys: the unit answered for (one of `Survey.unitsToAnswerFor`); needed when the viewer "
            "answers for several. Per-person surveys need none."
        ),
    )
    answers: list[SurveyAnswerInput]


@strawberry.type
class SurveyRespondPayload:
    survey: SurveyType | None = strawberry.field(description="The survey as the viewer now stands with it.")
    changed: bool = strawberry.field(description="True when an earlier answer was replaced, false for a first answer.")
    errors: list[SurveyError]


@strawberry.input(description="The viewer's vote on a resolution, for every seat they cast.")
class VoteCastInput:
    resolution_id: strawberry.ID
    choice: VoteChoice  # type: ignore[valid-type]


@strawberry.type(name="CastVote", description="A vote just cast: its seat, choice and moment.")
class CastVoteType:
    seat_label: str
    choice: VoteChoice  # type: ignore[valid-type]
    channel: VoteChannel  # type: ignore[valid-type]
    cast_at: datetime.datetime


@strawberry.type
class VoteCastPayload:
    resolution: ResolutionType | None = strawberry.field(description="The resolution with the viewer's seats now.")
    votes: list[CastVoteType] = strawberry.field(description="The votes cast now, one per seat; empty on failure.")
    errors: list[ResolutionError]


def _answers(answers: list[SurveyAnswerInput]) -> dict:
    """The service's answers (question id → value) from the input, the field its kind
    takes being the one given; a question given twice is refused with its field path."""
    values: dict = {}
    twice: list[ServiceError] = []
    for answer in answers:
        key = str(answer.question_id)
        if key in values:
            twice.append(ServiceError(S.VALUE_INVALID, gettext("This question is answered twice."), f"answers.{key}"))
            continue
        if answer.choice_ids is not None:
            value = [str(choice_id) for choice_id in answer.choice_ids]
        elif answer.yes is not None:
            value = answer.yes
        elif answer.number is not None:
            value = answer.number
        else:
            value = answer.text
        values[key] = value
    raise_if_any(twice)
    return values


def _survey_not_found() -> list[SurveyError]:
    return _survey_errors(ServiceError(S.NOT_FOUND, gettext("Survey not found."), "surveyId"))


def _read_back_survey(info: Info, user, survey: Survey) -> SurveyType | None:
    return optimize(selectors.surveys_visible_to(user).filter(pk=survey.pk), info).first()


def _changes(survey: Survey, standing: api_reads.SurveyStanding, unit_pk: int | None) -> bool:
    """Whether the viewer's submission replaces their own answer rather than adding one."""
    if not (survey.allow_changes and not survey.anonymous and standing.answered_by_me):
        return False
    if survey.answer_by == Survey.AnswerBy.PERSON:
        return True
    if unit_pk is None and len(standing.units) == 1:
        unit_pk = standing.units[0].pk
    return unit_pk in standing.my_unit_ids


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Answer a survey addressed to the viewer (once per person, or once per unit), or change the viewer's "
            "own answer where the survey allows it (`Survey.canChangeAnswer`). Every problem comes at once, each "
            "answer's at `answers.<questionId>`."
        )
    )
    def survey_respond(self, info: Info, input: SurveyRespondInput) -> SurveyRespondPayload:
        user = signed_in_user(info)
        if user is None:
            return SurveyRespondPayload(
                survey=None,
                changed=False,
                errors=_survey_errors(ServiceError(S.NOT_AUTHENTICATED, gettext("Sign in to answer."))),
            )
        survey = selectors.surveys_visible_to(user).filter(pk=survey_pk(input.survey_id, field="surveyId")).first()
        if survey is None:
            return SurveyRespondPayload(survey=None, changed=False, errors=_survey_not_found())
        unit_pk = parse_id(input.unit_id, field="unitId")
        now = now_of(info)
        try:
            answers = _answers(input.answers)
            standing = api_reads.survey_standings(user, [survey])[survey.pk]
            changed = _changes(survey, standing, unit_pk)
            if changed:
                unit = next((u for u in standing.units if u.pk == unit_pk), None) if unit_pk else None
                services.survey_response_change(survey=survey, person=user, answers=answers, now=now, unit=unit)
            else:
                services.survey_respond(survey=survey, person=user, answers=answers, unit=unit_pk, now=now)
        except ServiceError as error:
            return SurveyRespondPayload(survey=None, changed=False, errors=_survey_errors(error))
        return SurveyRespondPayload(survey=_read_back_survey(info, user, survey), changed=changed, errors=[])

    @strawberry.mutation(
        description=(
            "Vote on a resolution, online, for every seat the viewer casts (their units, or as a proxy). Where the "
            "resolution keeps the first vote, seats that voted already stay as they are."
        )
    )
    def vote_cast(self, info: Info, input: VoteCastInput) -> VoteCastPayload:
        user = signed_in_user(info)
        if user is None:
            return VoteCastPayload(
                resolution=None,
                votes=[],
                errors=_resolution_errors(ServiceError(R.NOT_AUTHENTICATED, gettext("Sign in to vote."))),
            )
        pk = resolution_pk(input.resolution_id, field="resolutionId")
        resolution = selectors.resolutions_visible_to(user).filter(pk=pk).first()
        if resolution is None:
            return VoteCastPayload(
                resolution=None,
                votes=[],
                errors=_resolution_errors(ServiceError(R.NOT_FOUND, gettext("Resolution not found."), "resolutionId")),
            )
        try:
            votes = services.vote_cast(resolution=resolution, person=user, choice=input.choice.value, now=now_of(info))
        except ServiceError as error:
            return VoteCastPayload(resolution=None, votes=[], errors=_resolution_errors(error))
        read_back = optimize(selectors.resolutions_visible_to(user).filter(pk=pk), info).first()
        return VoteCastPayload(
            resolution=read_back,
            votes=[
                CastVoteType(
                    seat_label=vote.seat.label,
                    choice=VoteChoice(vote.choice),
                    channel=VoteChannel(vote.channel),
                    cast_at=vote.cast_at,
                )
                for vote in votes
            ],
            errors=[],
        )
