"""What the broadcasts app listens to: after the outbox has sent a run of deliveries
(messaging's `deliveries_sent`), broadcasts with nothing left to send are marked sent."""

from __future__ import annotations

from operations.messaging.signals import deliveries_sent


def finish_broadcasts_after_sending(sender, **kwargs) -> None:
    from . import services

    services.broadcasts_finish()


def connect(app_config) -> None:
    deliveries_sent.connect(finish_broadcasts_after_sending, dispatch_uid="broadcasts-finish-after-sending")
