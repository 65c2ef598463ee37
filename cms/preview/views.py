"""The answer to Wagtail's preview: the resident portal showing the editor's draft.

Wagtail shows a preview in an iframe of the admin (and in a new tab); the answer here is
the portal at `PORTAL_URL/podglad?token=…`:

- When the hub serves the portal itself (PORTAL_DIR, the default), the answer is the
  portal's own `index.html` with its address set to `/podglad?token=…` before the portal
  starts, so that the preview runs in the admin's iframe under the admin's
  `X-Frame-Options: SAMEORIGIN` (the portal's own addresses may not be framed). Should
  the portal be configured on another origin, the same page sends the frame there.
- Otherwise (the files are hosted elsewhere) a redirect to the portal's address.

The token is in the address: the answer is never stored (`no-store`) and no referrer
leaves the origin.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control

from cms.core.exceptions import ServiceError
from cms.core.portal_links import portal_url

from .services import page_preview_create

PREVIEW_PATH = "/podglad"


def preview_address(token: str) -> str:
    return portal_url(PREVIEW_PATH) + "?" + urlencode({"token": token})


def _portal_index() -> str | None:
    directory = getattr(settings, "PORTAL_DIR", None)
    index = Path(directory) / "index.html" if directory else None
    if index is None or not index.is_file():
        return None
    return index.read_text(encoding="utf-8")


def _in_place(index: str, address: str) -> str:
    # Runs before the portal's modules (which are deferred): the portal then starts at
    # /podglad?token=… as if it had been opened there.
    target = json.dumps(address).replace("<", "\\u003c")
    script = (
        '<meta name="referrer" content="same-origin">'
        "<script>(function () {"
        f"var target = new URL({target}, location.href);"
        "if (target.origin !== location.origin) { location.replace(target.href); return; }"
        'history.replaceState(null, "", target.pathname + target.search);'
        "})();</script>"
    )
    head = index.lower().find("<head>")
    if head < 0:
        return script + index
    head += len("<head>")
    return index[:head] + script + index[head:]


def portal_preview_response(request, page) -> HttpResponse:
    """What `page.serve_preview` answers: the portal showing `page` as it is in the editor."""
    try:
        token = page_preview_create(user=request.user, page=page)
    except ServiceError as refusal:
        raise PermissionDenied(refusal.message) from refusal
    address = preview_address(token)
    index = _portal_index()
    if index is None:
        response = HttpResponseRedirect(address)
    else:
        response = HttpResponse(_in_place(index, address), content_type="text/html; charset=utf-8")
    response["Referrer-Policy"] = "same-origin"
    patch_cache_control(response, no_store=True)
    return response
