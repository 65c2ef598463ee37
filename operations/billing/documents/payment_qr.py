"""The transfer's 2D code that Polish banking apps read, and the code as inline SVG.

The format is the Polish Bank Association's recommendation for 2D codes on payment
forms (Związek Banków Polskich, "Rekomendacja dotycząca standardu 2D", 2013): nine fields
joined by "|", in UTF-8, at most 160 characters in all:

    NIP|PL|account (26 digits)|amount in grosze (6 digits)|recipient|title|||

1. the recipient's NIP (10 digits; empty for a recipient without one),
2. the country code, always "PL",
3. the account number, the 26 digits of the NRB (the IBAN without "PL"),
4. the amount in grosze, six digits with leading zeros ("000000" leaves the amount to the
   payer; an amount of 10 000 zł or more does not fit six digits and is written with as
   many digits as it needs, which the banks' readers take; `amount=None` leaves it to the
   payer),
5. the recipient's name, at most 20 characters,
6. the transfer's title, at most 32 characters,
7.–9. reserved (a direct-debit id, an Invoobill id, a spare): empty.

Text fields are folded as the recommendation asks: the separator "|" and control
characters cannot appear (each becomes a space), runs of white space become one space,
the ends are trimmed, and the result is cut to the field's length (after folding, so no
word is lost to doubled spaces). Polish letters are kept: the code is UTF-8 and the
banks' apps read them.
"""

from __future__ import annotations

import re
from decimal import Decimal

import segno

from ..money import to_grosze

SEPARATOR = "|"
RECIPIENT_MAX = 20
TITLE_MAX = 32
AMOUNT_DIGITS = 6

_FOLD = re.compile(r"[\s|\x00-\x1f\x7f]+")


def _fold(text: str, limit: int) -> str:
    """One line of text: no separator or control characters, single spaces, trimmed,
    at most `limit` characters (trimmed again after cutting)."""
    return _FOLD.sub(" ", text or "").strip()[:limit].rstrip()


def _account_digits(iban: str) -> str:
    compact = re.sub(r"[\s-]", "", iban or "").upper()
    if compact.startswith("PL"):
        compact = compact[2:]
    if not re.fullmatch(r"\d{26}", compact):
        raise ValueError(f"not a Polish account number: {iban!r}")
    return compact


def _nip_digits(nip: str) -> str:
    digits = re.sub(r"[\s-]", "", nip or "")
    if digits.upper().startswith("PL"):
        digits = digits[2:]
    if digits and not re.fullmatch(r"\d{10}", digits):
        raise ValueError(f"not a NIP: {nip!r}")
    return digits


def _amount_field(amount: Decimal | None) -> str:
    if amount is None:
        return "0" * AMOUNT_DIGITS
    grosze = to_grosze(amount)
    if grosze < 0:
        raise ValueError(f"a transfer's amount cannot be negative: {amount!r}")
    return f"{grosze:0{AMOUNT_DIGITS}d}"


def payment_qr_payload(*, iban: str, recipient: str, amount: Decimal | None, title: str, nip: str = "") -> str:
    """The text of the transfer's 2D code (see the module's docstring).

    `iban` is the account to pay (with or without "PL" and spaces), `amount` in PLN
    (None or zero: the payer types it), `nip` the recipient's tax number (dashes
    allowed). Raises ValueError for an account number that is not 26 digits, a NIP that
    is not 10 digits, or a negative amount.
    """
    fields = [
        _nip_digits(nip),
        "PL",
        _account_digits(iban),
        _amount_field(amount),
        _fold(recipient, RECIPIENT_MAX),
        _fold(title, TITLE_MAX),
        "",
        "",
        "",
    ]
    return SEPARATOR.join(fields)


def qr_svg(payload: str, *, title: str = "Kod QR do przelewu", scale: int = 4) -> str:
    """The code as an inline `<svg>` element (no XML declaration), with `role="img"` and
    a `<title>` that screen readers announce. Error correction M, as banks' forms use;
    always a full QR code, never a Micro QR that banking apps cannot read."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    svg = code.svg_inline(scale=scale, title=title)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def qr_svg_document(payload: str, *, title: str = "Kod QR do przelewu", scale: int = 4) -> str:
    """The same code as a standalone SVG file's text (with the XML namespace), for
    embedding in a PDF."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    svg = code.svg_inline(scale=scale, title=title)
    return svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
