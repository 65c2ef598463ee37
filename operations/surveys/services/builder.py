"""What the admin's survey builder may write, and what it must refuse.

The builder (operations/surveys/admin) edits a survey with its questions as one cluster
form; the rules that form enforces live here, so that any other caller keeps them too:
- `survey_settings_problems`: settings that contradict each other (an anonymous survey
  whose answers could be changed, a close before the opening, no audience at all);
- `questions_locked_refusal`: once anyone has answered, the questions and their choices,
  whether it is anonymous and who answers stay as they were answered;
- `reopening_refusal`: an anonymous survey that closed with answers stays closed;
- `question_choices_set`: a choice question's answers to choose from, in order.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from ..errors import SurveyErrorCode
from ..models import Choice, Participation, Question, Survey

E = SurveyErrorCode
MIN_CHOICES = 2


def survey_settings_problems(
    *, anonymous, allow_changes, opens_at, closes_at, audience_everyone, audiences
) -> list[ServiceError]:
    problems = []
    if anonymous and allow_changes:
        problems.append(
            ServiceError(
                E.SURVEY_INVALID,
                gettext("An anonymous survey cannot let answers be changed: nothing says whose they are."),
                "allow_changes",
            )
        )
    if opens_at and closes_at and closes_at <= opens_at:
        problems.append(ServiceError(E.SURVEY_INVALID, gettext("The survey must close after it opens."), "closes_at"))
    if not audience_everyone and not audiences:
        problems.append(
            ServiceError(
                E.SURVEY_INVALID,
                gettext("Choose the audience groups, or address the survey to everyone signed in."),
                "audiences",
            )
        )
    return problems


def question_choices_problem(kind: str, labels: list[str]) -> ServiceError | None:
    if kind in Question.CHOICE_KINDS and len(labels) < MIN_CHOICES:
        return ServiceError(
            E.SURVEY_INVALID,
            gettext("A choice question needs at least %(count)d answers to choose from, one a line.")
            % {"count": MIN_CHOICES},
            "choices_text",
        )
    if kind not in Question.CHOICE_KINDS and labels:
        return ServiceError(
            E.SURVEY_INVALID,
            gettext("Only single and multiple choice questions have answers to choose from."),
            "choices_text",
        )
    if len(set(labels)) != len(labels):
        return ServiceError(E.SURVEY_INVALID, gettext("Each answer to choose from once."), "choices_text")
    return None


def questions_locked_refusal(survey: Survey | None) -> ServiceError | None:
    """Refused once anyone has answered the survey."""
    if survey is None or survey.pk is None:
        return None
    if Participation.objects.filter(survey=survey).exists():
        return ServiceError(
            E.SURVEY_INVALID,
            gettext(
                "People have answered this survey: its questions, choices, anonymity and who answers stay as they were."
            ),
        )
    return None


def reopening_refusal(survey: Survey | None, closes_at, *, now=None) -> ServiceError | None:
    """Refused: moving the close of an anonymous survey that has closed with answers past
    now. Its last sealed ballots are counted at the close whatever their number
    (`services.anonymous_ballots_seal`), so closing it after each answer and opening it
    again would tie every answer to the one person who had just answered (review)."""
    if survey is None or survey.pk is None or closes_at is None:
        return None
    now = now or timezone.now()
    stored = Survey.objects.filter(pk=survey.pk).values_list("anonymous", "closes_at").first()
    if stored is None or not stored[0] or stored[1] > now or closes_at <= now:
        return None
    if not Participation.objects.filter(survey_id=survey.pk).exists():
        return None
    return ServiceError(
        E.SURVEY_INVALID,
        gettext("An anonymous survey that has closed with answers cannot be opened again."),
        "closes_at",
    )


@transaction.atomic
def question_choices_set(*, question: Question, labels: list[str]) -> None:
    """The question's choices become `labels`, in order: rows kept by position (renamed if
    need be), the rest added or removed. Refused once the survey has answers."""
    if refusal := questions_locked_refusal(question.survey):
        existing = list(question.choices.values_list("label", flat=True))
        if existing != labels:
            raise refusal
        return
    labels = labels if question.kind in Question.CHOICE_KINDS else []
    current = list(question.choices.order_by("position", "pk"))
    for position, label in enumerate(labels):
        if position < len(current):
            choice = current[position]
            if choice.label != label or choice.position != position:
                choice.label, choice.position = label, position
                choice.save(update_fields=["label", "position"])
        else:
            Choice.objects.create(question=question, position=position, label=label)
    for choice in current[len(labels) :]:
        choice.delete()
