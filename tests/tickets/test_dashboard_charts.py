"""The charts of the board's month panel, and the chart builders they are made with
(`cms/core/admin/charts.py`, inline SVG drawn on the server):

- tickets reported per day over the last 30 local days, stacked by what has become of
  them (not done, done, rejected): the days counted in the database by their date in
  Warsaw (TruncDate in the time zone, on SQLite and PostgreSQL), a day without tickets
  there with zeros, each day's row of the table a link to exactly that day's tickets;
- the mean time to resolution of each category over the same days, slowest first, each
  a link to the tickets it is the mean of;
- the SVG itself: an image named and described for screen readers, scaled by its view
  box, coordinates written the way SVG reads them whatever the language, every text
  escaped, nothing loaded from elsewhere; the same numbers in a table.

`now` is fixed: 30 March 2026, the day after the clocks went forward, so that the 30
days hold a day of 23 hours and a local midnight an hour earlier in UTC than in winter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from cms.core.admin.charts import Bar, BarChart, ColumnChart, Series
from operations.tickets.admin.situation import ticket_month_panel
from operations.tickets.selectors import situation
from operations.tickets.selectors.figures import reported_by_day
from tests.tickets.admin_kit import LIST, STATISTICS, S, listed, login
from tests.tickets.statistics_kit import WARSAW, D, H, make

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=WARSAW)
FIRST = date(2026, 3, 1)


@pytest.fixture
def march(cast, water, power):
    """Seven tickets of the 30 days, and one just before them.

    before  28 Feb 23:55   water, open                    (outside)
    d1       1 Mar 00:05   water, open                    (28 Feb 23:05 UTC: the first day)
    d6      10 Mar 09:00   water, done after 48 h
    d2      15 Mar 10:00   water, closed, done after 24 h
    d3      15 Mar 11:00   power, rejected
    d7      20 Mar 09:00   power, done after 4 h
    d5      29 Mar 03:30   power, open                    (the 23-hour day)
    d4      30 Mar 00:30   water, open                    (29 Mar 22:30 UTC: today)
    """
    reporter = cast.reporter

    def at(day, hour, minute=0):
        return datetime(2026, 3, day, hour, minute, tzinfo=WARSAW)

    return {
        "before": make(datetime(2026, 2, 28, 23, 55, tzinfo=WARSAW), reporter, water),
        "d1": make(at(1, 0, 5), reporter, water),
        "d6": make(at(10, 9), reporter, water, status=S.DONE, done_at=at(10, 9) + 48 * H),
        "d2": make(at(15, 10), reporter, water, status=S.CLOSED, done_at=at(16, 10), closed_at=at(17, 10)),
        "d3": make(at(15, 11), cast.stranger, power, status=S.REJECTED, closed_at=at(15, 12)),
        "d7": make(at(20, 9), reporter, power, status=S.DONE, done_at=at(20, 13)),
        "d5": make(at(29, 3, 30), reporter, power),
        "d4": make(at(30, 0, 30), reporter, water),
    }


def _render(component) -> BeautifulSoup:
    with translation.override("pl"):
        return BeautifulSoup(component.render_html(), "html.parser")


def _chart(soup, name):
    return soup.find("figure", attrs={"data-chart": name})


def _table(figure) -> list[list[str]]:
    return [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in figure.select("tbody tr")]


# --- Reported per day ------------------------------------------------------------------------------


def test_every_day_is_counted_by_its_date_in_warsaw_with_zeros_where_none_was_reported(march):
    days = reported_by_day(first_day=FIRST, last_day=date(2026, 3, 30))
    assert [day.day for day in days] == [FIRST + timedelta(days=n) for n in range(30)]
    counts = {day.day.day: (day.not_done, day.done, day.rejected) for day in days if day.reported}
    assert counts == {1: (1, 0, 0), 10: (0, 1, 0), 15: (0, 1, 1), 20: (0, 1, 0), 29: (1, 0, 0), 30: (1, 0, 0)}
    assert days[1].day == date(2026, 3, 2) and days[1].reported == 0
    assert sum(day.reported for day in days) == 7


def test_the_recent_days_are_today_and_the_29_before(march):
    recent = situation.recent_days(NOW)
    assert (recent.days.first, recent.days.last) == (FIRST, date(2026, 3, 30))
    assert len(recent.per_day) == 30


def test_the_chart_and_its_table_show_the_same_days(march):
    soup = _render(ticket_month_panel(NOW))
    figure = _chart(soup, "tickets-per-day")
    rows = _table(figure)
    assert len(rows) == 30
    assert rows[0] == ["01.03.2026", "1", "0", "0", "1"]
    assert rows[1] == ["02.03.2026", "0", "0", "0", "0"]  # a day with none
    assert rows[14] == ["15.03.2026", "0", "1", "1", "2"]
    assert rows[-1] == ["30.03.2026", "1", "0", "0", "1"]
    assert [cell.get_text(strip=True) for cell in figure.select("thead th")] == [
        "Dzień", "Niewykonane", "Wykonane", "Odrzucone", "Razem",
    ]  # fmt: skip
    svg = figure.find("svg")
    # One rectangle for each day and state with tickets: 1, 10, 15 (two), 20, 29 and 30 March.
    assert len(svg.find_all("rect")) == 7
    assert svg.find("desc").get_text(strip=True) == ("7 zgłoszeń od 01.03.2026 do 30.03.2026. Najwięcej 15.03.2026: 2.")
    assert svg.find("title").get_text(strip=True) == "Zgłoszenia dzień po dniu (ostatnie 30 dni)"
    assert [text.get_text(strip=True) for text in svg.find_all("text") if "." in text.get_text()] == [
        "02.03", "09.03", "16.03", "23.03", "30.03",
    ]  # fmt: skip


def test_each_day_of_the_table_lists_exactly_that_days_tickets(cast, march):
    client = login(cast.dispatcher)
    figure = _chart(_render(ticket_month_panel(NOW)), "tickets-per-day")
    links = {row.find("th").get_text(strip=True): row.find("a")["href"] for row in figure.select("tbody tr")}
    expected = {"01.03.2026": ["d1"], "02.03.2026": [], "15.03.2026": ["d2", "d3"], "30.03.2026": ["d4"]}
    for day, names in expected.items():
        assert links[day].startswith(LIST)
        assert sorted(listed(client.get(links[day]))) == sorted(march[name].pk for name in names), day
    assert figure.find("a", string="Statystyki z tych dni")["href"].startswith(STATISTICS)


# --- Mean time to resolution by category --------------------------------------------------------------


def test_the_mean_time_of_each_category_slowest_first(march, water, power):
    figure = _chart(_render(ticket_month_panel(NOW)), "tickets-resolution-by-category")
    # Water: 48 h and 24 h (d1 and d4 are open); power: 4 h (d3 was rejected).
    assert _table(figure) == [[water.name, "1 d 12 h", "2"], [power.name, "4 h 0 min", "1"]]
    svg = figure.find("svg")
    widths = [float(rect["width"]) for rect in svg.find_all("rect")]
    assert widths[0] > widths[1] > 0
    assert widths[1] == pytest.approx(widths[0] * 4 / 36, abs=0.01)
    assert "Najdłużej: Krany i piony, 1 d 12 h." in svg.find("desc").get_text()


def test_each_category_lists_the_tickets_its_mean_is_of(cast, march, water, power):
    client = login(cast.dispatcher)
    figure = _chart(_render(ticket_month_panel(NOW)), "tickets-resolution-by-category")
    links = {row.find("th").get_text(strip=True): row.find("a")["href"] for row in figure.select("tbody tr")}
    assert sorted(listed(client.get(links[water.name]))) == sorted([march["d6"].pk, march["d2"].pk])
    assert listed(client.get(links[power.name])) == [march["d7"].pk]


def test_without_tickets_the_charts_say_so_instead(cast):
    soup = _render(ticket_month_panel(NOW))
    assert soup.find("svg") is None
    text = soup.get_text()
    assert "W tych dniach nie było zgłoszeń." in text
    assert "Żadne ze zgłoszeń z tych dni nie zostało jeszcze wykonane." in text


# --- The SVG ----------------------------------------------------------------------------------------------


def test_the_svg_is_a_named_image_scaled_by_its_view_box_with_nothing_from_elsewhere(march):
    soup = _render(ticket_month_panel(NOW))
    for name in ("tickets-per-day", "tickets-resolution-by-category"):
        figure = _chart(soup, name)
        svg = figure.find("svg")
        assert svg["role"] == "img"
        assert soup.find(id=svg["aria-labelledby"]).name == "title"
        assert soup.find(id=svg["aria-describedby"]).name == "desc"
        assert svg["viewbox"].startswith("0 0 320 ")
        assert "width" not in svg.attrs and "height" not in svg.attrs  # the stylesheet sizes it
        assert figure.find("details").find("table") is not None
    html = str(soup)
    assert "<script" not in html and "src=" not in html and 'href="http' not in html


def test_coordinates_are_written_with_a_dot_in_polish():
    chart = ColumnChart(
        "test-columns",
        "Odczyty",
        labels=["a", "b", "c"],
        series=[Series("x", [1.5, 2.5, 0.75])],
        label_heading="Dzień",
    )
    soup = _render(chart)
    heights = [rect["height"] for rect in soup.find_all("rect")]
    assert all("," not in height for height in heights) and any("." in height for height in heights)
    # The values themselves are shown the Polish way.
    assert _table(soup.find("figure"))[1] == ["b", "2,5", "2,5"]


def test_every_text_is_escaped():
    chart = BarChart(
        "test-bars",
        "<b>Nagłówek</b>",
        bars=[Bar("<script>alert(1)</script>", 3, url="/admin/?a=1&b=2")],
        label_heading="<i>Kategoria</i>",
        value_heading="Czas",
        description="<img src=x>",
    )
    with translation.override("pl"):
        html = chart.render_html()
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="/admin/?a=1&amp;b=2"' in html


def test_a_chart_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError):
        ColumnChart("x", "X", labels=["a", "b"], series=[Series("s", [1])], label_heading="L")
    with pytest.raises(ValueError):
        ColumnChart("x", "X", labels=["a"], series=[Series("s", [1], tone="pink")], label_heading="L")
    with pytest.raises(ValueError):
        BarChart('x" onload="y', "X", bars=[], label_heading="L", value_heading="V")


def test_counts_have_whole_gridlines():
    soup = _render(ColumnChart("c", "C", labels=["a", "b"], series=[Series("s", [1, 0])], label_heading="L"))
    assert [text.get_text(strip=True) for text in soup.find("g", class_="hub-chart__grid").find_all("text")] == [
        "0",
        "1",
    ]


def test_the_days_are_counted_in_one_query(march, django_assert_num_queries):
    with django_assert_num_queries(1):
        reported_by_day(first_day=FIRST, last_day=date(2026, 3, 30))
    with django_assert_num_queries(2):
        situation.recent_days(NOW)


def test_a_long_category_name_is_shortened_in_the_picture_but_whole_in_the_table(cast):
    from tests.factories import tickets as tf

    name = "Instalacja domofonowa i wideodomofonowa w klatkach schodowych budynku"
    category = tf.CategoryFactory(name=name)
    reported = datetime(2026, 3, 20, 9, tzinfo=WARSAW)
    make(reported, cast.reporter, category, status=S.DONE, done_at=reported + 2 * D)
    figure = _chart(_render(ticket_month_panel(NOW)), "tickets-resolution-by-category")
    label = figure.find("svg").find("text").get_text(strip=True)
    assert label.endswith("…") and len(label) <= BarChart.LABEL_CHARACTERS
    assert _table(figure)[0][0] == name
