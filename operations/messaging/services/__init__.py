"""Every write of the messaging app, split by concern; import this package, not its modules.

Other apps call `from operations.messaging import services; services.message_send(...)`,
so the public functions are re-exported here and the split stays an inner detail:

- `outbox`: the hub's own messages (`message_send`) and composed ones
  (`composed_message_send`, the broadcasts app's), one row per person and channel, and
  withdrawing them (`messages_withdraw`, `account_activation_messages_withdraw`);
- `sending`: the worker's side: claiming, sending and recording deliveries;
- `delivery_reports`: what providers report after sending (bounces);
- `templates`: the texts of the hub's own messages;
- `preferences`: a person's settings, channels, devices, read state and e-mail links.

How a message travels is told in `outbox`.

Every function is keyword-only (reads that take one object aside: `template_texts`,
`templates_ensure`, which the tickets app calls with its list) and refuses bad input with
`ServiceError`. A function that writes more than one statement is one transaction; a
single conditional UPDATE is atomic on its own and is left without a savepoint that would
only add queries. One is deliberately not one transaction: `deliveries_send` (it talks to
providers; each outcome is recorded as it happens).
"""

from .delivery_reports import delivery_report_record
from .outbox import account_activation_messages_withdraw, composed_message_send, message_send, messages_withdraw
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
    "account_activation_messages_withdraw",
    "channels_with_due_deliveries",
    "composed_message_send",
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
    "messages_withdraw",
    "notification_preferences_save",
    "notification_preferences_update",
    "notification_settings_update",
    "phone_normalise",
    "push_device_register",
    "push_device_unregister",
    "template_texts",
    "templates_ensure",
]
