"""A year of charges for 10,000 units (120,000 rows of a CSV export) through the charge
import, against a bare bulk insert of the same rows; and an account's statement (balance,
turnover, entries through the selectors) on that data against plain SQL.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_billing_import.py`
(`BENCHMARK_UNITS=1000` for a quick run). Accounts are made with bulk_create (units and
accounts with their IBANs), 1 % of them with an overpayment kept as credit (their charges
go through the allocation path, as `entry_post` carries credit). Reported, never asserted:
the preview and the confirm (each reads the file again) in rows per second, the floor's
rows per second (`LedgerEntry.objects.bulk_create` of instances of the same rows, their
values worked out beforehand, one transaction rolled back, in rounds interleaved with the
import's (each import but the last rolled back too), the fastest of each side counted),
and the import's speed as a share of the floor's (the goal: at least 0.5 for the confirm).
The counts and the ledger's totals are asserted.

Then the import is reversed (a correction of each entry) and its time reported.

The statement: for `STATEMENT_ACCOUNTS` accounts, `account_balance`, `account_turnover` for
the year and the account's entries (`LedgerEntry.objects.filter(account=...)`), against the
same three answers from hand-written SQL on the same connection, interleaved, medians
reported with their ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from operations.billing import selectors, services
from operations.billing.account_numbers import build_account_number
from operations.billing.models import BillingAccount, ChargeImportBatch, LedgerEntry
from operations.billing.policy import PERMISSIONS_ACCOUNTANT
from operations.billing.services import imports as import_services
from operations.billing.working_days import next_working_day
from operations.residents.models import Unit
from tests.billing import kit
from tests.factories.residents import EstateFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

UNITS = int(os.environ.get("BENCHMARK_UNITS", "10000") or 10000)
BUILDINGS = 20
MONTHS = 12
WITH_CREDIT_EVERY = 100  # 1 % of the accounts have an overpayment kept
STATEMENT_ACCOUNTS = 50
STATEMENT_ROUNDS = 5
IMPORT_ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "3") or 3)
CODES = ["EKS", "FR", "CW", "CO", "SM"]
COMPONENTS = {"EKS": "maintenance", "FR": "repair_fund", "CW": "cold_water", "CO": "heating", "SM": "waste"}


def _accounts() -> list[BillingAccount]:
    from operations.residents import services as residents

    estate = EstateFactory(name="Osiedle Duże", slug="osiedle-duze")
    buildings = [
        residents.building_create(
            estate=estate, code=f"B{n}", street="ul. Długa", number=str(n + 1), postal_code="00-950", city="Warszawa"
        )
        for n in range(BUILDINGS)
    ]
    per_building = -(-UNITS // BUILDINGS)
    units = Unit.objects.bulk_create(
        Unit(building=building, number=str(n + 1), floor=n % 10, area=Decimal("48.50"), share=Decimal("0.000100"))
        for building in buildings
        for n in range(per_building)
    )[:UNITS]
    return BillingAccount.objects.bulk_create(
        BillingAccount(
            unit=unit,
            identifier=50000 + n,
            iban=build_account_number(50000 + n),
            payer_name=f"Płatnik {n}",
            opened_on=date(2025, 12, 1),
        )
        for n, unit in enumerate(units)
    )


def _amount(n: int, month: int) -> Decimal:
    return Decimal(200 + (n * 37 + month * 11) % 600) + Decimal((n * 7 + month) % 100) / 100


def _csv(accounts: list[BillingAccount]) -> tuple[bytes, Decimal]:
    lines = ["Konto;Rodzaj;Składnik;Okres;Data księgowania;Termin płatności;Kwota;Nr dokumentu;Opis"]
    total = Decimal("0.00")
    for month in range(1, MONTHS + 1):
        for n, account in enumerate(accounts):
            amount = _amount(n, month)
            total += amount
            code = CODES[n % len(CODES)]
            whole, grosze = f"{amount:.2f}".split(".")
            grouped = f"{int(whole):,}".replace(",", " ")
            lines.append(
                f"{account.identifier};N;{code};{month:02d}/2026;01.{month:02d}.2026;10.{month:02d}.2026;"
                f"{grouped},{grosze};N/2026/{month:02d}/{account.identifier};Opłaty {month:02d}/2026"
            )
    lines.append(f"RAZEM;;;;;;{total:.2f}".replace(".", ","))
    return ("\n".join(lines) + "\n").encode(), total


def _floor_rows(accounts: list[BillingAccount], user) -> list[dict]:
    """The same rows' values, every one worked out beforehand (not timed)."""
    rows = []
    for month in range(1, MONTHS + 1):
        due = date(2026, month, 10)
        effective = next_working_day(due)
        for n, account in enumerate(accounts):
            rows.append(
                dict(
                    account_id=account.pk,
                    kind="charge",
                    component=COMPONENTS[CODES[n % len(CODES)]],
                    booking_date=date(2026, month, 1),
                    due_date=due,
                    effective_due_date=effective,
                    period=date(2026, month, 1),
                    amount=_amount(n, month),
                    title=f"Opłaty {month:02d}/2026",
                    source="floor",
                    source_reference=f"N/2026/{month:02d}/{account.identifier}",
                    created_by=user,
                    created_by_process="floor",
                )
            )
    return rows


class _Rollback(Exception):
    pass


def _floor(accounts, user) -> float:
    rows = _floor_rows(accounts, user)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            # The bare insert: instances of the values, bulk_create, nothing else.
            LedgerEntry.objects.bulk_create([LedgerEntry(**row) for row in rows], batch_size=500)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _statement_orm(account: BillingAccount) -> tuple:
    balance = selectors.account_balance(account)
    _, months, closing = selectors.account_turnover(account, start=date(2026, 1, 1), end=date(2026, 12, 31))
    entries = list(
        LedgerEntry.objects.filter(account=account)
        .order_by("booking_date", "pk")
        .values_list("booking_date", "kind", "component", "amount", "title")
    )
    return balance.balance, [(m.period, m.debits, m.credits) for m in months], closing.balance, len(entries)


FLOOR_SQL = {
    "balance": """
        SELECT COALESCE(SUM(CASE WHEN kind IN ('charge', 'interest') OR (kind = 'opening' AND amount > 0)
                                   OR (kind = 'correction' AND corrects_id IN (
                                       SELECT id FROM billing_ledgerentry d WHERE d.kind IN ('charge','interest')
                                       OR (d.kind = 'opening' AND d.amount > 0)))
                            THEN CAST(ROUND(amount * 100) AS INTEGER) ELSE 0 END), 0),
               COALESCE(SUM(CAST(ROUND(amount * 100) AS INTEGER)), 0)
        FROM billing_ledgerentry WHERE account_id = %s""",
    "turnover": """
        SELECT strftime('%%Y-%%m', booking_date) AS month,
               SUM(CASE WHEN amount > 0 THEN CAST(ROUND(amount * 100) AS INTEGER) ELSE 0 END),
               SUM(CASE WHEN amount < 0 THEN CAST(ROUND(amount * 100) AS INTEGER) ELSE 0 END)
        FROM billing_ledgerentry WHERE account_id = %s AND booking_date BETWEEN %s AND %s
        GROUP BY month ORDER BY month""",
    "entries": """
        SELECT booking_date, kind, component, amount, title FROM billing_ledgerentry
        WHERE account_id = %s ORDER BY booking_date, id""",
}


def _statement_sql(account: BillingAccount) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL["balance"], [account.pk])
        debits, total = cursor.fetchone()
        cursor.execute(FLOOR_SQL["turnover"], [account.pk, "2026-01-01", "2026-12-31"])
        months = cursor.fetchall()
        cursor.execute(FLOOR_SQL["entries"], [account.pk])
        entries = cursor.fetchall()
    return total, months, len(entries)


def test_a_year_of_charges_for_ten_thousand_units():
    accountant = kit.grant(UserFactory(username="ksiegowa"), *PERMISSIONS_ACCOUNTANT)
    accounts = _accounts()
    for n in range(0, len(accounts), WITH_CREDIT_EVERY):
        kit.pay(accounts[n], "1000.00", on=date(2025, 12, 15))
    content, declared = _csv(accounts)
    rows = len(accounts) * MONTHS
    profile = import_services.ChargeImportProfile.objects.create(
        name="FK",
        source="fk",
        encoding="utf-8",
        header_row=1,
        columns={
            "account": "Konto",
            "kind": "Rodzaj",
            "component": "Składnik",
            "period": "Okres",
            "booking_date": "Data księgowania",
            "due_date": "Termin płatności",
            "amount": "Kwota",
            "reference": "Nr dokumentu",
            "title": "Opis",
        },
        component_map=COMPONENTS,
        kind_map={"N": "charge"},
        total_label="RAZEM",
    )

    # Interleaved rounds (the machine is shared): the floor and the import, each rolled back but
    # the last import, which order alternates; the fastest of each side is compared.
    floor_seconds, preview_seconds, confirm_seconds = [], [], []
    for round_ in range(IMPORT_ROUNDS):
        last = round_ == IMPORT_ROUNDS - 1
        sides = [lambda: floor_seconds.append(_floor(accounts, accountant)), lambda: None]
        if round_ % 2:
            sides.reverse()
        sides[0]()
        try:
            with transaction.atomic():
                started = time.perf_counter()
                batch = services.charge_import_preview(
                    profile=profile, file_name="rok.csv", content=content, by=accountant
                )
                preview_seconds.append(time.perf_counter() - started)
                assert batch.rows_new == rows and batch.difference == Decimal("0.00")
                started = time.perf_counter()
                connection.queries_log.clear()  # the log keeps 9,000: counting needs it empty
                with CaptureQueriesContext(connection) as queries:
                    batch = import_services.charge_import_confirm(batch=batch, by=accountant, now=True)
                confirm_seconds.append(time.perf_counter() - started)
                if not last:
                    raise _Rollback
        except _Rollback:
            pass
        sides[1]()
    floor, preview, confirm = min(floor_seconds), min(preview_seconds), min(confirm_seconds)
    assert batch.state == ChargeImportBatch.State.IMPORTED and batch.rows_new == rows
    assert LedgerEntry.objects.filter(import_batch=batch).count() == rows
    assert batch.imported_total == declared and batch.difference == Decimal("0.00")
    for n in range(0, len(accounts), WITH_CREDIT_EVERY):
        assert kit.kept(accounts[n]) == Decimal("0.00")  # 1000 zł went to the first charges

    floor_rate = rows / floor
    print(f"\ncharge import of {rows:,} rows ({len(accounts):,} units x {MONTHS} months) on {connection.vendor}")
    print(f"{'':<40} {'seconds':>9} {'rows/s':>10} {'share of floor speed':>21}")
    print(f"{'floor: bulk_create of the same rows':<40} {floor:>9.2f} {floor_rate:>10,.0f} {1:>21.2f}")
    for name, seconds in (
        ("preview (read + plan)", preview),
        ("confirm (read + plan + post)", confirm),
        ("preview + confirm", preview + confirm),
    ):
        print(f"{name:<40} {seconds:>9.2f} {rows / seconds:>10,.0f} {floor / seconds:>21.2f}")
    for name, times in (("floor", floor_seconds), ("preview", preview_seconds), ("confirm", confirm_seconds)):
        print(f"{name} runs: {', '.join(f'{t:.2f} s' for t in times)}")
    print(f"confirm: {len(queries)} SQL queries; goal: confirm at least 0.5 of the floor's speed")

    # The statement of an account: selectors against plain SQL, interleaved.
    sample = accounts[1 :: max(1, len(accounts) // STATEMENT_ACCOUNTS)][:STATEMENT_ACCOUNTS]
    orm_times, sql_times = [], []
    for round_ in range(STATEMENT_ROUNDS):
        sides = [("orm", _statement_orm, orm_times), ("sql", _statement_sql, sql_times)]
        for _, call, times in sides if round_ % 2 == 0 else reversed(sides):
            started = time.perf_counter()
            for account in sample:
                call(account)
            times.append((time.perf_counter() - started) / len(sample))
    orm_answer, sql_answer = _statement_orm(sample[1]), _statement_sql(sample[1])
    assert orm_answer[3] == sql_answer[2] >= MONTHS
    assert int(-orm_answer[0] * 100) == sql_answer[0]
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as statement_queries:
        _statement_orm(sample[1])

    orm, sql = statistics.median(orm_times), statistics.median(sql_times)
    print(
        f"statement of one account ({MONTHS} entries among {rows:,}): selectors {orm * 1000:.2f} ms "
        f"({len(statement_queries)} queries), plain SQL {sql * 1000:.2f} ms, ratio {orm / sql:.2f}"
    )

    # Reversing the year: a correction of each entry (1 % of the accounts through entry_post).
    balance_before = selectors.account_balance(sample[1])
    started = time.perf_counter()
    services.charge_import_reverse(batch=batch, by=accountant)
    reverse_seconds = time.perf_counter() - started
    assert LedgerEntry.objects.filter(corrects__import_batch=batch).count() == rows
    assert selectors.account_balance(sample[1]).owed == balance_before.owed - sum(
        LedgerEntry.objects.filter(import_batch=batch, account=sample[1]).values_list("amount", flat=True)
    )
    print(f"reverse: {reverse_seconds:.2f} s, {rows / reverse_seconds:,.0f} corrections/s")
