"""Ticket photos, served to those who may see them.

Ticket photos are private: they are stored under random names and leave the server only
through this view, which applies the same rules as the API (`selectors.photos_visible_to`:
the ticket's visibility, and internal photos for staff and the assigned firm only). A
refusal is a 404, so the existence of someone else's photo is not disclosed.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from . import selectors


@require_safe
def ticket_photo(request, pk: int, variant: str = "photo"):
    photo = selectors.photos_visible_to(request.user).filter(pk=pk).first()
    if photo is None:
        raise Http404
    stored = photo.thumbnail if variant == "thumbnail" else photo.file
    content_type = "image/jpeg" if variant == "thumbnail" else photo.content_type
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    # Personal data: a browser may keep it, no shared cache may.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
