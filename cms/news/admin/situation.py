"""The outage alerts' part of the admin's first page (the situation centre): every alert in
force now and every one coming up, when each is valid (in the viewer's local time), which
buildings it concerns and who may read it, each title a link to the alert's editor for
whoever may edit it (`selectors.outage_alert_board`: six queries, whatever the number of
alerts).

Who sees it: everyone who may enter the admin (`wagtailadmin.access_admin`), that is every
member of staff: editors, dispatchers and administrators, whom it concerns, and the board
and accountants too. It lists published alerts, restricted ones included (their title,
buildings and audience; never their text, and a link to the editor only for those who may
edit them): every member of staff already reads more than that (memberships, every page
for editors), and whoever answers a resident's call about the water needs to know which
buildings have no water, whichever audience the alert was written for. A narrower rule ("works with
content or tickets") would have to name the operations apps' permissions, which a content
app does not know.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.permissions import policy_registry

from cms.core.admin.dashboard import Cell, DashboardPanel, Table
from cms.core.admin.views import local_time

from ..models import NewsPage
from ..selectors import AlertBoard, AlertReaders, outage_alert_board

PERMISSION = "wagtailadmin.access_admin"


def may_see_outage_alerts(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def validity_text(page: NewsPage) -> str:
    """When an alert is valid, in the viewer's local time: "from – until"."""
    start, end = local_time(page.valid_from), local_time(page.valid_until)
    if start and end:
        return gettext("%(start)s – %(end)s") % {"start": start, "end": end}
    if start:
        return gettext("from %(start)s until further notice") % {"start": start}
    if end:
        return gettext("until %(end)s") % {"end": end}
    return gettext("until further notice")


def readers_text(readers: AlertReaders) -> str:
    if readers.everyone:
        return gettext("everyone")
    parts = [", ".join(names) for names in readers.groups]
    if readers.login:
        parts.append(gettext("signed-in residents"))
    if readers.password:
        parts.append(gettext("password holders only"))
    # Every restriction must be passed: a reader is in one of each list's groups.
    return "; ".join(parts)


def _rows(pages: list[NewsPage], board: AlertBoard, user) -> list[list[Cell]]:
    policy = policy_registry.get_by_type(NewsPage)
    rows = []
    for page in pages:
        # Staff who may not edit the alert (a dispatcher) get its title without a dead link.
        editable = policy.user_has_permission_for_instance(user, "change", page)
        buildings = ", ".join(str(building) for building in page.affected_buildings.all())
        rows.append(
            [
                Cell(page.title, url=reverse("wagtailadmin_pages:edit", args=[page.pk]) if editable else ""),
                Cell(validity_text(page)),
                Cell(buildings or "—"),
                Cell(readers_text(board.readers[page.pk])),
            ]
        )
    return rows


def _heading(count: int, shown: int, counted: str, none: str) -> str:
    if not count:
        return none
    heading = counted % {"count": count}
    if count > shown:
        heading = gettext("%(heading)s (the first %(shown)s shown)") % {"heading": heading, "shown": shown}
    return heading


def outage_alerts_panel(user) -> DashboardPanel:
    board = outage_alert_board()
    columns = [gettext("Alert"), gettext("Valid"), gettext("Buildings concerned"), gettext("Visible to")]
    current = Table(
        _heading(
            board.current_count,
            len(board.current),
            ngettext("%(count)s alert in force now", "%(count)s alerts in force now", board.current_count),
            gettext("In force now"),
        ),
        columns,
        _rows(board.current, board, user),
        empty=gettext("No outage alert is in force now."),
    )
    upcoming = Table(
        _heading(
            board.upcoming_count,
            len(board.upcoming),
            ngettext("%(count)s alert coming up", "%(count)s alerts coming up", board.upcoming_count),
            gettext("Coming up"),
        ),
        columns,
        _rows(board.upcoming, board, user),
        empty=gettext("No outage alert is coming up."),
    )
    return DashboardPanel(
        name="outage-alerts",
        order=60,
        title=_("Outage alerts"),
        description=_("Published alerts, as residents see them (local time)."),
        sections=[current, upcoming],
    )


def add_outage_alerts_panel(request, panels) -> None:
    if may_see_outage_alerts(request.user):
        panels.append(outage_alerts_panel(request.user))
