"""Surveys: staff ask, each resident (or each unit) answers once.

A `Survey` has its questions (`Question`, with `Choice` rows for the choice kinds), an
audience, a window (`opens_at` to `closes_at`) and its rules: one answer per person or
per unit, whether an answer may be changed until the close, whether it is anonymous,
whether residents see the results once it closes.

The audience is everyone the cooperative recognises as a resident (a live membership),
or the chosen audience groups — the same groups content visibility uses (an estate, a
building, the owners, the tenants, the board; `residents.Audience`). A person is in it
when one of their live memberships falls in any chosen group (its unit's estate or
building, or its role); that membership's unit is one they may answer for.

Who answered is a `Participation` (the survey, the person, the unit they answered for, and
a `key` — "person:<id>" or "unit:<id>" by the survey's rule — unique per survey, so that
two members of one unit answering at the same moment cannot both get in). What they
answered is a `Response` with its `Answer` rows. In a named survey the response names its
participation. In an anonymous one nothing links them: the response has no person, unit,
participation or time, and responses and answers have random ids (UUIDs), so neither
their ids nor their timestamps tell the order in which people answered; the
participation keeps only the day. An anonymous answer cannot be changed (nothing says
whose it is).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    class AnswerBy(models.TextChoices):
        PERSON = "person", _("one answer per person")
        UNIT = "unit", _("one answer per unit")

    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    audience_everyone = models.BooleanField(
        _("everyone signed in"),
        default=True,
        help_text=_("Every resident with a verified membership; otherwise only the chosen audience groups."),
    )
    audiences = models.ManyToManyField(
        Group,
        blank=True,
        related_name="+",
        verbose_name=_("audience groups"),
        limit_choices_to={"audience__isnull": False},
    )
    answer_by = models.CharField(_("who answers"), max_length=10, choices=AnswerBy.choices, default=AnswerBy.PERSON)
    anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("Nobody, staff included, can tell who gave which answers.")
    )
    allow_changes = models.BooleanField(_("answers may be changed until the close"), default=False)
    results_to_residents = models.BooleanField(_("residents see the results after the close"), default=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    is_published = models.BooleanField(_("published"), default=False, help_text=_("A draft is seen only by staff."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening"),
            models.CheckConstraint(
                condition=~Q(anonymous=True, allow_changes=True), name="survey_anonymous_answers_final"
            ),
        ]
        permissions = [("view_survey_results", "Can see every survey's results while it runs")]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, moment) -> bool:
        return self.is_published and self.opens_at <= moment < self.closes_at

    def is_closed_at(self, moment) -> bool:
        return moment >= self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale 1–5")
        NPS = "nps", _("0–10 (how likely to recommend)")
        TEXT = "text", _("free text")
        YES_NO = "yes_no", _("yes or no")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    RANGES = {Kind.SCALE: (1, 5), Kind.NPS: (0, 10), Kind.YES_NO: (0, 1)}
    TEXT_LIMIT = 2000

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("hint"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("answer"), max_length=200)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """That a person answered (for a unit), never what. In an anonymous survey only the day."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("residents.Unit", on_delete=models.PROTECT, related_name="+")
    # "person:<id>" or "unit:<id>" as the survey's rule counts one answer: unique per survey.
    key = models.CharField(max_length=40)
    answered_on = models.DateField(_("answered on"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="survey_answer_once")]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.key}"


class Response(models.Model):
    """One set of answers. Named: it names its participation and times. Anonymous: nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """The answer to one question: a choice (one row per choice ticked), a number (the
    scale, 0–10, yes = 1 and no = 0) or text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, null=True, blank=True, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                condition=Q(choice__isnull=False),
                name="survey_choice_once_per_response",
            ),
            models.UniqueConstraint(
                fields=["response", "question"], condition=Q(choice__isnull=True), name="survey_value_once_per_response"
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice_id or self.number if self.text == '' else self.text[:40]}"
