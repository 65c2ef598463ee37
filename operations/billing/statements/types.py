"""What every statement reader returns: plain dataclasses, amounts as `Decimal`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


class StatementParseError(ValueError):
    """A file that cannot be read as a statement; `line` is the 1-based line (None when unknown)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.reason = message
        self.line = line


@dataclass(frozen=True)
class StatementLine:
    """One transaction. `amount` is positive for a credit (money in), negative for a debit."""

    booking_date: date
    value_date: date
    amount: Decimal
    currency: str
    bank_reference: str = ""
    counterparty_name: str = ""
    counterparty_account: str = ""  # the payer's account for a credit (compact, as given)
    own_account: str = ""  # the account credited when the bank reports it (a virtual account)
    title: str = ""
    type_code: str = ""  # the bank's transaction code (field 86 "020", camt's domain code)
    raw: str = ""  # what the file said about this line, as text
    line: int | None = None  # where it starts in the file


@dataclass
class Statement:
    account: str  # compact IBAN (or the account as the file gives it)
    number: str  # statement number (MT940 :28C: / camt LglSeqNb or ElctrncSeqNb)
    sequence: str
    currency: str
    opening_balance: Decimal
    opening_date: date
    closing_balance: Decimal
    closing_date: date
    reference: str = ""  # :20: / camt Stmt/Id
    lines: list[StatementLine] = field(default_factory=list)
