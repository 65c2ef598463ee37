"""SWIFT MT940 as Polish banks write it. The `mt-940` package reads the common tags
(:20:, :25:, :28C:, :60F:, :61:, :86:, :62F:); `field86` reads the Polish field 86. Before
that, every line is checked here so that a bad file is refused with its line number, and a
file holding several statements (separated by a `-` line) is split into them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import mt940 as mt940_lib
from django.utils.translation import gettext

from .field86 import read_field86
from .types import Statement, StatementLine, StatementParseError

TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
KNOWN_TAGS = {"20", "21", "25", "28", "28C", "60F", "60M", "61", "86", "62F", "62M", "64", "65", "NS"}
BALANCE = re.compile(r"^[CD]\d{6}[A-Z]{3}\d{1,15},\d{0,2}$")
LINE_61 = re.compile(r"^\d{6}(\d{4})?R?[CD][A-Z]?\d{1,15},\d{0,2}[A-Z0-9]{4}")
IBAN_DIGITS = re.compile(r"(?<!\d)(?:PL)?(\d{26})(?!\d)")


def _chunks(text: str) -> list[tuple[int, list[str]]]:
    """The statements of the file: (line number of the first line, lines)."""
    chunks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n ")
        stripped = line.strip()
        # SWIFT envelope ({1:...}{2:...}{4:) and its end (-}) carry no data here.
        stripped = re.sub(r"^(\{\d:[^}]*\})+(\{4:)?", "", stripped)
        if stripped in ("-", "-}", "}"):
            if current:
                chunks.append((start, current))
            current = []
            continue
        if not stripped and not current:
            continue
        if not current:
            start = number
        current.append(stripped if line.startswith("{") else line)
    if any(line.strip() for line in current):
        chunks.append((start, current))
    return chunks


def _check(start: int, lines: list[str]) -> None:
    seen = set()
    last_tag = None
    for offset, line in enumerate(lines):
        number = start + offset
        match = TAG.match(line)
        if not match:
            if last_tag in ("86", "61", "25", "20") or not line.strip():
                continue
            raise StatementParseError(gettext("unexpected text “%(text)s”") % {"text": line[:30]}, number)
        tag, value = match.groups()
        if tag not in KNOWN_TAGS:
            raise StatementParseError(gettext("unknown MT940 field :%(tag)s:") % {"tag": tag}, number)
        if tag in ("60F", "60M", "62F", "62M", "64", "65") and not BALANCE.match(value.strip()):
            raise StatementParseError(
                gettext("the balance :%(tag)s: cannot be read (“%(value)s”)") % {"tag": tag, "value": value[:40]},
                number,
            )
        if tag == "61" and not LINE_61.match(value.strip()):
            raise StatementParseError(
                gettext("the transaction :61: cannot be read (“%(value)s”)") % {"value": value[:40]}, number
            )
        if tag == "86" and last_tag != "61":
            if last_tag is None or last_tag not in ("62F", "62M", "64", "65"):
                raise StatementParseError(gettext(":86: without a :61: before it"), number)
        seen.add(tag[:2])
        last_tag = tag
    for needed, label in (("25", ":25:"), ("60", ":60F:"), ("62", ":62F:")):
        if needed not in seen:
            raise StatementParseError(gettext("the statement has no %(field)s field") % {"field": label}, start)


def _date(value) -> date:
    return date(value.year, value.month, value.day)


def _account(value: str) -> str:
    value = (value or "").strip().lstrip("/").replace(" ", "")
    match = re.search(r"(PL)?(\d{26})", value)
    if match:
        return "PL" + match.group(2)
    return value


def _lines_61(start: int, lines: list[str]) -> list[int]:
    return [start + offset for offset, line in enumerate(lines) if line.startswith(":61:")]


def parse_mt940(text: str, *, separator: str = "~") -> list[Statement]:
    """Every statement in an MT940 file (already decoded to text)."""
    statements = []
    chunks = _chunks(text)
    if not chunks:
        raise StatementParseError(gettext("the file holds no MT940 statement"), 1)
    for start, lines in chunks:
        _check(start, lines)
        transactions = mt940_lib.models.Transactions()
        try:
            transactions.parse("\n".join(lines) + "\n")
        except Exception as error:  # the package raises plain exceptions of several kinds
            raise StatementParseError(gettext("MT940 cannot be read (%(error)s)") % {"error": error}, start) from error
        data = transactions.data
        opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
        closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
        if opening is None or closing is None:
            raise StatementParseError(gettext("the statement has no opening or closing balance"), start)
        statement = Statement(
            account=_account(data.get("account_identification", "")),
            number=str(data.get("statement_number") or "").lstrip("0") or "0",
            sequence=str(data.get("sequence_number") or ""),
            currency=opening.amount.currency,
            opening_balance=Decimal(opening.amount.amount),
            opening_date=_date(opening.date),
            closing_balance=Decimal(closing.amount.amount),
            closing_date=_date(closing.date),
            reference=str(data.get("transaction_reference") or ""),
        )
        starts = _lines_61(start, lines)
        if len(starts) != len(transactions.transactions):
            raise StatementParseError(gettext("some :61: lines could not be read"), start)
        for line_number, item in zip(starts, transactions.transactions, strict=True):
            statement.lines.append(_line(item.data, line_number, separator))
        statements.append(statement)
    return statements


def _line(data: dict, line_number: int, separator: str) -> StatementLine:
    details = data.get("transaction_details") or ""
    info = read_field86(details, separator)
    amount = Decimal(data["amount"].amount)  # mt-940 signs it: credit positive, debit negative
    extra = data.get("extra_details") or ""
    own = ""
    if match := IBAN_DIGITS.search(extra.replace(" ", "")):
        own = "PL" + match.group(1)
    counterparty = info["account"]
    if counterparty.isdigit() and len(counterparty) == 26:
        counterparty = "PL" + counterparty
    booking = _date(data.get("entry_date") or data["date"])
    reference = (data.get("bank_reference") or "").strip()
    customer = (data.get("customer_reference") or "").strip()
    if not reference and customer.upper() != "NONREF":
        reference = customer
    return StatementLine(
        booking_date=booking,
        value_date=_date(data["date"]),
        amount=amount,
        currency=data.get("currency") or "",
        bank_reference=reference,
        counterparty_name=info["name"],
        counterparty_account=counterparty,
        own_account=own,
        title=info["title"],
        type_code=info["code"],
        raw=details,
        line=line_number,
    )
