"""Importing bank statements (`services.statement_import`): the payments they bring are
matched (by the individual account number, then by the title), recorded with the
designation their title makes, and the rest wait in the queue; the same or an overlapping
statement imported again changes nothing; gaps and balance mismatches are flagged; a file
that cannot be read writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from cms.core.exceptions import ServiceError
from operations.billing import services
from operations.billing.errors import BillingErrorCode
from operations.billing.models import Allocation, BankStatement, BankTransaction, LedgerEntry
from operations.billing.selectors.ledger import account_balance
from tests.billing import kit
from tests.factories.residents import BuildingFactory, UnitFactory, UserFactory

SAMPLES = Path(__file__).parent / "samples"
S = BankTransaction.State
D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(building_a, estate):
    building_b = BuildingFactory(estate=estate, code="B", street="ul. Różana", number="3")

    def open_(building, number, identifier, payer):
        unit = UnitFactory(building=building, number=number)
        return kit.open_account(unit, payer_name=payer, identifier=identifier)

    return {
        "lezak": open_(building_a, "12", 40012, "Grzegorz Łężak"),
        "slezak": open_(building_b, "27", 40013, "Żaneta Wójcik-Ślęzak"),
        "zdzblo": open_(building_b, "44", 40044, "Bożena Źdźbło"),
        "nowak": open_(building_a, "7", 40058, "Anna Nowak"),
    }


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def imported(name: str, profile: str, **kwargs):
    return services.statement_import(file=sample(name), profile=profile, process="tests", **kwargs)


def states() -> list[tuple]:
    return list(
        BankTransaction.objects.order_by("booking_date", "id").values_list(
            "bank_reference", "state", "matched_by", "account__identifier", "suggested_account__identifier"
        )
    )


def ledger() -> list[tuple]:
    return list(LedgerEntry.objects.order_by("id").values_list("account_id", "kind", "amount", "source_reference"))


def test_pko_statement_matches_by_account_number_and_title(accounts):
    lezak = accounts["lezak"]
    february = kit.charge(lezak, "400.00", due=date(2026, 2, 10))
    march = kit.charge(lezak, "512.34", due=date(2026, 3, 10))
    result = imported("pko_bp.sta", "pko_bp")
    assert (result.statements_created, len(result.created), result.skipped) == (1, 4, 0)
    assert states() == [
        ("PKO26030200001", S.MATCHED, "account_number", 40012, None),
        ("PKO26030300002", S.MATCHED, "title", 40013, None),  # "Różana 3 m. 27"
        ("PKO26030500003", S.IGNORED, "", None, None),  # money out
        ("PKO26030600004", S.UNMATCHED, "", None, None),
    ]
    line = BankTransaction.objects.get(bank_reference="PKO26030200001")
    assert line.payment.amount == D("-512.34")
    assert (line.payment.source, line.payment.booking_date) == ("bank", date(2026, 3, 2))
    assert line.payment.title == "Opłata eksploatacyjna 03/2026 lok. 12"
    # "03/2026" designates March's charge although February's is older (art. 451 § 1)
    assert kit.paid_to(march) == D("512.34")
    assert kit.paid_to(february) == D("0.00")
    assert account_balance(lezak).balance == D("-400.00")
    assert account_balance(accounts["slezak"]).balance == D("300.00")  # nothing owed: kept as credit
    statement = result.statements[0]
    assert (statement.number, statement.opening_balance, statement.closing_balance) == (
        "45",
        D("12345.67"),
        D("12008.01"),
    )
    assert not statement.is_flagged


def test_without_a_period_the_oldest_debt_is_paid(accounts):
    lezak = accounts["lezak"]
    february = kit.charge(lezak, "400.00", due=date(2026, 2, 10))
    imported("ing.sta", "ing")  # "eksploatacja 05/2026 lok. 12 Lipowa 1", nothing charged for May
    assert kit.paid_to(february) == D("333.33")
    assert states()[0][:4] == ("ING00000000001", S.MATCHED, "title", 40012)


def test_same_file_twice_changes_nothing(accounts):
    kit.charge(accounts["lezak"], "512.34", due=date(2026, 3, 10))
    imported("pko_bp.sta", "pko_bp")
    before = (ledger(), states(), Allocation.objects.count(), BankStatement.objects.count())
    again = imported("pko_bp.sta", "pko_bp")
    assert (again.statements_created, again.created, again.skipped) == (0, [], 4)
    assert (ledger(), states(), Allocation.objects.count(), BankStatement.objects.count()) == before


def test_overlapping_statement_adds_only_new_lines(accounts):
    imported("pko_bp.sta", "pko_bp")
    text = sample("pko_bp.sta").decode("cp1250")
    # an interim statement of the same days, with one more line, from another export
    extra = ":61:2603070307C50,00NTRFNONREF//PKO26030700005\r\n:86:020~20wpłata M 44~27Bożena Źdźbło\r\n"
    text = text.replace(":28C:00045/001", ":28C:00045/002").replace(
        ":62F:C260331PLN12008,01", extra + ":62F:C260331PLN12058,01"
    )
    result = services.statement_import(file=text.encode("cp1250"), profile="pko_bp", process="tests")
    assert (result.statements_created, len(result.created), result.skipped) == (1, 1, 4)
    assert result.created[0].state == S.SUGGESTED
    assert result.created[0].suggested_account == accounts["zdzblo"]
    assert LedgerEntry.objects.filter(kind="payment").count() == 2
    assert not result.statements[0].number_gap  # another page of the same number


def test_gap_and_balance_mismatch_are_flagged(accounts):
    imported("pko_bp.sta", "pko_bp")  # number 45, closing 12 008,01 on 31.03
    following = imported("mt940_cp1250.sta", "mt940_cp1250").statements[0]  # 46, opening 12 008,01
    assert not following.is_flagged
    mbank = imported("mbank.sta", "mbank").statements[0]  # 12, opening 5 000,00 on 01.04
    assert (mbank.number_gap, mbank.balance_mismatch, mbank.totals_mismatch) == (True, True, False)
    assert BankStatement.objects.get(pk=mbank.pk).is_flagged


def test_lines_that_do_not_add_up_are_flagged(accounts):
    text = sample("pekao.sta").replace(b":62F:C260531PLN2535,50", b":62F:C260531PLN2535,51")
    statement = services.statement_import(file=text, profile="pekao", process="tests").statements[0]
    assert (statement.totals_mismatch, statement.number_gap, statement.balance_mismatch) == (True, False, False)


def test_title_suggestions_and_identifier(accounts):
    imported("mbank.sta", "mbank")
    imported("pekao.sta", "pekao")
    assert states() == [
        ("MB2604020001", S.MATCHED, "title", 40013, None),  # "ident. 40013"
        ("MB2604030002", S.SUGGESTED, "", None, 40044),  # "M 44", no building named
        ("PEKAO000001", S.MATCHED, "title", 40012, None),  # "Lipowa 1/12"
        ("PEKAO000002", S.SUGGESTED, "", None, 40058),  # the payer's name only
    ]


def test_unit_number_in_two_buildings_is_not_guessed(accounts, building_a):
    kit.open_account(UnitFactory(building=building_a, number="44"), payer_name="Ktoś Inny", identifier=40070)
    imported("mbank.sta", "mbank")
    # "M 44" is in A and in B: no match by unit; the payer's name still suggests her account
    assert states()[1][1:] == (S.SUGGESTED, "", None, 40044)
    text = (
        sample("mbank.sta")
        .replace("Bożena Źdźbło".encode("cp852"), b"B. Zdzblo")
        .replace(b"MB2604030002", b"MB2604030003")
    )
    services.statement_import(file=text, profile="mbank", process="tests")
    assert states()[2][:5] == ("MB2604030003", S.UNMATCHED, "", None, None)


@pytest.mark.parametrize("name", ["camt053_001_02.xml", "camt053_001_08.xml"])
def test_camt_matches_the_creditor_account(accounts, name):
    lezak = accounts["lezak"]
    july = kit.charge(lezak, "512.34", due=date(2026, 7, 10))
    imported(name, "camt053")
    assert states() == [
        ("CAMT-0001", S.MATCHED, "account_number", 40012, None),  # CdtrAcct is the virtual account
        ("CAMT-0002", S.MATCHED, "title", 40013, None),
        ("CAMT-0003", S.IGNORED, "", None, None),
    ]
    assert kit.paid_to(july) == D("512.34")


def test_confirm_from_the_queue(accounts, accountant):
    zdzblo = accounts["zdzblo"]
    april = kit.charge(zdzblo, "1000.00", due=date(2026, 4, 10))
    imported("mbank.sta", "mbank")
    line = BankTransaction.objects.get(bank_reference="MB2604030002")
    confirmed = services.transaction_match_confirm(transaction=line, account=zdzblo, by=accountant)
    assert (confirmed.state, confirmed.matched_by, confirmed.account, confirmed.confirmed_by) == (
        S.MATCHED,
        "person",
        zdzblo,
        accountant,
    )
    assert confirmed.payment.amount == D("-1000.00") and confirmed.payment.created_by == accountant
    assert kit.paid_to(april) == D("1000.00")
    with pytest.raises(ServiceError) as again:
        services.transaction_match_confirm(transaction=line, account=zdzblo, by=accountant)
    assert again.value.code == BillingErrorCode.TRANSACTION_STATE_INVALID
    assert LedgerEntry.objects.filter(kind="payment", account=zdzblo).count() == 1


def test_confirm_and_ignore_need_the_permission(accounts, accountant):
    imported("pko_bp.sta", "pko_bp")
    line = BankTransaction.objects.get(bank_reference="PKO26030600004")
    with pytest.raises(ServiceError) as refused:
        services.transaction_match_confirm(transaction=line, account=accounts["nowak"], by=UserFactory())
    assert refused.value.code == BillingErrorCode.FORBIDDEN
    outgoing = BankTransaction.objects.get(bank_reference="PKO26030500003")
    with pytest.raises(ServiceError) as money_out:
        services.transaction_match_confirm(transaction=outgoing, account=accounts["nowak"], by=accountant)
    assert money_out.value.code == BillingErrorCode.TRANSACTION_STATE_INVALID
    ignored = services.transaction_ignore(transaction=line, by=accountant)
    assert (ignored.state, ignored.confirmed_by) == (S.IGNORED, accountant)
    with pytest.raises(ServiceError):
        services.statement_import(file=sample("pko_bp.sta"), profile="pko_bp", by=UserFactory())


def test_bad_file_writes_nothing(accounts):
    good = sample("pko_bp.sta").decode("cp1250")
    bad = good + good.replace(":28C:00045/001", ":28C:00046/001").replace(":61:2603060306C100,00", ":61:26030X")
    with pytest.raises(ServiceError) as caught:
        services.statement_import(file=bad.encode("cp1250"), profile="pko_bp", process="tests")
    assert caught.value.code == BillingErrorCode.STATEMENT_INVALID
    assert caught.value.field == "file"
    with override("pl"), pytest.raises(ServiceError) as polish:
        services.statement_import(file=bad.encode("cp1250"), profile="pko_bp", process="tests")
    # the second statement's fourth :61:
    assert polish.value.message.startswith("Nie można odczytać wyciągu w wierszu 33: nie można odczytać operacji :61:")
    assert (BankStatement.objects.count(), BankTransaction.objects.count(), LedgerEntry.objects.count()) == (0, 0, 0)
    with pytest.raises(ServiceError) as profile:
        services.statement_import(file=b"x", profile="nope", process="tests")
    assert profile.value.code == BillingErrorCode.PROFILE_INVALID


def _statement(lines: int, start: int = 0) -> bytes:
    body = []
    for n in range(start, start + lines):
        body.append(f":61:2603020302C10,00NTRFNONREF//Q{n:06d}\r\n")
        body.append(":86:020~20opłata 03/2026~27Grzegorz Łężak~38PL56999000094000000000040012\r\n")
    total = f"{1000 + 10 * lines},00"
    return (
        ":20:Q\r\n:25:/PL74999000090000000000000001\r\n:28C:1/1\r\n:60F:C260301PLN1000,00\r\n"
        + "".join(body)
        + f":62F:C260331PLN{total}\r\n-\r\n"
    ).encode("cp1250")


def test_query_count_is_fixed_per_matched_payment(accounts):
    kit.charge(accounts["lezak"], "5000.00", due=date(2026, 3, 10))
    counts = {}
    for lines, start in ((5, 0), (10, 100)):
        data = _statement(lines, start).replace(b":28C:1/1", f":28C:{lines}/1".encode())
        with CaptureQueriesContext(connection) as queries:
            result = services.statement_import(file=data, profile="pko_bp", process="tests")
        assert len(result.created) == lines and all(row.state == S.MATCHED for row in result.created)
        counts[lines] = len(queries)
    per_payment = (counts[10] - counts[5]) / 5
    fixed = counts[5] - 5 * per_payment
    print(f"statement import: {fixed:.0f} queries + {per_payment:.0f} per matched payment")
    assert per_payment <= 12
    assert fixed <= 15
