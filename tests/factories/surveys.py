"""Surveys for tests: one open survey for everyone signed in (or the given audience groups)
with a question of each kind, unless the test gives its own questions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from operations.surveys.models import Choice, Question, Survey

K = Question.Kind

# (kind, text, choices, required)
DEFAULT_QUESTIONS = [
    (K.SINGLE, "Jak często sprzątane są klatki?", ["Za rzadko", "W sam raz", "Za często"], True),
    (K.MULTIPLE, "Co poprawić?", ["Mycie okien", "Schody", "Windy"], False),
    (K.SCALE, "Ocena ogólna", [], True),
    (K.NPS, "Czy polecił(a)byś firmę sprzątającą?", [], False),
    (K.YES_NO, "Czy chcesz dyżurów w soboty?", [], False),
    (K.TEXT, "Uwagi", [], False),
]


def make_survey(*, groups=(), questions=None, **fields) -> Survey:
    """Open since yesterday for six days, published; `fields` override any of that."""
    now = timezone.now()
    values = {
        "title": "Jak oceniasz sprzątanie klatek?",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=6),
        "is_published": True,
        "audience_everyone": not groups,
    }
    values.update(fields)
    survey = Survey.objects.create(**values)
    survey.audiences.set(groups)
    for position, (kind, text, choices, required) in enumerate(DEFAULT_QUESTIONS if questions is None else questions):
        question = Question.objects.create(survey=survey, position=position, kind=kind, text=text, required=required)
        for index, label in enumerate(choices):
            Choice.objects.create(question=question, position=index, label=label)
    return survey
