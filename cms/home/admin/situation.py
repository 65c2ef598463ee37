"""The editors' part of the admin's first page (the situation centre), for whoever may
edit pages: among the pages they may edit (of every type), how many wait for a
moderator, were sent back for changes, hold changes nobody published, or will go live
by themselves. Each number opens the list of exactly those: Wagtail's workflow report
for moderation, the editors' own page list (`views.EditorialPagesViewSet`) for the rest,
which Wagtail's page listing cannot filter. Two queries whatever the number of pages
(`editorial.editorial_situation`).

Wagtail's own panels below it list, for the viewer alone, their pages in moderation,
their locked pages and their recent edits; this panel does not repeat those lists, it
counts the whole site's work. Wagtail's "Awaiting your review" list is left out
(`cms/home/wagtail_hooks.py`): it costs a query per page awaiting review, and the
"awaiting moderation" figure here leads to the same pages.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import WorkflowState

from cms.core.admin.dashboard import DashboardPanel, Figure
from cms.core.admin.views import local_time

from ..selectors import editorial
from .views import EditorialPagesViewSet


def _listed(state: str) -> str:
    return f"{reverse(f'{EditorialPagesViewSet.name}:index')}?{urlencode({'state': state})}"


def _workflow_report(status: str) -> str:
    return f"{reverse('wagtailadmin_reports:workflow')}?{urlencode({'status': status})}"


def editorial_panel(user) -> DashboardPanel:
    figures = editorial.editorial_situation(user)
    next_go_live = local_time(figures.next_go_live)
    return DashboardPanel(
        name="editorial",
        order=70,
        title=_("Editorial work"),
        description=_("Pages you may edit, across the whole site."),
        figures=[
            Figure(
                label=gettext("Awaiting moderation"),
                value=figures.awaiting_moderation,
                url=_workflow_report(WorkflowState.STATUS_IN_PROGRESS),
            ),
            Figure(
                label=gettext("Sent back for changes"),
                value=figures.needs_changes,
                url=_workflow_report(WorkflowState.STATUS_NEEDS_CHANGES),
                urgent=figures.needs_changes > 0,
            ),
            Figure(
                label=gettext("Unpublished changes"),
                value=figures.unpublished,
                url=_listed(editorial.UNPUBLISHED),
                note=gettext("not scheduled or in moderation"),
            ),
            Figure(
                label=gettext("Scheduled to go live"),
                value=figures.scheduled,
                url=_listed(editorial.SCHEDULED),
                note=gettext("next: %(moment)s") % {"moment": next_go_live} if next_go_live else "",
            ),
        ],
    )


def add_editorial_panel(request, panels) -> None:
    if editorial.may_edit_pages(request.user):
        panels.append(editorial_panel(request.user))
