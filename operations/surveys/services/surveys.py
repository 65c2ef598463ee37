"""Every write of surveys: answering (`survey_respond`) and changing an answer
(`survey_response_change`). Keyword-only, atomic; refusals are `ServiceError` with
`SurveyErrorCode`, every problem of the answers at once, and a refused call writes nothing.

`answers` maps a question's id to its value: a choice id (single choice), a list of choice
ids (multiple choice), an int (scale 1–5, 0–10), a bool (yes/no) or a str (free text). A
question left out, or given None, "" or [], is unanswered.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError, raise_if_any
from operations.residents.models import Unit

from .. import policy, selectors
from ..errors import SurveyErrorCode
from ..models import Answer, Participation, Question, Response, SealedBallot, Survey

Q = Question.Kind
ANONYMOUS_BATCH = 5  # answers of an anonymous survey are counted at least this many at a time
# Control characters other than tab and line breaks: nothing a person types, and a
# spreadsheet refuses them (review: one such answer made the XLSX export a server error).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _unanswered(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _field(question: Question) -> str:
    return f"answers.{question.pk}"


def _choice_id(value: Any) -> int | None:
    """A choice's id as given: an int (never a bool, never a float) or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits, and no longer than an id can be: str.isdigit() admits "²", which
        # int() refuses, as it refuses more than 4300 digits (review: both were a 500).
        if text.isascii() and text.isdigit() and len(text) <= 19:
            return int(text)
    return None


def _answer_rows(question: Question, value: Any, errors: list[ServiceError]) -> list[Answer]:
    """The Answer rows for one question's value (not saved), or problems added to `errors`."""
    invalid = ServiceError(SurveyErrorCode.VALUE_INVALID, gettext("This answer is not valid."), _field(question))
    if question.kind in Question.CHOICE_KINDS:
        ids = value if isinstance(value, (list, tuple)) else [value]
        if question.kind == Q.SINGLE and len(ids) != 1:
            errors.append(ServiceError(SurveyErrorCode.CHOICE_INVALID, gettext("Choose one answer."), _field(question)))
            return []
        ids = [_choice_id(choice_id) for choice_id in ids]
        valid = {choice.pk: choice for choice in question.choices.all()}
        if len(set(ids)) != len(ids) or any(choice_id not in valid for choice_id in ids):
            errors.append(
                ServiceError(
                    SurveyErrorCode.CHOICE_INVALID, gettext("Choose among the answers given."), _field(question)
                )
            )
            return []
        return [Answer(question=question, choice=valid[choice_id]) for choice_id in ids]
    if question.kind == Q.TEXT:
        if not isinstance(value, str):
            errors.append(invalid)
            return []
        text = value.strip()
        if CONTROL_CHARACTERS.search(text):
            errors.append(
                ServiceError(
                    SurveyErrorCode.VALUE_INVALID,
                    gettext("The answer holds characters that cannot be saved."),
                    _field(question),
                )
            )
            return []
        if len(text) > Question.TEXT_LIMIT:
            errors.append(
                ServiceError(
                    SurveyErrorCode.VALUE_INVALID,
                    gettext("At most %(limit)d characters.") % {"limit": Question.TEXT_LIMIT},
                    _field(question),
                )
            )
            return []
        return [Answer(question=question, text=text)] if text else []
    if question.kind == Q.YES_NO:
        if not isinstance(value, bool):
            errors.append(invalid)
            return []
        return [Answer(question=question, number=int(value))]
    low, high = Question.RANGES[question.kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(
            ServiceError(
                SurveyErrorCode.VALUE_INVALID,
                gettext("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high},
                _field(question),
            )
        )
        return []
    return [Answer(question=question, number=value)]


def _validated(survey: Survey, answers: Mapping[Any, Any]) -> list[Answer]:
    questions = {q.pk: q for q in Question.objects.filter(survey_id=survey.pk).prefetch_related("choices")}
    errors: list[ServiceError] = []
    given: dict[int, Any] = {}
    for key, value in (answers or {}).items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            question_id = None
        if question_id not in questions:
            errors.append(
                ServiceError(
                    SurveyErrorCode.QUESTION_INVALID, gettext("No such question in this survey."), f"answers.{key}"
                )
            )
            continue
        given[question_id] = value
    rows: list[Answer] = []
    for question in questions.values():
        value = given.get(question.pk)
        made = [] if _unanswered(value) else _answer_rows(question, value, errors)
        if not made and question.required and not any(e.field == _field(question) for e in errors):
            errors.append(
                ServiceError(
                    SurveyErrorCode.ANSWER_REQUIRED, gettext("This question needs an answer."), _field(question)
                )
            )
        rows.extend(made)
    raise_if_any(errors)
    return rows


def _unit_for(person, survey: Survey, unit):
    units = selectors.units_answering_for(person, survey)
    if unit is not None:
        # A unit or its id; anything else (a building whose id happens to be a unit's) is no unit.
        unit_id = unit.pk if isinstance(unit, Unit) else unit if type(unit) is int else None
        match = next((u for u in units if u.pk == unit_id), None)
        if match is None:
            raise ServiceError(
                SurveyErrorCode.UNIT_INVALID, gettext("You do not answer this survey for that unit."), "unit"
            )
        return match
    if survey.answer_by == Survey.AnswerBy.UNIT and len(units) > 1:
        raise ServiceError(SurveyErrorCode.UNIT_REQUIRED, gettext("Say which unit you answer for."), "unit")
    return units[0]


def _save_answers(response: Response, rows: list[Answer]) -> None:
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)


def _sealed(row: Answer) -> dict:
    return {"question": row.question_id, "choice": row.choice_id, "number": row.number, "text": row.text}


def anonymous_ballots_seal(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Count the sealed ballots of anonymous surveys: each survey's, once at least `batch`
    wait (settings.SURVEYS_ANONYMOUS_BATCH, 5) or the survey has closed, become responses
    in a shuffled order in one transaction, and the ballots are deleted. Returns how many
    were counted. Running it twice counts nothing twice (the ballots are locked and gone)."""
    now = now or timezone.now()
    batch = batch or getattr(settings, "SURVEYS_ANONYMOUS_BATCH", ANONYMOUS_BATCH)
    counted = 0
    shuffle = random.SystemRandom().shuffle
    waiting = SealedBallot.objects.values("survey_id").annotate(n=Count("pk")).order_by()
    for row in waiting:
        survey = Survey.objects.get(pk=row["survey_id"])
        if row["n"] < batch and not survey.is_closed_at(now):
            continue
        with transaction.atomic():
            ballots = list(SealedBallot.objects.select_for_update().filter(survey=survey))
            if len(ballots) < batch and not survey.is_closed_at(now):
                continue
            shuffle(ballots)
            responses = [Response(survey=survey) for _ in ballots]
            Response.objects.bulk_create(responses)
            answers = [
                Answer(
                    response=response,
                    question_id=given["question"],
                    choice_id=given["choice"],
                    number=given["number"],
                    text=given["text"],
                )
                for response, ballot in zip(responses, ballots, strict=True)
                for given in ballot.answers
            ]
            shuffle(answers)
            Answer.objects.bulk_create(answers)
            SealedBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
            counted += len(ballots)
    return counted


def survey_respond(
    *,
    survey: Survey,
    person: AbstractBaseUser,
    answers: Mapping[Any, Any],
    unit=None,
    now: datetime | None = None,
) -> Response:
    """Record the person's answers, once per person or per unit as the survey counts them.
    An anonymous survey's answers are sealed until counted in a batch
    (`anonymous_ballots_seal`); what comes back then is an unsaved Response."""
    now = now or timezone.now()
    if refusal := policy.respond_refusal(person, survey, now=now):
        raise refusal
    unit = _unit_for(person, survey, unit)
    rows = _validated(survey, answers)
    key = selectors.participation_key(survey, person, unit)
    already = ServiceError(
        SurveyErrorCode.ALREADY_ANSWERED,
        gettext("Your household has answered this survey already.")
        if survey.answer_by == Survey.AnswerBy.UNIT
        else gettext("You have answered this survey already."),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique key decides who was first
                participation = Participation.objects.create(
                    survey=survey, person=person, unit=unit, key=key, answered_on=timezone.localdate(now)
                )
        except IntegrityError:
            raise already from None
        if survey.anonymous:
            # Sealed until counted in a shuffled batch: see models.SealedBallot.
            SealedBallot.objects.create(survey=survey, answers=[_sealed(row) for row in rows])
            return Response(survey=survey)  # unsaved: it exists once its batch is counted
        else:
            response = Response.objects.create(survey=survey, participation=participation, submitted_at=now)
        _save_answers(response, rows)
    return response


def survey_response_change(
    *,
    survey: Survey,
    person: AbstractBaseUser,
    answers: Mapping[Any, Any],
    now: datetime | None = None,
    unit: Unit | None = None,
) -> Response:
    """Replace the answers the person gave, while the survey is open and allows it. In a
    per-unit survey only the person who answered for the unit changes its answer (`unit`
    says which, when they answered for several)."""
    now = now or timezone.now()
    if refusal := policy.respond_refusal(person, survey, now=now):
        raise refusal
    if survey.anonymous or not survey.allow_changes:
        raise ServiceError(SurveyErrorCode.CHANGE_NOT_ALLOWED, gettext("Answers to this survey cannot be changed."))
    rows = _validated(survey, answers)
    with transaction.atomic():
        responses = Response.objects.select_for_update().filter(survey=survey, participation__person=person)
        if survey.answer_by == Survey.AnswerBy.UNIT:
            # The unit's answer, changed only while the person still answers for the unit
            # (review: one who had moved out rewrote the new household's answer).
            held = [u.pk for u in selectors.units_answering_for(person, survey)]
            responses = responses.filter(participation__unit_id__in=held)
        if unit is not None:
            responses = responses.filter(participation__unit=unit)
        response = responses.first()
        if response is None:
            raise ServiceError(SurveyErrorCode.NOT_ANSWERED, gettext("You have not answered this survey yet."))
        response.answers.all().delete()
        _save_answers(response, rows)
        response.changed_at = now
        response.save(update_fields=["changed_at"])
    return response
