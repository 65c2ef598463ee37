"""The Polish field 86 (information to the account owner) of MT940, three forms.

1. Subfields, `~` (PKO BP, mBank, ING Bank Śląski, most Polish banks), `^` (Pekao) or `<`
   (the marker some other Polish banks' specifications give; a profile names it):
   the text before the first separator is the 3-digit transaction code, then `~NN` pairs:
   `~00` operation type, `~20`–`~25` title, `~27`–`~28` counterparty name, `~29` its
   address, `~30` counterparty's bank settlement number, `~31` its account (the 16 digits
   after the settlement number), `~32`–`~33` name (continued), `~38` the counterparty's
   IBAN, `~60`–`~63` more title. The lines of the field are joined without a separator
   first: banks wrap at 65 characters wherever the line ends, inside a subfield too.
2. Slash keys (the SWIFT structured form ING and other SEPA banks write): the lines joined,
   `/CNTP/<IBAN>/<BIC>/<name>/<city>/`, `/REMI/USTD//<title>/`, `/EREF/<ref>/`,
   `/ORDP//NAME/<name>/ID/...`; keys are upper-case between slashes.
3. Two-line (ING's plain form, supported exactly as): `:86:<code>` or `:86:<code> <title>`
   on the first line, then continuation lines; a continuation that starts with `/` is
   treated as form 2, otherwise the first continuation line is the counterparty's name
   and the following ones are the title.

`read_field86(text, separator)` returns a dict with `code`, `title`, `name`, `address`,
`account`, `operation`, `subfields` (what was read, by key).
"""

from __future__ import annotations

import re

TITLE_KEYS = ("20", "21", "22", "23", "24", "25", "26", "60", "61", "62", "63")
NAME_KEYS = ("27", "28", "32", "33")
SLASH_KEYS = ("CNTP", "REMI", "EREF", "ORDP", "BENM", "MARF", "IREF", "PURP", "RTRN", "TRCD", "ULTC", "ULTD")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _subfields(text: str, separator: str) -> tuple[str, dict[str, str]]:
    joined = "".join(text.splitlines())
    pattern = re.escape(separator) + r"(\d{2})"
    parts = re.split(pattern, joined)
    code = parts[0].strip()
    fields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[key] = fields.get(key, "") + value
    return code, fields


def _from_subfields(code: str, fields: dict[str, str]) -> dict:
    title = "".join(fields.get(key, "") for key in TITLE_KEYS)
    name = " ".join(fields[key].strip() for key in NAME_KEYS if fields.get(key, "").strip())
    account = fields.get("38", "").strip()
    if not account and fields.get("30") and fields.get("31"):
        account = fields["30"].strip() + fields["31"].strip()
    return {
        "code": code,
        "operation": fields.get("00", "").strip(),
        "title": _squash(title),
        "name": _squash(name),
        "address": _squash(fields.get("29", "")),
        "account": account.replace(" ", ""),
        "subfields": fields,
    }


def _from_slashes(code: str, text: str) -> dict:
    joined = "".join(line.strip() for line in text.splitlines())
    keys = "|".join(SLASH_KEYS)
    pieces = re.split(rf"/({keys})/", joined)
    fields = {key: value for key, value in zip(pieces[1::2], pieces[2::2], strict=False)}
    name = account = title = ""
    if "CNTP" in fields:  # IBAN / BIC / name / city
        values = fields["CNTP"].split("/") + ["", "", ""]
        account, name = values[0], values[2]
    elif "ORDP" in fields:
        match = re.search(r"NAME/([^/]*)", fields["ORDP"])
        name = match.group(1) if match else ""
    if "REMI" in fields:  # USTD//<text>/ (unstructured) or STRD/CUR/<reference>/
        title = re.sub(r"^(USTD//|STRD/(CUR|ISO)/)", "", fields["REMI"]).rstrip("/")
    return {
        "code": code,
        "operation": "",
        "title": _squash(title),
        "name": _squash(name),
        "address": "",
        "account": account.replace(" ", ""),
        "subfields": fields,
    }


def read_field86(text: str, separator: str = "~") -> dict:
    text = text or ""
    for candidate in (separator, "~", "^"):
        if candidate and re.search(re.escape(candidate) + r"\d{2}", text):
            return _from_subfields(*_subfields(text, candidate))
    lines = text.splitlines() or [""]
    first = lines[0].strip()
    match = re.match(r"^(\d{3})\s*(.*)$", first)
    code, rest = (match.group(1), match.group(2)) if match else ("", first)
    continuation = [line.strip() for line in lines[1:] if line.strip()]
    if (rest + "".join(continuation)).startswith("/") or any(f"/{key}/" in text for key in SLASH_KEYS):
        return _from_slashes(code, "\n".join([rest, *continuation]))
    name = continuation[0] if continuation else ""
    title_parts = [rest, *continuation[1:]]
    return {
        "code": code,
        "operation": "",
        "title": _squash(" ".join(part for part in title_parts if part)),
        "name": _squash(name),
        "address": "",
        "account": "",
        "subfields": {},
    }
