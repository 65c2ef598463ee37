"""The transfer's 2D code as Polish banking apps read it (ZBP recommendation) and its SVG."""

from __future__ import annotations

from decimal import Decimal

import pytest

from operations.billing.documents.payment_qr import payment_qr_payload, qr_svg, qr_svg_document

IBAN = "PL61 1090 1014 0000 0712 1981 2874"


def _fields(payload: str) -> list[str]:
    return payload.split("|")


def test_the_nine_fields_in_order():
    payload = payment_qr_payload(
        iban=IBAN,
        recipient="SM Zacisze",
        amount=Decimal("123.45"),
        title="WZ/2026/0001 lokal A/12",
        nip="525-000-12-34",
    )
    assert payload == "5250001234|PL|61109010140000071219812874|012345|SM Zacisze|WZ/2026/0001 lokal A/12|||"
    fields = _fields(payload)
    assert len(fields) == 9
    assert fields[6:] == ["", "", ""]


def test_without_nip_and_amount_the_payer_types_the_amount():
    payload = payment_qr_payload(iban="61109010140000071219812874", recipient="SM", amount=None, title="Opłaty")
    assert payload == "|PL|61109010140000071219812874|000000|SM|Opłaty|||"
    zero = payment_qr_payload(iban=IBAN, recipient="SM", amount=Decimal("0"), title="x")
    assert _fields(zero)[3] == "000000"


def test_amount_in_grosze_six_digits_rounded_half_up():
    assert _fields(payment_qr_payload(iban=IBAN, recipient="SM", amount=Decimal("0.015"), title="t"))[3] == "000002"
    assert _fields(payment_qr_payload(iban=IBAN, recipient="SM", amount=Decimal("9999.99"), title="t"))[3] == "999999"
    # Beyond six digits the amount is written whole rather than cut.
    assert _fields(payment_qr_payload(iban=IBAN, recipient="SM", amount=Decimal("12345.67"), title="t"))[3] == (
        "1234567"
    )


def test_text_is_folded_trimmed_and_cut_to_the_fields_length():
    payload = payment_qr_payload(
        iban=IBAN,
        recipient="  Spółdzielnia   Mieszkaniowa „Zacisze” w Łodzi ",
        amount=Decimal("1"),
        title="Wezwanie |WZ/2026/0001|\n lokal A/12, zaległości za październik i listopad",
    )
    fields = _fields(payload)
    assert len(fields) == 9  # no separator got through
    assert fields[4] == "Spółdzielnia Mieszka"
    assert len(fields[4]) == 20
    assert fields[5] == "Wezwanie WZ/2026/0001 lokal A/12"
    assert len(fields[5]) <= 32
    assert "\n" not in payload
    assert len(payload) <= 160


def test_polish_letters_are_kept():
    payload = payment_qr_payload(iban=IBAN, recipient="Żółć", amount=None, title="ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ")
    assert _fields(payload)[4:6] == ["Żółć", "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"iban": "PL61 1090 1014 0000 0712 1981 287"},
        {"iban": "DE89370400440532013000"},
        {"nip": "12345"},
        {"amount": Decimal("-1")},
    ],
)
def test_invalid_input_is_refused(kwargs):
    arguments = {"iban": IBAN, "recipient": "SM", "amount": Decimal("1"), "title": "t", **kwargs}
    with pytest.raises(ValueError):
        payment_qr_payload(**arguments)


def test_svg_has_a_title_for_screen_readers_and_is_stable():
    payload = payment_qr_payload(iban=IBAN, recipient="SM", amount=Decimal("5"), title="t")
    svg = qr_svg(payload, title="Kod QR do przelewu <WZ>")
    assert svg.startswith('<svg role="img" ')
    assert "<title>Kod QR do przelewu &lt;WZ&gt;</title>" in svg
    assert "<?xml" not in svg
    assert qr_svg(payload) == qr_svg(payload)
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr_svg_document(payload)
