"""Where a billing document is downloaded (`operations/billing/views.py` serves it to
those who may see it): the path for the API and the portal, an absolute address for
messages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def document_download_url(document, *, absolute: bool = False) -> str:
    """ "/billing/documents/12/pdf/" (or with the hub's address, `WAGTAILADMIN_BASE_URL`,
    for an e-mail's link). The address says nothing that the view does not check again."""
    path = reverse("billing:document_download", args=[getattr(document, "pk", document)])
    if absolute:
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
    return path
