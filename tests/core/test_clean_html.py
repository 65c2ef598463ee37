"""Message HTML made safe (`cms.core.html.clean_html`), and remembered by its digest: the
same HTML to hundreds of residents is parsed once, and no text ever gets another text's
cleaned form."""

from __future__ import annotations

from cms.core import html
from cms.core.memo import text_digest


def test_scripts_handlers_and_foreign_schemes_are_dropped():
    cleaned = html.clean_html(
        '<p onclick="steal()">Woda <script>steal()</script><a href="javascript:steal()">tu</a>'
        '<a href="https://spoldzielnia.example/">link</a></p>'
    )
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert '<a href="https://spoldzielnia.example/" rel="noopener noreferrer">link</a>' in cleaned


def test_the_same_text_is_cleaned_once_and_each_text_gets_its_own():
    first = '<p>Przerwa w dostawie wody <img src=x onerror="steal()"> do 14:00.</p>'
    second = first.replace("14:00", "15:00")
    assert html.clean_html(first) == html.clean_html(first) == "<p>Przerwa w dostawie wody  do 14:00.</p>"
    assert html._CLEANED.get(text_digest(first)) == "<p>Przerwa w dostawie wody  do 14:00.</p>"
    assert html.clean_html(second) == "<p>Przerwa w dostawie wody  do 15:00.</p>"


def test_empty_html_is_empty():
    assert html.clean_html("") == ""
