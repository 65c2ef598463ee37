"""Registers the site-wide part of the Wagtail admin; the panel and the list are in `admin/`."""

from __future__ import annotations

from wagtail import hooks

from .admin.situation import add_editorial_panel
from .admin.views import EditorialPagesViewSet


@hooks.register("register_admin_viewset")
def register_editorial_pages():
    return EditorialPagesViewSet()


# The situation centre on the admin's first page: the editors' unfinished and scheduled work.
hooks.register("construct_homepage_panels", add_editorial_panel)
