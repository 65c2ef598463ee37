"""Charts for the situation centre's panels (`dashboard.py`), drawn on the server as inline
SVG: no script, no library, nothing loaded from elsewhere (a cooperative's server may
have no internet), and the page reads the same with scripts off.

Two kinds, both `Section`s of a `DashboardPanel`:

- `ColumnChart`: a column per label (a day, a month), each column the stack of its
  series (tickets reported that day: not done, done, rejected);
- `BarChart`: horizontal bars, one a row with its label above it, so that long names
  (a category, a building's address) need no room beside the bar.

What they share, and why:

- The SVG has a `viewBox` and is as wide as its box (CSS `width: 100%`), so it scales to
  any screen. The view box is drawn for a phone (320 units across, text 12 units high):
  at 360 px the text is about as large as the page's small print, and on a desk the
  stylesheet caps the width so that it does not grow larger than easy reading needs.
- Coordinates are written by Python with a dot for the decimals: Django would write
  floats the Polish way (12,5) in a template, which SVG would not read.
- The SVG is `role="img"` named by its `<title>` and described by its `<desc>` (a
  sentence the caller writes: the total, the highest day); the legend is HTML beside
  it, readable at any size. The same numbers are a table in a `<details>` under the
  chart, with links where the caller gives them: what a screen reader or a keyboard
  user reads and follows, and what anyone can copy.
- Colours are tones (`TONES`), classes of the stylesheet (`dashboard.css`) made of
  Wagtail's colour variables, so the charts follow the admin's theme (dark included).
  The table, not the colour, is the way to tell the series apart exactly.
- Every text goes through Django's templates and is escaped there.

An app builds a chart in its `admin/` package from a selector's data (each value counted
in the database): `ColumnChart(name=..., heading=..., labels=[...], series=[Series(...)])`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .dashboard import Cell, Section

# Tones a series or a bar may take (classes `hub-chart__fill--<tone>` in dashboard.css).
TONES = ("primary", "positive", "warning", "critical", "info", "neutral")

# The view box is drawn for a phone; see the module docstring.
WIDTH = 320
FONT = 12


def _n(value: float) -> str:
    """A coordinate as SVG reads it: a dot, at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def number_text(value: float) -> str:
    """A value as the viewer reads it (1 234 or 12,5 in Polish)."""
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, 1, force_grouping=True)


def _nice_step(maximum: float, steps: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that covers `maximum` in about `steps`."""
    if maximum <= 0:
        return 1
    rough = maximum / steps
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if rough <= factor * power:
            return factor * power
    return 10 * power


def _clip(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Series:
    """One series of a column chart: a value for each of the chart's labels."""

    label: str
    values: Sequence[float]
    tone: str = "primary"


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: `text` is the value as shown (a duration, say; default
    the number), `url` the list behind it, `extra` more cells for its table row."""

    label: str
    value: float
    text: str = ""
    url: str = ""
    extra: Sequence[str] = field(default_factory=tuple)


class Chart(Section):
    """What both charts share: a heading, the SVG's name and description, the legend, the
    table of the same numbers, and what to say when there is nothing to draw."""

    def __init__(
        self, name: str, heading: str, *, description: str = "", empty: str = "", link: tuple[str, str] | None = None
    ):
        super().__init__(heading)
        if not name.replace("-", "").isalnum():
            raise ValueError("A chart's name is part of HTML ids: letters, digits and dashes.")
        self.name = name
        self.description = description
        self.empty = empty
        # A (url, text) pair shown under the chart: the statistics page it summarises.
        self.link = link
        self.columns: list[str] = []
        self.rows: list[list[Cell]] = []

    @property
    def id(self) -> str:
        return f"hub-chart-{self.name}"

    @property
    def is_empty(self) -> bool:
        return False

    def get_context_data(self, parent_context=None):
        return {"section": self, "chart": None if self.is_empty else self.drawing()}

    def drawing(self) -> dict:
        raise NotImplementedError


class ColumnChart(Chart):
    """Stacked columns, one for each label, the first series at the bottom.

    `ticks` are the labels shown under the axis (by default every `tick_every`-th from the
    last, so the latest column is always labelled: 30 days need five, not thirty);
    `row_urls` link a label's table row (a day's list of tickets)."""

    template_name = "core/admin/chart_columns.html"
    HEIGHT = 200
    LEFT, RIGHT, TOP, BOTTOM = 30, 4, 8, 22

    def __init__(
        self,
        name: str,
        heading: str,
        *,
        labels: Sequence[str],
        series: Sequence[Series],
        label_heading: str,
        tick_labels: Sequence[str] | None = None,
        tick_every: int = 7,
        row_urls: Sequence[str] | None = None,
        total_heading: str | None = None,
        value_text: Callable[[float], str] = number_text,
        description: str = "",
        empty: str = "",
        link: tuple[str, str] | None = None,
    ):
        super().__init__(name, heading, description=description, empty=empty, link=link)
        self.labels = [str(label) for label in labels]
        self.series = list(series)
        for one in self.series:
            if len(one.values) != len(self.labels):
                raise ValueError(f"Series {one.label!r} has {len(one.values)} values for {len(self.labels)} labels.")
            if one.tone not in TONES:
                raise ValueError(f"Unknown tone {one.tone!r}.")
        self.tick_labels = [str(label) for label in (tick_labels or self.labels)]
        self.tick_every = max(int(tick_every), 1)
        self.value_text = value_text
        self.totals = [sum(one.values[index] for one in self.series) for index in range(len(self.labels))]
        total_heading = total_heading if total_heading is not None else _("Total")
        self.columns = [label_heading, *(one.label for one in self.series), str(total_heading)]
        urls = list(row_urls or [""] * len(self.labels))
        self.rows = [
            [
                Cell(label, url=urls[index]),
                *(Cell(value_text(one.values[index]), numeric=True) for one in self.series),
                Cell(value_text(self.totals[index]), numeric=True),
            ]
            for index, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self) -> bool:
        return not self.labels or (bool(self.empty) and not any(self.totals))

    def drawing(self) -> dict:
        width, height = WIDTH, self.HEIGHT
        left, right, top, bottom = self.LEFT, width - self.RIGHT, self.TOP, height - self.BOTTOM
        step = _nice_step(max(self.totals, default=0))
        if all(float(total).is_integer() for total in self.totals):
            step = max(step, 1)  # counts: no gridline at half a ticket
        ceiling = step * max(math.ceil(max(self.totals, default=0) / step), 1)
        scale = (bottom - top) / ceiling
        grid = []
        value = 0.0
        while value <= ceiling + step / 1000:
            y = bottom - value * scale
            grid.append({"y": _n(y), "text_y": _n(y + FONT / 3), "text": self.value_text(value)})
            value += step
        slot = (right - left) / len(self.labels)
        bar_width = max(slot * 0.72, 1)
        columns, ticks = [], []
        last = len(self.labels) - 1
        for index, label in enumerate(self.labels):
            x = left + index * slot + (slot - bar_width) / 2
            base = 0.0
            bars = []
            for one in self.series:
                value = one.values[index]
                if value > 0:
                    y_top = bottom - (base + value) * scale
                    bars.append(
                        {
                            "x": _n(x),
                            "y": _n(y_top),
                            "width": _n(bar_width),
                            "height": _n(value * scale),
                            "tone": one.tone,
                            "title": f"{label}: {one.label} {self.value_text(value)}",
                        }
                    )
                base += value
            columns.append(bars)
            if (last - index) % self.tick_every == 0:
                ticks.append(self._tick(x + bar_width / 2, self.tick_labels[index], width))
        return {
            "width": width,
            "height": height,
            "left": left,
            "right": right,
            "baseline": _n(bottom),
            "label_x": left - 4,
            "tick_y": _n(height - 6),
            "grid": grid,
            "columns": columns,
            "ticks": ticks,
        }

    @staticmethod
    def _tick(centre: float, text: str, width: float) -> dict:
        """A label under its column, kept inside the picture at either edge."""
        half = len(text) * FONT * 0.3  # about half its width
        if centre + half > width:
            return {"x": _n(width), "text": text, "anchor": "end"}
        if centre - half < 0:
            return {"x": "0", "text": text, "anchor": "start"}
        return {"x": _n(centre), "text": text, "anchor": "middle"}


class BarChart(Chart):
    """Horizontal bars, the longest first if the caller sorts them so, each with its label
    on the line above and its value (`Bar.text`) after its end. The table has a column for
    the label, one for the value and `extra_headings` for `Bar.extra`."""

    template_name = "core/admin/chart_bars.html"
    ROW = 38  # a label's line, the bar and the space before the next
    BAR = 14
    VALUE_ROOM = 78  # after the longest bar, for its value ("12 d 23 h")
    LABEL_CHARACTERS = 46  # what fits across at this size; the table has the whole name

    def __init__(
        self,
        name: str,
        heading: str,
        *,
        bars: Sequence[Bar],
        label_heading: str,
        value_heading: str,
        extra_headings: Sequence[str] = (),
        tone: str = "primary",
        description: str = "",
        empty: str = "",
        link: tuple[str, str] | None = None,
    ):
        super().__init__(name, heading, description=description, empty=empty, link=link)
        if tone not in TONES:
            raise ValueError(f"Unknown tone {tone!r}.")
        self.bars = list(bars)
        self.tone = tone
        self.columns = [label_heading, value_heading, *extra_headings]
        self.rows = [
            [
                Cell(bar.label, url=bar.url),
                Cell(self._text(bar), numeric=True),
                *(Cell(str(text), numeric=True) for text in bar.extra),
            ]
            for bar in self.bars
        ]

    @staticmethod
    def _text(bar: Bar) -> str:
        return bar.text or number_text(bar.value)

    @property
    def is_empty(self) -> bool:
        return not self.bars

    def drawing(self) -> dict:
        width = WIDTH
        longest = max((bar.value for bar in self.bars), default=0) or 1
        room = width - self.VALUE_ROOM
        rows = []
        for index, bar in enumerate(self.bars):
            top = index * self.ROW
            length = max(bar.value, 0) / longest * room
            bar_y = top + FONT + 6
            rows.append(
                {
                    "label": _clip(bar.label, self.LABEL_CHARACTERS),
                    "label_y": _n(top + FONT),
                    "y": _n(bar_y),
                    "width": _n(max(length, 1 if bar.value > 0 else 0)),
                    "value_x": _n(length + 4),
                    "value_y": _n(bar_y + self.BAR - 3),
                    "text": self._text(bar),
                    "title": f"{bar.label}: {self._text(bar)}",
                }
            )
        return {
            "width": width,
            "height": max(len(self.bars) * self.ROW, self.ROW),
            "bar_height": self.BAR,
            "tone": self.tone,
            "rows": rows,
        }
