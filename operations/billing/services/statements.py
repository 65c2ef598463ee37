"""Bank statements in, payments out: `statement_import` and the unmatched-payments queue
(`transaction_match_confirm`, `transaction_ignore`).

Import (one transaction: a file that cannot be read writes nothing):
1. the file is read with its profile (`statements.parse_statement_file`); a bad file is
   refused with `STATEMENT_INVALID` and the line number in the message, and so is a
   statement of an account that is not at the cooperative's bank (its settlement number);
2. each statement is one `BankStatement` row, found again by (account, number, sequence,
   opening and closing dates): the same statement imported twice is the same row. A new
   row is flagged when its opening balance is not the previous statement's closing balance,
   when its number is neither the previous one (another page) nor the next (nor 1 in a new
   year), or when its lines do not add up to its balances;
3. each line is one `BankTransaction`, keyed on the account, the bank's reference, the
   booking date and the amount (plus the counterparty's account and the title when the bank
   gives no reference): a line already known, from this file or an overlapping statement,
   is skipped, so re-importing changes nothing;
4. a new credit in PLN is matched (`match_line`) and, when matched, recorded through
   `payment_record` (source "bank", the line's key as the reference), designated to the
   debts of the periods its title names. Money out is `ignored`; the rest waits in the
   queue as `suggested` (with an account a person confirms) or `unmatched`.

Matching, in order (the first rule that finds exactly one account wins; a line that carries
several of the cooperative's account numbers, or names a unit whose closed and open accounts
both fit, is only suggested, never matched):
- the individual account number: any of the cooperative's account numbers (IBANs) the
  line carries — the account credited (camt's `CdtrAcct`, or a number in MT940's :61:
  supplementary details), the counterparty account (`~38`, `~30`+`~31`), or any 26 digits
  in field 86 and the title. Banks report the virtual account credited in different
  places (some in `~38`/`~31`, some in the title, some only in camt's creditor account);
  since these numbers are the cooperative's own (its settlement number and prefix), a
  payer's account is never one of them, so looking everywhere is safe;
- the title's account identifier ("ident. 40012");
- the title's unit number with its building ("Lipowa 1/12", "Lipowa 1 m. 12"): matched;
  a unit number without a building that only one open account has: suggested;
- the counterparty's name equal to the payer's name of exactly one open account: suggested.
Designation: the periods the title names ("eksploatacja 03/2026", "2026-04"), each
meaning the charges (and debit opening balances) of that month, oldest due first; the
interest on them goes first (art. 451). A title naming no period designates nothing and the
oldest due debts are paid. Components ("fundusz remontowy") are not told apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction as db
from django.db.models import Q
from django.utils.translation import gettext

from .. import policy
from ..errors import BillingErrorCode
from ..models import BankStatement, BankTransaction, BillingAccount, LedgerEntry
from ..statements import StatementLine, StatementParseError, get_profile, parse_statement_file
from ..statements import titles as title_rules
from ..statements.types import Statement
from ._common import _creator, _refuse
from .ledger import payment_record

SOURCE = "bank"
CURRENCY = "PLN"
S = BankTransaction.State
M = BankTransaction.MatchedBy
DIGITS_26 = re.compile(r"(?<!\d)(\d{26})(?!\d)")


@dataclass
class StatementImportResult:
    statements: list[BankStatement] = field(default_factory=list)
    created: list[BankTransaction] = field(default_factory=list)
    skipped: int = 0  # lines known already (the same or an overlapping statement)
    statements_created: int = 0

    def count(self, state: str) -> int:
        return sum(1 for row in self.created if row.state == state)


@dataclass
class Match:
    state: str
    account: BillingAccount | None = None
    matched_by: str = ""


def _read(file) -> tuple[bytes, str]:
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, str(getattr(file, "name", "") or "")


def line_key(account: str, line: StatementLine) -> str:
    """What identifies a bank line across statements and files (SHA-256, hex)."""
    parts = [account, line.bank_reference, line.booking_date.isoformat(), f"{line.amount:.2f}"]
    if not line.bank_reference:
        parts += [line.counterparty_account, line.title]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def _is_cooperatives(account: str) -> bool:
    """Whether a statement's account is at the cooperative's bank (the 8 digits after the
    check digits of its 26-digit number are `BILLING_BANK_SETTLEMENT_NUMBER`)."""
    numbers = DIGITS_26.findall(re.sub(r"[\s-]", "", account or ""))
    return len(numbers) == 1 and numbers[0][2:10] == settings.BILLING_BANK_SETTLEMENT_NUMBER


def _number(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _flags(row: BankStatement, parsed: Statement) -> None:
    total = parsed.opening_balance + sum((line.amount for line in parsed.lines), Decimal("0"))
    row.totals_mismatch = total != parsed.closing_balance
    previous = (
        BankStatement.objects.filter(account=row.account, closing_date__lte=row.opening_date)
        .order_by("-closing_date", "-id")
        .first()
    )
    if previous is None:
        return
    row.balance_mismatch = previous.closing_balance != row.opening_balance
    number, before = _number(row.number), _number(previous.number)
    if number is not None and before is not None:
        new_year = row.opening_date.year != previous.closing_date.year
        row.number_gap = number not in (before, before + 1) and not (new_year and number == 1)


def _statement_row(parsed: Statement, profile_name: str, file_hash: str, file_name: str, by, process: str):
    identity = {
        "account": parsed.account,
        "number": parsed.number,
        "sequence": parsed.sequence,
        "opening_date": parsed.opening_date,
        "closing_date": parsed.closing_date,
    }
    existing = BankStatement.objects.filter(**identity).first()
    if existing is not None:
        return existing, False
    row = BankStatement(
        **identity,
        reference=parsed.reference[:35],
        profile=profile_name,
        currency=parsed.currency[:3],
        opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance,
        file_name=file_name[:255],
        file_hash=file_hash,
        imported_by=by,
        imported_by_process=(process or "").strip()[:80],
    )
    _flags(row, parsed)
    row.save()
    return row, True


class _Candidates:
    """The accounts a batch of lines can match, read in a fixed number of queries."""

    def __init__(self, lines: Iterable[StatementLine]):
        lines = list(lines)
        ibans, identifiers, units, names = set(), set(), set(), set()
        for line in lines:
            ibans.update(_ibans(line))
            identifiers.update(title_rules.identifiers(line.title))
            units.update(title_rules.unit_numbers(line.title))
            if line.counterparty_name:
                names.add(line.counterparty_name.strip())
        related = BillingAccount.objects.select_related("unit__building")
        self.by_iban = {a.iban: a for a in related.filter(iban__in=ibans)} if ibans else {}
        self.by_identifier = (
            {a.identifier: a for a in related.filter(identifier__in=identifiers)} if identifiers else {}
        )
        self.by_unit: dict[str, list[BillingAccount]] = {}
        if units:
            for account in related.filter(Q(unit__number__in=units) | Q(unit__number__in=[u.lower() for u in units])):
                self.by_unit.setdefault(account.unit.number.upper(), []).append(account)
        self.by_name: dict[str, list[BillingAccount]] = {}
        if names:
            for account in related.filter(payer_name__in=names, closed_on__isnull=True):
                self.by_name.setdefault(account.payer_name, []).append(account)


def _ibans(line: StatementLine) -> set[str]:
    found = set()
    for value in (line.own_account, line.counterparty_account):
        value = (value or "").replace(" ", "").upper()
        if value.isdigit() and len(value) == 26:
            value = "PL" + value
        if value:
            found.add(value)
    for text in (line.raw, line.title):
        found.update("PL" + digits for digits in DIGITS_26.findall((text or "").replace(" ", "")))
    return found


def _distinct(accounts: list[BillingAccount]) -> list[BillingAccount]:
    return list({a.pk: a for a in accounts}.values())


def _ibans_credited(line: StatementLine) -> set[str]:
    """The account the bank says it credited (camt's `CdtrAcct`, MT940's own account)."""
    value = (line.own_account or "").replace(" ", "").upper()
    return {"PL" + value if value.isdigit() and len(value) == 26 else value} if value else set()


def _one(accounts: list[BillingAccount]) -> BillingAccount | None:
    accounts = list({a.pk: a for a in accounts}.values())
    if len(accounts) == 1:
        return accounts[0]
    open_accounts = [a for a in accounts if a.closed_on is None]
    return open_accounts[0] if len(open_accounts) == 1 else None


def match_line(line: StatementLine, candidates: _Candidates) -> Match:
    """Which account a bank line pays, by the rules in this module's docstring."""
    if line.amount <= 0:
        return Match(S.IGNORED)
    if line.currency.upper() != CURRENCY:
        return Match(S.UNMATCHED)
    by_number = _distinct([candidates.by_iban[i] for i in _ibans(line) if i in candidates.by_iban])
    if len(by_number) == 1:
        return Match(S.MATCHED, by_number[0], M.ACCOUNT_NUMBER)
    if by_number:
        # Review: several of our numbers on one line (money credited to one household's
        # number, a title that names another's) fell through to the title's rules, which
        # could put the payment on the other household silently. A person decides; the
        # account credited is the suggestion.
        credited = [a for a in by_number if a.iban in _ibans_credited(line)]
        return Match(S.SUGGESTED, credited[0]) if len(credited) == 1 else Match(S.UNMATCHED)
    ids = title_rules.identifiers(line.title)
    if account := _one([candidates.by_identifier[i] for i in ids if i in candidates.by_identifier]):
        return Match(S.MATCHED, account, M.TITLE)
    units = [a for number in title_rules.unit_numbers(line.title) for a in candidates.by_unit.get(number, [])]
    in_building = [
        a for a in units if title_rules.names_building(line.title, a.unit.building.street, a.unit.building.number)
    ]
    if len(_distinct(in_building)) == 1:
        return Match(S.MATCHED, in_building[0], M.TITLE)
    if account := _one(in_building):
        # Review: the unit's closed account (a previous owner's) and its open one; `_one`
        # picked the open one and the payment, title and all, went on the new owner's
        # ledger although it may be the previous owner settling old debts. Only suggested.
        return Match(S.SUGGESTED, account)
    if account := _one(units):
        return Match(S.SUGGESTED, account)
    if account := _one(candidates.by_name.get(line.counterparty_name.strip(), [])):
        return Match(S.SUGGESTED, account)
    return Match(S.UNMATCHED)


def designated_debts(account: BillingAccount, title: str) -> list[LedgerEntry]:
    """The debts a title designates: the charges and debit opening balances of each period
    it names, oldest due first (empty when it names none)."""
    periods = title_rules.periods(title)
    if not periods:
        return []
    return list(
        LedgerEntry.objects.debts()
        .filter(account=account, period__in=periods)
        .exclude(kind=LedgerEntry.Kind.INTEREST)
        .order_by("effective_due_date", "booking_date", "id")
    )


def _record(row: BankTransaction, account: BillingAccount, by, process: str) -> LedgerEntry:
    return payment_record(
        account=account,
        amount=row.amount,
        booking_date=row.booking_date,
        title=row.title,
        designated=designated_debts(account, row.title),
        source=SOURCE,
        source_reference=row.key,
        by=by,
        process=process,
    )


def statement_import(
    *,
    file,
    profile: str,
    by: AbstractBaseUser | None = None,
    process: str = "",
    file_name: str = "",
) -> StatementImportResult:
    """Import a bank statement file (bytes or a file object) read with the named profile."""
    if refusal := policy.posting_refusal(by):
        raise refusal
    _creator(by, process)
    try:
        profile_obj = get_profile(profile)
    except StatementParseError:
        raise _refuse(BillingErrorCode.PROFILE_INVALID, gettext("Choose a statement profile."), "profile") from None
    data, name = _read(file)
    try:
        parsed = parse_statement_file(data, profile_obj)
    except StatementParseError as error:
        message = gettext("The statement cannot be read: %(reason)s.") % {"reason": error.reason}
        if error.line is not None:
            message = gettext("The statement cannot be read at line %(line)d: %(reason)s.") % {
                "line": error.line,
                "reason": error.reason,
            }
        raise _refuse(BillingErrorCode.STATEMENT_INVALID, message, "file") from error
    # Review: a statement of any other account (a payer's, another firm's, a file picked by
    # mistake) used to be imported and its credits posted to households' ledgers. Only
    # statements of accounts at the cooperative's bank (its settlement number, the one the
    # individual account numbers are built with) are read.
    for statement in parsed:
        if not _is_cooperatives(statement.account):
            raise _refuse(
                BillingErrorCode.STATEMENT_INVALID,
                gettext("The statement is of an account that is not the cooperative's: %(account)s.")
                % {"account": statement.account},
                "file",
            )
    file_hash = hashlib.sha256(data).hexdigest()
    result = StatementImportResult()
    with db.atomic():
        for statement in parsed:
            row, created = _statement_row(statement, profile_obj.name, file_hash, file_name or name, by, process)
            result.statements.append(row)
            result.statements_created += created
            _import_lines(row, statement, result, by, process)
    return result


def _import_lines(row: BankStatement, statement: Statement, result: StatementImportResult, by, process: str) -> None:
    keyed: dict[str, StatementLine] = {}
    for line in statement.lines:
        keyed.setdefault(line_key(statement.account, line), line)
    result.skipped += len(statement.lines) - len(keyed)
    known = set(BankTransaction.objects.filter(key__in=list(keyed)).values_list("key", flat=True))
    result.skipped += len(known)
    fresh = {key: line for key, line in keyed.items() if key not in known}
    if not fresh:
        return
    candidates = _Candidates(fresh.values())
    rows = []
    for key, line in fresh.items():
        match = match_line(line, candidates)
        tx = BankTransaction(
            statement=row,
            key=key,
            bank_reference=line.bank_reference[:120],
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount=line.amount,
            currency=line.currency[:3],
            counterparty_name=line.counterparty_name[:255],
            counterparty_account=line.counterparty_account[:34],
            own_account=line.own_account[:34],
            title=line.title[:500],
            type_code=line.type_code[:35],
            raw=line.raw,
            state=match.state,
            matched_by=match.matched_by,
        )
        if match.state == S.MATCHED:
            tx.account = match.account
            tx.payment = _record(tx, match.account, by, process or SOURCE)
        elif match.state == S.SUGGESTED:
            tx.suggested_account = match.account
        rows.append(tx)
    result.created.extend(BankTransaction.objects.bulk_create(rows))


def transaction_match_confirm(
    *, transaction: BankTransaction, account: BillingAccount, by: AbstractBaseUser | None, process: str = ""
) -> BankTransaction:
    """A person settles a line of the unmatched queue: it pays `account` (the suggestion or
    another), recorded as a payment designated by its title's periods."""
    if refusal := policy.posting_refusal(by):
        raise refusal
    _creator(by, process)
    with db.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction.pk)
        if row.state not in (S.UNMATCHED, S.SUGGESTED) or row.amount <= 0 or row.currency.upper() != CURRENCY:
            raise _refuse(
                BillingErrorCode.TRANSACTION_STATE_INVALID,
                gettext("Only a payment in złoty waiting in the unmatched queue can be matched."),
                "transaction",
            )
        row.payment = _record(row, account, by, process)
        row.account = account
        row.state = S.MATCHED
        row.matched_by = M.PERSON
        row.confirmed_by = by
        row.save(update_fields=["payment", "account", "state", "matched_by", "confirmed_by"])
    return row


def transaction_ignore(
    *, transaction: BankTransaction, by: AbstractBaseUser | None, process: str = ""
) -> BankTransaction:
    """Take a line off the queue without posting anything (a refund, a transfer between
    the cooperative's own accounts)."""
    if refusal := policy.posting_refusal(by):
        raise refusal
    _creator(by, process)
    with db.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction.pk)
        if row.state not in (S.UNMATCHED, S.SUGGESTED):
            raise _refuse(
                BillingErrorCode.TRANSACTION_STATE_INVALID,
                gettext("Only a line waiting in the unmatched queue can be ignored."),
                "transaction",
            )
        row.state = S.IGNORED
        row.confirmed_by = by
        row.save(update_fields=["state", "confirmed_by"])
    return row


__all__ = ["statement_import", "transaction_ignore", "transaction_match_confirm", "match_line", "line_key"]
