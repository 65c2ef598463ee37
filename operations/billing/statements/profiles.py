"""Per-bank parsing profiles, kept as data: a module-level registry of named profiles.
A `BankStatement` stores the name of the profile it was read with.

Why a registry in code and not a model: a profile is parsing behaviour (which separator
field 86 uses, which encoding the bank writes), and each one is only trustworthy with a
sample file and a test beside it. Adding a bank is one entry here plus a sample in
`tests/billing/samples/`; an editable row in the admin could change how every later file
is read with nothing to check it. The entries are plain frozen dataclasses, so the admin
and the API can list them as choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from .camt import parse_camt053
from .mt940 import parse_mt940
from .types import Statement, StatementParseError

MT940 = "mt940"
CAMT053 = "camt053"
POLISH_LETTERS = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"


@dataclass(frozen=True)
class StatementProfile:
    name: str
    bank: str
    format: str  # MT940 or CAMT053
    encoding: str = ""  # "" = detect: UTF-8, else CP852 or Windows-1250 by their Polish letters
    separator: str = "~"  # field 86 subfield separator (MT940 only)


PROFILES: dict[str, StatementProfile] = {
    profile.name: profile
    for profile in (
        StatementProfile("pko_bp", "PKO Bank Polski", MT940, "", "~"),
        StatementProfile("mbank", "mBank", MT940, "", "~"),
        StatementProfile("pekao", "Bank Pekao", MT940, "", "^"),
        StatementProfile("ing", "ING Bank Śląski", MT940, "", "~"),
        StatementProfile("mt940_cp852", "MT940, CP852 (Latin-2 DOS)", MT940, "cp852", "~"),
        # Some Polish banks' specifications mark field 86 subfields with "<" (CP852 files).
        StatementProfile("mt940_angle", "MT940, field 86 subfields marked <", MT940, "", "<"),
        StatementProfile("mt940_cp1250", "MT940, Windows-1250", MT940, "cp1250", "~"),
        StatementProfile("camt053", "ISO 20022 camt.053", CAMT053, "utf-8", ""),
    )
}


def get_profile(name: str) -> StatementProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise StatementParseError(gettext("no statement profile named %(name)s") % {"name": name}) from None


def decode(data: bytes, encoding: str = "") -> str:
    """The file's text: in the profile's encoding, else UTF-8 when it is valid UTF-8, else
    whichever of CP852 and Windows-1250 yields more Polish letters (their letters sit at
    different bytes, so the wrong one yields box-drawing signs and symbols instead)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise StatementParseError(gettext("not %(encoding)s text") % {"encoding": encoding}, line) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [(sum(text.count(c) for c in POLISH_LETTERS), text) for text in _decodings(data)]
    return max(candidates, key=lambda pair: pair[0])[1]


def _decodings(data: bytes):
    for encoding in ("cp1250", "cp852"):
        try:
            yield data.decode(encoding)
        except UnicodeDecodeError:
            continue


def parse_statement_file(data: bytes, profile: StatementProfile | str) -> list[Statement]:
    """Every statement in `data` as the profile reads it. Raises StatementParseError."""
    if isinstance(profile, str):
        profile = get_profile(profile)
    if not data or not data.strip():
        raise StatementParseError(gettext("the file is empty"), 1)
    if profile.format == CAMT053:
        return parse_camt053(data)
    return parse_mt940(decode(data, profile.encoding), separator=profile.separator)
