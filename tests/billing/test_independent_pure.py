"""Independent, hand-computed checks of billing's pure parts: money, working days,
individual account numbers and the day-by-day interest arithmetic (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from operations.billing.account_numbers import (
    AccountNumberError,
    build_account_number,
    check_settlement_number,
    format_account_number,
    settlement_check_digit,
    validate_account_number,
)
from operations.billing.interest import RateMissing, interest_lines, line_amount, rate_stretches
from operations.billing.money import format_pln, from_grosze, money, parse_amount, to_grosze
from operations.billing.working_days import is_public_holiday, is_working_day, next_working_day

D = Decimal
NB = "\u00a0"
RATES = [(date(2025, 12, 4), D("9.50")), (date(2026, 3, 5), D("9.25"))]


# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # non-breaking space as the thousands separator
        ("1234.565", "1234.57"),  # half-up at the third place
        ("1234,564", "1234.56"),
        ("2.005", "2.01"),
        ("-2.005", "-2.01"),  # half-up is away from zero for negatives
        ("-0,005", "-0.01"),
        ("0,005", "0.01"),
        ("0,004", "0.00"),
        ("1.234,56", "1234.56"),  # both marks: the last one is the decimal mark
        ("1,234.56", "1234.56"),
        ("12,5", "12.50"),
        ("+7", "7.00"),
        (",5", "0.50"),
        ("9 999 999 999,99", "9999999999.99"),  # the largest amount of max_digits=12
        ("0,285", "0.29"),  # banker's rounding would give 0.28
    ],
)
def test_money_parses_polish_and_plain_text_half_up(text, expected):
    assert money(text) == D(expected)
    assert money(text).as_tuple().exponent == -2


def test_money_from_decimal_and_int():
    assert money(D("0.125")) == D("0.13")  # half-even would give 0.12
    assert money(D("-0.125")) == D("-0.13")
    assert money(7) == D("7.00")
    assert money(-3) == D("-3.00")


@pytest.mark.parametrize("value", [0.1, 1.0, True, None, [1], D("NaN"), D("Infinity")])
def test_money_refuses_floats_bools_and_non_amounts(value):
    with pytest.raises((TypeError, ValueError)):
        money(value)


def test_money_refuses_float_with_type_error():
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12 zł", "1e5", "--1", "1.2.3,4,5"])
def test_parse_amount_refuses_what_is_no_amount(text):
    with pytest.raises(ValueError):
        money(text)


def test_parse_amount_is_not_rounded():
    assert parse_amount("1 234,565") == D("1234.565")


def test_negative_zero_is_formatted_as_zero():
    # "-0,004" rounds to -0.00; nobody should read "-0,00 zł".
    assert money("-0,004") == 0
    assert format_pln(money("-0,004")) == f"0,00{NB}zł"
    assert format_pln(D("-0.00")) == f"0,00{NB}zł"
    assert to_grosze(D("-0.00")) == 0


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0"), "0,00 zł"),
        (D("999.99"), "999,99 zł"),
        (D("1000"), "1 000,00 zł"),  # grouped from 1 000 on, as the glossary has it
        (D("1234.56"), "1 234,56 zł"),
        (D("-1234.565"), "-1 234,57 zł"),
        (D("-0.50"), "-0,50 zł"),
        (D("1234567.5"), "1 234 567,50 zł"),
        (D("9999999999.99"), "9 999 999 999,99 zł"),
        ("1 234,56", "1 234,56 zł"),
    ],
)
def test_format_pln(amount, expected):
    assert format_pln(amount, space=" ") == expected
    assert format_pln(amount) == expected.replace(" ", NB)


def test_grosze_round_trip():
    assert to_grosze(D("12.34")) == 1234
    assert to_grosze(D("0.285")) == 29
    assert to_grosze(D("-0.005")) == -1
    assert from_grosze(1234) == D("12.34")
    assert from_grosze(-1) == D("-0.01")
    assert from_grosze(None) == D("0.00")
    # 0.10 a thousand times, in grosze: exactly 100.00
    assert from_grosze(sum(to_grosze(D("0.10")) for _ in range(1000))) == D("100.00")


# --- working days --------------------------------------------------------------------------

HOLIDAYS_2026 = [
    date(2026, 1, 1),  # Nowy Rok (Thu)
    date(2026, 1, 6),  # Trzech Króli (Tue)
    date(2026, 4, 5),  # Wielkanoc (Sun)
    date(2026, 4, 6),  # Poniedziałek Wielkanocny
    date(2026, 5, 1),  # Święto Pracy (Fri)
    date(2026, 5, 3),  # Święto Konstytucji (Sun)
    date(2026, 5, 24),  # Zielone Świątki (Sun)
    date(2026, 6, 4),  # Boże Ciało (Thu, Easter + 60)
    date(2026, 8, 15),  # Wniebowzięcie (Sat)
    date(2026, 11, 1),  # Wszystkich Świętych (Sun)
    date(2026, 11, 11),  # Święto Niepodległości (Wed)
    date(2026, 12, 24),  # Wigilia (Thu), a holiday from 2025 on
    date(2026, 12, 25),
    date(2026, 12, 26),
]
HOLIDAYS_2027 = [
    date(2027, 1, 1),
    date(2027, 1, 6),
    date(2027, 3, 28),  # Easter 2027
    date(2027, 3, 29),  # Easter Monday
    date(2027, 5, 1),
    date(2027, 5, 3),
    date(2027, 5, 16),  # Pentecost
    date(2027, 5, 27),  # Corpus Christi
    date(2027, 8, 15),
    date(2027, 11, 1),
    date(2027, 11, 11),
    date(2027, 12, 24),
    date(2027, 12, 25),
    date(2027, 12, 26),
]


@pytest.mark.parametrize("day", HOLIDAYS_2026 + HOLIDAYS_2027 + [date(2025, 12, 24)])
def test_every_public_holiday_is_not_a_working_day(day):
    assert is_public_holiday(day)
    assert not is_working_day(day)
    assert next_working_day(day) > day


def test_exactly_these_weekday_holidays_in_2026_and_2027():
    for year, expected in ((2026, HOLIDAYS_2026), (2027, HOLIDAYS_2027)):
        day = date(year, 1, 1)
        found = []
        while day.year == year:
            if is_public_holiday(day):
                found.append(day)
            day += timedelta(days=1)
        assert found == expected


def test_24_december_2024_was_a_working_day():
    assert date(2024, 12, 24).weekday() == 1
    assert is_working_day(date(2024, 12, 24))


@pytest.mark.parametrize(
    ("due", "moved_to"),
    [
        (date(2026, 1, 10), date(2026, 1, 12)),  # Saturday → Monday
        (date(2026, 1, 1), date(2026, 1, 2)),  # New Year (Thu) → Friday
        (date(2026, 1, 6), date(2026, 1, 7)),
        (date(2026, 4, 4), date(2026, 4, 7)),  # Sat, Easter Sun, Easter Mon → Tuesday
        (date(2026, 5, 1), date(2026, 5, 4)),  # Fri holiday, Sat, Sun holiday → Monday
        (date(2026, 5, 3), date(2026, 5, 4)),
        (date(2026, 5, 10), date(2026, 5, 11)),  # Sunday
        (date(2026, 6, 4), date(2026, 6, 5)),  # Corpus Christi → Friday
        (date(2026, 8, 15), date(2026, 8, 17)),  # Assumption on Saturday → Monday
        (date(2026, 10, 10), date(2026, 10, 12)),
        (date(2026, 11, 11), date(2026, 11, 12)),
        (date(2026, 12, 24), date(2026, 12, 28)),  # Thu, Fri, Sat holidays, then Sunday → Monday
        (date(2026, 12, 23), date(2026, 12, 23)),  # a working day stays
        (date(2027, 3, 27), date(2027, 3, 30)),  # Sat, Easter Sun, Easter Mon → Tuesday
        (date(2027, 5, 1), date(2027, 5, 4)),  # Sat holiday, Sun, Mon 3 May → Tuesday
        (date(2027, 5, 27), date(2027, 5, 28)),
        (date(2027, 12, 24), date(2027, 12, 27)),  # Fri, Sat, Sun (holidays) → Monday
        (date(2027, 12, 31), date(2027, 12, 31)),  # a Friday, not a holiday
        (date(2028, 1, 1), date(2028, 1, 3)),  # Saturday New Year → Monday
    ],
)
def test_next_working_day(due, moved_to):
    assert next_working_day(due) == moved_to


# --- individual account numbers ------------------------------------------------------------


def _mod97_check_digits(bban: str) -> str:
    """By hand: move "PL00" to the end, letters as numbers (P=25, L=21), 98 - n mod 97."""
    return f"{98 - int(bban + '252100') % 97:02d}"


def test_settlement_number_check_digit_by_hand():
    # 9990000 with weights 3 9 7 1 3 9 7: 27+81+63+0+0+0+0 = 171; 171 mod 10 = 1; 10-1 = 9
    assert settlement_check_digit("9990000") == "9"
    assert check_settlement_number("99900009") == "99900009"
    # PKO BP Warszawa 1020 1026: 1*3+0*9+2*7+0*1+1*3+0*9+2*7 = 34 → 4 → 6
    assert settlement_check_digit("1020102") == "6"
    for wrong in "012345678":
        with pytest.raises(AccountNumberError):
            check_settlement_number("9990000" + wrong)


@pytest.mark.parametrize("identifier", [1, 12, 40012, 999999999999])
def test_built_numbers_have_hand_computed_check_digits(identifier):
    bban = "99900009" + "4000" + f"{identifier:012d}"
    expected = "PL" + _mod97_check_digits(bban) + bban
    built = build_account_number(identifier, settlement_number="99900009", prefix="4000")
    assert built == expected
    assert validate_account_number(built) == built
    assert validate_account_number(format_account_number(built)) == built
    assert validate_account_number(built[2:]) == built  # 26 digits without "PL"


def test_glossary_number_validates_and_every_one_digit_change_is_refused():
    good = "PL61109010140000071219812874"
    assert validate_account_number("PL61 1090 1014 0000 0712 1981 2874") == good
    for position in range(2, 28):
        for digit in "0123456789":
            if digit == good[position]:
                continue
            changed = good[:position] + digit + good[position + 1 :]
            with pytest.raises(AccountNumberError):
                validate_account_number(changed)


def test_one_digit_change_of_a_built_number_is_refused():
    built = build_account_number(12, settlement_number="99900009", prefix="4000")
    for position in range(2, 28):
        digit = str((int(built[position]) + 1) % 10)
        with pytest.raises(AccountNumberError):
            validate_account_number(built[:position] + digit + built[position + 1 :])


def test_identifier_too_long_or_settlement_number_wrong_is_refused():
    with pytest.raises(AccountNumberError):
        build_account_number(10**12, settlement_number="99900009", prefix="4000")  # 13 digits
    with pytest.raises(AccountNumberError):
        build_account_number(0, settlement_number="99900009", prefix="4000")
    with pytest.raises(AccountNumberError):
        build_account_number(1, settlement_number="99900008", prefix="4000")


# --- interest (pure) -----------------------------------------------------------------------


def test_interest_across_the_rate_change_by_hand():
    # 1 000,00 due Fri 20.02.2026, paid 10.04.2026.
    # 21.02–04.03: 8 + 4 = 12 days at 9.50 %: 1000 × 9.50 × 12 / 36500 = 3.1232… → 3.12
    # 05.03–10.04: 27 + 10 = 37 days at 9.25 %: 1000 × 9.25 × 37 / 36500 = 9.3767… → 9.38
    lines = interest_lines(
        principal=D("1000.00"),
        payable_until=date(2026, 2, 20),
        payments=[(date(2026, 4, 10), D("1000.00"))],
        until=date(2026, 4, 30),
        rates=RATES,
    )
    got = [(x.start, x.end, x.days, x.base, x.rate, x.amount) for x in lines]
    assert got == [
        (date(2026, 2, 21), date(2026, 3, 4), 12, D("1000.00"), D("9.50"), D("3.12")),
        (date(2026, 3, 5), date(2026, 4, 10), 37, D("1000.00"), D("9.25"), D("9.38")),
    ]
    assert sum(x.amount for x in lines) == D("12.50")


def test_interest_declining_balance_by_hand():
    # 400,00 arrives 20.03, 600,00 on 10.04:
    # 21.02–04.03 12 d 9.50 % on 1000: 3.12
    # 05.03–20.03 16 d 9.25 % on 1000: 148000 / 36500 = 4.0547… → 4.05
    # 21.03–10.04 21 d 9.25 % on 600: 116550 / 36500 = 3.1931… → 3.19   (total 10.36)
    lines = interest_lines(
        principal=D("1000.00"),
        payable_until=date(2026, 2, 20),
        payments=[(date(2026, 4, 10), D("600.00")), (date(2026, 3, 20), D("400.00"))],
        until=date(2026, 4, 10),
        rates=RATES,
    )
    got = [(x.start, x.end, x.days, x.base, x.rate, x.amount) for x in lines]
    assert got == [
        (date(2026, 2, 21), date(2026, 3, 4), 12, D("1000.00"), D("9.50"), D("3.12")),
        (date(2026, 3, 5), date(2026, 3, 20), 16, D("1000.00"), D("9.25"), D("4.05")),
        (date(2026, 3, 21), date(2026, 4, 10), 21, D("600.00"), D("9.25"), D("3.19")),
    ]
    assert sum(x.amount for x in lines) == D("10.36")


def test_interest_line_rounds_half_up():
    # 365,00 × 9.50 × 3 / 36500 = 0.285 exactly → 0.29 (half-even would say 0.28)
    assert line_amount(D("365.00"), D("9.50"), 3) == D("0.29")
    lines = interest_lines(
        principal=D("365.00"), payable_until=date(2026, 1, 12), payments=[], until=date(2026, 1, 15), rates=RATES
    )
    assert [(x.days, x.amount) for x in lines] == [(3, D("0.29"))]


def test_interest_paid_on_time_or_on_the_moved_due_date_is_nothing():
    # due Sat 10.01.2026, payable Mon 12.01: money on the 12th owes nothing
    assert (
        interest_lines(
            principal=D("500.00"),
            payable_until=next_working_day(date(2026, 1, 10)),
            payments=[(date(2026, 1, 12), D("500.00"))],
            until=date(2026, 1, 31),
            rates=RATES,
        )
        == []
    )


def test_interest_one_day_late():
    # payable 12.01, paid 13.01: one day, 500 × 9.50 / 36500 = 0.1301… → 0.13
    lines = interest_lines(
        principal=D("500.00"),
        payable_until=date(2026, 1, 12),
        payments=[(date(2026, 1, 13), D("500.00"))],
        until=date(2026, 1, 31),
        rates=RATES,
    )
    assert [(x.start, x.end, x.days, x.amount) for x in lines] == [(date(2026, 1, 13), date(2026, 1, 13), 1, D("0.13"))]


def test_leap_year_span_counts_29_february_on_a_365_day_year():
    # payable Fri 25.02.2028, until 05.03.2028: 26, 27, 28, 29 Feb + 1–5 Mar = 9 days,
    # the 9.25 % rate (in force since 05.03.2026) still runs:
    # 1000 × 9.25 × 9 / 36500 = 2.2808… → 2.28 (on 366 days it would be 2.27)
    lines = interest_lines(
        principal=D("1000.00"), payable_until=date(2028, 2, 25), payments=[], until=date(2028, 3, 5), rates=RATES
    )
    assert [(x.start, x.end, x.days, x.rate, x.amount) for x in lines] == [
        (date(2028, 2, 26), date(2028, 3, 5), 9, D("9.25"), D("2.28"))
    ]


def test_a_day_before_the_rate_table_is_refused():
    with pytest.raises(RateMissing) as refused:
        interest_lines(
            principal=D("100.00"), payable_until=date(2025, 11, 30), payments=[], until=date(2025, 12, 31), rates=RATES
        )
    assert refused.value.day == date(2025, 12, 1)


def test_rate_stretches_cut_on_the_change_day():
    assert rate_stretches(RATES, date(2026, 3, 1), date(2026, 3, 10)) == [
        (date(2026, 3, 1), date(2026, 3, 4), D("9.50")),
        (date(2026, 3, 5), date(2026, 3, 10), D("9.25")),
    ]


def test_interest_already_charged_is_left_out():
    # charged up to 04.03; from 05.03 to 10.04: 37 days at 9.25 % = 9.38
    lines = interest_lines(
        principal=D("1000.00"),
        payable_until=date(2026, 2, 20),
        payments=[],
        until=date(2026, 4, 10),
        rates=RATES,
        charged_until=date(2026, 3, 4),
    )
    assert [(x.start, x.days, x.amount) for x in lines] == [(date(2026, 3, 5), 37, D("9.38"))]
