"""XLSX downloads of the admin (openpyxl), the companion of `exports.csv_lines`: a header
row in bold, then the rows; numbers, dates and times stay numbers and dates (a
spreadsheet sums and sorts them), and text is always written as text, so that nothing a
resident typed ("=HYPERLINK(...)") becomes a formula.

An app builds its header and rows (translated while the view runs) and hands them to
`xlsx_response`, with one sheet or several (`sheets`: [(title, header, rows), ...]).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBERS = (int, float, Decimal)


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join("-" if character in "[]:*?/\\" else character for character in str(title))
    return cleaned[:31] or "Sheet"


def _write(sheet, header: Sequence, rows: Iterable[Sequence]) -> None:
    sheet.append([str(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = TYPE_STRING
    for row in rows:
        values = []
        for value in row:
            if isinstance(value, datetime):
                values.append(value.replace(tzinfo=None))  # already in the viewer's zone
            elif value is None or isinstance(value, (bool, date, *NUMBERS)):
                values.append(value)
            else:
                values.append(str(value))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never a formula
    sheet.freeze_panes = "A2"


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        _write(workbook.create_sheet(_sheet_title(title)), header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
