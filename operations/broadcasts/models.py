"""Staff's broadcasts: a message composed in the admin for an audience.

A `Broadcast` names its audience by the residents app's places (estates, buildings,
units), by roles (how residents hold a unit; staff and contractors by their groups),
everyone, or the readers of the news item it announces. Queueing it writes one messaging
`Message` per recipient (and a `Delivery` per channel and address), each naming the
broadcast (`Message.broadcast`, `Delivery.broadcast`); what it reached is read back
through those. This app sends through messaging; messaging knows nothing of it.

The rows were messaging's until broadcasts became an app of their own: the tables keep
their names (`db_table`), and so do the tables of the places chosen, which Django names
after it (`messaging_broadcast_estates`...).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.messaging.kinds import BROADCAST_KINDS, MessageKind
from operations.messaging.rendering import CompiledTexts


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
        db_table = "messaging_broadcast"  # the table it had in the messaging app
        ordering = ["-created_at"]
        permissions = [("send_broadcast", "Can send broadcasts")]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        """Not sent yet (a draft or scheduled); `policy.broadcast_edit_refusal` asks it."""
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}

    def compiled_texts(self) -> dict[str, CompiledTexts]:
        """The texts by language, compiled: Polish always, English when staff wrote it.

        A read that writes nothing: the admin's preview (selectors) and queueing
        (services) both render from it."""
        texts = {"pl": CompiledTexts.compile(subject=self.subject, body_text=self.body, sms_text=self.sms_text)}
        if self.subject_en.strip() and self.body_en.strip():
            texts["en"] = CompiledTexts.compile(
                subject=self.subject_en, body_text=self.body_en, sms_text=self.sms_text_en or self.sms_text
            )
        return texts
