"""Plain HTTP for the providers' adapters: standard library only, every failure typed."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

from django.core.exceptions import ImproperlyConfigured

from .base import TemporaryFailure


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST `body` and return the answer's status and body, error statuses included.

    Only a request that got no answer raises (`TemporaryFailure`): refused or reset
    connections, DNS failures and timeouts, whichever step they happen in.
    """
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error  # an answer all the same; its status tells the caller what happened
        with response:
            return response.status, response.read()
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:  # TimeoutError is an OSError
        reason = getattr(error, "reason", None) or error
        raise TemporaryFailure(f"no answer from {urllib.parse.urlsplit(url).netloc}: {reason}") from error


def require_http_url(url: str, provider: str) -> str:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{provider}: url must be http(s), got {url!r}")
    return url
