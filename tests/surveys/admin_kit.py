"""What the surveys admin tests share (`test_admin_*.py`, `test_protocol.py`,
`test_survey_reminders.py`): staff with the surveys' permissions, a signed-in client, a survey
with every kind of question, and a resolution open for voting in the cast's building A."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from operations.surveys import services
from operations.surveys.models import CountingRule, Question, Resolution
from tests.factories import surveys as factories
from tests.factories.residents import UserFactory

K = Question.Kind
SURVEYS = "/admin/surveys/"
RESOLUTIONS = "/admin/resolutions/"

SURVEY_PERMISSIONS = ["view_survey", "add_survey", "change_survey", "delete_survey", "view_survey_results"]
RESOLUTION_PERMISSIONS = [
    "view_survey",
    "view_resolution",
    "add_resolution",
    "change_resolution",
    "delete_resolution",
    "record_paper_vote",
]


def grant(user, codenames, *, admin=True):
    permissions = list(Permission.objects.filter(content_type__app_label="surveys", codename__in=codenames))
    if admin:
        permissions.append(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.user_permissions.add(*permissions)
    return type(user).objects.get(pk=user.pk)


def survey_staff(username="ankiety", codenames=SURVEY_PERMISSIONS):
    return grant(UserFactory(username=username, first_name="Sylwia", last_name="Ankieterka"), codenames)


def resolution_staff(username="uchwaly", codenames=RESOLUTION_PERMISSIONS):
    return grant(UserFactory(username=username, first_name="Roman", last_name="Sekretarz"), codenames)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


QUESTIONS = factories.DEFAULT_QUESTIONS
make_survey = factories.make_survey


def answers(survey, *, single=1, scale=4, nps=9, yes=True, text="Więcej koszy"):
    q = list(survey.questions.prefetch_related("choices"))
    return {
        q[0].pk: q[0].choices.all()[single].pk,
        q[1].pk: [q[1].choices.all()[0].pk, q[1].choices.all()[2].pk],
        q[2].pk: scale,
        q[3].pk: nps,
        q[4].pk: yes,
        q[5].pk: text,
    }


def make_resolution(building, by, *, code="wspolnota-udzialy", schedule=True, **fields) -> Resolution:
    now = timezone.now()
    values = {
        "number": f"{Resolution.objects.count() + 1}/2026",
        "title": "Wymiana dźwigów osobowych",
        "text": "Właściciele lokali wyrażają zgodę na wymianę dźwigów.",
        "rule": CountingRule.objects.get(code=code, version=1),
        "opens_at": now - timedelta(minutes=5),
        "closes_at": now + timedelta(days=7),
    }
    values.update(fields)
    resolution = Resolution.objects.create(**values)
    resolution.buildings.set([building])
    if schedule:
        resolution = services.resolution_schedule(resolution=resolution, by=by)
    return resolution


def shares(cast, first="0.600000", second="0.400000"):
    """Give the cast's units A/1 and A/2 their shares (a resolution by shares needs them)."""
    for unit, share in ((cast.unit, first), (cast.other_unit, second)):
        unit.share = Decimal(share)
        unit.save(update_fields=["share"])


def scan(content=b"%PDF-1.4 karta do glosowania"):
    return ContentFile(content, name="karta.pdf")
