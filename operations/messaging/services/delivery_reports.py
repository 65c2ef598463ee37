"""Delivery reports: what a provider learns about a message after it accepted it.

A provider answering "accepted" only means the message left for the network; the phone may
still be switched off for days, the number may no longer exist. Providers report the
outcome later (SMSAPI through its callback, webhooks.py), and the delivery log must then
show the SMS as bounced rather than sent. Reports come again and out of order, so
recording one is a single conditional UPDATE (sent → bounced): repeating it, or receiving
it after the delivery bounced or failed for another reason, changes nothing.

Once `reports.py`: it records, it reports nothing, so it lives with the other writes.
"""

from __future__ import annotations

import re

from ..models import Delivery

# Delivery.idempotency_key is "hub-delivery-<pk>"; providers echo it back (SMSAPI's idx).
_IDEMPOTENCY_KEY = re.compile(r"hub-delivery-([1-9][0-9]{0,17})")


def _delivery_pk(*, channel: str, provider_id: str, idempotency_key: str) -> int | None:
    if provider_id:
        pk = (
            Delivery.objects.filter(channel=channel, provider_id=provider_id)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            return pk
    match = _IDEMPOTENCY_KEY.fullmatch(idempotency_key or "")
    return int(match.group(1)) if match else None


def delivery_report_record(
    *, channel: str, provider_id: str = "", idempotency_key: str = "", delivered: bool, reason: str = ""
) -> bool:
    """Record a provider's report on one of our deliveries; True if it marked the delivery bounced.

    The delivery is found by the provider's id (`Delivery.provider_id`) or, failing that,
    by our idempotency key (`hub-delivery-<pk>`). A report that it was not delivered turns
    a sent delivery into a bounced one with `reason`. A delivered report, a report for a
    delivery in any other state, a repeated report and a report for an id we do not know
    change nothing and return False.
    """
    pk = _delivery_pk(channel=channel, provider_id=provider_id, idempotency_key=idempotency_key)
    if pk is None or delivered:
        return False
    changed = Delivery.objects.filter(pk=pk, channel=channel, state=Delivery.State.SENT).update(
        state=Delivery.State.BOUNCED, error=reason[:2000]
    )
    return bool(changed)
