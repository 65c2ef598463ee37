"""Independent: a hand-written PKO-style MT940 (field 86 with `~`) and a camt.053 for
accounts opened here, imported through `services.statement_import`; where each payment
lands, to the grosz; importing twice changes nothing; what cannot be matched waits.

Account A (unit 21 of ul. Lipowa 1, identifier 21): March maintenance 250,00 (due 10.03),
April maintenance 250,00 and repair fund 80,00 (due 10.04).
Account B (unit 5, identifier 40012): March 100,00 (due 10.03), April 150,00 (due 10.04).

MT940 of 20.04 (opening 1 000,00; +250 +100 +200 +50 −20 = closing 1 580,00):
1. 250,00 "eksploatacja 04/2026", A's number in ~38 → A by number, designated to April:
   April maintenance 250 (March is older, but the title binds)
2. 100,00 "Lipowa 1/21 czynsz" → A by title (building and unit), no period: March 100
3. 200,00 "ident. 40012 opłata" → B by identifier: March 100 + April 100 (50 left)
4. 50,00 "wpłata" from an unknown sender → unmatched queue
5. −20,00 bank fee → ignored
camt.053 of 21.04:
6. 80,00 to B's number (CdtrAcct), "opłata 04/2026": April 50, 30 kept as credit
7. 45,00 "m. 999" (no such unit) → unmatched
8. −10,00 → ignored
Then a person confirms 4 for A: oldest first, March 50 → March left 100,00.
A: debits 580,00, credits 400,00, balance −180,00. B: debits 250,00, credits 280,00, +30,00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.errors import BillingErrorCode
from operations.billing.models import Allocation, BankStatement, BankTransaction, LedgerEntry
from operations.billing.statements import parse_statement_file
from tests.factories.residents import UnitFactory

D = Decimal
K = LedgerEntry.Kind
C = LedgerEntry.Component
S = BankTransaction.State
P = "independent-test"
COOP = "PL74999000090000000000000001"  # the cooperative's own account at its bank (99900009)


def mt940(a_iban: str, number: str = "00042", opening: str = "1000,00", closing: str = "1580,00") -> bytes:
    text = f""":20:ST260420
:25:/{COOP}
:28C:{number}/001
:60F:C260419PLN{opening}
:61:2604200420C250,00S034NONREF//PKO260420001
:86:034~00VE02~20eksploatacja 04/2026~27JAN KOWALSKI~29ul. Lipowa 1/21~30
10901014~310000071219812874~38{a_iban}
:61:2604200420C100,00S034NONREF//PKO260420002
:86:034~00VE02~20Lipowa 1/21 czyn~21sz~27JAN KOWALSKI~3010901014~31000
0071219812874
:61:2604200420C200,00S034NONREF//PKO260420003
:86:034~00VE02~20ident. 40012 op~21łata~27EWA LIS~3010901014~310000071219812874
:61:2604200420C50,00S034NONREF//PKO260420004
:86:034~00VE02~20wpłata~27NIEZNANY NADAWCA
:61:2604200420D20,00S073NONREF//PKO260420005
:86:073~00OPLATA~20opłata za prowadzenie rachunku
:62F:C260420PLN{closing}
-
"""
    return text.encode("utf-8")


def camt(b_iban: str) -> bytes:
    def entry(ref, amount, indicator, party_xml, title):
        return f"""<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-04-21</Dt></BookgDt><ValDt><Dt>2026-04-21</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls>{party_xml}<RmtInf><Ustrd>{title}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""

    parties = f"""<RltdPties><Dbtr><Nm>EWA LIS</Nm></Dbtr>
<DbtrAcct><Id><IBAN>PL61109010140000071219812874</IBAN></Id></DbtrAcct>
<CdtrAcct><Id><IBAN>{b_iban}</IBAN></Id></CdtrAcct></RltdPties>"""
    stranger = "<RltdPties><Dbtr><Nm>KTOS OBCY</Nm></Dbtr></RltdPties>"
    entries = (
        entry("CAMT0001", "80.00", "CRDT", parties, "opłata 04/2026")
        + entry("CAMT0002", "45.00", "CRDT", stranger, "m. 999")
        + entry("CAMT0003", "10.00", "DBIT", "", "prowizja")
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-04-21T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-2026-04-21</Id><ElctrncSeqNb>77</ElctrncSeqNb><LglSeqNb>77</LglSeqNb>
<Acct><Id><IBAN>{COOP}</IBAN></Id><Ccy>PLN</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="PLN">1580.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-21</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="PLN">1695.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-21</Dt></Dt></Bal>
{entries}
</Stmt></BkToCstmrStmt></Document>""".encode()


def charge(account, amount, month, component=C.MAINTENANCE):
    return services.entry_post(
        account=account,
        kind=K.CHARGE,
        component=component,
        amount=amount,
        booking_date=date(2026, month, 1),
        due_date=date(2026, month, 10),
        process=P,
    )


def left(entry):
    return D(selectors.debts_outstanding(LedgerEntry.objects.filter(pk=entry.pk)).get().outstanding_grosze) / 100


def snapshot():
    return (
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "account_id", "kind", "amount")),
        list(Allocation.objects.order_by("pk").values_list("pk", "credit_id", "debt_id", "amount")),
        list(BankTransaction.objects.order_by("pk").values_list("pk", "state", "account_id", "payment_id")),
        BankStatement.objects.count(),
    )


@pytest.fixture
def books(db, building_a):
    a = services.account_open(
        unit=UnitFactory(building=building_a, number="21"),
        payer_name="Jan Kowalski",
        opened_on=date(2026, 1, 1),
        identifier=21,
    )
    b = services.account_open(
        unit=UnitFactory(building=building_a, number="5"),
        payer_name="Ewa Lis",
        opened_on=date(2026, 1, 1),
        identifier=40012,
    )
    e = {
        "a_mar": charge(a, "250,00", 3),
        "a_apr": charge(a, "250,00", 4),
        "a_apr_r": charge(a, "80,00", 4, C.REPAIR_FUND),
        "b_mar": charge(b, "100,00", 3),
        "b_apr": charge(b, "150,00", 4),
    }
    return a, b, e


def test_accounts_have_the_hand_built_numbers(books):
    a, b, _e = books
    # BBAN 99900009 4000 000000000021; 98 − (999000094000000000000021 252100 mod 97) = 09
    assert a.iban == "PL09999000094000000000000021"
    assert b.iban == "PL56999000094000000000040012"
    for iban in (a.iban, b.iban):
        assert 98 - int(iban[4:] + "252100") % 97 == int(iban[2:4])


def test_mt940_parses_to_the_hand_written_lines(books):
    a, _b, _e = books
    [statement] = parse_statement_file(mt940(a.iban), "pko_bp")
    assert (statement.account, statement.number, statement.opening_balance, statement.closing_balance) == (
        COOP,
        "42",
        D("1000.00"),
        D("1580.00"),
    )
    got = [(x.amount, x.bank_reference, x.title, x.counterparty_name) for x in statement.lines]
    assert got == [
        (D("250.00"), "PKO260420001", "eksploatacja 04/2026", "JAN KOWALSKI"),
        (D("100.00"), "PKO260420002", "Lipowa 1/21 czynsz", "JAN KOWALSKI"),  # wrapped inside ~31 and ~20/~21
        (D("200.00"), "PKO260420003", "ident. 40012 opłata", "EWA LIS"),
        (D("50.00"), "PKO260420004", "wpłata", "NIEZNANY NADAWCA"),
        (D("-20.00"), "PKO260420005", "opłata za prowadzenie rachunku", ""),
    ]


def test_camt_parses_to_the_hand_written_lines(books):
    _a, b, _e = books
    [statement] = parse_statement_file(camt(b.iban), "camt053")
    got = [(x.amount, x.bank_reference, x.title, x.own_account) for x in statement.lines]
    assert got == [
        (D("80.00"), "CAMT0001", "opłata 04/2026", b.iban),
        (D("45.00"), "CAMT0002", "m. 999", ""),
        (D("-10.00"), "CAMT0003", "prowizja", ""),
    ]


def test_import_lands_each_payment_on_the_right_account(books):
    a, b, e = books
    first = services.statement_import(file=mt940(a.iban), profile="pko_bp", process=P)
    assert first.statements_created == 1
    assert [(t.amount, t.state, t.account_id) for t in first.created] == [
        (D("250.00"), S.MATCHED, a.pk),
        (D("100.00"), S.MATCHED, a.pk),
        (D("200.00"), S.MATCHED, b.pk),
        (D("50.00"), S.UNMATCHED, None),
        (D("-20.00"), S.IGNORED, None),
    ]
    second = services.statement_import(file=camt(b.iban), profile="camt053", process=P)
    assert [(t.amount, t.state, t.account_id) for t in second.created] == [
        (D("80.00"), S.MATCHED, b.pk),
        (D("45.00"), S.UNMATCHED, None),
        (D("-10.00"), S.IGNORED, None),
    ]
    assert (left(e["a_mar"]), left(e["a_apr"]), left(e["a_apr_r"])) == (D("150.00"), D("0.00"), D("80.00"))
    assert (left(e["b_mar"]), left(e["b_apr"])) == (D("0.00"), D("0.00"))
    assert [c.kept_grosze for c in selectors.kept_credits(b)] == [3000]
    bb = selectors.account_balance(b)
    assert (bb.debits, bb.credits, bb.balance) == (D("250.00"), D("280.00"), D("30.00"))
    # the designated line went to April although March was older
    line1 = first.created[0].payment
    assert list(Allocation.objects.filter(credit=line1).values_list("debt_id", "amount", "reason")) == [
        (e["a_apr"].pk, D("250.00"), Allocation.Reason.DESIGNATED)
    ]
    assert line1.booking_date == date(2026, 4, 20) and line1.source == "bank"

    # the queue: confirm the unknown 50,00 for A, ignore the camt stranger
    waiting = BankTransaction.objects.filter(state__in=[S.UNMATCHED, S.SUGGESTED]).order_by("pk")
    assert [t.amount for t in waiting] == [D("50.00"), D("45.00")]
    confirmed = services.transaction_match_confirm(transaction=waiting[0], account=a, by=None, process=P)
    assert confirmed.state == S.MATCHED and confirmed.payment.amount == D("-50.00")
    services.transaction_ignore(transaction=waiting[1], by=None, process=P)
    assert left(e["a_mar"]) == D("100.00")
    ab = selectors.account_balance(a)
    assert (ab.debits, ab.credits, ab.balance) == (D("580.00"), D("400.00"), D("-180.00"))
    with pytest.raises(ServiceError) as refused:
        services.transaction_match_confirm(transaction=waiting[0], account=a, by=None, process=P)
    assert refused.value.code == BillingErrorCode.TRANSACTION_STATE_INVALID


def test_importing_twice_gives_the_same_ledger(books):
    a, b, _e = books
    services.statement_import(file=mt940(a.iban), profile="pko_bp", process=P)
    services.statement_import(file=camt(b.iban), profile="camt053", process=P)
    before = snapshot()
    again = services.statement_import(file=mt940(a.iban), profile="pko_bp", process=P)
    again_camt = services.statement_import(file=camt(b.iban), profile="camt053", process=P)
    assert (again.statements_created, again.skipped, again.created) == (0, 5, [])
    assert (again_camt.statements_created, again_camt.skipped, again_camt.created) == (0, 3, [])
    assert snapshot() == before


def test_an_overlapping_statement_adds_only_new_lines(books):
    a, _b, _e = books
    services.statement_import(file=mt940(a.iban), profile="pko_bp", process=P)
    before_entries = LedgerEntry.objects.count()
    # the same lines in a statement with another number: nothing new
    result = services.statement_import(file=mt940(a.iban, number="00043"), profile="pko_bp", process=P)
    assert result.created == [] and result.skipped == 5
    assert LedgerEntry.objects.count() == before_entries


def test_statement_flags(books):
    a, _b, _e = books
    services.statement_import(file=mt940(a.iban), profile="pko_bp", process=P)
    # next day's statement numbered 45 (skips 43, 44) opening 1 000,00 (previous closed 1 580,00)
    text = f""":20:ST260421
:25:/{COOP}
:28C:00045/001
:60F:C260421PLN1000,00
:61:2604210421C10,00S034NONREF//PKO260421001
:86:034~20wpłata~27KTOS
:62F:C260421PLN1010,00
-
""".encode()
    result = services.statement_import(file=text, profile="pko_bp", process=P)
    [row] = result.statements
    assert row.balance_mismatch and row.number_gap and not row.totals_mismatch
    first = BankStatement.objects.get(number="42")
    assert not (first.balance_mismatch or first.number_gap or first.totals_mismatch)


def test_a_bad_file_writes_nothing_and_names_the_line(books):
    a, _b, _e = books
    bad = mt940(a.iban).replace(b":61:2604200420C200,00", b":61:2604200420C2X0,00")
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.statement_import(file=bad, profile="pko_bp", process=P)
    assert refused.value.code == BillingErrorCode.STATEMENT_INVALID
    assert "11" in str(refused.value.message if hasattr(refused.value, "message") else refused.value)
    assert snapshot() == before


@pytest.mark.parametrize(("encoding", "profile"), [("cp1250", "pko_bp"), ("cp852", "pko_bp"), ("cp852", "mt940_cp852")])
def test_mt940_in_polish_legacy_encodings(books, encoding, profile):
    a, _b, _e = books
    data = mt940(a.iban).decode("utf-8").encode(encoding)
    [statement] = parse_statement_file(data, profile)
    assert [x.title for x in statement.lines][2:] == ["ident. 40012 opłata", "wpłata", "opłata za prowadzenie rachunku"]


def test_mt940_pekao_caret_subfields(books):
    a, _b, _e = books
    data = mt940(a.iban).replace(b"~", b"^")
    [statement] = parse_statement_file(data, "pekao")
    assert [x.title for x in statement.lines][:2] == ["eksploatacja 04/2026", "Lipowa 1/21 czynsz"]
    assert statement.lines[0].counterparty_name == "JAN KOWALSKI"


def test_a_title_naming_two_periods_designates_both(books):
    a, _b, e = books
    # 300,00 "eksploatacja 03/2026 04/2026" by A's number: March 250 (older of the two), April 50
    text = f""":20:ST260422
:25:/{COOP}
:28C:00043/001
:60F:C260421PLN1580,00
:61:2604220422C300,00S034NONREF//PKO260422001
:86:034~20eksploatacja 03/2026 04/2026~27JAN KOWALSKI~38{a.iban}
:62F:C260422PLN1880,00
-
""".encode()
    result = services.statement_import(file=text, profile="pko_bp", process=P)
    [row] = result.created
    assert row.state == S.MATCHED and row.account_id == a.pk
    assert (left(e["a_mar"]), left(e["a_apr"]), left(e["a_apr_r"])) == (D("0.00"), D("200.00"), D("80.00"))
    assert set(Allocation.objects.filter(credit=row.payment).values_list("reason", flat=True)) == {
        Allocation.Reason.DESIGNATED
    }
