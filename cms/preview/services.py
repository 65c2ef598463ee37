"""Making a preview token: the page as the editor has it now, kept for a few minutes."""

from __future__ import annotations

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cms.core.exceptions import ServiceError

from . import policy
from .errors import PreviewErrorCode
from .models import PagePreview
from .tokens import token_for


@transaction.atomic
def page_preview_create(*, user, page) -> str:
    """Keep `page` (a specific page object, possibly unsaved: Wagtail's preview builds it
    from the editor's form) for the portal's preview and return the signed token that
    reads it. Refuses anyone who may not edit the page (or add it, for a new page).
    Previews past their lifetime are deleted on the way."""
    existing = page.pk is not None
    parent = None if existing else page.get_parent()
    if not policy.may_preview(user, page=page if existing else None, parent=parent):
        raise ServiceError(PreviewErrorCode.NOT_ALLOWED, _("You may not preview this page."))
    PagePreview.objects.stale().delete()
    preview = PagePreview.objects.create(
        key=secrets.token_urlsafe(24),
        content_type=ContentType.objects.get_for_model(type(page)),
        page_id=page.pk,
        parent=parent,
        content=page.serializable_data(),
        created_by=user,
    )
    return token_for(preview.key)


def page_previews_delete_stale() -> int:
    """Delete the previews past their lifetime (also done by every new preview)."""
    deleted, _counts = PagePreview.objects.stale().delete()
    return deleted
