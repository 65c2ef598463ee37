"""The tickets' part of the admin's first page (the situation centre), each number a link
to the list of exactly the tickets it counts (`selectors.situation`):

- "Tickets now" (for whoever may read the tickets: dispatchers, administrators, the
  board): what needs the dispatchers now, the open tickets by status, and where faults
  cluster this week (the last seven days);
- "Tickets this month" (for whoever may read the statistics; today the same people):
  the month so far against the whole previous month (reported, done, the share overdue,
  the mean time to resolution, the residents' mean rating), the tickets reported each
  day of the last 30 by what has become of them, and the mean time to resolution of each
  category over the same days (charts drawn on the server, `cms.core.admin.charts`).

A fixed number of queries, whatever the number of tickets: the situation, the clusters,
the two months, the days and the categories, one each.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from cms.core.admin.charts import Bar, BarChart, ColumnChart, Series
from cms.core.admin.dashboard import Cell, DashboardPanel, Figure, LinkedCount, LinkedCounts, Table, percent

from .. import selectors
from ..models import Ticket
from ..selectors import situation
from ..selectors.figures import RESOLVED
from . import views
from .forms import RATINGS, SITUATION_CHOICES

# The figures that call for action first: the card turns to a warning when not zero.
URGENT = {"past_response", "overdue"}

DATE = "d.m.Y"
SHORT_DATE = "d.m"


def _index() -> str:
    return reverse(f"{views.TICKETS}:index")


def _list_url(**filters) -> str:
    """The tickets list with these filters (a list value repeats the parameter)."""
    return f"{_index()}?{urlencode(filters, doseq=True)}"


def _reported(first: date, last: date) -> dict:
    """The list's filter of the tickets reported from `first` to `last` (local days, both in)."""
    return {"created_at_from": first.isoformat(), "created_at_to": last.isoformat()}


def _statistics_url(days: situation.Days) -> str:
    query = urlencode({"date_from": days.first.isoformat(), "date_to": days.last.isoformat()})
    return f"{reverse(f'{views.STATISTICS}:index')}?{query}"


def _days_text(count: int) -> str:
    return ngettext("last %(count)d day", "last %(count)d days", count) % {"count": count}


# --- Tickets now -------------------------------------------------------------------------------


def _clusters_table(now=None) -> Table:
    week = situation.clusters_this_week(now)
    period = _reported(week.days.first, week.days.last)
    rows = [
        [
            Cell(cluster.building_label),
            Cell(cluster.category_label),
            Cell(
                str(cluster.count),
                url=_list_url(building=cluster.building_id, category=cluster.category_id, **period),
                numeric=True,
            ),
        ]
        for cluster in week.clusters
    ]
    return Table(
        gettext("Where faults cluster (%(days)s)") % {"days": _days_text(week.days.count)},
        [gettext("Building"), gettext("Category"), gettext("Tickets")],
        rows,
        empty=gettext("No building has had two or more tickets of one category in these days."),
    )


def ticket_situation_panel(now=None) -> DashboardPanel:
    figures = situation.ticket_situation(now)
    index = _index()
    cards = [
        Figure(
            label=label,
            value=getattr(figures, name),
            url=f"{index}?{urlencode({'now': name})}",
            urgent=name in URGENT and getattr(figures, name) > 0,
        )
        for name, label in SITUATION_CHOICES
    ]
    labels = dict(Ticket.Status.choices)
    board = [
        LinkedCount(label=labels[status], value=count, url=f"{index}?{urlencode({'status': status})}")
        for status, count in figures.by_status.items()
    ]
    return DashboardPanel(
        name="tickets",
        order=50,
        title=_("Tickets now"),
        figures=cards,
        sections=[LinkedCounts(_("Open tickets by status"), board), _clusters_table(now)],
    )


# --- Tickets this month --------------------------------------------------------------------------


def _overdue_share(month) -> str:
    return percent(month.figures.overdue, month.figures.reported)


def _rating(mean: float | None) -> str:
    return "–" if mean is None else number_format(mean, 1)


def _previous(value) -> str:
    return gettext("previous month: %(value)s") % {"value": value}


def _month_cards(now=None) -> tuple[list[Figure], str]:
    months = situation.month_comparison(now)
    current, previous = months.current, months.previous
    period = _reported(current.days.first, current.days.last)
    statistics = _statistics_url(current.days)
    resolved = [str(status) for status in RESOLVED]
    cards = [
        Figure(
            label=pgettext("ticket statistics", "Reported"),
            value=current.figures.reported,
            url=_list_url(**period),
            note=_previous(previous.figures.reported),
        ),
        Figure(
            label=pgettext("ticket statistics", "Done"),
            value=current.figures.done,
            url=_list_url(status=resolved, **period),
            note=_previous(previous.figures.done),
        ),
        Figure(
            label=pgettext("ticket statistics", "Share overdue"),
            value=_overdue_share(current),
            url=statistics,
            note=_previous(_overdue_share(previous)),
        ),
        Figure(
            label=pgettext("ticket statistics", "Average resolution"),
            value=views.duration_text(current.figures.avg_resolution),
            url=statistics,
            note=_previous(views.duration_text(previous.figures.avg_resolution)),
        ),
        Figure(
            label=ngettext(
                "Residents' mean rating (%(count)d rating)",
                "Residents' mean rating (%(count)d ratings)",
                current.ratings.count,
            )
            % {"count": current.ratings.count},
            value=_rating(current.ratings.mean),
            url=_list_url(rating=[value for value, _label in RATINGS], **period),
            note=_previous(_rating(previous.ratings.mean)),
        ),
    ]
    description = gettext(
        "Tickets reported from %(first)s to %(last)s and where they stand now; under each figure, "
        "the whole previous month (%(previous_first)s–%(previous_last)s)."
    ) % {
        "first": date_format(current.days.first, DATE),
        "last": date_format(current.days.last, DATE),
        "previous_first": date_format(previous.days.first, DATE),
        "previous_last": date_format(previous.days.last, DATE),
    }
    return cards, description


def _per_day_chart(recent: situation.RecentDays) -> ColumnChart:
    days = recent.days
    per_day = recent.per_day
    busiest = max(per_day, key=lambda day: (day.reported, day.day))
    total = sum(day.reported for day in per_day)
    description = ngettext(
        "%(count)d ticket reported from %(first)s to %(last)s.",
        "%(count)d tickets reported from %(first)s to %(last)s.",
        total,
    ) % {"count": total, "first": date_format(days.first, DATE), "last": date_format(days.last, DATE)}
    if total:
        description += " " + gettext("Most on %(day)s: %(count)d.") % {
            "day": date_format(busiest.day, DATE),
            "count": busiest.reported,
        }
    return ColumnChart(
        "tickets-per-day",
        gettext("Reported per day (%(days)s)") % {"days": _days_text(days.count)},
        labels=[date_format(day.day, DATE) for day in per_day],
        tick_labels=[date_format(day.day, SHORT_DATE) for day in per_day],
        series=[
            Series(pgettext("ticket statistics", "Not done"), [day.not_done for day in per_day], tone="warning"),
            Series(pgettext("ticket statistics", "Done"), [day.done for day in per_day], tone="primary"),
            Series(pgettext("ticket statistics", "Rejected"), [day.rejected for day in per_day], tone="neutral"),
        ],
        label_heading=gettext("Day"),
        row_urls=[_list_url(**_reported(day.day, day.day)) for day in per_day],
        description=description,
        empty=gettext("No tickets were reported in these days."),
        link=(_statistics_url(days), gettext("Statistics of these days")),
    )


def _resolution_chart(recent: situation.RecentDays) -> BarChart:
    days = recent.days
    period = _reported(days.first, days.last)
    resolved = [str(status) for status in RESOLVED]
    measured = [item for item in recent.by_category if item.figures.avg_resolution is not None]
    # The slowest first: what the board asks about.
    measured.sort(key=lambda item: (-item.figures.avg_resolution, item.label.casefold()))
    bars = [
        Bar(
            label=item.label,
            value=item.figures.avg_resolution.total_seconds() / 3600,
            text=views.duration_text(item.figures.avg_resolution),
            url=_list_url(category=item.key, status=resolved, **period),
            extra=(str(item.figures.done),),
        )
        for item in measured
    ]
    description = gettext(
        "Mean time from report to done of the tickets reported from %(first)s to %(last)s and done by now."
    ) % {"first": date_format(days.first, DATE), "last": date_format(days.last, DATE)}
    if bars:
        description += " " + gettext("Slowest: %(category)s, %(time)s.") % {
            "category": bars[0].label,
            "time": bars[0].text,
        }
    return BarChart(
        "tickets-resolution-by-category",
        gettext("Mean time to resolution by category (%(days)s)") % {"days": _days_text(days.count)},
        bars=bars,
        label_heading=gettext("Category"),
        value_heading=pgettext("ticket statistics", "Average resolution"),
        extra_headings=[pgettext("ticket statistics", "Done")],
        description=description,
        empty=gettext("None of the tickets reported in these days has been done yet."),
    )


def ticket_month_panel(now=None) -> DashboardPanel:
    cards, description = _month_cards(now)
    recent = situation.recent_days(now)
    return DashboardPanel(
        name="tickets-month",
        order=55,
        title=_("Tickets this month"),
        description=description,
        figures=cards,
        sections=[_per_day_chart(recent), _resolution_chart(recent)],
    )


def add_ticket_situation_panel(request, panels) -> None:
    if selectors.is_ticket_staff(request.user):
        panels.append(ticket_situation_panel())
    if selectors.can_read_statistics(request.user):
        panels.append(ticket_month_panel())
