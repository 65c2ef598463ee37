"""Individual account numbers: Polish IBANs built with schwifty, both check digits held."""

from __future__ import annotations

import pytest

from operations.billing.account_numbers import (
    AccountNumberError,
    build_account_number,
    check_settlement_number,
    format_account_number,
    settings_check,
    settlement_check_digit,
    validate_account_number,
)

KNOWN_VALID = "PL61 1090 1014 0000 0712 1981 2874"  # the glossary's example


def _mod97(compact: str) -> int:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97


def _settlement_digit(first_seven: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_seven, [3, 9, 7, 1, 3, 9, 7], strict=True))
    return (10 - total % 10) % 10


def test_known_valid_number():
    assert validate_account_number(KNOWN_VALID) == "PL61109010140000071219812874"
    assert validate_account_number("61109010140000071219812874") == "PL61109010140000071219812874"  # no PL on a form
    assert _mod97("PL61109010140000071219812874") == 1
    assert _settlement_digit("1090101") == 4


def test_wrong_iban_check_digits_are_refused():
    with pytest.raises(AccountNumberError):
        validate_account_number("PL62109010140000071219812874")


def test_wrong_settlement_check_digit_is_refused_even_when_mod97_holds():
    # 10901015: the last digit should be 4. Check digits recomputed so that mod 97 holds.
    bad = "PL36109010150000071219812874"
    assert _mod97(bad) == 1
    with pytest.raises(AccountNumberError):
        validate_account_number(bad)


def test_settlement_check_digit():
    assert settlement_check_digit("1090101") == "4"
    assert settlement_check_digit("9990000") == "9"
    assert check_settlement_number("1090 1014") == "10901014"
    with pytest.raises(AccountNumberError):
        check_settlement_number("10901015")  # schwifty would silently correct it; we refuse
    with pytest.raises(AccountNumberError):
        check_settlement_number("1090101")


def test_built_number_holds_both_check_digits(settings):
    settings.BILLING_BANK_SETTLEMENT_NUMBER = "10901014"
    settings.BILLING_ACCOUNT_PREFIX = "4000"
    number = build_account_number(42)
    assert number.startswith("PL") and len(number) == 28
    assert number[4:12] == "10901014"
    assert number[12:] == "4000000000000042"
    assert _mod97(number) == 1
    assert validate_account_number(number) == number
    assert format_account_number(number) == f"{number[:4]} 1090 1014 4000 0000 0000 0042"


def test_identifier_must_fit(settings):
    settings.BILLING_ACCOUNT_PREFIX = "4000"
    assert build_account_number(999_999_999_999)[12:] == "4000999999999999"
    with pytest.raises(AccountNumberError):
        build_account_number(1_000_000_000_000)
    with pytest.raises(AccountNumberError):
        build_account_number(0)


def test_demo_default_is_valid_and_check_refuses_a_bad_setting(settings):
    assert settings_check() == []
    assert validate_account_number(build_account_number(1)) == build_account_number(1)
    settings.BILLING_BANK_SETTLEMENT_NUMBER = "99900007"
    errors = settings_check()
    assert [error.id for error in errors] == ["billing.E001"]
    settings.BILLING_BANK_SETTLEMENT_NUMBER = "99900009"
    settings.BILLING_ACCOUNT_PREFIX = "12ab"
    assert [error.id for error in settings_check()] == ["billing.E001"]
