"""Reminders of surveys and resolutions through messaging (kind "survey_reminder"): to the
people in a survey's audience who have not answered, and to those who cast the vote of a
resolution's seat that has not voted, at two steps — when it opens, and once before it
closes (`BEFORE_CLOSE`). Each step reaches each person once: a `Reminder` row per item,
step and person, written in the same transaction as the messages (whose dedupe key says
the same again). Nothing is sent before the opening or from the close on.

A survey or resolution found already in its last stretch (the beat was down, or it was
published late) gets the closing step only; one whose whole window is shorter than that
stretch gets the opening step only. Celery beat runs `reminders_send` (tasks.py); running
it twice sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from cms.core.portal_links import resolution_portal_url, survey_portal_url
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind

from ..models import Reminder, Resolution, Survey
from ..selectors.reminders import resolution_not_voted, survey_not_answered

BEFORE_CLOSE = timedelta(days=2)
Step = Reminder.Step


def step_due(opens_at: datetime, closes_at: datetime, now: datetime) -> str | None:
    """The step due now for a window, or None outside it."""
    if not (opens_at <= now < closes_at):
        return None
    closing_from = closes_at - BEFORE_CLOSE
    if closing_from > opens_at and now >= closing_from:
        return Step.CLOSING
    return Step.OPENING


def _closes_text(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "d.m.Y H:i")


def _link(item: dict) -> str:
    """Where the reminder leads: the survey or the resolution in the portal."""
    if item.get("survey") is not None:
        return survey_portal_url(item["survey"])
    return resolution_portal_url(item["resolution"])


def _send(*, item: dict, step: str, people: set[int], template: str, context: dict, dedupe: str, today) -> int:
    """Record and send one step to `people` not reminded of it yet; how many were."""
    User = get_user_model()
    with transaction.atomic():
        already = set(Reminder.objects.filter(step=step, **item).values_list("person_id", flat=True))
        people = set(User.objects.filter(pk__in=people - already, is_active=True).values_list("pk", flat=True))
        if not people:
            return 0
        Reminder.objects.bulk_create(
            [Reminder(step=step, person_id=person, sent_on=today, **item) for person in sorted(people)],
            ignore_conflicts=True,
        )
        messaging.message_send(
            kind=MessageKind.SURVEY_REMINDER,
            template_key=f"{template}-{step}",
            recipients=sorted(people),
            context=context,
            dedupe_key=dedupe,
            link=_link(item),
        )
    return len(people)


def survey_reminders_send(*, survey: Survey, now: datetime | None = None) -> int:
    now = now or timezone.now()
    step = step_due(survey.opens_at, survey.closes_at, now) if survey.is_published else None
    if step is None:
        return 0
    return _send(
        item={"survey": survey},
        step=step,
        people=set(survey_not_answered(survey)),
        template="survey-reminder",
        context={"title": survey.title, "closes_at": _closes_text(survey.closes_at)},
        dedupe=f"survey:{survey.pk}:reminder:{step}",
        today=timezone.localdate(now),
    )


def resolution_reminders_send(*, resolution: Resolution, now: datetime | None = None) -> int:
    now = now or timezone.now()
    if resolution.state != Resolution.State.OPEN:
        return 0
    step = step_due(resolution.opens_at, resolution.closes_at, now)
    if step is None:
        return 0
    return _send(
        item={"resolution": resolution},
        step=step,
        people=resolution_not_voted(resolution),
        template="resolution-reminder",
        context={
            "number": resolution.number,
            "title": resolution.title,
            "closes_at": _closes_text(resolution.closes_at),
        },
        dedupe=f"resolution:{resolution.pk}:reminder:{step}",
        today=timezone.localdate(now),
    )


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Every step due now of every open survey and resolution (what the beat runs)."""
    now = now or timezone.now()
    surveys = Survey.objects.filter(is_published=True, opens_at__lte=now, closes_at__gt=now)
    resolutions = Resolution.objects.filter(state=Resolution.State.OPEN, opens_at__lte=now, closes_at__gt=now)
    return {
        "surveys": sum(survey_reminders_send(survey=survey, now=now) for survey in surveys),
        "resolutions": sum(resolution_reminders_send(resolution=r, now=now) for r in resolutions),
    }
