"""The admin's presentation of broadcasts: progress in words and the delivery log as CSV.

The reads behind them are selectors (`selectors.deliveries_of`, `progress_by_broadcast`);
this module only turns them into text a person or a spreadsheet reads.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from cms.core.admin.exports import csv_lines, csv_time
from operations.messaging.kinds import Channel
from operations.messaging.models import Delivery

from .. import selectors
from ..models import Broadcast


def describe_progress(counts: dict[str, int] | None) -> str:
    counts = counts or {}
    total = sum(counts.values())
    if not total:
        return ""
    failed = counts.get(Delivery.State.FAILED, 0) + counts.get(Delivery.State.BOUNCED, 0)
    return gettext("%(sent)d sent, %(failed)d failed of %(total)d") % {
        "sent": counts.get(Delivery.State.SENT, 0),
        "failed": failed,
        "total": total,
    }


# --- CSV export -----------------------------------------------------------------------------

CSV_DATE_TIME = "%d.%m.%Y %H:%M:%S"


def delivery_csv_lines(broadcast: Broadcast):
    """Every delivery of `broadcast` as CSV lines: semicolons and a BOM, as Polish spreadsheets expect.

    Headers and labels are translated now, in the request's language; the rows are read
    while the response streams, a chunk at a time.
    """
    header = [
        gettext("Recipient"),
        gettext("User name"),
        gettext("Address"),
        gettext("Channel"),
        gettext("State"),
        gettext("Attempts"),
        gettext("Sent at"),
        gettext("Reason"),
    ]
    zone = timezone.get_current_timezone()  # the viewer's, while the view runs
    channels = {value: str(label) for value, label in Channel.choices}
    states = {value: str(label) for value, label in Delivery.State.choices}

    def rows():
        for delivery in selectors.deliveries_of(broadcast).iterator(chunk_size=2000):
            person = delivery.message.recipient
            yield [
                person.get_full_name(),
                person.get_username(),
                delivery.shown_address,
                channels.get(delivery.channel, delivery.channel),
                states.get(delivery.state, delivery.state),
                delivery.attempts,
                csv_time(delivery.sent_at, zone, CSV_DATE_TIME),
                delivery.error,
            ]

    return csv_lines(header, rows())
