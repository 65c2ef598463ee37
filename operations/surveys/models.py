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
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.documents import get_document_model_string

from cms.core.immutable import ImmutableModel, ImmutableQuerySet


class Survey(ClusterableModel):
    """A survey and (as a cluster, so that the admin edits them with it) its questions."""

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

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # The admin's builder (an InlinePanel) orders the questions by this field.
    sort_order_field = "position"
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


# --- Resolutions and votes ---------------------------------------------------------------


class CountingRule(models.Model):
    """How a resolution's votes are counted, with its legal basis: kept as data. A change
    in the law is a new `version` of the rule; a resolution keeps the rule it opened with.

    - `method`: what one vote weighs. SHARES — a unit's share of the common property;
      OWNERS — one vote per owner (the people who hold a unit together, or several units
      alike, are one owner); MEMBERS — one vote per member of the cooperative.
    - `base`: what the "for" votes are measured against. ALL — more than half of the
      whole electorate's weight, whoever voted (art. 23 of the Act on Ownership of
      Premises: votes collected individually count against all owners); CAST — more "for"
      than "against" among the votes cast.
    """

    class Method(models.TextChoices):
        SHARES = "shares", _("by shares of the common property")
        OWNERS = "owners", _("one vote per owner")
        MEMBERS = "members", _("one vote per member")

    class Base(models.TextChoices):
        ALL = "all", _("more than half of the whole electorate")
        CAST = "cast", _("more for than against among the votes cast")

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    method = models.CharField(_("weight of a vote"), max_length=10, choices=Method.choices)
    base = models.CharField(_("counted against"), max_length=10, choices=Base.choices)
    effective_from = models.DateField(_("in force from"))

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="counting_rule_version_once")]
        verbose_name = _("counting rule")
        verbose_name_plural = _("counting rules")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Resolution(models.Model):
    """A resolution put to the vote between meetings, for the owners (or members) of the
    units in `buildings`. Opening it fixes the electorate (`Seat` rows: who may vote and
    with what weight at that moment) and the rule; closing it (a Celery task, when the
    window ends) fixes the result, notifies every owner, and from that notification runs
    the six weeks in which an owner may challenge it in court (art. 25 of the Act on
    Ownership of Premises)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("announced")
        OPEN = "open", _("voting")
        CLOSED = "closed", _("closed")

    class Result(models.TextChoices):
        NONE = "", _("not counted yet")
        ADOPTED = "adopted", _("adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    number = models.CharField(_("number"), max_length=40, unique=True, help_text=_("E.g. 5/2026."))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text of the resolution"))
    attachments = models.ManyToManyField(
        get_document_model_string(),
        blank=True,
        related_name="+",
        verbose_name=_("attachments"),
    )
    buildings = models.ManyToManyField(
        "residents.Building", related_name="+", verbose_name=_("buildings whose owners vote")
    )
    rule = models.ForeignKey(CountingRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("counting rule"))
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    allow_changes = models.BooleanField(_("a vote may be changed until the close"), default=False)
    secret = models.BooleanField(
        _("secret vote"),
        default=False,
        help_text=_("Residents and the protocol show counts only, never who voted how."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    total_weight = models.DecimalField(_("weight of the whole electorate"), max_digits=14, decimal_places=6, default=0)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True, default="")
    decided_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    threshold_crossed_at = models.DateTimeField(_("majority reached at"), null=True, blank=True)
    weight_for = models.DecimalField(_("for"), max_digits=14, decimal_places=6, null=True, blank=True)
    weight_against = models.DecimalField(_("against"), max_digits=14, decimal_places=6, null=True, blank=True)
    weight_abstained = models.DecimalField(_("abstained"), max_digits=14, decimal_places=6, null=True, blank=True)
    # The log's anchor, kept with each vote under the resolution's lock: how many votes it
    # holds and the last one's hash, so that removing votes from its end shows too.
    votes_count = models.PositiveIntegerField(_("votes in the log"), default=0)
    votes_head = models.CharField(_("hash of the last vote"), max_length=64, blank=True)
    # The electorate as fixed at the opening (its seats, weights and holders), hashed.
    electorate_hash = models.CharField(_("hash of the electorate"), max_length=64, blank=True)
    notified_at = models.DateTimeField(_("owners notified at"), null=True, blank=True)
    challenge_until = models.DateField(_("may be challenged until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="resolution_closes_after_opening"
            ),
        ]
        permissions = [("record_paper_vote", "Can record votes from paper ballots")]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Seat(models.Model):
    """One place in a resolution's electorate, fixed when voting opens: a unit (counting
    by shares), an owner or a member; its weight; the people who may cast its vote (the
    unit's owners then; co-owners cast one vote between them) and a proxy, if one was
    given a power of attorney."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="seats")
    key = models.CharField(max_length=80)
    label = models.CharField(_("units"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6)
    units = models.ManyToManyField("residents.Unit", related_name="+")
    holders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proxy"),
    )

    class Meta:
        ordering = ["label", "id"]
        constraints = [models.UniqueConstraint(fields=["resolution", "key"], name="seat_once_per_resolution")]
        verbose_name = _("seat in the electorate")
        verbose_name_plural = _("electorate")

    def __str__(self) -> str:
        return f"{self.resolution_id}: {self.label}"


def ballot_file_name(instance, filename: str) -> str:
    # A random name: scans are private (served only to staff), as tickets' photos are.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    return f"ballots/{uuid.uuid4().hex}.{suffix[:5]}"


class VoteQuerySet(ImmutableQuerySet):
    pass


class Vote(ImmutableModel):
    """A vote as cast, in an append-only log: each carries the hash of the one before it
    in the resolution (`previous_hash`) and its own (`hash`, over its fields and the
    previous hash), so that editing any stored vote breaks the chain (`selectors.
    chain_breaks`). A changed vote is a later row for the same seat; the last one counts."""

    class Choice(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        ABSTAIN = "abstain", _("abstain")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper ballot")

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="votes")
    sequence = models.PositiveIntegerField()
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voter_name = models.CharField(_("voter"), max_length=200, help_text=_("As signed on the ballot or the account."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ballot_scan = models.FileField(_("ballot scan"), upload_to=ballot_file_name, max_length=200, blank=True)
    ballot_sha256 = models.CharField(_("ballot scan's hash (SHA-256)"), max_length=64, blank=True)
    cast_at = models.DateTimeField(_("cast at"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["resolution", "sequence"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["resolution", "sequence"], name="vote_sequence_once"),
            models.CheckConstraint(
                condition=~Q(channel="paper") | Q(recorded_by__isnull=False), name="paper_vote_names_who_recorded"
            ),
        ]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.resolution_id}#{self.sequence} {self.choice}"


# --- Reminders -----------------------------------------------------------------------------


class Reminder(models.Model):
    """That a person was reminded of a survey or a resolution at one step (when it opened,
    or before it closes): each step reaches each person once (`services.reminders`). It
    says nothing of what anyone answered; in an anonymous survey it says only that the
    person had not answered by then, as the participation's day does."""

    class Step(models.TextChoices):
        OPENING = "opening", _("when it opens")
        CLOSING = "closing", _("before it closes")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "step", "person"], condition=Q(survey__isnull=False), name="survey_reminder_once"
            ),
            models.UniqueConstraint(
                fields=["resolution", "step", "person"],
                condition=Q(resolution__isnull=False),
                name="resolution_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(survey__isnull=True, resolution__isnull=False)
                | Q(survey__isnull=False, resolution__isnull=True),
                name="reminder_of_one_item",
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.survey_id or self.resolution_id}: {self.step} {self.person_id}"


class SealedBallot(models.Model):
    """An anonymous survey's answers, waiting to be counted. Written with the participation
    in one transaction, so that a database keeps them side by side (the same transaction
    id, neighbouring places on disk); `services.anonymous_ballots_seal` moves them, at
    least `ANONYMOUS_BATCH` at a time (all of them once the survey closes), into
    `Response` rows in a shuffled order within one transaction and deletes them. What
    remains then says of each answer only that it was in the batch."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sealed_ballots")
    # [{"question": id, "choice": id or null, "number": int or null, "text": str}]
    answers = models.JSONField(default=list)

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self) -> str:
        return str(self.id)
