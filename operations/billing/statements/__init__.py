"""Bank statements: pure readers that turn a bank's file into plain dataclasses.

- `types` — `Statement` and `StatementLine`, what every reader returns;
- `profiles` — the named per-bank parsing profiles (format, encoding, field-86 separator);
- `mt940` — SWIFT MT940 (the common tags through the `mt-940` package) and `field86`,
  the reader of the Polish field 86 variants (PKO BP / mBank `~`, Pekao `^`, ING lines);
- `camt` — ISO 20022 camt.053 (BankToCustomerStatement .001.02 and .001.08) via defusedxml;
- `titles` — what a transfer title says: a unit, an account identifier, a period.

Nothing here touches the database; `services.statement_import` writes.
"""

from .profiles import PROFILES, StatementProfile, get_profile, parse_statement_file
from .types import Statement, StatementLine, StatementParseError

__all__ = [
    "PROFILES",
    "Statement",
    "StatementLine",
    "StatementParseError",
    "StatementProfile",
    "get_profile",
    "parse_statement_file",
]
