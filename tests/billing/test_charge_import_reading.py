"""Reading charge files without the database: Polish numbers and dates, XLSX floats,
both encodings, the column map, line numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from operations.billing.imports import (
    ImportFileError,
    ReadingProfile,
    decode,
    parse_date,
    parse_number,
    parse_period,
    read_charge_file,
    xlsx_number,
)
from tests.billing import charge_import_kit as ck

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", "1234.56"),
        ("-1 234,56", "-1234.56"),
        ("1.234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("\u22121 234,56", "-1234.56"),
        ("312,45", "312.45"),
        ("312", "312.00"),
        ("0,5", "0.50"),
        ("12,3400", "12.34"),
        ("(12,50)", "-12.50"),
        ("1 234 567,89 zł", "1234567.89"),
        ("+7,00", "7.00"),
        ("1.234", "1234.00"),
    ],
)
def test_polish_numbers(text, expected):
    assert parse_number(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "expected"), [("1234.56", "1234.56"), ("1,234.56", "1234.56"), ("-0.5", "-0.50"), ("1 234.56", "1234.56")]
)
def test_numbers_with_a_decimal_dot(text, expected):
    assert parse_number(text, decimal_mark=".") == D(expected)


@pytest.mark.parametrize("text", ["", "abc", "12,3,4", "1.23,45", "1,234", "1.5", "12,345", "--5", "1 23,00", "12,"])
def test_what_is_no_amount_is_refused_not_guessed(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_xlsx_floats_become_the_grosze_the_cell_shows():
    assert xlsx_number(0.1 + 0.2) == D("0.30")
    assert xlsx_number(0.1 + 0.7) == D("0.80")  # 0.7999999999999999
    assert xlsx_number(1.005) == D("1.01")  # half-up on the shortest repr, not the binary value 1.00499…
    assert xlsx_number(2.675) == D("2.68")
    assert xlsx_number(-0.015) == D("-0.02")
    assert xlsx_number(1234.56) == D("1234.56")
    assert xlsx_number(45) == D("45.00")
    assert isinstance(xlsx_number(0.1), Decimal)
    with pytest.raises(ValueError):
        xlsx_number(float("nan"))


def test_dates_and_periods():
    assert parse_date("10.03.2026") == date(2026, 3, 10)
    assert parse_date("10.03.2026 00:00") == date(2026, 3, 10)
    assert parse_date("2026-03-10", date_format="%Y-%m-%d") == date(2026, 3, 10)
    for bad in ("31.02.2026", "2026-03-10", "10.3", ""):
        with pytest.raises(ValueError):
            parse_date(bad)
    for text in ("03/2026", "3/2026", "2026-03", "03.2026", "202603", "15.03.2026"):
        assert parse_period(text) == date(2026, 3, 1), text
    for bad in ("13/2026", "2026-00", "marzec"):
        with pytest.raises(ValueError):
            parse_period(bad)


def _fk() -> ReadingProfile:
    return ReadingProfile(
        encoding="utf-8",
        header_row=2,
        columns=ck.FK_COLUMNS,
        component_map=ck.FK_COMPONENTS,
        kind_map=ck.FK_KINDS,
        total_label="RAZEM",
    )


def test_utf8_csv_with_a_title_line_and_a_total():
    read = read_charge_file(ck.sample("charges-utf8.csv"), _fk())
    assert read.problems == []
    assert [row.line for row in read.rows] == [3, 4, 5, 6, 7]
    assert [row.amount for row in read.rows] == [D("312.45"), D("1234.56"), D("1234.56"), D("-150.00"), D("2000.10")]
    assert [row.kind for row in read.rows] == ["charge", "charge", "charge", "opening", "opening"]
    assert [row.component for row in read.rows][:3] == ["maintenance", "repair_fund", "maintenance"]
    first = read.rows[0]
    assert (first.account, first.period, first.booking_date, first.due_date) == (
        "40001",
        date(2026, 3, 1),
        date(2026, 3, 1),
        date(2026, 3, 10),
    )
    assert first.reference == "N/2026/03/0001" and first.title == "Eksploatacja 03/2026"
    assert read.declared_total == D("4631.67")


def test_windows_1250_csv_given_and_detected():
    data = ck.sample("charges-cp1250.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    profile = ReadingProfile(
        encoding="cp1250",
        delimiter=",",
        columns={"building": "Budynek", "unit": "Lokal", "component": "Składnik", "amount": "Kwota", "title": "Tytuł"},
        component_map={"C.W.": "cold_water", "C.O.": "heating", "Śmieci": "waste"},
    )
    given = read_charge_file(data, profile)
    detected = read_charge_file(data, ReadingProfile(**{**profile.__dict__, "encoding": ""}))
    assert detected.encoding == "cp1250"
    for read in (given, detected):
        assert read.problems == []
        assert [(row.building, row.unit, row.component, row.amount) for row in read.rows] == [
            ("A", "1", "cold_water", D("45.20")),
            ("A", "2", "heating", D("210.00")),
            ("A", "3", "waste", D("36.00")),
        ]
        assert read.rows[0].title == "Woda zimna – ścieki, kwiecień"


def test_encoding_detection_prefers_what_gives_polish_letters():
    text = "Wywóz śmieci, źródło, Łódź, żółć"
    for encoding in ("cp1250", "iso8859_2"):
        assert decode(text.encode(encoding))[0] == text
    assert decode("\ufeffKonto;Kwota".encode())[0] == "Konto;Kwota"


def test_bad_rows_are_reported_by_the_line_they_start_on():
    read = read_charge_file(ck.sample("charges-bad-rows.csv"), ReadingProfile(**{**_fk().__dict__, "header_row": 1}))
    assert [(p.line, p.field) for p in read.problems] == [(4, "amount"), (5, "booking_date"), (8, "component")]
    lines = [row.line for row in read.rows]
    assert 11 in lines and 12 not in lines  # the quoted title spans lines 11-12
    assert read.rows[lines.index(11)].title == "Tytuł\nw dwóch wierszach"
    assert read.lines_read == 11 and read.declared_total == D("700.00")


def test_xlsx_cells_numbers_dates_and_text():
    profile = ReadingProfile(
        file_format="xlsx", columns=ck.FK_COLUMNS, component_map=ck.FK_COMPONENTS, kind_map=ck.FK_KINDS
    )
    read = read_charge_file(ck.xlsx_bytes(ck.xlsx_rows()), profile)
    assert read.problems == []
    assert [row.amount for row in read.rows] == [D("0.30"), D("1234.56"), D("2.68"), D("45.00"), D("1234.56")]
    assert [row.line for row in read.rows] == [2, 3, 4, 5, 6]
    assert read.rows[0].account == "40001"  # an identifier typed as a number
    assert read.rows[2].period == date(2026, 3, 1) and read.rows[2].due_date == date(2026, 3, 10)


def test_columns_by_letter_without_a_header_line():
    data = b"40001;12,50;R1\n40002;7;R2\n"
    profile = ReadingProfile(
        header_row=0, columns={"account": "A", "amount": "B", "reference": "3"}, default_component="other"
    )
    read = read_charge_file(data, profile)
    assert [(r.line, r.account, r.amount, r.reference, r.component) for r in read.rows] == [
        (1, "40001", D("12.50"), "R1", "other"),
        (2, "40002", D("7.00"), "R2", "other"),
    ]


def test_files_that_cannot_be_read_say_why(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ImportFileError, match="no column named Konto"):
        read_charge_file(b"Numer;Kwota\n1;2\n", ReadingProfile(columns={"account": "Konto", "amount": "Kwota"}))
    with pytest.raises(ImportFileError, match="amount"):
        read_charge_file(b"Konto\n1\n", ReadingProfile(columns={"account": "Konto"}))
    with pytest.raises(ImportFileError, match="XLSX"):
        read_charge_file(b"not a workbook", ReadingProfile(file_format="xlsx", columns=ck.FK_COLUMNS))
    with pytest.raises(ImportFileError) as error:
        read_charge_file(
            "Konto;Kwota\n1;2\nŁ".encode("cp1250"),
            ReadingProfile(encoding="utf-8", columns={"account": "Konto", "amount": "Kwota"}),
        )
    assert error.value.line == 3
