"""The admin's way to the portal's print view: "Print for the notice board" next to each
news item (announcements and outage alerts), in the page's header menu and in the page
listing's "more" menu. It opens the portal's `/druk/<the page's path within its site>`,
an A4 sheet with the cooperative's name, the dates, the buildings and a QR code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from cms.core.portal_links import page_portal_path, portal_url

PRINT_PATH = "/druk"


def print_url(page) -> str:
    """The portal's print view of `page`."""
    return portal_url(PRINT_PATH + page_portal_path(page))


def _printable(page) -> bool:
    return page.live and page.specific_class is not None and page.specific_class._meta.label == "news.NewsPage"


def _print_button(page, priority: int) -> Button:
    return Button(
        _("Print for the notice board"),
        url=print_url(page),
        icon_name="doc-full",
        attrs={"target": "_blank", "rel": "noopener"},
        priority=priority,
    )


@hooks.register("register_page_header_buttons")
def print_button_in_the_header(page, user, view_name=None, next_url=None):
    if _printable(page):
        yield _print_button(page, priority=64)


@hooks.register("register_page_listing_more_buttons")
def print_button_in_the_listing(page, user, next_url=None):
    if _printable(page):
        yield _print_button(page, priority=45)
