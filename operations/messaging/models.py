"""Messages to people, how each was delivered, and what each person wants to receive.

The one way the hub sends anything to a person. A `Message` is what one person receives
(rendered in their language) and, unless `in_inbox` is off, their in-app inbox entry; a
`Delivery` is that message on one channel to one address, with its state. Both are
written to the database before anything is sent (the outbox): Celery workers then claim
queued deliveries, send them and record the outcome, so a dead worker or an unreachable
broker loses nothing and a delivery recorded as sent is never sent again.

A `Broadcast` is a message staff compose in the admin for an audience (estate, buildings,
units, roles, everyone, or the audience of an alert news item); queueing it creates one
`Message` per recipient. `MessageTemplate` holds the texts of the messages the hub sends
by itself (membership decisions, ticket updates...) per language, editable by staff.
`NotificationPreference` rows record where a person departs from their kind's defaults
(kinds.py); `NotificationSettings` holds their language and phone; `PushDevice` their
phones' push tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import BROADCAST_KINDS, Channel, MessageKind

LANGUAGE_CHOICES = [("pl", _("Polish")), ("en", _("English"))]


class NotificationSettings(models.Model):
    """A person's language for messages and the phone number SMS go to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="pl")
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True, help_text=_("E.164, e.g. +48600123456."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class NotificationPreference(models.Model):
    """A person's choice for one kind on one channel, where it departs from the default.

    Absent rows mean "the kind's default"; `updated_at` is when consent was given or
    withdrawn (RODO asks us to be able to show it).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference_per_kind_and_channel")
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}/{self.channel}={'on' if self.enabled else 'off'}"


class PushDevice(models.Model):
    """A phone with the mobile app that may receive push notifications for its user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_devices")
    token = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push device")
        verbose_name_plural = _("push devices")

    def __str__(self) -> str:
        return f"{self.user}: {self.name or self.token[:24]}"


class MessageTemplate(models.Model):
    """The texts of one message the hub sends, in one language, editable by staff.

    Texts are Django templates rendered with plain values only (recipient's name, the
    unit, a link...); `key` is how the code asks for it (`membership-verified`).
    """

    key = models.SlugField(_("key"), max_length=60)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="pl")
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"), help_text=_("Plain text of the e-mail and of the inbox message."))
    body_html = models.TextField(
        _("HTML"), blank=True, help_text=_("Optional HTML version of the e-mail; made from the text when empty.")
    )
    sms_text = models.TextField(
        _("SMS text"), blank=True, help_text=_("Also the text of mobile app notifications; empty: no SMS.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="one_template_per_key_and_language")]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self):
        from .rendering import validate_template_texts

        validate_template_texts(
            subject=self.subject, body_text=self.body_text, body_html=self.body_html, sms_text=self.sms_text
        )


class Broadcast(models.Model):
    """A message staff send to an audience on chosen channels, now or at a set time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    class Role(models.TextChoices):
        # Residents by how they hold a unit (from verified memberships), staff and
        # contractors by their audience groups.
        OWNERS = "owners", _("owners")
        TENANTS = "tenants", _("tenants")
        BOARD = "board", _("board members")
        STAFF = "staff", _("staff")
        CONTRACTORS = "contractors", _("contractors")

    title = models.CharField(_("title"), max_length=200, help_text=_("For staff; residents see the subject."))
    kind = models.CharField(
        _("kind"),
        max_length=40,
        choices=[(kind.value, kind.label) for kind in BROADCAST_KINDS],
        default=MessageKind.ANNOUNCEMENT,
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    sms_text = models.TextField(_("SMS text"), blank=True, help_text=_("Also used for app notifications."))
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    sms_text_en = models.TextField(_("SMS text (English)"), blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("Where the message leads, e.g. the news item."))

    everyone = models.BooleanField(_("all residents"), default=False)
    estates = models.ManyToManyField("residents.Estate", blank=True, related_name="+", verbose_name=_("estates"))
    buildings = models.ManyToManyField("residents.Building", blank=True, related_name="+", verbose_name=_("buildings"))
    units = models.ManyToManyField("residents.Unit", blank=True, related_name="+", verbose_name=_("units"))
    roles = models.JSONField(_("roles"), default=list, blank=True)
    news_page = models.ForeignKey(
        "news.NewsPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="broadcasts",
        verbose_name=_("news item"),
        help_text=_("Recipients are limited to the people who may read this news item."),
    )
    # Set with news_page and never cleared: if the item is deleted before sending
    # (news_page becomes null), the broadcast is cancelled rather than sent unrestricted.
    announces_news = models.BooleanField(default=False, editable=False)
    channels = models.JSONField(_("channels"), default=list)

    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_broadcast", "Can send broadcasts")]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}


class Message(models.Model):
    """What one person received: rendered in their language, and their inbox entry.

    A message sent with `in_inbox` off (account e-mails with sign-in links: see
    services.message_send) reaches its channels but never the inbox, so that whoever
    holds a session cannot read a link that sets the account's password.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    broadcast = models.ForeignKey(Broadcast, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    # Makes sending idempotent: the same event (broadcast 12, membership 5 verified) never
    # gives the same person a second message, however often its service runs.
    dedupe_key = models.CharField(max_length=120)
    language = models.CharField(max_length=8, default="pl")
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(blank=True)
    sms_text = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    # Every inbox read (selectors.inbox_of, counts, marking read) filters on it.
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="one_message_per_event_and_person")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_newest_first"),
            models.Index(fields=["recipient", "read_at"], name="inbox_unread"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class Delivery(models.Model):
    """A message on one channel to one address, and what became of it (the delivery log)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("bounced")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    # Denormalised from the message so that a broadcast's progress is one indexed count.
    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=255)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim = models.UUIDField(null=True, blank=True, db_index=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    error = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel", "address"], name="one_delivery_per_address")
        ]
        indexes = [
            models.Index(fields=["channel", "state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["broadcast", "channel", "state"], name="delivery_progress"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.get_state_display()}"

    @property
    def shown_address(self) -> str:
        """The address as staff see it: a push token is a key to the phone, so only its start."""
        if self.channel == Channel.PUSH and len(self.address) > 24:
            return self.address[:24] + "…"
        return self.address

    @property
    def idempotency_key(self) -> str:
        return f"hub-delivery-{self.pk}"
