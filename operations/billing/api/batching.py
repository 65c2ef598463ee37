"""Answering a field of every account of a page at once.

A list of accounts asks each account for its turnover, entries, calendar, documents,
consents and payment code; one account at a time that is a few queries per account. So
the accounts' connection (`BillingAccountConnection`) remembers, per request, which
accounts share a page, and the first account of a page to be asked a field answers it
for the whole page (one grouped query, or a window for nested lists) and keeps the
answers on the request; its siblings read theirs from there. An account asked alone
(`billingAccount(id)`) is a page of one. The answers are keyed by the field, its
arguments and the page, so the same account in two lists, or the same field with other
arguments, never reads another's answer.

Nested lists are paged per account by a window over the page's rows
(`apply_window_pagination`, as strawberry-django's optimizer pages prefetched
connections): the connection is then answered from the rows in memory, including its
total count.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable

from django.db.models import Model, QuerySet
from strawberry import Info
from strawberry.relay.utils import from_base64
from strawberry_django.optimizer import mark_optimized_by_prefetching
from strawberry_django.pagination import apply_window_pagination

from cms.core.graphql.context import request_of

_PAGES = "_hub_billing_pages"
_ANSWERS = "_hub_billing_answers"


def remember_page(info: Info, accounts: Iterable[Model]) -> None:
    ids = tuple(account.pk for account in accounts)
    request = request_of(info)
    pages = getattr(request, _PAGES, None)
    if pages is None:
        pages = {}
        setattr(request, _PAGES, pages)
    for pk in ids:
        pages[pk] = ids


def page_of(info: Info, account: Model) -> tuple[int, ...]:
    """The ids of the accounts on `account`'s page (only itself when asked alone)."""
    page = getattr(request_of(info), _PAGES, {}).get(account.pk)
    return page if page and account.pk in page else (account.pk,)


def answer(info: Info, account: Model, key: Hashable, compute: Callable[[tuple[int, ...]], dict]):
    """`compute(page)` (a dict by account id) once per page, field and arguments (`key`);
    this account's value, or None when the dict has none."""
    page = page_of(info, account)
    request = request_of(info)
    answers = getattr(request, _ANSWERS, None)
    if answers is None:
        answers = {}
        setattr(request, _ANSWERS, answers)
    cache_key = (key, page)
    if cache_key not in answers:
        answers[cache_key] = compute(page)
    return answers[cache_key].get(account.pk)


def memo(info: Info, key: Hashable, make: Callable[[], object]):
    """`make()` once per request (a viewer's query set whose conditions cost a query to build)."""
    request = request_of(info)
    answers = getattr(request, _ANSWERS, None)
    if answers is None:
        answers = {}
        setattr(request, _ANSWERS, answers)
    if ("memo", key) not in answers:
        answers[("memo", key)] = make()
    return answers[("memo", key)]


def remember_connection_page(info: Info, connection) -> None:
    """Called with an accounts' connection as resolved: its nodes are one page."""
    if inspect.isawaitable(connection):  # pragma: no cover - the hub executes synchronously
        return
    remember_page(info, [edge.node for edge in connection.edges])


# --- Nested connections, paged per account ------------------------------------------------------


def _pagination_arguments(info: Info) -> dict:
    """The connection's own arguments (first, after, last, before) with variables applied."""
    for selected in info.selected_fields:
        return {name: selected.arguments.get(name) for name in ("first", "after", "last", "before")}
    return {}


def windowed(
    info: Info,
    account: Model,
    key: Hashable,
    rows_of: Callable[[tuple[int, ...]], QuerySet],
    *,
    max_results: int,
    partition: str = "account_id",
) -> QuerySet | None:
    """This account's page of a nested connection read for the whole page of accounts in
    one query (`rows_of(page)`: every account's rows, ordered), or None when the client
    pages backwards (`last`, `before`) or gives a page size the connection will refuse:
    the caller then answers for this account alone, as the connection's own checks expect."""
    arguments = _pagination_arguments(info)
    if arguments.get("last") is not None or arguments.get("before") is not None:
        return None
    first, after = arguments.get("first"), arguments.get("after")
    try:  # literals come as the query's text ("20"), variables as their values
        first = None if first is None else int(first)
    except (TypeError, ValueError):
        return None
    if first is not None and not 0 <= first <= max_results:
        return None
    offset = 0
    if after is not None:
        try:
            offset = int(from_base64(after)[1]) + 1
        except (ValueError, TypeError, IndexError):
            return None  # the connection refuses the cursor
    limit = max_results if first is None else first

    def compute(page: tuple[int, ...]) -> dict:
        grouped: dict[int, list] = {pk: [] for pk in page}
        rows = apply_window_pagination(rows_of(page), related_field_id=partition, offset=offset, limit=limit)
        for row in rows:
            grouped.setdefault(getattr(row, partition), []).append(row)
        return grouped

    rows = answer(info, account, (key, offset, limit), compute) or []
    # This account's query set, paged by the same window, carrying the rows already read:
    # the connection answers from them (an empty first page counts as nothing, no query).
    own = apply_window_pagination(rows_of((account.pk,)), related_field_id=partition, offset=offset, limit=limit)
    own._result_cache = list(rows)
    own._prefetch_done = True
    return mark_optimized_by_prefetching(own)
