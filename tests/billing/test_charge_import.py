"""Charges and opening balances from the accounting system: preview, confirm, the same file
twice, bad rows by line, reconciliation, conflicts, XLSX, both encodings, allocation of
credit to imported charges, and reversal to the grosz."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.models import Allocation, ChargeImportBatch, LedgerEntry
from tests.billing import charge_import_kit as ck
from tests.billing import kit

pytestmark = pytest.mark.django_db

D = Decimal
S = ChargeImportBatch.State


@pytest.fixture
def accounts(building_a):
    return ck.accounts(building_a)


@pytest.fixture
def fk(db):
    return ck.fk_profile()


def imported(profile, name, *, by, **kwargs) -> ChargeImportBatch:
    batch = ck.preview(profile, name, by=by, **kwargs)
    return services.charge_import_confirm(batch=batch, by=by)


def test_preview_tells_what_would_change_and_writes_no_ledger_row(accounts, fk, accountant):
    batch = ck.preview(fk, "charges-utf8.csv", by=accountant)
    assert LedgerEntry.objects.count() == 0 and Allocation.objects.count() == 0
    assert batch.state == S.PREVIEWED
    assert (batch.rows_total, batch.rows_new, batch.rows_unchanged, batch.rows_conflict, batch.rows_error) == (
        5,
        5,
        0,
        0,
        0,
    )
    assert [row["line"] for row in batch.preview["new"]] == [3, 4, 5, 6, 7]
    assert batch.preview["new"][0]["account"] == "A/1 (40001)"
    assert (batch.declared_total, batch.imported_total, batch.difference) == (D("4631.67"), D("4631.67"), D("0.00"))
    # The file is kept, privately, under a random name, with its hash.
    assert batch.file.name.startswith("billing-imports/") and "charges" not in batch.file.name
    assert batch.file_name == "charges-utf8.csv"
    import hashlib

    assert batch.sha256 == hashlib.sha256(ck.sample("charges-utf8.csv")).hexdigest()


def test_confirm_posts_each_row_as_entry_post_would(accounts, fk, accountant):
    batch = imported(fk, "charges-utf8.csv", by=accountant)
    assert batch.state == S.IMPORTED and batch.rows_new == 5 and batch.rows_done == 5
    assert batch.confirmed_by == accountant and batch.finished_at is not None
    assert ck.ledger() == [
        (40001, "charge", "maintenance", D("312.45"), date(2026, 3, 10), date(2026, 3, 10), "N/2026/03/0001"),
        # Due on Sunday 15 March: payable on Monday the 16th.
        (40001, "charge", "repair_fund", D("1234.56"), date(2026, 3, 15), date(2026, 3, 16), "N/2026/03/0002"),
        (40002, "charge", "maintenance", D("1234.56"), date(2026, 3, 10), date(2026, 3, 10), "N/2026/03/0003"),
        # Arrears brought over are due when booked (Sunday 1 March: payable on the 2nd).
        (40002, "opening", "", D("2000.10"), date(2026, 3, 1), date(2026, 3, 2), "BO/2026/0002"),
        # Accounts with credit (kept, or a credit opening balance) are posted after the chunk's bulk insert.
        (40003, "opening", "", D("-150.00"), None, None, "BO/2026/0003"),
    ]
    entry = LedgerEntry.objects.get(source_reference="N/2026/03/0001")
    assert (entry.source, entry.period, entry.title) == ("import:fk", date(2026, 3, 1), "Eksploatacja 03/2026")
    assert (entry.created_by, entry.created_by_process, entry.import_batch) == (
        accountant,
        f"charge import #{batch.pk}",
        batch,
    )
    # The credit opening balance is kept as credit, as entry_post keeps it.
    credit = LedgerEntry.objects.get(source_reference="BO/2026/0003")
    assert kit.kept(credit.account) == D("150.00")
    assert selectors.account_balance(accounts[1]).owed == D("3234.66")


def test_the_same_file_twice_changes_nothing(accounts, fk, accountant):
    imported(fk, "charges-utf8.csv", by=accountant)
    before = (ck.ledger(), list(Allocation.objects.values_list("credit", "debt", "amount", "reason")))
    again = ck.preview(fk, "charges-utf8.csv", by=accountant)
    assert (again.rows_new, again.rows_unchanged, again.problems) == (0, 5, [])
    assert again.imported_total == D("4631.67") and again.difference == D("0.00")
    assert again.preview["same_file"]  # the list says it was given before
    again = services.charge_import_confirm(batch=again, by=accountant)
    assert again.state == S.IMPORTED and again.rows_new == 0
    assert (ck.ledger(), list(Allocation.objects.values_list("credit", "debt", "amount", "reason"))) == before
    # The same rows in XLSX from another profile of the same accounting system: also nothing new.
    xlsx = ck.fk_profile(name="FK – XLSX", file_format="xlsx", header_row=1)
    rows = [
        [40001, "N", "EKS", "03/2026", date(2026, 3, 1), date(2026, 3, 10), 312.45, "N/2026/03/0001", "x"],
        [40002, "BO", "", "03/2026", date(2026, 3, 1), None, 2000.1, "BO/2026/0002", "x"],
    ]
    batch = ck.preview(xlsx, ck.xlsx_bytes(rows), by=accountant)
    assert (batch.rows_new, batch.rows_unchanged, batch.problems) == (0, 2, [])


def test_bad_rows_are_reported_exactly_and_the_rest_go_in(accounts, accountant):
    profile = ck.fk_profile(header_row=1)
    batch = ck.preview(profile, "charges-bad-rows.csv", by=accountant)
    assert [(p["line"], p["field"]) for p in batch.problems] == [
        (3, "account"),
        (4, "amount"),
        (5, "booking_date"),
        (7, "reference"),
        (8, "component"),
        (9, "due_date"),
        (10, "amount"),
        (13, "amount"),
    ]
    reasons = {p["line"]: p["reason"] for p in batch.problems}
    assert "99999" in reasons[3] and "12,3,4" in reasons[4] and "31.02.2026" in reasons[5]
    assert reasons[7] == "duplikat wiersza 6"  # in the cooperative's language
    assert (batch.rows_total, batch.rows_new, batch.rows_error) == (11, 3, 8)
    # Reconciliation: the file declares 700,00; its good rows make 612,44.
    assert (batch.declared_total, batch.imported_total, batch.difference) == (D("700.00"), D("612.44"), D("87.56"))
    batch = services.charge_import_confirm(batch=batch, by=accountant)
    assert batch.state == S.IMPORTED and batch.rows_new == 3 and batch.difference == D("87.56")
    assert sorted(e[6] for e in ck.ledger()) == ["N/2026/05/0001", "N/2026/05/0005", "N/2026/05/0009"]
    assert LedgerEntry.objects.get(source_reference="N/2026/05/0009").title == "Tytuł\nw dwóch wierszach"


def test_a_typed_total_is_reconciled_when_the_file_has_none(accounts, accountant):
    profile = ck.water_profile()
    batch = ck.preview(profile, "charges-cp1250.csv", by=accountant, declared_total="291,00")
    assert (batch.declared_total, batch.imported_total, batch.difference) == (D("291.00"), D("291.20"), D("-0.20"))
    with pytest.raises(ServiceError) as error:
        ck.preview(profile, "charges-cp1250.csv", by=accountant, declared_total="abc")
    assert error.value.field == "declared_total"


def test_a_reference_imported_with_other_details_is_a_conflict(accounts, fk, accountant):
    imported(fk, "charges-utf8.csv", by=accountant)
    changed = ck.sample("charges-utf8.csv").replace(b"312,45", b"313,45").replace(b"4 631,67", b"4 632,67")
    batch = ck.preview(fk, changed, by=accountant, file_name="changed.csv")
    assert [(p["line"], p["status"]) for p in batch.problems] == [(3, "conflict")]
    assert (batch.rows_new, batch.rows_unchanged, batch.rows_conflict) == (0, 4, 1)
    assert batch.difference == D("313.45")
    services.charge_import_confirm(batch=batch, by=accountant)
    assert LedgerEntry.objects.get(source_reference="N/2026/03/0001").amount == D("312.45")


def test_the_same_reference_twice_in_a_file_with_other_details_goes_in_neither_time(accounts, fk, accountant):
    text = ck.sample("charges-utf8.csv").decode().replace("N/2026/03/0003", "N/2026/03/0001")
    batch = ck.preview(fk, text.encode(), by=accountant, file_name="dup.csv")
    assert [p["line"] for p in batch.problems] == [3, 5]
    assert all("3, 5" in p["reason"] for p in batch.problems)


def test_rows_are_found_by_building_and_unit_in_a_windows_1250_file(accounts, accountant):
    for encoding in ("cp1250", ""):
        profile = ck.water_profile(name=f"media {encoding}", source=f"media{encoding}", encoding=encoding)
        batch = ck.preview(profile, "charges-cp1250.csv", by=accountant)
        assert (batch.rows_new, batch.problems) == (3, [])
    batch = services.charge_import_confirm(batch=batch, by=accountant)
    entries = LedgerEntry.objects.filter(import_batch=batch).order_by("pk")
    assert [(e.account.identifier, e.component, e.amount, e.period) for e in entries] == [
        (40001, "cold_water", D("45.20"), date(2026, 4, 1)),
        (40002, "heating", D("210.00"), date(2026, 4, 1)),
        (40003, "waste", D("36.00"), date(2026, 4, 1)),
    ]
    assert entries[2].title == "Wywóz śmieci – kwiecień"


def test_a_unit_is_matched_to_the_account_open_on_the_booking_date(accounts, accountant, building_a):
    first = accounts[0]
    services.account_close(account=first, closed_on=date(2026, 3, 31))
    successor = kit.open_account(first.unit, identifier=40011, payer_name="Nowy Właściciel", opened_on=date(2026, 4, 1))
    batch = imported(ck.water_profile(), "charges-cp1250.csv", by=accountant)
    assert LedgerEntry.objects.get(import_batch=batch, source_reference="W/2026/04/1").account == successor
    data = ck.sample("charges-cp1250.csv").decode("cp1250").replace("A,1,", "A,9,").encode("cp1250")
    batch = ck.preview(ck.water_profile(name="other", source="other"), data, by=accountant, file_name="x.csv")
    assert [p["reason"] for p in batch.problems] == ["nieznany lokal: A/9"]


def test_xlsx_amounts_are_exact(accounts, accountant):
    profile = ck.fk_profile(name="FK – XLSX", file_format="xlsx", header_row=1, total_label="")
    batch = ck.preview(profile, ck.xlsx_bytes(ck.xlsx_rows()), by=accountant)
    assert batch.problems == []
    batch = services.charge_import_confirm(batch=batch, by=accountant)
    amounts = list(LedgerEntry.objects.filter(import_batch=batch).order_by("pk").values_list("amount", flat=True))
    assert amounts == [D("0.30"), D("1234.56"), D("2.68"), D("45.00"), D("1234.56")]
    assert batch.imported_total == D("2517.10")


def test_kept_credit_is_carried_to_imported_charges_as_entry_post_carries_it(accounts, fk, accountant):
    # The same history twice: once through entry_post, once through the import.
    posted, imported_account = accounts[0], accounts[1]
    for account in (posted, imported_account):
        kit.pay(account, "500.00", on=date(2026, 2, 20))
    kit.charge(posted, "312.45", due=date(2026, 3, 10), booked=date(2026, 3, 1))
    kit.charge(posted, "1234.56", due=date(2026, 3, 15), booked=date(2026, 3, 1), component="repair_fund")
    rows = [
        [40002, "N", "EKS", "03/2026", date(2026, 3, 1), date(2026, 3, 10), 312.45, "C/1", ""],
        [40002, "N", "FR", "03/2026", date(2026, 3, 1), date(2026, 3, 15), 1234.56, "C/2", ""],
    ]
    profile = ck.fk_profile(name="x", file_format="xlsx", header_row=1)
    services.charge_import_confirm(batch=ck.preview(profile, ck.xlsx_bytes(rows), by=accountant), by=accountant)

    def shape(account):
        debts = {e.pk: i for i, e in enumerate(LedgerEntry.objects.filter(account=account).order_by("pk"))}
        return [
            (debts[a.credit_id], debts.get(a.debt_id), a.amount, a.reason)
            for a in Allocation.objects.filter(credit__account=account).order_by("pk")
        ]

    assert shape(imported_account) == shape(posted)
    assert kit.kept(imported_account) == D("0.00")
    assert selectors.account_balance(imported_account) == selectors.account_balance(posted)


def test_reverse_brings_every_balance_back_to_the_grosz(accounts, fk, accountant):
    kit.pay(accounts[0], "100.00", on=date(2026, 2, 25))
    kit.charge(accounts[2], "80.00", due=date(2026, 2, 10), booked=date(2026, 2, 1))
    before = {
        a.pk: (selectors.account_balance(a), selectors.account_aged_debt(a, as_of=date(2026, 6, 1)), kit.kept(a))
        for a in accounts
    }
    batch = imported(fk, "charges-utf8.csv", by=accountant)
    assert kit.kept(accounts[0]) == D("0.00")  # the 100 zł paid the charges at once
    count = LedgerEntry.objects.count()
    batch = services.charge_import_reverse(batch=batch, by=accountant)
    assert batch.state == S.REVERSED and batch.reversed_by == accountant and batch.reversed_at
    assert LedgerEntry.objects.count() == count + 5  # nothing deleted: a correction of each
    corrections = LedgerEntry.objects.filter(corrects__import_batch=batch)
    assert sorted(c.amount for c in corrections) == sorted(
        -e.amount for e in LedgerEntry.objects.filter(import_batch=batch)
    )
    assert all(c.booking_date == c.corrects.booking_date for c in corrections)
    # Account 40002 had no credit: its corrections were inserted at once; the others went
    # through entry_post. Both look alike.
    shapes = {
        (c.kind, c.component == c.corrects.component, c.period == c.corrects.period, c.due_date, c.title)
        for c in corrections.select_related("corrects")
    }
    assert shapes == {("correction", True, True, None, f"Storno importu naliczeń nr {batch.pk}")}
    assert {c.created_by_process for c in corrections} == {f"charge import #{batch.pk} reversed"}
    after = {
        a.pk: (selectors.account_balance(a), selectors.account_aged_debt(a, as_of=date(2026, 6, 1)), kit.kept(a))
        for a in accounts
    }
    assert after == before
    with pytest.raises(ServiceError) as error:
        services.charge_import_reverse(batch=batch, by=accountant)
    assert error.value.code == "IMPORT_REVERSED"
    # Its references were reversed: importing them again is refused with a reason, not doubled.
    again = ck.preview(fk, "charges-utf8.csv", by=accountant)
    assert again.rows_new == 0 and again.rows_error == 5
    assert "wycofano" in again.problems[0]["reason"]


def test_only_a_previewed_or_failed_batch_is_confirmed_and_only_an_imported_one_reversed(accounts, fk, accountant):
    batch = ck.preview(fk, "charges-utf8.csv", by=accountant)
    with pytest.raises(ServiceError) as error:
        services.charge_import_reverse(batch=batch, by=accountant)
    assert error.value.code == "IMPORT_STATE_INVALID"
    services.charge_import_confirm(batch=batch, by=accountant)
    with pytest.raises(ServiceError) as error:
        services.charge_import_confirm(batch=batch, by=accountant)
    assert error.value.code == "IMPORT_STATE_INVALID"


def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_kept(fk, accountant):
    with pytest.raises(ServiceError) as error:
        ck.preview(fk, b"\x00\x01garbage;;\n", by=accountant, file_name="x.csv")
    assert error.value.code == "IMPORT_FILE_INVALID"
    assert ChargeImportBatch.objects.count() == 0
