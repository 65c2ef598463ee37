"""Ballot scans, served only to staff who see resolutions and record paper votes
(`selectors.staff.sees_ballots`; never a contractor's worker). Scans are stored under
random names and never served by the web server (the media prefix answers nothing); a
refusal is a 404, so the existence of a scan is not disclosed."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .models import Vote
from .selectors import staff

INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/tiff"}


@require_safe
def ballot_scan(request, pk: int):
    if not staff.sees_ballots(request.user):
        raise Http404
    vote = Vote.objects.filter(pk=pk).exclude(ballot_scan="").first()
    if vote is None:
        raise Http404
    try:
        handle = vote.ballot_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(vote.ballot_scan.name)[0] or "application/octet-stream"
    # Shown in the browser only as a PDF or a picture; anything else (an HTML or SVG file
    # stored as a "scan") is a download, so that nothing runs in the hub's origin (review).
    disposition = "inline"
    if content_type not in INLINE_TYPES:
        content_type, disposition = "application/octet-stream", "attachment"
    response = FileResponse(handle, content_type=content_type)
    # Personal data: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'{disposition}; filename="ballot-{vote.resolution_id}-{vote.sequence}.'
        f'{vote.ballot_scan.name.rsplit(".", 1)[-1]}"'
    )
    return response
