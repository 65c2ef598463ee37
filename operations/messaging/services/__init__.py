"""Every write of the messaging app, split by concern; import this package, not its modules.

Other apps call `from operations.messaging import services; services.message_send(...)`,
so the public functions are re-exported here and the split stays an inner detail:

- `outbox`: the hub's own messages (`message_send`), one row per person and channel;
- `broadcasts`: staff's broadcasts, from draft to queued;
- `sending`: the worker's side: claiming, sending and recording deliveries;
- `delivery_reports`: what providers report after sending (bounces);
- `templates`: the texts of the hub's own messages;
- `preferences`: a person's settings, channels, devices, read state and e-mail links.

How a message travels is told in `outbox`.

Every function is keyword-only (reads that take one object aside: `broadcast_problems`,
`template_texts`, `templates_ensure`, which the tickets app calls with its list) and
refuses bad input with `ServiceError`. A function that writes more than one statement is
one transaction; a single conditional UPDATE is atomic on its own and is left without a
savepoint that would only add queries. Two are deliberately not one transaction:
`broadcasts_queue_due` (one broken broadcast must not undo the others) and
`deliveries_send` (it talks to providers; each outcome is recorded as it happens).
"""

from .broadcasts import (
    broadcast_cancel,
    broadcast_draft_save,
    broadcast_problems,
    broadcast_queue,
    broadcast_schedule,
    broadcast_texts,
    broadcasts_finish,
    broadcasts_queue_due,
)
from .delivery_reports import delivery_report_record
from .outbox import message_send
from .preferences import (
    email_preferences_token,
    email_preferences_token_read,
    email_preferences_url,
    email_unsubscribe,
    messages_mark_read,
    notification_preferences_save,
    notification_preferences_update,
    notification_settings_update,
    phone_normalise,
    push_device_register,
    push_device_unregister,
)
from .sending import (
    channels_with_due_deliveries,
    deliveries_claim,
    deliveries_requeue_stalled,
    deliveries_send,
    delivery_record,
)
from .templates import template_texts, templates_ensure

__all__ = [
    "broadcast_cancel",
    "broadcast_draft_save",
    "broadcast_problems",
    "broadcast_queue",
    "broadcast_schedule",
    "broadcast_texts",
    "broadcasts_finish",
    "broadcasts_queue_due",
    "channels_with_due_deliveries",
    "deliveries_claim",
    "deliveries_requeue_stalled",
    "deliveries_send",
    "delivery_record",
    "delivery_report_record",
    "email_preferences_token",
    "email_preferences_token_read",
    "email_preferences_url",
    "email_unsubscribe",
    "message_send",
    "messages_mark_read",
    "notification_preferences_save",
    "notification_preferences_update",
    "notification_settings_update",
    "phone_normalise",
    "push_device_register",
    "push_device_unregister",
    "template_texts",
    "templates_ensure",
]
