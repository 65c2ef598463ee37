"""Reminders of surveys and resolutions (services/reminders.py, the beat task): when it
opens and once before it closes, each step once per person, only to those who have not
answered or voted, never before the opening or from the close on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from operations.messaging.models import Message
from operations.surveys import services, tasks
from operations.surveys.models import Reminder
from operations.surveys.services.reminders import BEFORE_CLOSE
from tests.surveys.admin_kit import K, make_resolution, make_survey, resolution_staff, shares

pytestmark = pytest.mark.django_db


def reminded(key_start: str) -> list[tuple[int, str]]:
    return sorted(Message.objects.filter(dedupe_key__startswith=key_start).values_list("recipient_id", "dedupe_key"))


def yes_no_survey(**fields):
    return make_survey(questions=[(K.YES_NO, "Czy?", [], True)], **fields)


def test_the_opening_reminder_goes_once_to_those_who_have_not_answered(cast):
    survey = yes_no_survey()
    question = survey.questions.get()
    services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: True})
    sent = services.survey_reminders_send(survey=survey)
    people = {person for person, _key in reminded(f"survey:{survey.pk}:")}
    assert cast.reporter.pk not in people
    assert {cast.neighbour.pk, cast.co_resident.pk, cast.stranger.pk} <= people
    assert not {cast.dispatcher.pk, cast.firm_worker.pk} & people  # not residents: not in the audience
    assert sent == len(people)
    assert services.survey_reminders_send(survey=survey) == 0  # again: nothing twice
    assert Reminder.objects.filter(survey=survey, step="opening").count() == len(people)
    message = Message.objects.filter(dedupe_key=f"survey:{survey.pk}:reminder:opening").first()
    assert "/ankiety/" in message.link  # the survey in the portal
    assert survey.title in message.subject and message.kind == "survey_reminder"


def test_the_closing_reminder_once_before_the_close_and_never_after(cast):
    survey = yes_no_survey(closes_at=timezone.now() + timedelta(days=6))
    question = survey.questions.get()
    services.survey_reminders_send(survey=survey)
    services.survey_respond(survey=survey, person=cast.neighbour, answers={question.pk: False})
    before_close = survey.closes_at - BEFORE_CLOSE + timedelta(hours=1)
    services.survey_reminders_send(survey=survey, now=before_close)
    services.survey_reminders_send(survey=survey, now=before_close + timedelta(hours=5))
    closing = {person for person, _ in reminded(f"survey:{survey.pk}:reminder:closing")}
    assert cast.neighbour.pk not in closing and cast.stranger.pk in closing
    assert (
        Message.objects.filter(dedupe_key=f"survey:{survey.pk}:reminder:closing", recipient=cast.stranger).count() == 1
    )
    after = Message.objects.count()
    assert services.survey_reminders_send(survey=survey, now=survey.closes_at) == 0
    assert services.survey_reminders_send(survey=survey, now=survey.closes_at + timedelta(days=1)) == 0
    assert Message.objects.count() == after


def test_nothing_before_the_opening_nor_for_a_draft(cast):
    later = yes_no_survey(opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=9))
    draft = yes_no_survey(is_published=False)
    assert services.survey_reminders_send(survey=later) == 0
    assert services.survey_reminders_send(survey=draft) == 0
    assert not Reminder.objects.exists()


def test_a_survey_found_in_its_last_stretch_gets_the_closing_step_only(cast):
    survey = yes_no_survey(opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() + timedelta(days=1))
    services.survey_reminders_send(survey=survey)
    assert set(Reminder.objects.filter(survey=survey).values_list("step", flat=True)) == {"closing"}


def test_a_per_unit_survey_reminds_only_units_without_an_answer(cast):
    survey = yes_no_survey(answer_by="unit")
    services.survey_respond(survey=survey, person=cast.reporter, answers={survey.questions.get().pk: True})
    services.survey_reminders_send(survey=survey)
    people = {person for person, _ in reminded(f"survey:{survey.pk}:")}
    assert cast.reporter.pk not in people and cast.co_resident.pk not in people  # their unit answered
    assert cast.neighbour.pk in people


def test_an_anonymous_survey_reminds_those_who_have_not_answered_too(cast):
    survey = yes_no_survey(anonymous=True)
    services.survey_respond(survey=survey, person=cast.reporter, answers={survey.questions.get().pk: True})
    services.survey_reminders_send(survey=survey)
    assert cast.reporter.pk not in {person for person, _ in reminded(f"survey:{survey.pk}:")}


def test_a_resolution_reminds_the_electorate_who_have_not_voted(cast):
    shares(cast)
    secretary = resolution_staff()
    resolution = make_resolution(cast.building, secretary)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
    services.resolution_reminders_send(resolution=resolution)
    people = {person for person, _ in reminded(f"resolution:{resolution.pk}:reminder")}
    assert people == {cast.neighbour.pk}  # the tenant and the other building do not vote
    assert services.resolution_reminders_send(resolution=resolution) == 0
    # A proxy named for the seat is reminded before the close, not the owner.
    seat = resolution.seats.get(label=str(cast.other_unit))
    services.seat_proxy_set(seat=seat, proxy=cast.stranger, by=secretary)
    services.resolution_reminders_send(resolution=resolution, now=resolution.closes_at - timedelta(hours=3))
    closing = {person for person, _ in reminded(f"resolution:{resolution.pk}:reminder:closing")}
    assert closing == {cast.stranger.pk}
    assert services.resolution_reminders_send(resolution=resolution, now=resolution.closes_at) == 0


def test_the_beat_task_sends_what_is_due_and_is_scheduled(cast):
    survey = yes_no_survey()
    result = tasks.reminders_send.delay().get()
    assert result["surveys"] >= 1
    assert Reminder.objects.filter(survey=survey).exists()
    assert tasks.reminders_send.delay().get() == {"surveys": 0, "resolutions": 0}
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "operations.surveys.tasks.reminders_send" in schedule
