"""A page as an editor previews it, kept for a few minutes for the portal to show.

One row per preview: the page's content as Wagtail serialises a revision
(`Page.serializable_data()`), the page it is a version of (none for a page not created
yet: then the parent it is being added under), who previewed it and when. The random
`key` is what the signed token carries (services.py); rows older than the lifetime answer
nothing and are deleted when the next preview is made.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def lifetime() -> timedelta:
    """How long a preview token answers (`PAGE_PREVIEW_SECONDS`, 10 minutes by default)."""
    return timedelta(seconds=getattr(settings, "PAGE_PREVIEW_SECONDS", 600))


class PagePreviewQuerySet(models.QuerySet):
    def fresh(self, now=None):
        return self.filter(created_at__gt=(now or timezone.now()) - lifetime())

    def stale(self, now=None):
        return self.filter(created_at__lte=(now or timezone.now()) - lifetime())


class PagePreview(models.Model):
    """An editor's unsaved version of a page, for the portal's preview."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("The page previewed; empty for a page not created yet."),
    )  # fmt: skip
    parent = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("Where a page not created yet is being added."),
    )  # fmt: skip
    content = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = PagePreviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("page preview")
        verbose_name_plural = _("page previews")

    def __str__(self) -> str:
        return f"{self.content.get('title', '')} ({self.created_at:%Y-%m-%d %H:%M})"
