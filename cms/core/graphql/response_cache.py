"""Answers many people share, computed once: the GraphQL response cache.

Residents of one building ask the same things (the news list, the current alerts, the
documents directory); computing each answer anew is most of the API's time. An answer is
kept in the cache (`REDIS_URL`; the process's memory without it) and reused when all of
these match:

- the operation: the query text, the operation name and the variables;
- what the viewer may see, not who they are: anonymous, a superuser, or the exact set
  of groups the viewer belongs to (restrictions name groups, and audiences are groups),
  read once per request and used for the answer's visibility too
  (`visibility.group_ids_for_request`), so two residents of building A share an entry,
  a resident of B, a tenant beside an owner, or anyone after an anonymous visitor never
  reads another's, and a group gained while an answer is computed cannot slip into it;
- the site (the request's scheme and host: absolute links carry both) and the language
  of the answer;
- the version of the shared content (`cms.core.content_version`), raised in the same
  transaction as any change to pages, restrictions, collections, documents, images, the
  contact card or the buildings content names; and the clock has not passed the next
  moment an answer changes by time alone (an alert ending).

Only operations that read shared content are kept: a query whose every top-level field
is one of `SHARED_FIELDS`. Personal data (the viewer, tickets, the inbox, later balances)
never is, nor a mutation, an answer with errors, or an upload. The fields reachable from
`SHARED_FIELDS` are listed in a test, so that a field that depends on who asks cannot be
added below them without someone deciding about it. The entry is the answer's bytes, so a
cached answer is byte for byte the one computed for it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, OperationType, parse

from cms.core import content_version, visibility
from cms.core.memo import BoundedMemo, text_digest

# Top-level fields whose answers depend only on what the viewer may see.
SHARED_FIELDS = frozenset({"__typename", "site", "page", "news", "documents", "investments", "contractors", "trades"})

# Answers larger than this are computed each time: a cache is not a place for them, and
# nobody can fill it with a few of them.
MAX_ENTRY_BYTES = 256 * 1024

# Empty in production, where every worker shares the entries. Tests start each test in a
# namespace of its own: their transactions roll the content version back (production's
# committed versions never go back), and test processes with databases of their own
# share one Redis.
_namespace = ""


def forget_everything() -> None:
    """Make every entry unreachable (for tests; production never needs it)."""
    global _namespace
    _namespace = uuid.uuid4().hex


def _root_fields(selection_set, fragments, spread: frozenset[str] = frozenset()) -> set[str] | None:
    """The top-level field names of a selection, through fragments; None when a fragment
    is missing or spreads itself (the operation is invalid and will be refused)."""
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
            continue
        if isinstance(selection, InlineFragmentNode):
            inner = _root_fields(selection.selection_set, fragments, spread)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in spread or name not in fragments:
                return None
            inner = _root_fields(fragments[name].selection_set, fragments, spread | {name})
        else:  # pragma: no cover - the three kinds of selection GraphQL has
            return None
        if inner is None:
            return None
        names |= inner
    return names


_decisions = BoundedMemo(kept=512)


def _reads_only_shared_content(query: str, operation_name: str | None) -> bool:
    """Whether the operation to run is a query whose top-level fields are all shared,
    remembered by a digest of the query."""
    return _decisions.get_or_compute((text_digest(query), operation_name), lambda: _decide(query, operation_name))


def _decide(query: str, operation_name: str | None) -> bool:
    try:
        # The endpoint's own token limit: what it would refuse is not worth parsing here.
        document = parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except (GraphQLError, RecursionError):
        return False
    operations = [d for d in document.definitions if getattr(d, "operation", None) is not None]
    fragments = {d.name.value: d for d in document.definitions if getattr(d, "operation", None) is None}
    if operation_name is None:
        if len(operations) != 1:
            return False
        operation = operations[0]
    else:
        named = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if len(named) != 1:
            return False
        operation = named[0]
    if operation.operation != OperationType.QUERY:
        return False
    fields = _root_fields(operation.selection_set, fragments)
    return bool(fields) and fields <= SHARED_FIELDS


def _viewer_key(request) -> str:
    """What the viewer may see, as a key: the same groups the request's visibility
    decisions are made from (`visibility.group_ids_for_request`, read once)."""
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    if user.is_superuser:
        return "superuser"
    return "groups:" + ",".join(map(str, visibility.group_ids_for_request(request)))


@dataclass
class Lookup:
    """One request's place in the cache: its key, and the answer found there, if any."""

    key: str | None
    body: bytes | None = None
    # When the request was looked up: an answer changes by the clock from what it was
    # computed at, not from when it is stored.
    asked_at: datetime | None = None

    def response(self) -> HttpResponse:
        return HttpResponse(self.body, content_type="application/json")

    def keep(self, response) -> None:
        """Keep `response` if it is a whole answer without errors."""
        if self.key is None or response.status_code != 200 or response.get("Content-Type") != "application/json":
            return
        body = response.content
        if len(body) > MAX_ENTRY_BYTES or (b'"errors"' in body and "errors" in json.loads(body)):
            return
        now = self.asked_at or timezone.now()
        until = content_version.next_time_boundary(now)
        timeout = settings.GRAPHQL_RESPONSE_CACHE_SECONDS
        if until is not None:
            timeout = min(timeout, max(int((until - now).total_seconds()), 0))
        if timeout <= 0:
            return
        # An unreachable cache keeps nothing and finds nothing (cms.core.cache).
        cache.set(self.key, (until.timestamp() if until else None, body), timeout=timeout)


def lookup(request, payload) -> Lookup:
    """The request's entry: `key` None when the request is not one to share."""
    if (
        not settings.GRAPHQL_RESPONSE_CACHE_SECONDS
        or request.method != "POST"
        or request.content_type != "application/json"
        or not isinstance(payload, dict)
    ):
        return Lookup(key=None)
    query, operation_name = payload.get("query"), payload.get("operationName")
    variables = payload.get("variables") or {}
    if (
        not isinstance(query, str)
        or not isinstance(operation_name, str | None)
        or len(operation_name or "") > 200
        or not isinstance(variables, dict)
        or set(payload) - {"query", "operationName", "variables"}
        or not _reads_only_shared_content(query, operation_name)
    ):
        return Lookup(key=None)
    asked_at = timezone.now()
    parts = [
        _namespace,
        str(content_version.of_request(request)),
        request.scheme,  # absolute links (a document's download URL) carry it
        request.get_host(),
        translation.get_language() or "",
        _viewer_key(request),
        operation_name or "",
        json.dumps(variables, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        query,
    ]
    key = "gql-answer:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    found = cache.get(key)
    if found is not None:
        until, body = found
        if until is None or asked_at < datetime.fromtimestamp(until, tz=UTC):
            return Lookup(key=key, body=body)
    return Lookup(key=key, asked_at=asked_at)
