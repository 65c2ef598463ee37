"""HTML from people other than the reader, made safe to put into a page as HTML.

The portal inserts a message's HTML version into the hub's own origin, where the API and
the admin live, so a script in it would act as the reader. Templates are written by
staff with the template permission, which is not the right to act as everyone who gets
a message. The allow-list keeps what messages use (paragraphs, emphasis, lists, headings,
links, tables) and drops everything else: scripts, event attributes, styles, frames,
forms, and links other than http, https, mailto and tel.

Cleaning is a pure function of the text, and a broadcast gives hundreds of residents the
same HTML: the process remembers the cleaned form of the texts it cleaned last, by their
digest (`BoundedMemo`), instead of parsing the same HTML for every reader and request.
"""

from __future__ import annotations

import nh3

from cms.core.memo import BoundedMemo, text_digest

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "caption", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "small",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


_CLEANED = BoundedMemo(kept=1024)


def clean_html(html: str) -> str:
    """`html` with only the allowed tags, attributes and link schemes; links open safely."""
    if not html:
        return ""
    return _CLEANED.get_or_compute(text_digest(html), lambda: _cleaned(html))


def _cleaned(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
