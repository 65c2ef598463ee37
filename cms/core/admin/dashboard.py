"""The parts every panel of the situation centre (the admin's first page) is made of, so
that each app's panel looks and reads the same and none restyles cards or tables.

A panel (`DashboardPanel`) is a titled section with figure cards (`Figure`: a number, what
it counts, the list it links to) followed by sections: an inline row of linked counts
(`LinkedCounts`, e.g. open tickets by status), a table (`Table`, in a container that
scrolls sideways on a phone instead of being cut off) or any other Wagtail `Component`
(a chart). An app builds its panel in its `admin/` package from one selector's figures
and adds it with the `construct_homepage_panels` hook; the styles are
`static/core/admin/dashboard.css`, loaded on every admin page by `cms/core/wagtail_hooks.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wagtail.admin.ui.components import Component


def percent(part: int, whole: int) -> str:
    """`part` of `whole` as a whole percent written "30%", as the portal writes it
    (`Intl.NumberFormat("pl", {style: "percent"})`); "–" when there is no whole. Rounded
    half up, but never to 0% while `part` is not nothing nor to 100% while it is not all:
    a figure that calls for action must not read as none."""
    if not whole:
        return "–"
    value = (200 * part + whole) // (2 * whole)
    if 0 < part < whole:
        value = min(max(value, 1), 99)
    return f"{value}%"


@dataclass(frozen=True)
class Figure:
    """One card: `value` (a count, or text already formatted for the viewer, such as a
    duration or a share), `label` (what it counts) and the list it links to."""

    label: str
    value: int | str
    url: str = ""
    # Calls for action: the card is outlined in the warning colour.
    urgent: bool = False
    # A second line in smaller type: the previous period's value, a validity date.
    note: str = ""


@dataclass(frozen=True)
class LinkedCount:
    label: str
    value: int | str
    url: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    # Numbers align right, so that a column of figures can be compared at a glance.
    numeric: bool = False


class Section(Component):
    """A headed part of a panel below its cards."""

    def __init__(self, heading: str = ""):
        self.heading = heading

    def get_context_data(self, parent_context=None):
        return {"section": self}


class LinkedCounts(Section):
    """Counts in a row that wraps, each a link: open tickets by status, say."""

    template_name = "core/admin/dashboard_linked_counts.html"

    def __init__(self, heading: str, counts: Sequence[LinkedCount]):
        super().__init__(heading)
        self.counts = list(counts)


class Table(Section):
    """A table with a header row; on a narrow screen it scrolls sideways in its own box
    (a focusable region, so it scrolls from the keyboard too) and the page does not."""

    template_name = "core/admin/dashboard_table.html"

    def __init__(self, heading: str, columns: Sequence[str], rows: Sequence[Sequence[Cell]], empty: str = ""):
        super().__init__(heading)
        self.columns = list(columns)
        self.rows = [list(row) for row in rows]
        self.empty = empty


@dataclass
class DashboardPanel(Component):
    """A panel of the situation centre. `name` is unique on the page (the section's id is
    made from it); `order` places it among Wagtail's own panels (lower is higher up)."""

    name: str
    order: int
    title: str
    figures: Sequence[Figure] = ()
    sections: Sequence[Component] = field(default_factory=tuple)
    # A line under the title: whose figures these are, or the period they cover.
    description: str = ""
    template_name = "core/admin/dashboard_panel.html"

    def get_context_data(self, parent_context=None):
        return {"panel": self}
