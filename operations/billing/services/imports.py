"""Charges and opening balances from the accounting system: a file is previewed
(`charge_import_preview`), then confirmed (`charge_import_confirm`, in Celery for large
files: `charge_import_run`), and may be reversed (`charge_import_reverse`). Each file is a
`ChargeImportBatch`.

Preview reads the file with its profile (`imports.read_charge_file`) and works out what
each row would do, writing the batch and the file and nothing in the ledger:
- **new**: an entry to post;
- **unchanged**: its reference was imported before with the same details (the account,
  kind, amount, booking date, component and due date): nothing to do, so the same file
  twice changes nothing;
- **conflict**: its reference was imported before with other details (the accounting
  system changed a row it had exported: a correction is the way, not a second entry);
- **error**: what cannot be posted, with its line number and reason: a cell that cannot
  be read, an unknown account, IBAN or unit (or a unit with more than one account open
  that day), a charge that is not positive, has no component or due date, or is booked
  after its account was closed, a zero amount, a row whose reference was imported and
  reversed before, or a duplicate within the file (the same reference again: a copy of
  an earlier line is reported as such and the earlier line goes in; the same reference
  with different details is reported on every line that has it and none goes in).
Entries are keyed on the profile's source (`import:<source>`) and the row's reference; a
row without a reference gets one made of its contents (`row:` and a hash), so a file
from a system that gives none is still imported once.

Confirm reads the stored file again and plans again (the ledger may have changed since the
preview), then posts the new rows chunk by chunk (`CHUNK_ROWS` rows, each chunk one
transaction): a row is never half-written (its entry and its allocations commit
together), and a batch that fails half-way says so with the rows done; confirming it
again posts the rest, since what is in is "unchanged" now. Posting keeps every rule of
`entry_post`: the same checks (above), the account rows locked, the due date moved past
weekends and holidays, the period as the month's first day, and kept credit carried to
the new debts. The fast path inserts the chunk's entries in one prepared INSERT run with
`executemany` (`_insert`: what `bulk_create` does, without compiling SQL for every 58
rows) for the accounts that have no credit kept (where `entry_post` would allocate
nothing); the accounts with kept credit, or with a credit opening balance in the chunk,
get their rows one by one in the file's order, each followed by the allocation
`entry_post` makes (`_allocation.keep_credit`, `_allocation.carry`). Entries name their batch, the person
who confirmed it (`created_by`) and the process ("charge import #12").

Reconciliation: the file's declared total (its total line, or what the person typed when
uploading, which wins) against what its rows in the ledger add up to (new and unchanged),
the difference kept on the batch.

Reverse posts a correction of each entry the batch posted (through `entry_post`, booked
on the entry's own booking date, so that balances and turnover of every day are what they
were before the import); nothing is deleted, and a batch is reversed once. Where no money
moves (no allocation touches the batch's entries, no credit is kept on the account) the
corrections are inserted at once, as entry_post would post them; elsewhere each goes
through entry_post, in order, so allocations follow as for any correction.

Large files (over `LARGE_FILE_ROWS` rows) are confirmed in Celery (`tasks.charge_import_run`,
queued after the commit); a batch whose task was lost (no progress for `STALE_AFTER`) may
be confirmed again, and `charge_imports_resume` (a task for beat) does it by itself.

Importing, confirming and reversing need `billing.import_charges` (policy).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.queue import enqueue_after_commit

from .. import policy
from ..errors import BillingErrorCode
from ..imports import ChargeRow, ImportFileError, read_charge_file
from ..models import (
    Allocation,
    BillingAccount,
    ChargeImportBatch,
    ChargeImportProfile,
    LedgerEntry,
    month_of,
)
from ..selectors.ledger import grosze
from ..working_days import next_working_day
from . import _allocation
from ._common import _refuse
from .ledger import MAX_REFERENCE, MAX_TITLE, entry_post

logger = logging.getLogger(__name__)

K = LedgerEntry.Kind
S = ChargeImportBatch.State
LARGE_FILE_ROWS = 2_000  # more rows than this are imported in Celery
CHUNK_ROWS = 1_000  # rows per transaction
PREVIEW_ROWS = 200  # new rows shown in the preview
PROBLEMS_KEPT = 10_000  # problems kept on a batch (the count is always whole)
STALE_AFTER = timedelta(minutes=10)  # a running batch without progress this long lost its task
LIMIT = Decimal("10000000000")
_IN = 900  # values per IN (...) list: SQLite's variable limit is far, PostgreSQL's plans stay small


def source_of(profile: ChargeImportProfile) -> str:
    """`LedgerEntry.source` of the profile's entries."""
    return f"import:{profile.source}"[:40]


def _process(batch: ChargeImportBatch) -> str:
    return f"charge import #{batch.pk}"


def _chunks(values: list, size: int = _IN):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Planning: what each row would do -------------------------------------------------------------


@dataclass
class _Row:
    """A row of the file with where it goes and what it posts."""

    line: int
    account_id: int
    kind: str
    component: str
    booking_date: date
    due_date: date | None
    period: date
    amount: Decimal
    reference: str
    title: str

    def details(self) -> tuple:
        return (self.account_id, self.kind, self.amount, self.booking_date, self.component, self.due_date)

    def shown(self, accounts: dict[int, str]) -> dict:
        return {
            "line": self.line,
            "account": accounts.get(self.account_id, str(self.account_id)),
            "kind": self.kind,
            "component": self.component,
            "period": self.period.isoformat(),
            "booking_date": self.booking_date.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else "",
            "amount": f"{self.amount:.2f}",
            "reference": self.reference,
            "title": self.title,
        }


@dataclass
class _Plan:
    new: list[_Row] = field(default_factory=list)
    unchanged: list[_Row] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # {"line", "status", "reason", "field"}
    declared_total: Decimal | None = None
    rows_total: int = 0
    encoding: str = ""
    accounts: dict[int, str] = field(default_factory=dict)  # id -> label, for the preview

    @property
    def conflicts(self) -> int:
        return sum(1 for problem in self.problems if problem["status"] == "conflict")

    @property
    def errors(self) -> int:
        return len(self.problems) - self.conflicts

    def problem(self, line: int, reason: str, field_name: str = "", status: str = "error") -> None:
        self.problems.append({"line": line, "status": status, "reason": reason, "field": field_name})


def _account_candidates(rows: list[ChargeRow]) -> tuple[dict, dict, dict]:
    """The accounts the rows name, by identifier, by IBAN and by (building, unit): three
    queries (in chunks), whatever the number of rows."""
    fields = ("pk", "identifier", "iban", "opened_on", "closed_on", "unit__building__code", "unit__number")
    by_identifier: dict[str, list[dict]] = defaultdict(list)
    by_iban: dict[str, list[dict]] = defaultdict(list)
    by_unit: dict[tuple[str, str], list[dict]] = defaultdict(list)
    identifiers = sorted({int(row.account) for row in rows if row.account.isdigit() and len(row.account) < 19})
    for chunk in _chunks(identifiers):
        for account in BillingAccount.objects.filter(identifier__in=chunk).values(*fields):
            by_identifier[str(account["identifier"])].append(account)
    ibans = sorted({_iban(row.iban) for row in rows if row.iban})
    for chunk in _chunks(ibans):
        for account in BillingAccount.objects.filter(iban__in=chunk).values(*fields):
            by_iban[account["iban"]].append(account)
    codes = sorted({row.building for row in rows if row.building and row.unit})
    for chunk in _chunks(codes):
        wanted = Q()
        for code in chunk:
            wanted |= Q(unit__building__code__iexact=code)
        for account in BillingAccount.objects.filter(wanted).values(*fields):
            key = (account["unit__building__code"].casefold(), account["unit__number"].casefold())
            by_unit[key].append(account)
    return by_identifier, by_iban, by_unit


def _iban(text: str) -> str:
    return f"PL{text}" if text.isdigit() and len(text) == 26 else text


def _label(account: dict) -> str:
    return f"{account['unit__building__code']}/{account['unit__number']} ({account['identifier']})"


def _open_on(accounts: list[dict], day: date) -> list[dict]:
    """Of a unit's accounts, those open on `day`; else, if one account is still open, it."""
    alive = [a for a in accounts if a["closed_on"] is None or a["closed_on"] >= day]
    if len(alive) > 1:
        alive = [a for a in alive if a["opened_on"] <= day] or alive
    return alive


def _reference(row: ChargeRow, where: str) -> str:
    if row.reference:
        return row.reference
    parts = [where, row.kind, row.component, str(row.period), str(row.booking_date), str(row.due_date), str(row.amount)]
    return "row:" + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:40]


def _missing(row: ChargeRow, field_name: str, where: str, booking_date: date, by_unit: dict) -> str:
    """Why no account was found for a row (worked out only for such a row: translating
    is not free, and a year's file has 120,000 rows that are found)."""
    if field_name == "account":
        return gettext("unknown account: %(account)s") % {"account": row.account}
    if field_name == "iban":
        return gettext("unknown account number: %(iban)s") % {"iban": row.iban}
    if by_unit.get((row.building.casefold(), row.unit.casefold())):
        return gettext("unit %(unit)s has no account open on %(day)s") % {
            "unit": where,
            "day": booking_date.strftime("%d.%m.%Y"),
        }
    return gettext("unknown unit: %(unit)s") % {"unit": where}


def _resolve(row: ChargeRow, candidates: tuple[dict, dict, dict], plan: _Plan) -> _Row | None:
    by_identifier, by_iban, by_unit = candidates
    booking_date = row.booking_date or row.period
    if booking_date is None:
        plan.problem(row.line, gettext("no booking date (and no period)"), "booking_date")
        return None
    if row.account:
        found, where, field_name = by_identifier.get(row.account, []), row.account, "account"
    elif row.iban:
        found, where, field_name = by_iban.get(_iban(row.iban), []), _iban(row.iban), "iban"
    elif row.building and row.unit:
        units = by_unit.get((row.building.casefold(), row.unit.casefold()), [])
        found, where, field_name = _open_on(units, booking_date), f"{row.building}/{row.unit}", "unit"
        if len(found) > 1:
            plan.problem(
                row.line, gettext("unit %(unit)s has several accounts open; give the account") % {"unit": where}, "unit"
            )
            return None
    else:
        plan.problem(row.line, gettext("no account, account number or unit"), "account")
        return None
    if len(found) != 1:
        plan.problem(row.line, _missing(row, field_name, where, booking_date, by_unit), field_name)
        return None
    account = found[0]
    plan.accounts[account["pk"]] = _label(account)
    amount, due_date, component = row.amount, row.due_date, row.component
    if amount == 0:
        plan.problem(row.line, gettext("the amount is zero"), "amount")
        return None
    if abs(amount) >= LIMIT:
        plan.problem(row.line, gettext("the amount is too large"), "amount")
        return None
    if row.kind == K.CHARGE:
        if amount < 0:
            plan.problem(row.line, gettext("a charge is positive; reduce one with a correction"), "amount")
            return None
        if not component:
            plan.problem(row.line, gettext("no component"), "component")
            return None
        if due_date is None:
            plan.problem(row.line, gettext("a charge needs a due date"), "due_date")
            return None
        if account["closed_on"] is not None and booking_date > account["closed_on"]:
            plan.problem(row.line, gettext("the account was closed by then"), "booking_date")
            return None
    else:  # an opening balance: arrears are due when booked unless the books say otherwise
        due_date = (due_date or booking_date) if amount > 0 else None
    reference = _reference(row, where)
    if len(reference) > MAX_REFERENCE:
        plan.problem(row.line, gettext("the reference is longer than %(limit)d characters") % {"limit": MAX_REFERENCE})
        return None
    return _Row(
        line=row.line,
        account_id=account["pk"],
        kind=row.kind,
        component=component,
        booking_date=booking_date,
        due_date=due_date,
        period=month_of(row.period or booking_date),
        amount=amount,
        reference=reference,
        title=(row.title or "").strip()[:MAX_TITLE],
    )


def _without_duplicates(rows: list[_Row], plan: _Plan) -> list[_Row]:
    by_reference: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_reference[row.reference].append(row)
    kept = []
    for row in rows:
        same = by_reference[row.reference]
        if len(same) == 1:
            kept.append(row)
        elif len({other.details() for other in same}) > 1:
            lines = ", ".join(str(other.line) for other in same)
            plan.problem(
                row.line,
                gettext("reference %(reference)s is on lines %(lines)s with different details")
                % {"reference": row.reference, "lines": lines},
                "reference",
            )
        elif row is same[0]:
            kept.append(row)
        else:
            plan.problem(row.line, gettext("duplicate of line %(line)d") % {"line": same[0].line}, "reference")
    return kept


def _against_ledger(rows: list[_Row], source: str, plan: _Plan) -> None:
    """Sort the rows into new, unchanged and conflicts by what the ledger holds under their
    references: one query per `_IN` references, and one for the corrections of those found."""
    existing: dict[str, dict] = {}
    references = [row.reference for row in rows]
    for chunk in _chunks(references):
        for entry in LedgerEntry.objects.filter(source=source, source_reference__in=chunk).values(
            "pk", "source_reference", "account_id", "kind", "amount", "booking_date", "component", "due_date"
        ):
            existing[entry["source_reference"]] = entry
    corrected: dict[int, int] = {}
    for chunk in _chunks([entry["pk"] for entry in existing.values()]):
        corrections = (
            LedgerEntry.objects.filter(corrects_id__in=chunk)
            .values("corrects_id")
            .annotate(total=Sum(grosze(F("amount"))))
            .order_by()
        )
        corrected.update({row["corrects_id"]: row["total"] for row in corrections})
    for row in rows:
        entry = existing.get(row.reference)
        if entry is None:
            plan.new.append(row)
            continue
        value = int(entry["amount"] * 100) + corrected.get(entry["pk"], 0)
        details = (
            entry["account_id"],
            entry["kind"],
            entry["amount"],
            entry["booking_date"],
            entry["component"],
            entry["due_date"],
        )
        if value == 0:
            plan.problem(
                row.line,
                gettext("reference %(reference)s was imported and reversed before; it needs a new reference")
                % {"reference": row.reference},
                "reference",
            )
        elif details != row.details():
            plan.problem(
                row.line,
                gettext("reference %(reference)s was imported before with other details")
                % {"reference": row.reference},
                "reference",
                status="conflict",
            )
        else:
            plan.unchanged.append(row)


def _plan(profile: ChargeImportProfile, content: bytes) -> _Plan:
    try:
        read = read_charge_file(content, profile.reading())
    except ImportFileError as error:
        message = (
            error.message
            if error.line is None
            else gettext("%(reason)s (line %(line)d)") % {"reason": error.message, "line": error.line}
        )
        raise _refuse(
            BillingErrorCode.IMPORT_FILE_INVALID,
            gettext("The file cannot be read: %(reason)s") % {"reason": message},
            "file",
        ) from None
    plan = _Plan(declared_total=read.declared_total, rows_total=read.lines_read, encoding=read.encoding)
    for problem in read.problems:
        plan.problem(problem.line, problem.reason, problem.field)
    candidates = _account_candidates(read.rows)
    resolved = [row for row in (_resolve(r, candidates, plan) for r in read.rows) if row is not None]
    _against_ledger(_without_duplicates(resolved, plan), source_of(profile), plan)
    plan.problems.sort(key=lambda problem: problem["line"])
    return plan


def _total(rows: list[_Row]) -> Decimal:
    return sum((row.amount for row in rows), Decimal("0.00"))


def _figures(batch: ChargeImportBatch, plan: _Plan, declared_total: Decimal | None) -> None:
    """The batch's counts, problems and reconciliation from a plan."""
    batch.rows_total = plan.rows_total
    batch.rows_new = len(plan.new)
    batch.rows_unchanged = len(plan.unchanged)
    batch.rows_conflict = plan.conflicts
    batch.rows_error = plan.errors
    batch.problems = plan.problems[:PROBLEMS_KEPT]
    batch.declared_total = declared_total if declared_total is not None else plan.declared_total
    batch.imported_total = _total(plan.new) + _total(plan.unchanged)
    batch.difference = None if batch.declared_total is None else batch.declared_total - batch.imported_total


# --- Preview ------------------------------------------------------------------------------------


@transaction.atomic
def charge_import_preview(
    *,
    profile: ChargeImportProfile,
    file_name: str,
    content: bytes,
    declared_total: Decimal | str | None = None,
    by: AbstractBaseUser,
) -> ChargeImportBatch:
    """A batch in state `previewed` saying what importing `content` with `profile` would
    change (new entries, unchanged, conflicts, errors by line, the reconciliation); the file
    is kept privately; nothing is written to the ledger. A file that cannot be read at all
    is refused (IMPORT_FILE_INVALID) and nothing is kept."""
    if refusal := policy.charge_import_refusal(by):
        raise refusal
    if declared_total not in (None, ""):
        from ..imports import parse_number

        try:
            declared_total = parse_number(str(declared_total), decimal_mark=",")
        except ValueError:
            raise _refuse(
                BillingErrorCode.AMOUNT_INVALID, gettext("Give the total in złoty, e.g. 1 234,56."), "declared_total"
            ) from None
    else:
        declared_total = None
    plan = _plan(profile, content)
    batch = ChargeImportBatch(
        profile=profile,
        file_name=(file_name or "charges")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=by,
    )
    _figures(batch, plan, declared_total)
    batch.preview = {
        "encoding": plan.encoding,
        "file_total": None if plan.declared_total is None else f"{plan.declared_total:.2f}",
        "typed_total": None if declared_total is None else f"{declared_total:.2f}",
        "new_total": f"{_total(plan.new):.2f}",
        "unchanged_total": f"{_total(plan.unchanged):.2f}",
        "new": [row.shown(plan.accounts) for row in plan.new[:PREVIEW_ROWS]],
        "same_file": list(
            ChargeImportBatch.objects.filter(sha256=batch.sha256, profile=profile)
            .exclude(state=S.PREVIEWED)
            .values_list("pk", flat=True)[:10]
        ),
    }
    batch.file.save(file_name or "charges.csv", ContentFile(content), save=False)
    batch.save()
    return batch


# --- Confirm ------------------------------------------------------------------------------------


def _values(row: _Row, batch: ChargeImportBatch, source: str, by, process: str, due_days: dict, now) -> dict:
    """The entry a row posts, as its fields' values (what `entry_post` would create)."""
    if row.due_date is not None and row.due_date not in due_days:
        due_days[row.due_date] = next_working_day(row.due_date)
    return {
        "account_id": row.account_id,
        "kind": row.kind,
        "component": row.component,
        "booking_date": row.booking_date,
        "due_date": row.due_date,
        "effective_due_date": due_days.get(row.due_date) if row.due_date else None,
        "period": row.period,
        "amount": row.amount,
        "title": row.title,
        "source": source,
        "source_reference": row.reference,
        "created_by_id": by.pk if by is not None else None,
        "created_by_process": process,
        "created_at": now,
        "import_batch_id": batch.pk,
    }


def _insert(values: list[dict]) -> None:
    """Insert new entries, each given as its fields' values (`attname`: value; a field left
    out takes its default), as `bulk_create` would insert them: each value prepared by its
    field for the database (`get_db_prep_save`), in one prepared statement run with
    `executemany`. Django's `bulk_create` builds a model instance per row and compiles an
    INSERT for every 58 rows on SQLite, which costs more than the rows themselves. Inserts
    only, so the entries' immutability is not at stake, and the database's constraints
    hold as for any insert. Values repeat across a file (dates, kinds, accounts), so each
    is prepared once per call."""
    if not values:
        return
    fields = [field for field in LedgerEntry._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(LedgerEntry._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    defaults = {field.attname: field.get_default() for field in fields}
    cached: dict = {}

    def prepared(field, value):
        if value is None:
            return None
        key = (field.attname, value)
        try:
            return cached[key]
        except KeyError:
            cached[key] = result = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # pragma: no cover - unhashable values are not among ours
            return field.get_db_prep_save(value, connection)

    rows = [[prepared(field, row.get(field.attname, defaults[field.attname])) for field in fields] for row in values]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_chunk(rows: list[_Row], batch: ChargeImportBatch, source: str, by, due_days: dict, plan: _Plan) -> list:
    """Post `rows` (one transaction, opened by the caller); the rows written."""
    ids = sorted({row.account_id for row in rows})
    # Locked in the order of their ids: two imports touching the same accounts wait for
    # each other rather than deadlock.
    accounts = {
        account.pk: account
        for account in BillingAccount.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    }
    with_credit = set(
        Allocation.objects.kept()
        .filter(credit__account_id__in=ids)
        .values("credit__account_id")
        .annotate(kept=Sum(grosze(F("amount"))))
        .filter(kept__gt=0)
        .values_list("credit__account_id", flat=True)
    )
    with_credit |= {row.account_id for row in rows if row.amount < 0}
    process = _process(batch)
    written, bulk, one_by_one = [], [], []
    for row in rows:
        closed_on = accounts[row.account_id].closed_on
        if row.kind == K.CHARGE and closed_on is not None and row.booking_date > closed_on:
            # Closed since the plan was made.
            plan.problem(row.line, gettext("the account was closed by then"), "booking_date")
            continue
        (one_by_one if row.account_id in with_credit else bulk).append(row)
    now = timezone.now()
    _insert([_values(row, batch, source, by, process, due_days, now) for row in bulk])
    written += bulk
    for row in one_by_one:
        # What entry_post does after its insert: kept credit carried to the new debt, or a
        # credit opening balance kept, then carried.
        entry = LedgerEntry(**_values(row, batch, source, by, process, due_days, timezone.now()))
        entry.account = accounts[row.account_id]
        entry.save()
        if entry.amount < 0:
            _allocation.keep_credit(entry)
        else:
            _allocation.carry(entry.account, cause=entry)
        written.append(row)
    return written


def _lock(batch: ChargeImportBatch) -> ChargeImportBatch:
    return ChargeImportBatch.objects.select_for_update(of=("self",)).select_related("profile").get(pk=batch.pk)


def charge_import_confirm(*, batch: ChargeImportBatch, by: AbstractBaseUser, now: bool = False) -> ChargeImportBatch:
    """Import the batch's good rows (see the module). A batch of more than `LARGE_FILE_ROWS`
    rows is queued for Celery (`tasks.charge_import_run`) and returned `running`; the task
    calls this again with `now=True`, which imports at once. A `previewed` or `failed` batch
    may be confirmed (a `running` one only by its task, or once it is stale); anything else
    is refused."""
    if refusal := policy.charge_import_refusal(by):
        raise refusal
    with transaction.atomic():
        batch = _lock(batch)
        allowed = (S.PREVIEWED, S.FAILED, S.RUNNING) if now else (S.PREVIEWED, S.FAILED)
        if batch.state not in allowed and not batch_is_stale(batch):
            raise _refuse(
                BillingErrorCode.IMPORT_STATE_INVALID,
                gettext("This import is %(state)s; only a previewed or failed import is confirmed.")
                % {"state": batch.get_state_display()},
            )
        batch.state = S.RUNNING
        batch.confirmed_by, batch.confirmed_at = by, timezone.now()
        batch.failure = ""
        batch.progress_at = timezone.now()
        batch.save(update_fields=["state", "confirmed_by", "confirmed_at", "failure", "progress_at"])
        if not now and batch.rows_total > LARGE_FILE_ROWS:
            from ..tasks import charge_import_run  # tasks import the services

            enqueue_after_commit(
                charge_import_run,
                batch.pk,
                by.pk,
                fallback="charge_imports_resume runs it once it has not moved for STALE_AFTER",
            )
            return batch
    return _run(batch, by)


def batch_is_stale(batch: ChargeImportBatch) -> bool:
    """A running batch that has not moved for `STALE_AFTER`: its task was lost (the broker
    was down when it was queued, or the worker died); it may be confirmed again."""
    moved = batch.progress_at or batch.confirmed_at
    return batch.state == S.RUNNING and (moved is None or timezone.now() - moved > STALE_AFTER)


def charge_imports_resume() -> int:
    """Run again the batches whose task was lost (see `_stale`), in the name of who confirmed
    them; what they posted before is "unchanged" now, so nothing is posted twice. For beat."""
    resumed = 0
    for batch in ChargeImportBatch.objects.filter(state=S.RUNNING).select_related("confirmed_by"):
        if batch_is_stale(batch) and batch.confirmed_by is not None:
            charge_import_confirm(batch=batch, by=batch.confirmed_by, now=True)
            resumed += 1
    return resumed


def _run(batch: ChargeImportBatch, by) -> ChargeImportBatch:
    source = source_of(batch.profile)
    try:
        with batch.file.open("rb") as stored:
            content = stored.read()
        plan = _plan(batch.profile, content)
    except Exception as error:
        return _failed(batch, error)
    total_new = len(plan.new)
    ChargeImportBatch.objects.filter(pk=batch.pk).update(rows_done=0, rows_total=plan.rows_total)
    due_days: dict = {}
    written: list[_Row] = []
    done = 0
    try:
        for chunk in _chunks(plan.new, CHUNK_ROWS):
            with transaction.atomic():
                written += _write_chunk(chunk, batch, source, by, due_days, plan)
                done += len(chunk)
                # In the chunk's transaction: the figure never runs ahead of what is in.
                ChargeImportBatch.objects.filter(pk=batch.pk).update(
                    rows_done=plan.rows_total - total_new + done if total_new else plan.rows_total,
                    progress_at=timezone.now(),
                )
    except Exception as error:
        return _failed(batch, error, plan=plan, written=written)
    plan.new = written
    plan.problems.sort(key=lambda problem: problem["line"])
    batch.refresh_from_db()
    _figures(batch, plan, batch.declared_total if batch.preview.get("typed_total") else None)
    batch.rows_new = len(written)
    batch.state = S.IMPORTED
    batch.rows_done = batch.rows_total
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def _failed(batch: ChargeImportBatch, error: Exception, *, plan: _Plan | None = None, written=()) -> ChargeImportBatch:
    logger.warning("Charge import #%s failed.", batch.pk, exc_info=True)
    batch.refresh_from_db()
    batch.state = S.FAILED
    batch.finished_at = timezone.now()
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    batch.failure = gettext("Stopped after %(done)d new entries: %(reason)s") % {
        "done": len(written),
        "reason": reason,
    }
    batch.save(update_fields=["state", "finished_at", "failure"])
    return batch


def charge_import_run(*, batch_id: int, by_id: int) -> str:
    """The Celery task's work: import a queued batch now (see `charge_import_confirm`)."""
    batch = ChargeImportBatch.objects.get(pk=batch_id)
    if batch.state != S.RUNNING:
        return batch.state  # imported already (a task delivered twice), or not confirmed
    by = get_user_model().objects.get(pk=by_id)
    return charge_import_confirm(batch=batch, by=by, now=True).state


# --- Reverse ------------------------------------------------------------------------------------


@transaction.atomic
def charge_import_reverse(*, batch: ChargeImportBatch, by: AbstractBaseUser) -> ChargeImportBatch:
    """A correction of each entry the batch posted, booked on the entry's own date, so the
    ledger is as before the import (allocations follow, as for any correction); the batch
    is `reversed`. Refused for a batch reversed already, and for one not imported (or
    failed with entries in)."""
    if refusal := policy.charge_import_refusal(by):
        raise refusal
    batch = _lock(batch)
    if batch.state == S.REVERSED:
        raise _refuse(BillingErrorCode.IMPORT_REVERSED, gettext("This import was reversed already."))
    if batch.state not in (S.IMPORTED, S.FAILED):
        raise _refuse(
            BillingErrorCode.IMPORT_STATE_INVALID,
            gettext("Only an imported batch is reversed; this one is %(state)s.")
            % {"state": batch.get_state_display()},
        )
    process = f"{_process(batch)} reversed"
    entries = LedgerEntry.objects.filter(import_batch=batch).order_by("pk")
    corrected = dict(
        LedgerEntry.objects.filter(corrects__import_batch=batch)
        .values("corrects_id")
        .annotate(total=Sum(grosze(F("amount"))))
        .order_by()
        .values_list("corrects_id", "total")
    )
    title = gettext("Reversal of charge import #%(batch)d") % {"batch": batch.pk}
    in_batch = LedgerEntry.objects.filter(import_batch=batch).values("account_id")
    # Where a correction moves money (an allocation touches one of the batch's entries, or
    # credit is kept to carry), each entry goes through entry_post, in order. Elsewhere a
    # correction allocates nothing (after_correction finds no excess and no credit), so
    # the corrections are inserted at once, the accounts locked as entry_post locks them.
    moving = set(
        Allocation.objects.filter(Q(debt__import_batch=batch) | Q(credit__import_batch=batch)).values_list(
            "credit__account_id", flat=True
        )
    )
    moving |= set(
        Allocation.objects.kept()
        .filter(credit__account_id__in=in_batch)
        .values("credit__account_id")
        .annotate(kept=Sum(grosze(F("amount"))))
        .filter(kept__gt=0)
        .values_list("credit__account_id", flat=True)
    )
    moving |= set(LedgerEntry.objects.filter(pk__in=list(corrected)).values_list("account_id", flat=True))
    quiet = sorted(set(in_batch.values_list("account_id", flat=True)) - moving)
    for chunk in _chunks(quiet):
        list(BillingAccount.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk"))
    rows = entries.filter(account_id__in=in_batch.exclude(account_id__in=moving)).values_list(
        "pk", "account_id", "amount", "booking_date", "component", "period", "source"
    )
    now = timezone.now()
    corrections = [
        {
            "account_id": account_id,
            "kind": K.CORRECTION,
            "component": component,
            "booking_date": booking_date,
            "period": period,
            "amount": -amount,
            "title": title,
            "corrects_id": pk,
            "source": source,
            "created_by_process": process[:80],
            "created_at": now,
        }
        for pk, account_id, amount, booking_date, component, period, source in rows.iterator(chunk_size=2000)
    ]
    for chunk in _chunks(corrections, CHUNK_ROWS):
        _insert(chunk)
    for entry in entries.filter(account_id__in=moving).select_related("account"):
        counted = int(entry.amount * 100) + corrected.get(entry.pk, 0)
        if counted == 0:
            continue
        entry_post(
            account=entry.account,
            kind=K.CORRECTION,
            amount=Decimal(-counted) / 100,
            booking_date=entry.booking_date,
            corrects=entry,
            title=title,
            source=entry.source,
            process=process,
        )
    batch.state = S.REVERSED
    batch.reversed_by, batch.reversed_at = by, timezone.now()
    batch.save(update_fields=["state", "reversed_by", "reversed_at"])
    return batch
