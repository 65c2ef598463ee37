"""Billing documents (statements, payment demands, interest notes), served to those who
may see them.

The PDFs are private: stored under random names, they leave the server only through this
view, which applies the rule the API applies (`selectors.documents_visible_to`: whoever
sees the account). A refusal is a 404, so the existence of someone else's document is not
disclosed. The file is sent as an attachment, with private cache headers.

A file that is missing from the storage (its write after commit failed) is typeset again
from the document's snapshot: rendering is deterministic, so the bytes are the ones the
document's SHA-256 names, which is checked before anything is sent.
"""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from . import selectors
from .documents.links import document_download_url
from .documents.render import RenderError, render_pdf

logger = logging.getLogger(__name__)

__all__ = ["document_download", "document_download_url"]


def _download_name(document) -> str:
    # "WZ/2026/0001" → "WZ-2026-0001.pdf": only characters every browser keeps.
    return document.number.replace("/", "-") + ".pdf"


def _open(document):
    try:
        return document.file.open("rb")
    except (FileNotFoundError, ValueError):
        pass
    try:
        pdf = render_pdf(document.snapshot)
    except RenderError:
        logger.exception("Billing document %s: file missing and the snapshot does not render", document.pk)
        raise Http404 from None
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        logger.error("Billing document %s: file missing and the snapshot renders other bytes", document.pk)
        raise Http404
    return BytesIO(pdf)


@require_safe
def document_download(request, pk: int):
    document = selectors.documents_visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404
    response = FileResponse(
        _open(document), content_type="application/pdf", as_attachment=True, filename=_download_name(document)
    )
    # Personal data: a browser may keep it, no shared cache may.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
