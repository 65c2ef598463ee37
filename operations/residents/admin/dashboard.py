"""The residents' part of the admin's first page (the situation centre).

- Requests awaiting verification, for those who decide on memberships
  (`policy.may_decide_memberships`: administrators): how many, since when the oldest
  waits, a link to the verification list of exactly those requests. One query.
- Adoption of the portal and the app, for everyone on staff (anyone who reaches the
  admin): by building and in total, the share of units with a verified resident account
  and the share of residents active in the last 30 days (`selectors.adoption_by_building`
  says what each means). Three queries, whatever the number of buildings, units and
  people. The units with an account link to the units list filtered by that same
  condition, for those who may read units; residents are people, and the admin has no
  list of them that one count would match, so that column links nowhere.

Shares are whole percents (`cms.core.admin.dashboard.percent`: "30%"), with the counts
beside them ("12 z 40 lokali").
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cms.core.admin.dashboard import Cell, DashboardPanel, Figure, Table, percent

from .. import policy, selectors
from ..models import Membership
from ..roles import ADMIN_ACCESS
from .views import VERIFICATION, WITH_ACCOUNT

# A request waiting longer than this calls for action: its card is outlined in warning.
LONG_WAIT = timedelta(days=7)
READ_UNITS = "residents.view_unit"


def _share(part: int, whole: int, counted: str) -> str:
    return f"{percent(part, whole)} ({counted})" if whole else counted


def units_share(part: int, whole: int) -> str:
    if not whole:
        return gettext("no units")
    counted = ngettext("%(part)d of %(whole)d unit", "%(part)d of %(whole)d units", whole) % {
        "part": part,
        "whole": whole,
    }
    return _share(part, whole, counted)


def residents_share(part: int, whole: int) -> str:
    if not whole:
        return gettext("no residents")
    counted = ngettext("%(part)d of %(whole)d resident", "%(part)d of %(whole)d residents", whole) % {
        "part": part,
        "whole": whole,
    }
    return _share(part, whole, counted)


# --- Requests awaiting verification ------------------------------------------------------------


def verification_panel(now=None) -> DashboardPanel:
    now = now or timezone.now()
    queue = selectors.verification_queue()
    note = ""
    urgent = False
    if queue.oldest_requested_at is not None:
        days = (now - queue.oldest_requested_at).days
        waiting = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        note = gettext("The oldest waiting since %(date)s (%(waiting)s)") % {
            "date": date_format(timezone.localtime(queue.oldest_requested_at), "d.m.Y"),
            "waiting": waiting,
        }
        urgent = now - queue.oldest_requested_at > LONG_WAIT
    url = f"{reverse(f'{VERIFICATION}:index')}?{urlencode({'status': Membership.Status.PENDING})}"
    figure = Figure(
        label=ngettext("request awaiting verification", "requests awaiting verification", queue.pending),
        value=queue.pending,
        url=url,
        urgent=urgent,
        note=note,
    )
    return DashboardPanel(name="verification", order=40, title=_("Residents awaiting verification"), figures=[figure])


# --- Adoption of the portal and the app ---------------------------------------------------------


def _building_label(building) -> str:
    return f"{building.code} – {building.street} {building.number}"


def adoption_table(user, now=None) -> Table:
    report = selectors.adoption_by_building(now)
    days = selectors.ACTIVE_DAYS
    units_url = reverse("unit:index") if user.has_perm(READ_UNITS) else ""

    def units_link(everyone: bool = False, **filters) -> str:
        """The units list filtered to `filters`, and to those with an account unless `everyone`."""
        if not units_url:
            return ""
        if not everyone:
            filters["resident_account"] = WITH_ACCOUNT
        return f"{units_url}?{urlencode(filters)}" if filters else units_url

    rows = []
    for row in report.buildings:
        building = row.building
        rows.append(
            [
                Cell(_building_label(building), url=units_link(building=building.pk, everyone=True)),
                Cell(building.estate.name),
                Cell(
                    units_share(row.units_with_account, row.units),
                    url=units_link(building=building.pk) if row.units else "",
                    numeric=True,
                ),
                Cell(residents_share(row.active_residents, row.residents), numeric=True),
            ]
        )
    total = report.total
    if rows:
        rows.append(
            [
                Cell(gettext("Total"), url=units_link(everyone=True)),
                Cell(""),
                Cell(
                    units_share(total.units_with_account, total.units),
                    url=units_link() if total.units else "",
                    numeric=True,
                ),
                Cell(residents_share(total.active_residents, total.residents), numeric=True),
            ]
        )
    return Table(
        heading=gettext("By building"),
        columns=[
            gettext("Building"),
            gettext("Estate"),
            gettext("Units with a verified resident account"),
            ngettext("Residents active in the last %(days)d day", "Residents active in the last %(days)d days", days)
            % {"days": days},
        ],
        rows=rows,
        empty=gettext("No buildings yet."),
    )


def adoption_panel(user, now=None) -> DashboardPanel:
    return DashboardPanel(
        name="adoption",
        order=90,
        title=_("Portal and app adoption"),
        description=ngettext(
            "A unit counts when at least one of its residents has a verified membership and an active account; "
            "a resident is active after signing in to the portal or the app, or using the app, "
            "in the last %(days)d day.",
            "A unit counts when at least one of its residents has a verified membership and an active account; "
            "a resident is active after signing in to the portal or the app, or using the app, "
            "in the last %(days)d days.",
            selectors.ACTIVE_DAYS,
        )
        % {"days": selectors.ACTIVE_DAYS},
        sections=[adoption_table(user, now)],
    )


def add_residents_panels(request, panels) -> None:
    user = request.user
    if policy.may_decide_memberships(user):
        panels.append(verification_panel())
    if user.has_perm(ADMIN_ACCESS):
        panels.append(adoption_panel(user))
