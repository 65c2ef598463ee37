"""The admin's CSV downloads (cms.core.admin.exports): what Polish Excel needs (a BOM and
semicolons), no cell a spreadsheet would run as a formula, and rows streamed as the
response is sent, never gathered first."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse

from cms.core.admin.exports import BOM, FORMULA_START, csv_cell, csv_lines, csv_response, csv_time


def parse(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :]), delimiter=";"))


# --- One cell --------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(start):
    assert start in FORMULA_START
    assert csv_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Kapie z sufitu", "Kapie z sufitu"),
        ("a=b+c", "a=b+c"),  # only the first character counts
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (7, "7"),
        ("'=1", "'=1"),
    ],
)
def test_other_cells_stay_as_they_are(value, shown):
    assert csv_cell(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(-5, "-5"), ("-500,00", "-500,00"), ("-12.5", "-12.5")])
def test_a_plain_negative_number_stays_a_number_a_spreadsheet_sums(value, shown):
    # It evaluates to itself; quoting it made arrears text that Excel could not add up.
    assert csv_cell(value) == shown


@pytest.mark.parametrize("value", ["-5+A1", "-1 234", "-2,5,1", "+48 600 100 200", "-", "-5)"])
def test_anything_more_than_a_negative_number_is_quoted(value):
    assert csv_cell(value) == "'" + value


# --- Lines -----------------------------------------------------------------------------------------


def test_lines_have_one_bom_semicolons_and_neutralised_cells_in_header_and_rows():
    lines = list(csv_lines(["Tytuł", "=Nagłówek"], [["Zgłoszenie; pilne", "=1+1"], ["Łódź", "@SUM(A1)"], [None, 3]]))
    assert lines[0].startswith(BOM + "Tytuł;")
    assert sum(line.count(BOM) for line in lines) == 1
    assert all(line.endswith("\r\n") for line in lines)
    assert lines[1] == '"Zgłoszenie; pilne";\'=1+1\r\n'
    assert parse(lines) == [
        ["Tytuł", "'=Nagłówek"],
        ["Zgłoszenie; pilne", "'=1+1"],
        ["Łódź", "'@SUM(A1)"],
        ["", "3"],
    ]


def test_no_rows_is_the_header_alone():
    assert list(csv_lines(["A", "B"], [])) == [BOM + "A;B\r\n"]


def test_rows_are_read_one_at_a_time_as_lines_are_taken():
    taken = []

    def rows():
        for number in range(1, 4):
            taken.append(number)
            yield [number]

    lines = csv_lines(["n"], rows())
    assert taken == []  # nothing is read before the first line is asked for
    assert next(lines) == BOM + "n\r\n"
    assert taken == []
    assert next(lines) == "1\r\n"
    assert taken == [1]
    assert list(lines) == ["2\r\n", "3\r\n"]


def test_many_rows_stream_without_being_gathered():
    count = 100_000
    pulled = 0

    def rows():
        nonlocal pulled
        for number in range(count):
            pulled += 1
            yield [number, f"=wiersz {number}"]

    lines = csv_lines(["n", "tekst"], rows())
    seen = 0
    for seen, line in enumerate(lines):
        # Never more than one row ahead of the line handed out.
        assert pulled == seen
        if seen == count:
            assert line == f"{count - 1};'=wiersz {count - 1}\r\n"
    assert seen == count


# --- Times and the response ------------------------------------------------------------------------


def test_times_are_written_in_the_given_zone_and_pattern():
    moment = datetime(2026, 7, 1, 22, 30, 5, tzinfo=UTC)
    warsaw = ZoneInfo("Europe/Warsaw")
    assert csv_time(moment, warsaw, "%d.%m.%Y %H:%M") == "02.07.2026 00:30"
    assert csv_time(moment, warsaw, "%d.%m.%Y %H:%M:%S") == "02.07.2026 00:30:05"
    assert csv_time(None, warsaw, "%d.%m.%Y %H:%M") == ""


def test_the_response_streams_the_lines_as_a_utf8_download():
    pulled = []

    def rows():
        for number in range(3):
            pulled.append(number)
            yield [number, "zażółć"]

    response = csv_response(csv_lines(["n", "tekst"], rows()), "tickets-2026-07-01.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tickets-2026-07-01.csv"'
    assert pulled == []  # made, not yet sent
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8") == BOM + "n;tekst\r\n0;zażółć\r\n1;zażółć\r\n2;zażółć\r\n"
    assert pulled == [0, 1, 2]
