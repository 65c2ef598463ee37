"""Persisted operations: the repository's `graphql/operations/*.graphql`, sent by hash.

The reference portal (and any client that wants to) sends an operation as the SHA-256 of
the file that holds it instead of its text, in the shape of Apollo's automatic persisted
queries: `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}},
"operationName": ..., "variables": ...}` and no `query` (a POST, or a GET with
`extensions` as a JSON query parameter). The server maps the hash to the file's text;
the allow-list is the files in `settings.GRAPHQL_OPERATIONS_DIR` and nothing else: a
client can never register a text of its own.

- A hash that is not a file's: `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, Apollo's code).
- A hash sent with a `query` must be that text's hash, or the request is refused
  (`BAD_REQUEST`, HTTP 400, as Apollo refuses it).
- With `settings.GRAPHQL_PERSISTED_ONLY` (production), a `query` whose text is not
  exactly one of the files is refused with `PERSISTED_QUERY_REQUIRED`.

A file may hold several operations (News.graphql has `News` and `CurrentAlerts`); each is
run by the file's hash and its `operationName`. `manifest()` names every operation with
its file's hash and is served at `/graphql/operations.json` for frontends without a
build step. The hash is of the file's exact bytes (UTF-8), so a client that sends the
text must send it exactly as stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from graphql import GraphQLError, OperationDefinitionNode, parse

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"
BAD_REQUEST = "BAD_REQUEST"


class Refused(Exception):  # noqa: N818 - a refusal, not a fault
    """A request the allow-list refuses: answered with `code` in the errors' extensions."""

    def __init__(self, message: str, code: str, status: int = 200):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclass(frozen=True)
class AllowList:
    texts: dict[str, str]  # sha256 hex -> the file's text
    manifest: dict[str, str]  # operation name -> its file's sha256 hex
    manifest_json: bytes
    etag: str


def sha256_hex(text: str) -> str:
    # A client's text may hold lone surrogates (JSON allows "\ud800"); it then matches nothing.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def allow_list() -> AllowList:
    """The files of `settings.GRAPHQL_OPERATIONS_DIR`, read once per process (with DEBUG,
    again whenever one changes, so that an edited operation runs without a restart)."""
    directory = Path(settings.GRAPHQL_OPERATIONS_DIR)
    signature = _signature(directory) if settings.DEBUG else None
    return _load(directory, signature)


def manifest() -> dict[str, str]:
    return allow_list().manifest


def _signature(directory: Path) -> tuple:
    return tuple(
        (path.name, stat.st_mtime_ns, stat.st_size)
        for path in sorted(directory.glob("*.graphql"))
        for stat in [path.stat()]
    )


@lru_cache(maxsize=4)
def _load(directory: Path, signature: tuple | None) -> AllowList:
    texts: dict[str, str] = {}
    names: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(directory.glob("*.graphql")):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        try:
            document = parse(text)
        except GraphQLError as error:
            raise ImproperlyConfigured(f"{path}: not a GraphQL document ({error.message})") from error
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if definition.name is None:
                raise ImproperlyConfigured(f"{path}: every persisted operation needs a name")
            name = definition.name.value
            if name in names:
                raise ImproperlyConfigured(f"{path}: operation {name} is also in {files[name]}")
            names[name], files[name] = digest, path.name
        texts[digest] = text
    manifest_json = json.dumps(names, sort_keys=True, separators=(",", ":")).encode()
    return AllowList(
        texts=texts,
        manifest=dict(sorted(names.items())),
        manifest_json=manifest_json,
        etag=hashlib.sha256(manifest_json).hexdigest()[:32],
    )


def resolve(query, extensions):
    """The query text to run and the extensions to run it with, for a request that sent
    `query` and `extensions` (None when absent). Values of the wrong type are handed back
    unchanged: strawberry refuses them itself. Raises `Refused`."""
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        if isinstance(query, str) and settings.GRAPHQL_PERSISTED_ONLY and sha256_hex(query) not in allow_list().texts:
            raise Refused(
                "This endpoint runs only the operations it publishes; send one by its hash.", PERSISTED_QUERY_REQUIRED
            )
        return query, extensions
    if query is not None and not isinstance(query, str):
        return query, extensions
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refused("Unsupported persisted query version.", BAD_REQUEST, status=400)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str):
        raise Refused("The persisted query has no sha256Hash.", BAD_REQUEST, status=400)
    digest = digest.lower()
    rest = {key: value for key, value in extensions.items() if key != "persistedQuery"} or None
    if query is not None:
        if sha256_hex(query) != digest:
            raise Refused("The persisted query's sha256Hash does not match its text.", BAD_REQUEST, status=400)
        # The text is known now; whether it may run is what it would be without the hash.
        return resolve(query, rest)
    text = allow_list().texts.get(digest)
    if text is None:
        # No registration: only the repository's files are ever known.
        raise Refused("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)
    return text, rest


def resolve_payload(payload: dict) -> dict:
    """`payload` (a decoded request body) with a persisted operation's text in `query` and
    the `persistedQuery` extension gone, so that it is the request its text would be; a
    request without a hash comes back as it was. Raises `Refused`."""
    query, extensions = resolve(payload.get("query"), payload.get("extensions"))
    if query is payload.get("query") and extensions is payload.get("extensions"):
        return payload
    resolved = {key: value for key, value in payload.items() if key != "extensions"}
    resolved["query"] = query
    if extensions is not None:
        resolved["extensions"] = extensions
    return resolved
