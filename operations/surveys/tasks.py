"""Periodic work on surveys and resolutions (Celery beat, CELERY_BEAT_SCHEDULE in
cms/settings/base.py):

- `resolutions_advance` opens announced resolutions when their voting starts (fixing the
  electorate) and closes them when it ends (the result, the owners' notification);
- `anonymous_ballots_seal` counts anonymous surveys' answers in shuffled batches;
- `reminders_send` reminds those who have not answered a survey or voted on a resolution,
  when it opens and once before it closes.

Each only calls the service of the same name, which does nothing twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def resolutions_advance() -> dict[str, int]:
    return services.resolutions_advance()


@shared_task
def reminders_send() -> dict[str, int]:
    return services.reminders_send()


@shared_task
def anonymous_ballots_seal() -> int:
    return services.anonymous_ballots_seal()
