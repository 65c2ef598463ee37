"""Helpers of the charge import tests: the sample files, the profiles that read them, three
accounts of building A with the identifiers the samples name, and an XLSX made here."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from operations.billing import services
from operations.billing.models import ChargeImportProfile, LedgerEntry
from tests.billing import kit
from tests.factories.residents import UnitFactory

SAMPLES = Path(__file__).parent / "samples" / "charges"

FK_COLUMNS = {
    "account": "Konto",
    "kind": "Rodzaj",
    "component": "Składnik",
    "period": "Okres",
    "booking_date": "Data księgowania",
    "due_date": "Termin płatności",
    "amount": "Kwota",
    "reference": "Nr dokumentu",
    "title": "Opis",
}
FK_COMPONENTS = {"EKS": "maintenance", "FR": "repair_fund", "CW": "cold_water", "CO": "heating"}
FK_KINDS = {"N": "charge", "BO": "opening"}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def fk_profile(**fields) -> ChargeImportProfile:
    """The accounting system's CSV export (charges-utf8.csv, charges-bad-rows.csv)."""
    values = {
        "name": "FK – CSV",
        "source": "fk",
        "file_format": "csv",
        "encoding": "utf-8",
        "delimiter": ";",
        "decimal_mark": ",",
        "date_format": "%d.%m.%Y",
        "header_row": 2,
        "columns": FK_COLUMNS,
        "component_map": FK_COMPONENTS,
        "kind_map": FK_KINDS,
        "total_label": "RAZEM",
    }
    values.update(fields)
    return ChargeImportProfile.objects.create(**values)


def water_profile(**fields) -> ChargeImportProfile:
    """The water and heating system's export (charges-cp1250.csv): building and unit."""
    values = {
        "name": "Media – CSV (Windows-1250)",
        "source": "media",
        "file_format": "csv",
        "encoding": "cp1250",
        "delimiter": ",",
        "header_row": 1,
        "columns": {
            "building": "Budynek",
            "unit": "Lokal",
            "component": "Składnik",
            "period": "Okres",
            "booking_date": "Data",
            "due_date": "Termin",
            "amount": "Kwota",
            "reference": "Numer",
            "title": "Tytuł",
        },
        "component_map": {"C.W.": "cold_water", "C.O.": "heating", "Śmieci": "waste"},
    }
    values.update(fields)
    return ChargeImportProfile.objects.create(**values)


def accounts(building) -> list:
    """Accounts 40001-40003 of units A/1-A/3, opened 1.12.2025 by a process."""
    return [
        kit.open_account(UnitFactory(building=building, number=str(n)), identifier=40000 + n, payer_name=f"Payer {n}")
        for n in (1, 2, 3)
    ]


def xlsx_bytes(rows: list[list], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header or list(FK_COLUMNS.values()))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_rows() -> list[list]:
    """Numbers as spreadsheets hold them (floats, 0.1 + 0.2 among them), dates as dates."""
    march = datetime(2026, 3, 1)
    return [
        [40001, "N", "EKS", "03/2026", march, datetime(2026, 3, 10), 0.1 + 0.2, "X/1", "float 0.1+0.2"],
        [40002, "N", "EKS", "03/2026", march, datetime(2026, 3, 10), 1234.56, "X/2", "float 1234.56"],
        [40003, "N", "FR", date(2026, 3, 1), march, "10.03.2026", 2.675, "X/3", "float 2.675"],
        [40003, "N", "CW", "03/2026", march, datetime(2026, 3, 10), 45, "X/4", "int 45"],
        [40001, "N", "CO", "03/2026", march, datetime(2026, 3, 10), "1 234,56", "X/5", "text"],
    ]


def preview(profile, name_or_bytes, *, by, declared_total=None, file_name=None):
    content = sample(name_or_bytes) if isinstance(name_or_bytes, str) else name_or_bytes
    return services.charge_import_preview(
        profile=profile,
        file_name=file_name or (name_or_bytes if isinstance(name_or_bytes, str) else "charges.xlsx"),
        content=content,
        declared_total=declared_total,
        by=by,
    )


def ledger(source: str | None = None) -> list[tuple]:
    """(account identifier, kind, component, amount, due, effective due, reference) of every entry."""
    entries = LedgerEntry.objects.order_by("pk")
    if source:
        entries = entries.filter(source=source)
    return [
        (
            e.account.identifier,
            e.kind,
            e.component,
            e.amount,
            e.due_date,
            e.effective_due_date,
            e.source_reference,
        )
        for e in entries.select_related("account")
    ]
