"""The contract every channel provider keeps.

A provider sends one message to one address and either returns the provider's id for
it or raises:
- `TemporaryFailure` when trying again later may work (network down, provider busy,
  rate limited): the delivery is retried with back-off;
- `PermanentFailure` when it never will (address refused, bad number, device gone):
  the delivery fails at once, `bounced=True` when the address itself was refused.
Any other exception is treated as temporary by the sender and logged.

Providers are configured in settings (`MESSAGING_PROVIDERS`: channel → dotted class
path and keyword options) and built per use; they keep no state between sends.
`rate_per_second` is how fast the provider may be called (None: no limit), applied
by the sender across workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryFailure(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later."""


class PermanentFailure(DeliveryFailure):
    """Never worth trying again; `bounced` when the address itself was refused."""

    def __init__(self, reason: str, *, bounced: bool = False):
        super().__init__(reason)
        self.bounced = bounced


@dataclass(frozen=True)
class OutgoingMessage:
    """One message on one channel to one address, rendered in the recipient's language."""

    address: str  # e-mail address, phone number in E.164 (+48600123456) or push token
    subject: str
    text: str  # plain text body (e-mail text part, push body falls back to it)
    html: str = ""  # e-mail HTML part
    sms_text: str = ""
    link: str = ""  # absolute URL the message points to (push data, e-mail button)
    # Stable per delivery: providers that can refuse duplicates get it, so a send
    # retried after a crash between "provider accepted" and "we recorded it" is dropped
    # by the provider instead of reaching the person twice.
    idempotency_key: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # e-mail headers (List-Unsubscribe)


class Provider:
    name: str = "provider"
    rate_per_second: float | None = None

    def __init__(self, **options):
        self.options = options

    def send(self, message: OutgoingMessage) -> str:
        raise NotImplementedError


def provider_for(channel: str) -> Provider:
    config = settings.MESSAGING_PROVIDERS[channel]
    provider_class = import_string(config["BACKEND"])
    return provider_class(**config.get("OPTIONS", {}))
