"""Large charge files in Celery (eager in tests) with progress, a batch that fails half-way
and is confirmed again, and who may import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cms.core.exceptions import ServiceError
from operations.billing import services
from operations.billing.models import ChargeImportBatch, LedgerEntry
from operations.billing.services import imports as import_services
from tests.billing import charge_import_kit as ck
from tests.billing import kit
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
S = ChargeImportBatch.State


@pytest.fixture
def accounts(building_a):
    return ck.accounts(building_a)


def _year_file() -> bytes:
    """A year of two components for the three accounts: 72 rows."""
    lines = ["Konto;Rodzaj;Składnik;Okres;Data księgowania;Termin płatności;Kwota;Nr dokumentu;Opis"]
    for month in range(1, 13):
        for identifier in (40001, 40002, 40003):
            for code, amount in (("EKS", "312,45"), ("FR", "1 000,01")):
                lines.append(
                    f"{identifier};N;{code};{month:02d}/2026;01.{month:02d}.2026;10.{month:02d}.2026;{amount};"
                    f"Y/{identifier}/{month}/{code};{code} {month:02d}/2026"
                )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_services, "LARGE_FILE_ROWS", 10)
    monkeypatch.setattr(import_services, "CHUNK_ROWS", 20)


def test_a_large_file_runs_in_celery_after_commit_with_progress(
    accounts, accountant, small_chunks, monkeypatch, django_capture_on_commit_callbacks
):
    profile = ck.fk_profile(header_row=1)
    batch = ck.preview(profile, _year_file(), by=accountant, file_name="year.csv")
    assert batch.rows_total == 72
    seen = []
    write = import_services._write_chunk

    def watching(rows, batch, *args):
        seen.append(ChargeImportBatch.objects.get(pk=batch.pk).rows_done)
        return write(rows, batch, *args)

    monkeypatch.setattr(import_services, "_write_chunk", watching)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = import_services.charge_import_confirm(batch=batch, by=accountant, now=False)
    assert queued.state == S.RUNNING and LedgerEntry.objects.count() == 0  # nothing until the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    batch.refresh_from_db()
    assert batch.state == S.IMPORTED and batch.rows_new == 72 and batch.rows_done == 72
    assert seen == [0, 20, 40, 60]  # the progress moved chunk by chunk
    assert LedgerEntry.objects.filter(import_batch=batch).count() == 72
    # The task delivered twice does nothing more.
    assert services.charge_import_run(batch_id=batch.pk, by_id=accountant.pk) == S.IMPORTED
    assert LedgerEntry.objects.count() == 72


def test_the_task_calls_the_service(accounts, accountant, small_chunks, django_capture_on_commit_callbacks):
    from operations.billing.tasks import charge_import_run

    batch = ck.preview(ck.fk_profile(header_row=1), _year_file(), by=accountant, file_name="year.csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.charge_import_confirm(batch=batch, by=accountant)
    batch.refresh_from_db()
    assert batch.state == S.IMPORTED
    assert charge_import_run.apply((batch.pk, accountant.pk)).get() == S.IMPORTED


def test_a_batch_that_fails_half_way_keeps_whole_rows_and_is_confirmed_again(
    accounts, accountant, small_chunks, monkeypatch
):
    kit.pay(accounts[0], "50.00", on=date(2025, 12, 20))  # kept credit: this account's rows go one by one
    batch = ck.preview(ck.fk_profile(header_row=1), _year_file(), by=accountant, file_name="year.csv")
    write = import_services._write_chunk
    calls = []

    def failing(rows, *args):
        calls.append(len(rows))
        written = write(rows, *args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return written

    monkeypatch.setattr(import_services, "_write_chunk", failing)
    batch = import_services.charge_import_confirm(batch=batch, by=accountant, now=True)
    assert batch.state == S.FAILED and "disk full" in batch.failure
    assert LedgerEntry.objects.filter(import_batch=batch).count() == 20  # the first chunk, whole
    assert batch.rows_done == 20
    # The 50 zł kept were carried to the first chunk's charges with them, never half-written.
    first = LedgerEntry.objects.filter(import_batch=batch, account=accounts[0])
    assert sum(kit.paid_to(entry) for entry in first) == D("50.00") and kit.kept(accounts[0]) == D("0.00")
    monkeypatch.setattr(import_services, "_write_chunk", write)
    batch = services.charge_import_confirm(batch=batch, by=accountant, now=True)
    assert batch.state == S.IMPORTED and batch.rows_new == 52 and batch.rows_unchanged == 20
    assert LedgerEntry.objects.filter(import_batch=batch).count() == 72
    assert kit.kept(accounts[0]) == D("0.00")


def _worker():
    from tests.factories.tickets import firm, worker

    return worker(firm(title="Hydro-Serwis"), username="monter")


@pytest.mark.parametrize("who", ["dispatcher", "resident", "worker", "anonymous", "poster"])
def test_only_who_may_import_imports(accounts, accountant, who, resident):
    from django.contrib.auth.models import AnonymousUser

    from operations.residents import services as residents
    from operations.residents.roles import StaffRole

    if who == "dispatcher":
        person = UserFactory(username="dyspozytor")
        residents.staff_role_assign(user=person, role=StaffRole.DISPATCHER)
    elif who == "resident":
        person = resident(accounts[0].unit)
    elif who == "worker":
        # Even given every accountant's permission by mistake.
        from operations.billing.policy import PERMISSIONS_ACCOUNTANT

        person = kit.grant(_worker(), *PERMISSIONS_ACCOUNTANT)
    elif who == "poster":
        person = kit.grant(UserFactory(username="poster"), "billing.post_ledgerentry")
    else:
        person = AnonymousUser()
    profile = ck.fk_profile()
    with pytest.raises(ServiceError) as error:
        ck.preview(profile, "charges-utf8.csv", by=person)
    assert error.value.code == "FORBIDDEN"
    batch = ck.preview(profile, "charges-utf8.csv", by=accountant)
    for service in (services.charge_import_confirm, services.charge_import_reverse):
        with pytest.raises(ServiceError) as error:
            service(batch=batch, by=person)
        assert error.value.code == "FORBIDDEN"
    assert LedgerEntry.objects.count() == 0


def test_the_accountants_role_may_import(accounts):
    from operations.residents import services as residents
    from operations.residents.roles import StaffRole

    person = UserFactory(username="ksiegowa2")
    residents.staff_role_assign(user=person, role=StaffRole.ACCOUNTANT)
    batch = ck.preview(ck.fk_profile(), "charges-utf8.csv", by=type(person).objects.get(pk=person.pk))
    assert batch.rows_new == 5


def test_a_batch_whose_task_was_lost_is_resumed(accounts, accountant, small_chunks):
    from datetime import timedelta

    from django.utils import timezone

    batch = ck.preview(ck.fk_profile(header_row=1), _year_file(), by=accountant, file_name="year.csv")
    batch = services.charge_import_confirm(batch=batch, by=accountant)  # queued; the broker lost it
    assert batch.state == S.RUNNING
    assert services.charge_imports_resume() == 0  # not stale yet
    with pytest.raises(ServiceError):
        services.charge_import_confirm(batch=batch, by=accountant)
    ChargeImportBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(minutes=11))
    assert services.charge_imports_resume() == 1
    batch.refresh_from_db()
    assert batch.state == S.IMPORTED and LedgerEntry.objects.filter(import_batch=batch).count() == 72
