"""Fault reports and requests (zgłoszenia), their categories, history, comments and photos.

A `Ticket` concerns a unit or a common area of a building. Its `Category` sets its
deadlines (response and resolution, in hours) and who answers for it by default. Every
change of status, assignment or deadline is a `TicketEvent` (who, when, from, to, note),
written by the services in the same transaction as the change; `workflow.py` is the one
place that says which status changes are allowed and to whom. Comments are public (the
reporter sees them) or internal (staff and the assigned contractor only).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.core.loading import LeanLoading


class Category(LeanLoading, models.Model):
    """What kind of fault or request, and the deadlines and people that follow from it."""

    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", pgettext_lazy("ticket category urgency", "emergency")
        URGENT = "urgent", pgettext_lazy("ticket category urgency", "urgent")
        ROUTINE = "routine", pgettext_lazy("ticket category urgency", "routine")

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    response_hours = models.PositiveIntegerField(
        _("response time (hours)"), validators=[MinValueValidator(1)], help_text=_("Time to the first reaction.")
    )
    resolution_hours = models.PositiveIntegerField(
        _("resolution time (hours)"), validators=[MinValueValidator(1)], help_text=_("Time to have it done.")
    )
    default_responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible staff member"),
    )
    default_contractor = models.ForeignKey(
        "contractors.ContractorPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default contractor"),
    )
    # The directory's trade that does this kind of work: the admin's assign form offers the
    # firms of this trade first (every firm stays a click away). Empty: every firm alike.
    trade = models.ForeignKey(
        "contractors.Trade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trade"),
        help_text=_("Firms of this trade are offered first when a ticket is handed to a contractor."),
    )
    is_active = models.BooleanField(_("offered to residents"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class Ticket(LeanLoading, models.Model):
    """One fault report or request, from reporting to closing."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting")
        DONE = "done", _("done")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    class Source(models.TextChoices):
        """The channel the report really came through: a signed-in resident's own report
        (PORTAL, or APP when the mobile app says so), one staff took down for a resident
        (PHONE, EMAIL, OFFICE), or the public form without an account (ANONYMOUS)."""

        PORTAL = "portal", _("resident portal")
        APP = "app", _("mobile app")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        OFFICE = "office", _("office")
        ANONYMOUS = "anonymous", _("without an account")

    class VisitWindow(models.TextChoices):
        ANY = "any", _("any time")
        MORNING = "morning", _("8:00–12:00")
        AFTERNOON = "afternoon", _("12:00–16:00")
        EVENING = "evening", _("16:00–20:00")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"))
    building = models.ForeignKey(
        "residents.Building", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        "residents.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("unit"),
        help_text=_("Empty for a common area of the building."),
    )
    location = models.CharField(
        _("where exactly"), max_length=150, blank=True, help_text=_("E.g. staircase 2, 3rd floor.")
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    preferred_date = models.DateField(_("preferred visit date"), null=True, blank=True)
    preferred_window = models.CharField(
        _("preferred time"), max_length=20, choices=VisitWindow.choices, default=VisitWindow.ANY
    )
    entry_permitted = models.BooleanField(_("entry without the resident permitted"), default=False)

    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.PORTAL)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_tickets",
        verbose_name=_("reported by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Staff member who took the report on the resident's behalf."),
    )
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=16, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_tickets",
        verbose_name=_("responsible staff member"),
    )
    contractor = models.ForeignKey(
        "contractors.ContractorPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contractor"),
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("worker"),
    )

    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the time to the deadline started: the report, or the last reopening (the warning
    # comes at TICKET_WARNING_SHARE of the time from here to `due_at`).
    clock_started_at = models.DateTimeField(default=timezone.now)
    response_due_at = models.DateTimeField(_("respond by"))
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("handed to contractor"), null=True, blank=True)
    contractor_accepted_at = models.DateTimeField(_("accepted by contractor"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Escalation marks: each warning is sent once (set in the same UPDATE that claims it).
    warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue"), null=True, blank=True)
    response_overdue_at = models.DateTimeField(_("no response in time"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="ticket_open_by_deadline"),
            models.Index(fields=["contractor", "status"], name="ticket_by_contractor"),
            models.Index(fields=["building", "created_at"], name="ticket_by_building"),
        ]
        permissions = [
            ("dispatch_ticket", "Can assign tickets and change their status"),
            ("view_ticket_statistics", "Can view ticket statistics"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number residents quote on the phone: ZG/2026/123."""
        # The year as a number rather than the date formatted with `%Y`: a list asks a hundred.
        return f"ZG/{timezone.localtime(self.created_at).year}/{self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline, whether or not escalation has marked it yet (it runs
        every few minutes); `selectors.overdue_condition` is the same rule in a query."""
        return self.status not in CLOSED_STATUSES and (self.overdue_at is not None or self.due_at <= timezone.now())


CLOSED_STATUSES = {Ticket.Status.DONE, Ticket.Status.CLOSED, Ticket.Status.REJECTED}

# Channels a signed-in resident reports through themselves, and those of a report staff
# took down for a resident; a report without an account is always ANONYMOUS.
RESIDENT_SOURCES = frozenset({Ticket.Source.PORTAL, Ticket.Source.APP})
STAFF_SOURCES = frozenset({Ticket.Source.PHONE, Ticket.Source.EMAIL, Ticket.Source.OFFICE})


class TicketEvent(LeanLoading, models.Model):
    """One entry of a ticket's history: a status change, an assignment, a deadline change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("reported")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned")
        DEADLINE = "deadline", _("deadline changed")
        RATED = "rated", _("rated")
        ESCALATED = "escalated", _("escalated")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=Ticket.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Ticket.Status.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.get_kind_display()} {self.from_status}→{self.to_status}"


class TicketComment(LeanLoading, models.Model):
    """A comment: public ones the reporter reads, internal ones only staff and the contractor."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    is_internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


def photo_file_name(instance, filename: str) -> str:
    # A random name: the files are private (served only by `views.ticket_photo`), and a
    # guessable name would be one misconfigured web server away from a leak.
    return f"ticket-photos/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class TicketPhoto(LeanLoading, models.Model):
    """A photo of the fault or of the finished work, cleaned by `photos.process_photo`
    (re-encoded, no EXIF) before it is stored, with its thumbnail.

    A photo added with a comment follows the comment's visibility: one on an internal
    note is for staff and the firm only. Files are served by `views.ticket_photo` to those
    who may see the ticket, never by the web server directly.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    comment = models.ForeignKey(TicketComment, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_internal = models.BooleanField(_("internal"), default=False)
    file = models.FileField(upload_to=photo_file_name, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes of the stored file.")
    thumbnail = models.FileField(upload_to=photo_file_name, max_length=200)
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.file.name}"
