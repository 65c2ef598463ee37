"""Typesetting a document as PDF with Typst (the `typst` package: the compiler and its
fonts in one wheel, nothing from the system), the way billing's documents are made
(`operations/billing/documents/render.py`), for any app that prints one.

The caller formats what the page prints (a "view": plain JSON, every value a ready
string) and names its `.typ` template; the template reads the view from
`sys.inputs.view`. Deterministic: only the compiler's own fonts are used, never the
machine's, and the PDF's date is the `day` given, so the same view always gives the same
bytes. The file is PDF/A-2a (for archives) and PDF/UA-1 (for screen readers), so the
template sets the document's title and language.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typst

PDF_STANDARDS = ["a-2a", "ua-1"]


class TypstRenderError(Exception):
    """The document could not be typeset (a template or data error)."""


def render_typst(template: Path, view: dict, *, day: date, inputs: dict[str, str] | None = None) -> bytes:
    """`template` typeset with `view` (as `sys.inputs.view`, JSON) and any other `inputs`
    (strings), dated `day`; raises TypstRenderError when Typst refuses it. Files the
    template includes must lie in its folder."""
    template = Path(template)
    sys_inputs = {"view": json.dumps(view, ensure_ascii=False, sort_keys=True), **(inputs or {})}
    try:
        return typst.compile(
            template,
            root=template.parent,
            sys_inputs=sys_inputs,
            ignore_system_fonts=True,
            timestamp=datetime(day.year, day.month, day.day, tzinfo=UTC),
            pdf_standards=PDF_STANDARDS,
        )
    except typst.TypstError as error:
        raise TypstRenderError(str(error)) from error
