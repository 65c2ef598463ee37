"""CSV downloads of the admin, as Polish spreadsheets (Excel) open them: semicolons between
cells and a BOM before the first line (so that the file is read as UTF-8), no cell that a
spreadsheet would run as a formula, and the rows streamed, written while the response is
sent, so that a long list is never held in memory.

An app builds its header and rows (translated while the view runs, in the viewer's
language) and hands them to `csv_lines`; `csv_response` sends the lines as a download.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

SEPARATOR = ";"
BOM = "\ufeff"
# What a spreadsheet reads as the start of a formula (or of a hidden one after a tab or CR).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# A negative number as the hub writes amounts ("-500,00", "-12.5"): nothing a spreadsheet
# could run, so it stays a number that can be summed. Anything else starting like a formula
# ("+48 600…", "-1+1", "-2 3") is quoted.
_NEGATIVE_NUMBER = re.compile(r"^-\d+(?:[.,]\d+)?$")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote
    (a plain number, negative ones included, stays a number)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NEGATIVE_NUMBER.match(text):
        return "'" + text
    return text


def csv_time(moment, zone, pattern: str) -> str:
    """`moment` in `zone` (the viewer's, read while the view runs) as `pattern`; "" for none."""
    return timezone.localtime(moment, zone).strftime(pattern) if moment else ""


class _Echo:
    """A file that hands back what is written: csv.writer then returns each line."""

    def write(self, value):
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """`header` and then each of `rows` as CSV lines: semicolons, a BOM before the header,
    every cell through `csv_cell`. `rows` is read one row at a time, as the lines are."""
    writer = csv.writer(_Echo(), delimiter=SEPARATOR)
    yield BOM + writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """`lines` streamed as the download `filename`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
