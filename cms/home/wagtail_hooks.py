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


@hooks.register("construct_homepage_panels")
def drop_wagtails_review_list(request, panels):
    """Wagtail's "Awaiting your review" panel lists every page the viewer may approve, with
    no limit, and asks the database once more for each: the first page would slow down
    with every page in moderation. The editors' panel counts them in one query and links
    to Wagtail's workflow report, where each can be reviewed."""
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") != "workflow_objects_to_moderate"]
