"""The directory search as the content apps' lists use it, without importing it.

The `search` package indexes the content apps (it imports their models), so a content app
importing `search` would make a cycle between apps. Instead the search registers its
ranking here when Django starts (`search.hooks.register`, from `search.apps.ready`), and
the lists (`contractors(filter: {search:})`, `documents(filter: {search:})`) ask this
module: which of my rows match this text, best first?

It also holds the one rule for what a searched text may be, shared by the lists and the
`search` field itself, so that a text one refuses is refused by all of them alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

# Longer texts are not searches a person types, and each word costs the search work.
MAX_QUERY_LENGTH = 200

# A list filtered by a search holds at most this many matches, best first: nobody pages
# through more of a relevance order, and the ids travel in the list's SQL (one parameter
# each), which must stay well inside every database's limit on parameters.
MAX_RANKED = 1000

# More words are not a search a person types either, and each word costs the database
# search its own vocabulary look-ups (typos, prefixes, "did you mean"): 200 characters
# are a hundred one-letter words, a hundred queries. Words as the search splits them
# (`search.text.words`: letters and digits).
MAX_QUERY_WORDS = 16
_WORD = re.compile(r"[^\W_]+")

RankedIds = Callable[..., list[int]]

_ranking: list[RankedIds] = []


def register(ranked: RankedIds) -> None:
    """Make `ranked(kind, text, *, user, denial, within) -> list[int]` the directory's
    ranking (replacing any earlier one: `ready()` may run more than once in tests)."""
    _ranking[:] = [ranked]


def ranked_ids(kind: str, text: str, *, user, denial=None, within: str | None = None) -> list[int]:
    """Ids of the objects of `kind` ("contractor", "document", ...) that match `text` and
    that `user` may see, most relevant first, at most `MAX_RANKED` of them."""
    if not _ranking:
        raise ImproperlyConfigured(
            "No directory search is registered: the `search` app (search.apps.SearchConfig) "
            "must be in INSTALLED_APPS for lists filtered by `search`."
        )
    return list(_ranking[0](kind, text, user=user, denial=denial, within=within))[:MAX_RANKED]


def query_problem(text: str) -> str | None:
    """What is wrong with `text` as a search, in the viewer's language, or None.

    Blank text is left to the caller: a list treats it as no search, the `search` field
    refuses it."""
    if "\x00" in text:
        return _("Null characters are not allowed.")  # Django's own message, translated
    if len(text) > MAX_QUERY_LENGTH:
        return _("Write at most %(count)d characters.") % {"count": MAX_QUERY_LENGTH}
    if len(_WORD.findall(text)) > MAX_QUERY_WORDS:
        return _("Write at most %(count)d words.") % {"count": MAX_QUERY_WORDS}
    return None


def in_rank_order(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of `queryset` among `ids`, in the order of `ids` (then by pk, for a stable
    order should an id repeat): one query whatever the page, sliced by the database."""
    if not ids:
        return queryset.none()
    rank = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
        default=Value(len(ids)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank", "pk")
