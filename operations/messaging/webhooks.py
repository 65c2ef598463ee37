"""SMSAPI.pl's delivery report callback: the network's verdict on SMS it had accepted.

SMSAPI calls the callback address set in its customer panel each time a message's status
changes, with form parameters (GET, as a query string; POST is read the same way):
`MsgId` (its message id, our `Delivery.provider_id`), `status` (a numeric code, below),
`donedate`, `username`... and, when present, `idx` (the value we sent: our idempotency
key, the only way to find a delivery whose SMSAPI id we never learnt). Several reports
may come in one call, each parameter then holding a comma-separated list in the same
order. SMSAPI expects the body `OK`, and sends the report again until it gets it.

Status codes, as listed in SMSAPI's documentation ("Lista statusów doręczenia"):
401 NOT_FOUND, 402 EXPIRED, 403 SENT, 404 DELIVERED, 405 UNDELIVERED, 406 FAILED,
407 REJECTED, 408 UNKNOWN, 409 QUEUE, 410 ACCEPTED. Only final failures bounce the
delivery; 408 means no report came from the network (the SMS may well have arrived) and
401 that SMSAPI lost track of the id, so neither says the person did not get it.

The address carries a secret (SMS_REPORT_SECRET) compared in constant time: SMSAPI signs
nothing, so whoever knows the address could mark our SMS as bounced. Without the setting
the endpoint does not exist (404). The view is CSRF-exempt: no browser and no cookie is
involved, the secret is what authorises the call.
"""

from __future__ import annotations

import hmac
import logging
import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .kinds import Channel
from .services import delivery_report_record

logger = logging.getLogger(__name__)

# Final statuses saying the SMS did not reach the phone, with the reason the log shows.
SMSAPI_UNDELIVERED = {
    402: "SMSAPI 402 EXPIRED: the network could not deliver the message before it expired",
    405: "SMSAPI 405 UNDELIVERED: the network could not deliver the message",
    406: "SMSAPI 406 FAILED: sending the message failed",
    407: "SMSAPI 407 REJECTED: the network rejected the message",
}
SMSAPI_DELIVERED = 404

MAX_REPORTS = 100  # SMSAPI sends a few per call; more is not a report
_MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")
_STATUS = re.compile(r"[0-9]{3}")


class _Garbage(ValueError):
    pass


def _listed(params: QueryDict, name: str) -> list[str]:
    raw = params.get(name, "")
    return [value.strip() for value in raw.split(",")] if raw.strip() else []


def _reports(params: QueryDict) -> list[tuple[str, int, str]]:
    """(MsgId, status, idx) for each report in the call; _Garbage if it is not one."""
    ids, statuses, idxs = _listed(params, "MsgId"), _listed(params, "status"), _listed(params, "idx")
    if not ids or len(ids) != len(statuses) or len(ids) > MAX_REPORTS:
        raise _Garbage("MsgId and status must be lists of the same length")
    if not all(_MESSAGE_ID.fullmatch(message_id) for message_id in ids):
        raise _Garbage("malformed MsgId")
    if not all(_STATUS.fullmatch(status) for status in statuses):
        raise _Garbage("malformed status")
    if len(idxs) != len(ids):
        idxs = [""] * len(ids)  # idx is optional: messages sent without one have none
    return [(message_id, int(status), idx) for message_id, status, idx in zip(ids, statuses, idxs, strict=True)]


def _secret_matches(secret: str) -> bool:
    expected = getattr(settings, "SMS_REPORT_SECRET", "")
    return bool(expected) and hmac.compare_digest(secret.encode(), expected.encode())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def smsapi_delivery_report(request: HttpRequest, secret: str) -> HttpResponse:
    if not _secret_matches(secret):
        return HttpResponseNotFound()
    try:
        params = request.POST if request.method == "POST" and "MsgId" in request.POST else request.GET
        reports = _reports(params)
    except (_Garbage, MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as error:
        return HttpResponseBadRequest(f"Not an SMSAPI delivery report: {error}", content_type="text/plain")

    bounced = 0
    for message_id, status, idx in reports:
        if status not in SMSAPI_UNDELIVERED and status != SMSAPI_DELIVERED:
            continue  # on its way, or nothing known: the delivery stays sent
        bounced += delivery_report_record(
            channel=Channel.SMS,
            provider_id=message_id,
            idempotency_key=idx,
            delivered=status == SMSAPI_DELIVERED,
            reason=SMSAPI_UNDELIVERED.get(status, ""),
        )
    if bounced:
        logger.info("SMSAPI reported %d of our SMS as not delivered", bounced)
    return HttpResponse("OK", content_type="text/plain")
