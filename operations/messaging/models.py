"""Messages to people, how each was delivered, and what each person wants to receive.

The one way the hub sends anything to a person. A `Message` is what one person receives
(rendered in their language) and, unless `in_inbox` is off, their in-app inbox entry; a
`Delivery` is that message on one channel to one address, with its state. Both are
written to the database before anything is sent (the outbox): Celery workers then claim
queued deliveries, send them and record the outcome, so a dead worker or an unreachable
broker loses nothing and a delivery recorded as sent is never sent again.

Staff's broadcasts are an app of their own (operations.broadcasts), which sends through
this one: a message and its deliveries name the broadcast they came from (`broadcast`,
a foreign key by name; messaging imports nothing of that app). `MessageTemplate` holds
the texts of the messages the hub sends by itself (membership decisions, ticket
updates...) per language, editable by staff.
`NotificationPreference` rows record where a person departs from their kind's defaults
(kinds.py); `NotificationSettings` holds their language and phone; `PushDevice` their
phones' push tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, MessageKind

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


class Message(models.Model):
    """What one person received: rendered in their language, and their inbox entry.

    A message sent with `in_inbox` off (account e-mails with sign-in links: see
    services.message_send) reaches its channels but never the inbox, so that whoever
    holds a session cannot read a link that sets the account's password. Only a message
    `for_account_activation` reaches an account that is not active yet.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    broadcast = models.ForeignKey(
        "broadcasts.Broadcast", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
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
    # The e-mail that activates an account (its confirmation link): the one message that
    # may reach an account that is not active yet (services.sending checks it).
    for_account_activation = models.BooleanField(default=False, editable=False)
    # Set when its sender withdrew it (staff cancelling a broadcast): none of its
    # deliveries is sent after that, whatever brings one back to the queue.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
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
        "broadcasts.Broadcast", on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
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
