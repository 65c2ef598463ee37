"""The money module: Decimal half-up to the grosz, never float; Polish notation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from operations.billing.money import format_pln, from_grosze, money, parse_amount, to_grosze

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("2.005"), D("2.01")),
        (D("2.004"), D("2.00")),
        (D("-2.005"), D("-2.01")),  # half away from zero: a refund rounds like a charge
        (D("0.125"), D("0.13")),
        (D("10"), D("10.00")),
        (7, D("7.00")),
        ("1 234,56", D("1234.56")),
        ("1\u00a0234,565", D("1234.57")),
        ("-12,5", D("-12.50")),
        ("1234.56", D("1234.56")),
        ("1.234,56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        ("+0,1", D("0.10")),
        (",5", D("0.50")),
    ],
)
def test_money_rounds_half_up_to_the_grosz(value, expected):
    result = money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_float_is_refused():
    with pytest.raises(TypeError):
        money(0.1)
    with pytest.raises(TypeError):
        money(True)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12 zł", "1-2", "--1", "NaN", "1e5"])
def test_text_that_is_no_amount_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_not_finite_decimal_is_refused():
    with pytest.raises(ValueError):
        money(D("NaN"))


def test_grosze_round_trip():
    assert to_grosze(D("12.34")) == 1234
    assert to_grosze(D("-0.01")) == -1
    assert from_grosze(1234) == D("12.34")
    assert from_grosze(-5) == D("-0.05")
    assert from_grosze(None) == D("0.00")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("1234.56"), "1 234,56 zł"),
        (D("0.5"), "0,50 zł"),
        (D("-1234567.891"), "-1 234 567,89 zł"),
        (D("999"), "999,00 zł"),
        (D("1000"), "1 000,00 zł"),
        ("12,3", "12,30 zł"),
    ],
)
def test_polish_notation(amount, expected):
    assert format_pln(amount, space=" ") == expected
    # By default the spaces do not break: the amount stays on one line.
    assert format_pln(amount) == expected.replace(" ", "\u00a0")
