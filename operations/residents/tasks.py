"""Periodic work for residents' data."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from operations.residents import services


@shared_task
def prune_sign_in_attempts() -> int:
    """Delete sign-in attempts older than SIGNIN_HISTORY_DAYS (RODO: keep no longer than needed)."""
    return services.sign_in_attempts_prune(before=timezone.now() - timedelta(days=settings.SIGNIN_HISTORY_DAYS))
