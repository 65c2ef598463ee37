"""Amounts in Polish words, as a demand writes them ("słownie"), against hand-written cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from operations.billing.documents.amount_in_words import amount_in_words, number_in_words, plural_form

CASES = [
    ("0", "zero złotych 00/100"),
    ("0.01", "zero złotych 01/100"),
    ("1", "jeden złoty 00/100"),
    ("2", "dwa złote 00/100"),
    ("4.99", "cztery złote 99/100"),
    ("5", "pięć złotych 00/100"),
    ("11", "jedenaście złotych 00/100"),
    ("12", "dwanaście złotych 00/100"),
    ("14", "czternaście złotych 00/100"),
    ("19", "dziewiętnaście złotych 00/100"),
    ("20", "dwadzieścia złotych 00/100"),
    ("21", "dwadzieścia jeden złotych 00/100"),
    ("22", "dwadzieścia dwa złote 00/100"),
    ("25", "dwadzieścia pięć złotych 00/100"),
    ("100", "sto złotych 00/100"),
    ("101", "sto jeden złotych 00/100"),
    ("102", "sto dwa złote 00/100"),
    ("112", "sto dwanaście złotych 00/100"),
    ("213.40", "dwieście trzynaście złotych 40/100"),
    ("344", "trzysta czterdzieści cztery złote 00/100"),
    ("999", "dziewięćset dziewięćdziesiąt dziewięć złotych 00/100"),
    ("1000", "jeden tysiąc złotych 00/100"),
    ("1001", "jeden tysiąc jeden złotych 00/100"),
    ("1002", "jeden tysiąc dwa złote 00/100"),
    ("1234.56", "jeden tysiąc dwieście trzydzieści cztery złote 56/100"),
    ("2000", "dwa tysiące złotych 00/100"),
    ("4500.50", "cztery tysiące pięćset złotych 50/100"),
    ("5000", "pięć tysięcy złotych 00/100"),
    ("12000", "dwanaście tysięcy złotych 00/100"),
    ("13013", "trzynaście tysięcy trzynaście złotych 00/100"),
    ("22000", "dwadzieścia dwa tysiące złotych 00/100"),
    ("21000", "dwadzieścia jeden tysięcy złotych 00/100"),
    ("102003", "sto dwa tysiące trzy złote 00/100"),
    ("112000", "sto dwanaście tysięcy złotych 00/100"),
    ("1000000", "jeden milion złotych 00/100"),
    ("2000000", "dwa miliony złotych 00/100"),
    ("5000001", "pięć milionów jeden złotych 00/100"),
    ("1234567.89", "jeden milion dwieście trzydzieści cztery tysiące pięćset sześćdziesiąt siedem złotych 89/100"),
    ("22001000", "dwadzieścia dwa miliony jeden tysiąc złotych 00/100"),
    ("1000000000", "jeden miliard złotych 00/100"),
    ("-3.10", "minus trzy złote 10/100"),
]


@pytest.mark.parametrize(("amount", "words"), CASES)
def test_amounts_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_text_and_int_amounts_round_half_up_to_the_grosz():
    assert amount_in_words("1 234,555") == "jeden tysiąc dwieście trzydzieści cztery złote 56/100"
    assert amount_in_words(7) == "siedem złotych 00/100"


def test_floats_and_huge_amounts_are_refused():
    with pytest.raises(TypeError):
        amount_in_words(1.5)
    with pytest.raises(ValueError):
        amount_in_words(Decimal("1000000000000"))


@pytest.mark.parametrize(
    ("number", "form"),
    [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (12, 2), (13, 2), (14, 2), (22, 1), (111, 2), (112, 2), (124, 1), (0, 2)],
)
def test_plural_forms(number, form):
    assert plural_form(number, ("a", "b", "c")) == "abc"[form]


def test_number_in_words_without_the_currency():
    assert number_in_words(0) == "zero"
    assert number_in_words(919) == "dziewięćset dziewiętnaście"
