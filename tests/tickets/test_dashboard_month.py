"""The board's month on the situation centre ("Tickets this month"): this month so far
against the whole previous calendar month, the months being local (Europe/Warsaw) and
not UTC; every figure's value, the previous month's in its note, and that its link lists
(or the statistics page shows) exactly what it counts; Polish plural forms.

The moments are fixed (`now` is given): 1 February 2026, half past midnight in Warsaw, is
still 31 January in UTC, so a month counted in UTC would be wrong here."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from operations.tickets.admin.situation import ticket_month_panel
from operations.tickets.selectors import situation
from tests.tickets.admin_kit import LIST, STATISTICS, S, listed, login
from tests.tickets.statistics_kit import WARSAW, D, H, make

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 1, 0, 30, tzinfo=WARSAW)  # 31 January 23:30 UTC


@pytest.fixture
def months(cast, water, power):
    """Two tickets this month (1 February so far), four in January, one in December.

    this month  c1  00:10 1 Feb   closed, done after 2 h, rated 3
                c2  00:20 1 Feb   open, marked overdue
    January     p1  00:00 1 Jan   closed, done after 24 h, rated 4   (31 Dec 23:00 UTC)
                p2  20:00 31 Jan  closed, done after 2 h, rated 5
                p3  15 Jan        rejected
                p4  20 Jan        open, marked overdue
    December    o1  23:59 31 Dec  done
    """
    reporter = cast.reporter

    def closed(at, hours, rating):
        return make(
            at, reporter, water, status=S.CLOSED, done_at=at + hours * H, closed_at=at + hours * H, rating=rating
        )

    c1 = datetime(2026, 2, 1, 0, 10, tzinfo=WARSAW)
    p1 = datetime(2026, 1, 1, 0, 0, tzinfo=WARSAW)
    p2 = datetime(2026, 1, 31, 20, 0, tzinfo=WARSAW)
    return {
        "c1": closed(c1, 2, 3),
        "c2": make(datetime(2026, 2, 1, 0, 20, tzinfo=WARSAW), reporter, power, overdue_at=NOW),
        "p1": closed(p1, 24, 4),
        "p2": closed(p2, 2, 5),
        "p3": make(datetime(2026, 1, 15, 9, tzinfo=WARSAW), reporter, power, status=S.REJECTED),
        "p4": make(datetime(2026, 1, 20, 9, tzinfo=WARSAW), cast.stranger, water, overdue_at=p2),
        "o1": make(
            datetime(2025, 12, 31, 23, 59, tzinfo=WARSAW),
            reporter,
            water,
            status=S.DONE,
            done_at=p1,
        ),
    }


def _render(panel) -> BeautifulSoup:
    with translation.override("pl"):
        return BeautifulSoup(panel.render_html(), "html.parser")


def _cards(soup) -> dict[str, dict]:
    cards = {}
    for link in soup.select(".hub-dashboard__cards a"):
        cards[link.select_one(".hub-dashboard__label").get_text(strip=True)] = {
            "value": link.select_one(".hub-dashboard__value").get_text(strip=True),
            "note": link.select_one(".hub-dashboard__note").get_text(strip=True),
            "url": link["href"],
        }
    return cards


# --- The months ----------------------------------------------------------------------------------


def test_the_month_is_local_and_the_previous_one_is_whole(months):
    comparison = situation.month_comparison(NOW)
    current, previous = comparison.current, comparison.previous
    assert (current.days.first, current.days.last) == (date(2026, 2, 1), date(2026, 2, 1))
    assert (previous.days.first, previous.days.last) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (current.figures.reported, current.figures.done, current.figures.overdue) == (2, 1, 1)
    assert (previous.figures.reported, previous.figures.done, previous.figures.rejected) == (4, 2, 1)
    assert (current.overdue_share, previous.overdue_share) == (0.5, 0.25)
    assert current.figures.avg_resolution == 2 * H
    assert previous.figures.avg_resolution == 13 * H  # (24 h + 2 h) / 2
    assert (current.ratings.count, current.ratings.mean) == (1, 3.0)
    assert (previous.ratings.count, previous.ratings.mean) == (2, 4.5)


@pytest.mark.parametrize(
    ("now", "current", "previous"),
    [
        # January: the previous month is December of the year before.
        (datetime(2026, 1, 10, 12, tzinfo=WARSAW), ("2026-01-01", "2026-01-10"), ("2025-12-01", "2025-12-31")),
        # 1 March, just after midnight in Warsaw (still February in UTC); February has 28 days.
        (datetime(2026, 3, 1, 0, 5, tzinfo=WARSAW), ("2026-03-01", "2026-03-01"), ("2026-02-01", "2026-02-28")),
        # The last day of a month, late in the evening (the next day in no zone yet).
        (datetime(2026, 4, 30, 23, 59, tzinfo=WARSAW), ("2026-04-01", "2026-04-30"), ("2026-03-01", "2026-03-31")),
    ],
)
def test_the_months_of_a_moment(now, current, previous):
    comparison = situation.month_comparison(now)
    assert (comparison.current.days.first.isoformat(), comparison.current.days.last.isoformat()) == current
    assert (comparison.previous.days.first.isoformat(), comparison.previous.days.last.isoformat()) == previous


def test_without_tickets_no_share_or_mean_is_made_up(cast):
    comparison = situation.month_comparison(NOW)
    assert comparison.current.overdue_share is None and comparison.previous.ratings.mean is None
    cards = _cards(_render(ticket_month_panel(NOW)))
    assert cards["Odsetek po terminie"]["value"] == "–"
    assert cards["Średnia ocena mieszkańców (0 ocen)"]["value"] == "–"
    assert cards["Zgłoszone"]["note"] == "poprzedni miesiąc: 0"


def test_both_months_are_one_query(months):
    with CaptureQueriesContext(connection) as queries:
        situation.month_comparison(NOW)
    assert len(queries) == 1


# --- The panel ------------------------------------------------------------------------------------


def test_the_panel_shows_each_figure_with_the_previous_month_under_it(months):
    soup = _render(ticket_month_panel(NOW))
    assert soup.find("h2").get_text(strip=True) == "Zgłoszenia w tym miesiącu"
    description = soup.select_one(".hub-dashboard__description").get_text(strip=True)
    assert "od 01.02.2026 do 01.02.2026" in description
    assert "(01.01.2026–31.01.2026)" in description
    shown = {label: (card["value"], card["note"]) for label, card in _cards(soup).items()}
    assert shown == {
        "Zgłoszone": ("2", "poprzedni miesiąc: 4"),
        "Wykonane": ("1", "poprzedni miesiąc: 2"),
        "Odsetek po terminie": ("50%", "poprzedni miesiąc: 25%"),
        "Średni czas realizacji": ("2 h 0 min", "poprzedni miesiąc: 13 h 0 min"),
        "Średnia ocena mieszkańców (1 ocena)": ("3,0", "poprzedni miesiąc: 4,5"),
    }


def test_the_counts_link_to_the_lists_of_exactly_those_tickets(cast, months):
    client = login(cast.board)
    cards = _cards(_render(ticket_month_panel(NOW)))
    expected = {
        "Zgłoszone": {"c1", "c2"},
        "Wykonane": {"c1"},
        "Średnia ocena mieszkańców (1 ocena)": {"c1"},  # the rated tickets the mean is of
    }
    for label, names in expected.items():
        url = cards[label]["url"]
        assert url.startswith(LIST), label
        assert sorted(listed(client.get(url))) == sorted(months[name].pk for name in names), label


def test_the_share_and_the_mean_time_link_to_the_statistics_of_the_same_days(cast, months):
    client = login(cast.board)
    cards = _cards(_render(ticket_month_panel(NOW)))
    for label in ("Odsetek po terminie", "Średni czas realizacji"):
        url = cards[label]["url"]
        assert url.startswith(STATISTICS)
        period = client.get(url).context["stats"].period
        assert (period.reported, period.overdue, period.avg_resolution) == (2, 1, 2 * H)


def test_the_rating_filter_lists_tickets_by_their_rating(cast, months):
    client = login(cast.board)
    assert sorted(listed(client.get(LIST, {"rating": ["4", "5"]}))) == sorted([months["p1"].pk, months["p2"].pk])
    assert listed(client.get(LIST, {"rating": "3"})) == [months["c1"].pk]


@pytest.mark.parametrize(("count", "polish"), [(1, "1 ocena"), (2, "2 oceny"), (5, "5 ocen"), (22, "22 oceny")])
def test_the_number_of_ratings_in_polish_plural_forms(cast, water, count, polish):
    at = datetime(2026, 2, 1, 0, 1, tzinfo=WARSAW)
    for _ in range(count):
        make(at, cast.reporter, water, status=S.CLOSED, done_at=at, closed_at=at, rating=5)
    cards = _cards(_render(ticket_month_panel(NOW + timedelta(minutes=1))))
    assert f"Średnia ocena mieszkańców ({polish})" in cards
    assert cards[f"Średnia ocena mieszkańców ({polish})"]["value"] == "5,0"


def test_a_past_month_keeps_following_its_tickets(cast, water):
    """A ticket of January done in February counts as done in January's figures: the
    cohort as it stands now, as the statistics page shows January."""
    reported = datetime(2026, 1, 30, 12, tzinfo=WARSAW)
    make(reported, cast.reporter, water, status=S.DONE, done_at=reported + 3 * D)
    previous = situation.month_comparison(datetime(2026, 2, 10, 12, tzinfo=WARSAW)).previous
    assert (previous.figures.reported, previous.figures.done, previous.figures.avg_resolution) == (1, 1, 3 * D)
