"""Reading charge and opening-balance files exported by accounting systems: pure
functions, no database. A file is read with a `ReadingProfile` (what the model
`ChargeImportProfile` stores, as a frozen dataclass) into `ChargeRow`s, each with its line
number, and `RowProblem`s for the rows that cannot be read (the line number and the
reason); what the rows mean for the ledger (which account, already imported or not) is
the services' part (`services/imports.py`).

- `values`: Polish numbers ("1 234,56", "-1 234,56", "1.234,56"), dates ("10.03.2026"),
  periods ("03/2026", "2026-03", "03.2026") and XLSX number cells (floats) as exact
  `Decimal`s, never floats;
- `reader`: CSV (python's csv, the profile's delimiter and encoding, or the encoding
  detected with charset-normalizer) and XLSX (openpyxl, read-only), the header line, the
  column map, the total line the file may end with.
"""

from .reader import (
    FIELDS,
    ChargeFile,
    ChargeRow,
    ImportFileError,
    ReadingProfile,
    RowProblem,
    decode,
    read_charge_file,
)
from .values import cell_amount, cell_date, cell_period, parse_date, parse_number, parse_period, xlsx_number

__all__ = [
    "FIELDS",
    "ChargeFile",
    "ChargeRow",
    "ImportFileError",
    "ReadingProfile",
    "RowProblem",
    "cell_amount",
    "cell_date",
    "cell_period",
    "decode",
    "parse_date",
    "parse_number",
    "parse_period",
    "read_charge_file",
    "xlsx_number",
]
