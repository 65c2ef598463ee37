"""ISO 20022 camt.053 (BankToCustomerStatement), versions 001.02 and 001.08, read with
defusedxml (no DTDs, no entities, no network). Each `Ntry` is one line; an entry that
batches several transactions (`TxDtls` more than one) becomes one line per transaction
with the transaction's amount. Names sit in `Dbtr/Nm` (.02) or `Dbtr/Pty/Nm` (.08)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext

from .types import Statement, StatementLine, StatementParseError

NAMESPACES = {
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02": "02",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": "08",
}


def _strip(element: Element) -> None:
    for node in element.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]


def _text(node: Element | None, path: str, default: str = "") -> str:
    if node is None:
        return default
    found = node.find(path)
    return (found.text or "").strip() if found is not None and found.text else default


def _date(node: Element | None, path: str) -> date | None:
    value = _text(node, path + "/Dt") or _text(node, path + "/DtTm")[:10]
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise StatementParseError(gettext("not a date: %(value)s") % {"value": value}) from None


def _amount(node: Element | None, path: str) -> tuple[Decimal, str]:
    found = node.find(path) if node is not None else None
    if found is None or not (found.text or "").strip():
        raise StatementParseError(gettext("no amount in %(path)s") % {"path": path})
    try:
        return Decimal(found.text.strip()), found.get("Ccy", "")
    except InvalidOperation:
        raise StatementParseError(gettext("not an amount: %(value)s") % {"value": found.text}) from None


def _name(party: Element | None) -> str:
    return _text(party, "Pty/Nm") or _text(party, "Nm")


def _account(node: Element | None, path: str) -> str:
    return (_text(node, path + "/Id/IBAN") or _text(node, path + "/Id/Othr/Id")).replace(" ", "")


def parse_camt053(data: bytes) -> list[Statement]:
    try:
        root = fromstring(data)
    except ParseError as error:
        raise StatementParseError(
            gettext("not well-formed XML (%(error)s)") % {"error": error.msg}, error.position[0]
        ) from error
    except DefusedXmlException as error:
        raise StatementParseError(
            gettext("XML refused: no DTDs or entities (%(error)s)") % {"error": type(error).__name__}, 1
        ) from error
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in NAMESPACES:
        raise StatementParseError(
            gettext("not a camt.053.001.02 or .08 document (%(name)s)") % {"name": namespace or root.tag}, 1
        )
    _strip(root)
    statements = []
    for stmt in root.iter("Stmt"):
        balances: dict[str, tuple[Decimal, date]] = {}
        for bal in stmt.findall("Bal"):
            code = _text(bal, "Tp/CdOrPrtry/Cd")
            amount, currency = _amount(bal, "Amt")
            if _text(bal, "CdtDbtInd") == "DBIT":
                amount = -amount
            balances[code] = (amount, _date(bal, "Dt"))
        opening = balances.get("OPBD") or balances.get("PRCD")
        closing = balances.get("CLBD")
        if opening is None or closing is None:
            raise StatementParseError(gettext("the statement has no OPBD/PRCD or CLBD balance"))
        currency = _text(stmt, "Acct/Ccy") or _amount(stmt, "Bal/Amt")[1]
        statement = Statement(
            account=_account(stmt, "Acct"),
            number=_text(stmt, "LglSeqNb") or _text(stmt, "ElctrncSeqNb"),
            sequence=_text(stmt, "ElctrncSeqNb"),
            currency=currency,
            opening_balance=opening[0],
            opening_date=opening[1],
            closing_balance=closing[0],
            closing_date=closing[1],
            reference=_text(stmt, "Id"),
        )
        for entry in stmt.findall("Ntry"):
            statement.lines.extend(_entry_lines(entry))
        statements.append(statement)
    if not statements:
        raise StatementParseError(gettext("the document holds no statement (Stmt)"), 1)
    return statements


def _entry_lines(entry: Element) -> list[StatementLine]:
    amount, currency = _amount(entry, "Amt")
    credit = _text(entry, "CdtDbtInd") == "CRDT"
    booking = _date(entry, "BookgDt")
    value = _date(entry, "ValDt") or booking
    if booking is None:
        raise StatementParseError(gettext("an entry has no booking date"))
    reference = _text(entry, "AcctSvcrRef")
    code = _text(entry, "BkTxCd/Prtry/Cd") or _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd")
    details = entry.findall("NtryDtls/TxDtls") or [None]
    lines = []
    for index, tx in enumerate(details):
        tx_amount = amount
        if tx is not None and len(details) > 1 and tx.find("AmtDtls/TxAmt/Amt") is not None:
            tx_amount = _amount(tx, "AmtDtls/TxAmt/Amt")[0]
        elif tx is not None and len(details) > 1 and tx.find("Amt") is not None:
            tx_amount = _amount(tx, "Amt")[0]
        parties = tx.find("RltdPties") if tx is not None else None
        payer, payee = ("Dbtr", "Cdtr") if credit else ("Cdtr", "Dbtr")
        title = " ".join(
            (node.text or "").strip() for node in (tx.findall("RmtInf/Ustrd") if tx is not None else [])
        ) or _text(entry, "AddtlNtryInf")
        tx_reference = _text(tx, "Refs/AcctSvcrRef") or _text(tx, "Refs/EndToEndId")
        if tx_reference == "NOTPROVIDED":
            tx_reference = ""
        line_reference = reference if len(details) == 1 else f"{reference}/{tx_reference or index + 1}"
        raw = re.sub(r"\s+", " ", "".join(entry.itertext())).strip()
        lines.append(
            StatementLine(
                booking_date=booking,
                value_date=value,
                amount=tx_amount if credit else -tx_amount,
                currency=currency,
                bank_reference=line_reference or tx_reference,
                counterparty_name=_name(parties.find(payer)) if parties is not None else "",
                counterparty_account=_account(parties, payer + "Acct") if parties is not None else "",
                own_account=_account(parties, payee + "Acct") if parties is not None else "",
                title=re.sub(r"\s+", " ", title).strip(),
                type_code=code,
                raw=raw[:2000],
            )
        )
    return lines
