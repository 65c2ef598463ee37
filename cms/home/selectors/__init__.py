"""Reads of the site itself: its contact card, and its pages by address for whoever asks."""

from __future__ import annotations

from wagtail.models import Page, Site

from cms.core import visibility
from cms.home.models import CooperativeContact


def cooperative_contact(request) -> CooperativeContact:
    """The contact card of the site `request` is for (the default site if none matches)."""
    site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
    return CooperativeContact.for_site(site)


def pages_visible_to(user, *, url_path: str, denial: visibility.Denial | None = None, within: str | None = None):
    """The page at `url_path` (the tree's, the site root's included) if `user` may read it,
    as a query set of one or none; restrictions applied as a set (see visibility)."""
    return visibility.restrict_pages(Page.objects.filter(url_path=url_path), user, denial=denial, within=within)
