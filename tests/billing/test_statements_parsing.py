"""Each bank statement sample parses to the expected lines: amounts to the grosz, Polish
letters intact, in every MT940 variant (PKO BP and mBank `~`, Pekao `^`, ING's lines and
slash keys; CP852, Windows-1250, UTF-8) and in camt.053 .001.02 and .001.08."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import override

from operations.billing.statements import StatementParseError, parse_statement_file
from operations.billing.statements.field86 import read_field86
from operations.billing.statements.profiles import PROFILES, decode
from operations.billing.statements.titles import identifiers, names_building, periods, unit_numbers

SAMPLES = Path(__file__).parent / "samples"
COOP = "PL74999000090000000000000001"
ACCOUNT_40012 = "PL56999000094000000000040012"  # build_account_number(40012) with the test settings
D = Decimal


def lines_of(name: str, profile: str):
    [statement] = parse_statement_file((SAMPLES / name).read_bytes(), profile)
    return statement, [
        (line.booking_date, line.amount, line.bank_reference, line.counterparty_name, line.title)
        for line in statement.lines
    ]


def test_pko_bp_tilde_windows_1250():
    statement, lines = lines_of("pko_bp.sta", "pko_bp")
    assert (statement.account, statement.number, statement.sequence, statement.currency) == (COOP, "45", "001", "PLN")
    assert (statement.opening_balance, statement.opening_date) == (D("12345.67"), date(2026, 3, 1))
    assert (statement.closing_balance, statement.closing_date) == (D("12008.01"), date(2026, 3, 31))
    assert lines == [
        (date(2026, 3, 2), D("512.34"), "PKO26030200001", "GRZEGORZ ŁĘŻAK", "Opłata eksploatacyjna 03/2026 lok. 12"),
        (
            date(2026, 3, 3),
            D("300.00"),
            "PKO26030300002",
            "ŻANETA WÓJCIK-ŚLĘZAK",
            "czynsz za mieszkanie Różana 3 m. 27 za 02.2026",
        ),
        (
            date(2026, 3, 5),
            D("-1250.00"),
            "PKO26030500003",
            "USŁUGI PORZĄDKOWE ŻURAW SP. Z O.O.",
            "Faktura FV/03/2026 sprzątanie klatek schodowych",
        ),
        (date(2026, 3, 6), D("100.00"), "PKO26030600004", "JAN NIEZNAŃSKI", "wpłata"),
    ]
    first = statement.lines[0]
    assert first.counterparty_account == "PL60102010260000123456789012"  # ~38
    assert first.own_account == ACCOUNT_40012  # the virtual account in :61:'s supplementary details
    assert first.type_code == "020"
    # ~30 + ~31 make the account when ~38 is missing
    assert read_field86("020~3010201026~310000123456789012")["account"] == "10201026" + "0000123456789012"


def test_mbank_cp852():
    statement, lines = lines_of("mbank.sta", "mbank")
    assert (statement.number, statement.opening_balance, statement.closing_balance) == ("12", D("5000"), D("6620"))
    assert lines == [
        (date(2026, 4, 2), D("620.00"), "MB2604020001", "Żaneta Wójcik-Ślęzak", "ident. 40013 eksploatacja 03/2026"),
        (date(2026, 4, 3), D("1000.00"), "MB2604030002", "Bożena Źdźbło", "opłaty M 44 kwiecień"),
    ]
    assert statement.lines[1].counterparty_account == "PL61109010140000071219812874"


def test_pekao_caret():
    statement, lines = lines_of("pekao.sta", "pekao")
    assert statement.closing_balance == D("2535.50")
    assert lines == [
        (date(2026, 5, 4), D("455.50"), "PEKAO000001", "Łucja Gołąb", "Lipowa 1/12 opłaty 04/2026"),
        (date(2026, 5, 5), D("80.00"), "PEKAO000002", "Anna Nowak", "odsetki i zaległość"),
    ]


def test_ing_lines_and_slash_keys():
    statement, lines = lines_of("ing.sta", "ing")
    assert (statement.number, statement.sequence) == ("3", "")
    assert lines == [
        (date(2026, 6, 1), D("333.33"), "ING00000000001", "GRZEGORZ ŁĘŻAK", "eksploatacja 05/2026 lok. 12 Lipowa 1"),
        (date(2026, 6, 2), D("210.00"), "ING00000000002", "Żaneta Wójcik-Ślęzak", "Różana 3 m. 27 opłata 06/2026"),
    ]
    assert statement.lines[1].counterparty_account == "PL69114020040000398765432101"


@pytest.mark.parametrize("name", ["mt940_cp852.sta", "mt940_cp1250.sta"])
@pytest.mark.parametrize("profile", ["pko_bp", "mt940_cp852", "mt940_cp1250"])
def test_encodings_detected_or_given(name, profile):
    data = (SAMPLES / name).read_bytes()
    given = PROFILES[profile].encoding
    if given and given.replace("cp", "mt940_cp") != name.split(".")[0]:
        # the wrong encoding given: refused (a byte it lacks), or the letters come out wrong
        try:
            [statement] = parse_statement_file(data, profile)
        except StatementParseError as error:
            assert error.line == 6
        else:
            assert "Zażółć gęślą jaźń" not in statement.lines[0].title
        return
    [statement] = parse_statement_file(data, profile)
    line = statement.lines[0]
    assert line.title == "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ lok. 13 ident. 40013"
    assert line.counterparty_name == "Paweł Ćwikła-Źrebię"
    assert line.amount == D("99.99")


def test_utf8_and_bom():
    text = "Zażółć"
    assert decode(("\ufeff" + text).encode("utf-8")) == text
    assert decode(text.encode("cp852")) == text
    assert decode(text.encode("cp1250")) == text


@pytest.mark.parametrize("name", ["camt053_001_02.xml", "camt053_001_08.xml"])
def test_camt053_both_versions(name):
    statement, lines = lines_of(name, "camt053")
    assert (statement.account, statement.number, statement.currency) == (COOP, "7", "PLN")
    assert (statement.opening_balance, statement.closing_balance) == (D("10000.00"), D("9562.34"))
    assert (statement.opening_date, statement.closing_date) == (date(2026, 7, 1), date(2026, 7, 31))
    assert lines == [
        (date(2026, 7, 1), D("512.34"), "CAMT-0001", "Grzegorz Łężak", "Opłata eksploatacyjna 07/2026"),
        (date(2026, 7, 2), D("300.00"), "CAMT-0002", "Żaneta Wójcik-Ślęzak", "Różana 3 lok. 27 czynsz 07/2026"),
        (
            date(2026, 7, 3),
            D("-1250.00"),
            "CAMT-0003",
            "Usługi Porządkowe Żuraw sp. z o.o.",
            "FV/07/2026 sprzątanie",
        ),
    ]
    first = statement.lines[0]
    assert (first.counterparty_account, first.own_account) == ("PL60102010260000123456789012", ACCOUNT_40012)


def test_two_statements_in_one_file():
    data = (SAMPLES / "pko_bp.sta").read_bytes() + (SAMPLES / "mt940_cp1250.sta").read_bytes()
    first, second = parse_statement_file(data, "mt940_cp1250")
    assert (first.number, second.number) == ("45", "46")
    assert (first.lines[0].line, second.lines[0].line) == (5, 23)  # counted from the start of the file


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (":20:X\n:25:/PL1\n:28C:1\n:60F:C260301PLN1,00\n:61:XX\n:62F:C260331PLN1,00\n-\n", 5, ":61:"),
        (":20:X\n:25:/PL1\n:28C:1\n:60F:C26030PLN1,00\n:62F:C260331PLN1,00\n-\n", 4, ":60F:"),
        (":20:X\n:25:/PL1\n:28C:1\n:60F:C260301PLN1,00\n:99:what\n:62F:C260331PLN1,00\n-\n", 5, ":99:"),
        (":20:X\n:25:/PL1\n:28C:1\n:60F:C260301PLN1,00\n-\n", 1, ":62F:"),
        ("hello\n", 1, "unexpected"),
    ],
)
def test_bad_mt940_names_the_line(text, line, reason):
    with override("en"), pytest.raises(StatementParseError) as caught:
        parse_statement_file(text.encode(), "pko_bp")
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_bad_camt_names_the_line_and_refuses_entities():
    with pytest.raises(StatementParseError) as caught:
        parse_statement_file(b"<?xml version='1.0'?>\n<Document>\n<Stmt>\n</Document>", "camt053")
    assert caught.value.line == 4
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    )
    with pytest.raises(StatementParseError):
        parse_statement_file(xxe, "camt053")
    with override("pl"), pytest.raises(StatementParseError, match="to nie jest dokument camt.053"):
        parse_statement_file(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "camt053")


def test_field86_forms():
    tilde = read_field86("020~00TRF~20Za lok~21al 12~27Jan ~28Kowalski~29Lipowa 1~38PL60102010260000123456789012")
    assert (tilde["title"], tilde["name"], tilde["address"]) == ("Za lokal 12", "Jan Kowalski", "Lipowa 1")
    wrapped = read_field86("020~20opłata za mar\nzec~27Łucja")  # a line break inside a subfield
    assert (wrapped["title"], wrapped["name"]) == ("opłata za marzec", "Łucja")
    caret = read_field86("020^20tytuł^27Nazwa", "^")
    assert (caret["title"], caret["name"]) == ("tytuł", "Nazwa")
    angle = read_field86("020<20tytuł<27Nazwa<38PL60102010260000123456789012", "<")
    assert (angle["title"], angle["name"], angle["account"]) == ("tytuł", "Nazwa", "PL60102010260000123456789012")
    plain = read_field86("020 przelew\nJAN KOWALSKI\nM 12 03/2026")
    assert (plain["code"], plain["name"], plain["title"]) == ("020", "JAN KOWALSKI", "przelew M 12 03/2026")


def test_title_rules():
    assert periods("eksploatacja 03/2026, 2026-04 i 5.2026") == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    assert periods("faktura 13/2026 nr 123/20261") == []
    assert unit_numbers("Lipowa 1/12A opłaty") == ["12A"]
    assert unit_numbers("lok. 7, m 8, mieszk. 9") == ["7", "8", "9"]
    assert unit_numbers("opłata 03/2026") == []
    assert identifiers("Ident.: 40012") == [40012]
    assert names_building("ŁĄKOWA 5 m 3", "ul. Łąkowa", "5")
    assert not names_building("Łąkowa 51 m 3", "ul. Łąkowa", "5")
