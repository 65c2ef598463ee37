"""Ticket message templates, and the default categories of a new installation, after `migrate`."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def ensure_templates_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if using != DEFAULT_DB_ALIAS:
        return
    from operations.messaging import services as messaging

    from . import services
    from .message_templates import TICKET_TEMPLATES

    messaging.templates_ensure(TICKET_TEMPLATES)
    services.categories_ensure()


def connect(app_config) -> None:
    post_migrate.connect(ensure_templates_after_migrate, sender=app_config, dispatch_uid="tickets-templates")
