"""Which site a request is for, remembered between requests.

Wagtail finds the site of every request with a query that loads the whole root page, and
the API then reads the root's tree path and URL path with another. Sites and their roots
change rarely, and every such change raises the content version (`content_version`), so
a process keeps the answer per host, port and version: a request that finds it pays for
the version read only, which the shared answers' cache needs anyway.
"""

from __future__ import annotations

from wagtail.models import Page, Site

from cms.core import content_version
from cms.core.memo import BoundedMemo

_roots = BoundedMemo(kept=256)


def site_root_of(request) -> tuple[str, str]:
    """The tree path and URL path of the root page of the site `request` is for (the
    default site when no host matches)."""
    # The raw host, as Wagtail matches it (ALLOWED_HOSTS is the view's concern).
    key = (request._get_raw_host(), request.get_port(), content_version.of_request(request))
    root = _roots.get(key)
    if root is None:
        site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
        root = Page.objects.filter(pk=site.root_page_id).values_list("path", "url_path").get()
        _roots.put(key, root)
    return root


def forget_site_roots() -> None:
    _roots.clear()
