"""Default message templates after `migrate`, and the outbox's one signal to other apps.

`deliveries_sent` is sent after each run of `services.deliveries_send` (with `channel`
and the run's `counts`): apps that follow their messages' deliveries listen to it
(broadcasts mark those with nothing left to send as sent), so messaging imports none of
them.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.dispatch import Signal

deliveries_sent = Signal()


def ensure_templates_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if using != DEFAULT_DB_ALIAS:
        return
    from . import services

    services.templates_ensure()


def connect(app_config) -> None:
    post_migrate.connect(ensure_templates_after_migrate, sender=app_config, dispatch_uid="messaging-templates")
