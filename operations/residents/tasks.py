"""Background and periodic work for residents' data; each task only calls services."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from operations.residents import services


@shared_task
def sign_in_attempts_prune() -> int:
    """Delete sign-in attempts older than SIGNIN_HISTORY_DAYS (RODO: keep no longer than needed)."""
    return services.sign_in_attempts_prune(before=timezone.now() - timedelta(days=settings.SIGNIN_HISTORY_DAYS))


@shared_task(acks_late=True)
def account_email_request_send(request_id: int) -> bool:
    """Act on one sign-up or reset request (queued after the request's commit)."""
    return services.account_email_request_process(request_id=request_id)


@shared_task
def account_email_requests_sweep() -> dict:
    """Every minute: act on the requests whose task the broker lost, and delete the
    requests older than a day (they hold e-mail addresses and names)."""
    processed = services.account_email_requests_process(waiting_at_least=services.ACCOUNT_EMAIL_REQUEST_GRACE)
    deleted = services.account_email_requests_prune(before=timezone.now() - services.ACCOUNT_EMAIL_REQUESTS_KEPT)
    return {"processed": processed, "deleted": deleted}


# The former registered name, kept for one release only: the old beat schedule sent the
# prune under it once a day, so a message under it may still wait in the broker at the
# deploy, and a worker refuses a name it does not know. Remove in the release after next.
@shared_task
def prune_sign_in_attempts() -> int:
    """Former name of `sign_in_attempts_prune`."""
    return sign_in_attempts_prune()
