"""The demo cooperative's surveys and resolutions, written through the surveys services.

- An open satisfaction survey for everyone signed in (one answer per person): how the
  estate is looked after, a 0–10 question for the NPS, a choice and a free text; a third
  of the residents have answered, `resident.a` among them, `resident.b` not yet.
- A closed anonymous survey about the administration's work, whose results residents see.
- An open resolution of building B's owners counted by shares (art. 23 of the Act on
  Ownership of Premises): a few owners have voted online, the owner of the vacant flat B/9
  on paper (the ballot's scan is stored); `resident.b` (B/5) has not voted yet.
- A closed resolution of building A's owners, adopted by shares, with its result sent to
  the owners and the six weeks to challenge it running.

The services take the moment they act at (`now`), so the past is written as it happened.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile

from operations.residents.models import Membership
from operations.surveys import services
from operations.surveys.models import Choice, CountingRule, Question, Resolution, Survey

from . import media

K = Question.Kind

SATISFACTION = {
    "title": "Jak oceniasz utrzymanie osiedla w 2026 roku?",
    "introduction": "Ankieta zajmie około dwóch minut. Odpowiedzi pomogą zarządowi zaplanować budżet na 2027 rok.",
    "questions": [
        (K.SCALE, "Jak oceniasz czystość klatek schodowych?", [], True),
        (K.NPS, "Jak bardzo polecił(a)byś nasze osiedle znajomym? (0 – wcale, 10 – bardzo)", [], True),
        (
            K.SINGLE,
            "Co powinno być priorytetem w przyszłym roku?",
            ["Remont elewacji", "Nowe place zabaw", "Monitoring parkingów", "Zieleń i nasadzenia"],
            True,
        ),
        (K.MULTIPLE, "Z czego korzystasz?", ["Portal mieszkańca", "Aplikacja", "Biuro spółdzielni"], False),
        (K.TEXT, "Co jeszcze chcesz nam przekazać?", [], False),
    ],
}

ADMINISTRATION = {
    "title": "Ocena pracy administracji osiedla (II kwartał)",
    "introduction": "Ankieta jest anonimowa: nikt, także pracownicy spółdzielni, nie zobaczy, kto jak odpowiedział.",
    "questions": [
        (K.SCALE, "Jak oceniasz szybkość reakcji na zgłoszenia?", [], True),
        (K.YES_NO, "Czy wiesz, jak skontaktować się z administratorem budynku?", [], True),
        (K.TEXT, "Co możemy poprawić?", [], False),
    ],
}

FREE_TEXTS = [
    "Więcej koszy na śmieci przy placu zabaw.",
    "Prosimy o częstsze mycie okien na klatce.",
    "Brakuje stojaków na rowery.",
    "Dziękuję za szybką naprawę domofonu.",
]


class SurveysDemo:
    def __init__(self, builder):
        self.builder = builder
        self.now = builder.now
        self.rng = builder.rng
        self.admin = builder.users["admin"]

    def build(self) -> None:
        self._satisfaction()
        self._administration()
        self._open_resolution()
        self._closed_resolution()
        self.builder.log("  surveys: 2, resolutions: 2")

    # --- surveys ----------------------------------------------------------------------

    def _survey(self, spec: dict, **fields) -> Survey:
        survey = Survey.objects.create(
            title=spec["title"], introduction=spec["introduction"], created_by=self.admin, **fields
        )
        for position, (kind, text, choices, required) in enumerate(spec["questions"]):
            question = Question.objects.create(
                survey=survey, position=position, kind=kind, text=text, required=required
            )
            for index, label in enumerate(choices):
                Choice.objects.create(question=question, position=index, label=label)
        return survey

    def _residents(self) -> list:
        people = {}
        memberships = (
            Membership.objects.live()
            .filter(unit__building__estate=self.builder.estate)
            .select_related("user")
            .order_by("user__username")
        )
        for membership in memberships:
            people.setdefault(membership.user_id, membership.user)
        return list(people.values())

    def _answers(self, survey: Survey, *, text_chance: float) -> dict:
        answers = {}
        for question in survey.questions.prefetch_related("choices"):
            choices = list(question.choices.all())
            if question.kind == K.SCALE:
                answers[question.pk] = self.rng.choice([3, 4, 4, 5, 5, 2])
            elif question.kind == K.NPS:
                answers[question.pk] = self.rng.choice([10, 9, 9, 8, 7, 6, 10, 3])
            elif question.kind == K.SINGLE:
                answers[question.pk] = self.rng.choice(choices).pk
            elif question.kind == K.MULTIPLE:
                answers[question.pk] = [c.pk for c in choices if self.rng.random() < 0.5] or [choices[0].pk]
            elif question.kind == K.YES_NO:
                answers[question.pk] = self.rng.random() < 0.7
            elif question.kind == K.TEXT and self.rng.random() < text_chance:
                answers[question.pk] = self.rng.choice(FREE_TEXTS)
        return answers

    def _satisfaction(self) -> None:
        survey = self._survey(
            SATISFACTION,
            opens_at=self.now - timedelta(days=6),
            closes_at=self.now + timedelta(days=14),
            is_published=True,
            results_to_residents=True,
        )
        people = [p for p in self._residents() if p.username != "resident.b"]
        answering = [p for p in people if p.username == "resident.a"] + self.rng.sample(people, len(people) // 3)
        for index, person in enumerate(dict.fromkeys(answering)):
            moment = self.now - timedelta(days=5, hours=-index * 2)
            services.survey_respond(
                survey=survey, person=person, answers=self._answers(survey, text_chance=0.3), now=moment
            )

    def _administration(self) -> None:
        survey = self._survey(
            ADMINISTRATION,
            opens_at=self.now - timedelta(days=60),
            closes_at=self.now - timedelta(days=30),
            is_published=True,
            anonymous=True,
            results_to_residents=True,
        )
        people = self._residents()
        for index, person in enumerate(self.rng.sample(people, len(people) // 2)):
            moment = survey.opens_at + timedelta(hours=3 + index * 5)
            services.survey_respond(
                survey=survey, person=person, answers=self._answers(survey, text_chance=0.4), now=moment
            )
        services.anonymous_ballots_seal(now=self.now)  # closed: every sealed answer is counted

    # --- resolutions -------------------------------------------------------------------

    def _resolution(self, *, number, title, text, building, opens_at, closes_at) -> Resolution:
        resolution = Resolution.objects.create(
            number=number,
            title=title,
            text=text,
            rule=CountingRule.objects.get(code="wspolnota-udzialy", version=1),
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=self.admin,
        )
        resolution.buildings.set([self.builder.buildings[building]])
        return services.resolution_schedule(resolution=resolution, by=self.admin, now=opens_at)

    def _owners_voting(self, resolution: Resolution, *, skip: set[str], share: float, choice_for: float, start):
        """Owners of about `share` of the seats vote online, `choice_for` of them for."""
        seats = list(resolution.seats.prefetch_related("holders"))
        for index, seat in enumerate(seats):
            holders = [h for h in seat.holders.all() if h.username not in skip]
            if not holders or seat.votes.exists() or self.rng.random() > share:
                continue
            choice = "for" if self.rng.random() < choice_for else self.rng.choice(["against", "abstain"])
            services.vote_cast(
                resolution=resolution, person=holders[0], choice=choice, now=start + timedelta(hours=5 * index + 1)
            )

    def _open_resolution(self) -> None:
        opens_at = self.now - timedelta(days=4)
        resolution = self._resolution(
            number="8/2026",
            title="Wymiana instalacji domofonowej w budynku B",
            text=(
                "Właściciele lokali w budynku przy ul. Sadowej 14 wyrażają zgodę na wymianę instalacji "
                "domofonowej na system z czytnikami breloków, za kwotę do 48 000 zł brutto z funduszu "
                "remontowego budynku, w terminie do 31 marca 2027 r."
            ),
            building="B",
            opens_at=opens_at,
            closes_at=self.now + timedelta(days=10),
        )
        self._owners_voting(resolution, skip={"resident.b"}, share=0.35, choice_for=0.75, start=opens_at)
        vacant = resolution.seats.filter(label="B/9").first()
        if vacant is not None and not vacant.votes.exists():
            ballot = media.document_pdf(
                "Karta do głosowania nad uchwałą nr 8/2026",
                ["Lokal B/9, ul. Sadowa 14.", "Głosuję: ZA.", "Podpis: Helena Ostrowska"],
            )
            services.vote_record_paper(
                resolution=resolution,
                seat=vacant,
                choice="for",
                voter_name="Helena Ostrowska",
                ballot_scan=ContentFile(ballot, name="karta-8-2026-B9.pdf"),
                signed_at=opens_at + timedelta(days=1, hours=2),
                by=self.admin,
                now=opens_at + timedelta(days=2),
            )

    def _closed_resolution(self) -> None:
        opens_at = self.now - timedelta(days=40)
        closes_at = self.now - timedelta(days=19)
        resolution = self._resolution(
            number="6/2026",
            title="Docieplenie stropodachu budynku A",
            text=(
                "Właściciele lokali w budynku przy ul. Sadowej 12 wyrażają zgodę na docieplenie stropodachu "
                "i zaciągnięcie na ten cel kredytu do 120 000 zł, spłacanego z funduszu remontowego budynku."
            ),
            building="A",
            opens_at=opens_at,
            closes_at=closes_at,
        )
        resident_a = resolution.seats.filter(holders__username="resident.a").first()
        if resident_a is not None:
            services.vote_cast(
                resolution=resolution,
                person=resident_a.holders.get(username="resident.a"),
                choice="for",
                now=opens_at + timedelta(hours=3),
            )
        self._owners_voting(resolution, skip=set(), share=0.85, choice_for=0.9, start=opens_at)
        services.resolution_close(resolution=resolution, now=closes_at + timedelta(minutes=5))


def build_surveys(builder) -> None:
    SurveysDemo(builder).build()


def remove_surveys() -> None:
    """The demo's surveys and resolutions with their answers and votes (votes are never
    deleted by the hub; the demo removes its own with a plain SQL delete)."""
    from django.core.files.storage import default_storage
    from django.db import models, router, transaction

    from operations.surveys.models import Seat, Vote

    titles = [SATISFACTION["title"], ADMINISTRATION["title"]]
    Survey.objects.filter(title__in=titles).delete()
    resolutions = Resolution.objects.filter(number__in=["6/2026", "8/2026"])
    votes = Vote.objects.filter(resolution__in=resolutions)
    scans = [name for name in votes.values_list("ballot_scan", flat=True) if name]
    models.QuerySet._raw_delete(votes, router.db_for_write(Vote))
    Seat.objects.filter(resolution__in=resolutions).delete()
    resolutions.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in scans])
