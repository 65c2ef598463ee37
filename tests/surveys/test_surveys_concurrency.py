"""Two members of one unit answering a per-unit survey at the same moment (PostgreSQL,
threads on their own connections): exactly one answer is kept, the other is refused
with ALREADY_ANSWERED, and nothing of the refused one is written."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from cms.core.exceptions import ServiceError
from operations.residents.models import Membership
from operations.surveys import services
from operations.surveys.errors import SurveyErrorCode
from operations.surveys.models import Answer, Participation, Question, Response, Survey
from tests.factories import tickets as tf


def run_at_once(work_items) -> tuple[list, list]:
    barrier = threading.Barrier(len(work_items))
    results, errors = [], []

    def run(work):
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in work_items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_members_of_one_unit_at_the_same_moment_give_one_answer(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    tf.close_shared_casts(django_db_blocker)
    cast = tf.build_cast(with_firms=False)
    now = timezone.now()
    survey = Survey.objects.create(
        title="Wymiana domofonów",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        is_published=True,
        answer_by=Survey.AnswerBy.UNIT,
    )
    question = Question.objects.create(survey=survey, kind=Question.Kind.YES_NO, text="Czy wymienić?")
    members = [cast.reporter, cast.co_resident, tf.resident(cast.unit, role=Membership.Role.OWNER, username="wspolwl")]

    for attempt in range(3):
        Participation.objects.filter(survey=survey).delete()
        Response.objects.filter(survey=survey).delete()
        results, errors = run_at_once(
            [
                (
                    lambda person=person: services.survey_respond(
                        survey=survey, person=person, answers={question.pk: True}
                    )
                )
                for person in members
            ]
        )
        assert len(results) == 1, (attempt, errors)
        assert [e.code for e in errors if isinstance(e, ServiceError)] == [SurveyErrorCode.ALREADY_ANSWERED] * 2
        assert Participation.objects.filter(survey=survey).count() == 1
        assert Response.objects.filter(survey=survey).count() == 1
        assert Answer.objects.filter(question=question).count() == 1
