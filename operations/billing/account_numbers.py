"""Individual account numbers (indywidualne numery rachunków): a Polish IBAN per billing
account, so that the bank statement says whose money came in.

A Polish IBAN is `PL` + 2 check digits (mod 97, ISO 7064) + the 8-digit settlement number
of the bank branch (numer rozliczeniowy: 3 digits of the bank, 4 of the branch and its own
check digit, weights 3-9-7-1-3-9-7 mod 10) + 16 digits the bank leaves to its client. The
cooperative's bank gives it the settlement number and a prefix for its virtual accounts
(`BILLING_BANK_SETTLEMENT_NUMBER`, `BILLING_ACCOUNT_PREFIX`); the rest of the 16 digits is
the account's identifier, zero-padded. `schwifty` computes and checks both check digits.

A number is built once, when an account is opened, and stored with it: residents set up
standing orders with it, so it never changes under them when the settings do (a new bank
contract is a migration of its own, not an edit).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

ACCOUNT_PART_LENGTH = 16
SETTLEMENT_NUMBER_LENGTH = 8


class AccountNumberError(ValueError):
    """A number, a settlement number or a prefix that cannot make a valid Polish IBAN."""


def settlement_check_digit(first_seven: str) -> str:
    """The settlement number's own check digit for its first seven digits (schwifty's
    Polish algorithm: weights 3, 9, 7, 1, 3, 9, 7, the complement to 10 of the sum mod 10)."""
    if len(first_seven) != 7 or not first_seven.isdigit():
        raise AccountNumberError("the first seven digits of a settlement number are needed")
    # schwifty fills the check digit in from the other seven: build with a placeholder, read it back.
    built = IBAN.generate("PL", bank_code=first_seven + "0", account_code="0" * ACCOUNT_PART_LENGTH)
    return built.bank_code[-1]


def check_settlement_number(value: str) -> str:
    """`value` when it is 8 digits whose last is the check digit of the other seven; a wrong
    one is refused here, never silently corrected (schwifty would correct it)."""
    value = (value or "").replace(" ", "")
    if len(value) != SETTLEMENT_NUMBER_LENGTH or not value.isdigit():
        raise AccountNumberError(f"a settlement number has 8 digits, not {value!r}")
    if settlement_check_digit(value[:7]) != value[7]:
        raise AccountNumberError(f"the check digit of settlement number {value} is wrong")
    return value


def check_prefix(value: str) -> str:
    value = (value or "").replace(" ", "")
    if (value and not value.isdigit()) or len(value) >= ACCOUNT_PART_LENGTH:
        raise AccountNumberError(f"an account prefix is fewer than 16 digits, not {value!r}")
    return value


def identifier_digits(prefix: str | None = None) -> int:
    """How many digits the account identifier has (16 less the prefix)."""
    prefix = check_prefix(settings.BILLING_ACCOUNT_PREFIX if prefix is None else prefix)
    return ACCOUNT_PART_LENGTH - len(prefix)


def build_account_number(identifier: int, *, settlement_number: str | None = None, prefix: str | None = None) -> str:
    """The compact IBAN of the account `identifier` ("PL61109010140000071219812874"), from
    the settings unless given. Raises AccountNumberError when it cannot be built."""
    settlement_number = check_settlement_number(
        settings.BILLING_BANK_SETTLEMENT_NUMBER if settlement_number is None else settlement_number
    )
    prefix = check_prefix(settings.BILLING_ACCOUNT_PREFIX if prefix is None else prefix)
    digits = ACCOUNT_PART_LENGTH - len(prefix)
    if identifier < 1 or len(str(identifier)) > digits:
        raise AccountNumberError(f"an account identifier here is 1 to {digits} digits, not {identifier}")
    iban = IBAN.generate("PL", bank_code=settlement_number, account_code=f"{prefix}{identifier:0{digits}d}")
    return validate_account_number(str(iban))


def validate_account_number(value: str) -> str:
    """The compact form of a valid Polish IBAN (spaces allowed, "PL" optional as on Polish
    forms), or AccountNumberError: both the mod-97 check digits and the settlement number's
    check digit must hold."""
    compact = (value or "").replace(" ", "").upper()
    if compact.isdigit():
        compact = "PL" + compact
    if not compact.startswith("PL") or len(compact) != 28:
        raise AccountNumberError(f"a Polish account number has 26 digits: {value!r}")
    try:
        iban = IBAN(compact, validate_bban=True)
    except SchwiftyException as error:
        raise AccountNumberError(f"{value!r} is not a valid account number ({error})") from error
    return iban.compact


def format_account_number(compact: str) -> str:
    """ "PL61 1090 1014 0000 0712 1981 2874", as printed on forms and in the glossary."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check` (and every server start) refuses a settlement number or prefix
    that would make invalid account numbers."""
    try:
        check_settlement_number(settings.BILLING_BANK_SETTLEMENT_NUMBER)
        check_prefix(settings.BILLING_ACCOUNT_PREFIX)
    except AccountNumberError as error:
        return [checks.Error(str(error), id="billing.E001", obj="BILLING_BANK_SETTLEMENT_NUMBER")]
    return []
