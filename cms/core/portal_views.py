"""The resident portal's files (frontend-templates/portal), served by the hub.

The portal is a set of static files that talks to the hub only through /graphql; the hub
serves them so that a cooperative running the hub has the portal with nothing else to
install. Its screens have real addresses (/zgloszenia/12, /aktualnosci/awaria-wody/), so
every address the hub does not answer itself gets the portal's index.html, and the
portal decides what to show (a page of the site, or "not available"). Nothing here reads
a model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve


def _portal_dir() -> Path:
    return Path(settings.PORTAL_DIR)


@lru_cache(maxsize=1)
def _index_html(path: Path) -> bytes:
    return path.read_bytes()


@require_safe
def portal_index(request, path: str = ""):
    """index.html for any of the portal's addresses; never cached, so a new release of the
    portal is picked up at once (its files are revalidated by their dates)."""
    index = _portal_dir() / "index.html"
    body = _index_html(index) if not settings.DEBUG else index.read_bytes()
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def portal_file(request, path: str):
    """A file of the portal (scripts, styles, catalogues, vendored modules)."""
    if path.endswith("/") or "/." in f"/{path}":
        raise Http404
    response = serve(request, path, document_root=_portal_dir())
    # Revalidated on each use (Last-Modified): file names carry no version.
    patch_cache_control(response, no_cache=True)
    return response
