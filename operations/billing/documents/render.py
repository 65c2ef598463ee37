"""A document's snapshot typeset as PDF with Typst (the `typst` package: the compiler and
its fonts in one wheel, nothing from the system).

`document_view(snapshot)` turns the snapshot (plain JSON: amounts as Decimal strings,
dates as ISO strings) into what the page prints (Polish dates "05.12.2026", amounts
"1 234,56 zł", the amount in words); `render_pdf(snapshot)` typesets `typst/document.typ`
with it. Deterministic: only the compiler's own fonts (Libertinus Serif) are used, never
the machine's, the PDF's date is the day of issue from the snapshot, and nothing else
varies, so the same snapshot always gives the same bytes (and the same SHA-256). The
file is PDF/A-2a (for archives) and PDF/UA-1 (for screen readers).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from cms.core.typst_pdf import TypstRenderError, render_typst

from ..money import format_pln, money
from .amount_in_words import amount_in_words
from .payment_qr import qr_svg_document

TEMPLATE_DIR = Path(__file__).resolve().parent / "typst"
TEMPLATE = TEMPLATE_DIR / "document.typ"

TITLES = {
    "statement": "Zestawienie rozliczeń lokalu",
    "demand": "Wezwanie do zapłaty",
    "interest_note": "Nota odsetkowa",
}
ENTRY_KINDS = {
    "charge": "naliczenie",
    "payment": "wpłata",
    "correction": "korekta",
    "opening": "bilans otwarcia",
    "interest": "odsetki",
}


# The error Typst's refusal is raised as, under the name billing's callers know.
RenderError = TypstRenderError


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d.%m.%Y") if value else ""


def _pln(value: str | None) -> str:
    return format_pln(Decimal(value)) if value not in (None, "") else ""


def _address_lines(party: dict) -> list[str]:
    return [line for line in party.get("address_lines", []) if line]


def document_view(snapshot: dict) -> dict:
    """What the page prints, every value a ready string (see the module's docstring)."""
    kind = snapshot["kind"]
    issued = date.fromisoformat(snapshot["issued_on"])
    issuer = snapshot.get("issuer", {})
    contact = ", ".join(part for part in (issuer.get("phone", ""), issuer.get("email", "")) if part)
    place = issuer.get("city", "")
    view = {
        "kind": kind,
        "title": TITLES[kind],
        "subtitle": "",
        "number": snapshot["number"],
        "date_parts": [issued.year, issued.month, issued.day],
        "place_and_date": f"{place}, {issued:%d.%m.%Y}" if place else f"{issued:%d.%m.%Y}",
        "issuer": {
            "name": issuer.get("name", ""),
            "address_lines": _address_lines(issuer),
            "nip": issuer.get("nip", ""),
            "contact": contact,
        },
        "payer": {"name": snapshot["payer"]["name"], "address_lines": _address_lines(snapshot["payer"])},
        "unit": {"label": snapshot["unit"]["label"]},
        "account": {"iban_formatted": snapshot["account"]["iban_formatted"]},
        "footnote": snapshot.get("footnote", "")
        or "Dokument wygenerowany elektronicznie, nie wymaga podpisu."
        + (" Saldo dodatnie oznacza nadpłatę, ujemne zaległość." if kind == "statement" else ""),
        "closing": "",
    }
    if kind == "statement":
        period = snapshot["period"]
        view["subtitle"] = f"za okres {_day(period['from'])} – {_day(period['to'])}"
        view["period"] = {"from_": _day(period["from"]), "to": _day(period["to"])}
        view["opening_balance"] = _pln(snapshot["opening_balance"])
        view["entries"] = [
            {
                "date": _day(entry["date"]),
                "title": entry.get("title") or ENTRY_KINDS.get(entry["kind"], entry["kind"]),
                "debit": _pln(entry.get("debit")),
                "credit": _pln(entry.get("credit")),
            }
            for entry in snapshot["entries"]
        ]
        view["totals"] = {"debits": _pln(snapshot["debits"]), "credits": _pln(snapshot["credits"])}
        closing = money(snapshot["closing_balance"])
        view["closing_balance"] = _pln(snapshot["closing_balance"])
        view["closing_meaning"] = "nadpłata" if closing > 0 else ("zaległość" if closing < 0 else "rozliczone")
        return view
    view["pay_by"] = _day(snapshot["pay_by"])
    view["transfer_title"] = snapshot.get("transfer_title", "")
    view["total"] = _pln(snapshot["total"])
    view["total_in_words"] = amount_in_words(snapshot["total"])
    if kind == "demand":
        view["intro"] = (
            f"Na dzień {issued:%d.%m.%Y} na koncie lokalu pozostają nieopłacone należności wymienione poniżej. "
            f"Wzywamy do ich zapłaty wraz z odsetkami ustawowymi za opóźnienie naliczonymi do dnia "
            f"{_day(snapshot['interest_until'])}."
        )
        view["debts"] = [
            {
                "due_date": _day(debt["due_date"]),
                "title": debt["title"],
                "outstanding": _pln(debt["outstanding"]),
                "interest": _pln(debt["interest"]),
            }
            for debt in snapshot["debts"]
        ]
        view["principal"] = _pln(snapshot["principal"])
        view["interest"] = _pln(snapshot["interest"])
        view["closing"] = (
            "Brak wpłaty w wyznaczonym terminie może skutkować skierowaniem sprawy na drogę postępowania "
            "sądowego. Jeśli należność została już uregulowana, prosimy uznać wezwanie za bezprzedmiotowe."
        )
    else:
        view["intro"] = (
            "Informujemy, że z tytułu nieterminowych wpłat naliczyliśmy odsetki ustawowe za opóźnienie "
            f"do dnia {_day(snapshot['interest_until'])}, jak poniżej (rok liczony jako 365 dni)."
        )
        view["lines"] = [
            {
                "debt": line["debt"],
                "period": f"{_day(line['start'])} – {_day(line['end'])}",
                "days": str(line["days"]),
                "base": _pln(line["base"]),
                "rate": f"{Decimal(line['rate']):.2f}%".replace(".", ","),
                "amount": _pln(line["amount"]),
            }
            for line in snapshot["lines"]
        ]
    return view


def render_pdf(snapshot: dict) -> bytes:
    """The snapshot as PDF bytes (cms/core/typst_pdf.py: deterministic, PDF/A-2a and
    PDF/UA-1, the QR code described for screen readers); raises RenderError when Typst
    refuses it."""
    qr = snapshot.get("qr_payload")
    inputs = {"qr": qr_svg_document(qr, title="Kod QR do przelewu")} if qr else None
    return render_typst(TEMPLATE, document_view(snapshot), day=date.fromisoformat(snapshot["issued_on"]), inputs=inputs)
