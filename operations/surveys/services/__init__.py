"""Every write of surveys and resolutions, by concern:

- `surveys` — answering a survey (`survey_respond`) and changing the answer
  (`survey_response_change`);
- `resolutions` — announcing, opening and closing the vote on a resolution, casting votes
  online and recording paper ballots, naming proxies (`resolutions_advance` is what the
  periodic task runs);
- `reminders` — reminding those who have not answered or voted (`reminders_send`);
- `protocol` — a resolution's protocol (PDF, CSV and XLSX rows).

Callers import the package (`from operations.surveys import services`). Keyword-only,
atomic; refusals are `ServiceError` with `SurveyErrorCode` / `ResolutionErrorCode`, and a
refused call writes nothing.
"""

from .reminders import reminders_send, resolution_reminders_send, survey_reminders_send
from .resolutions import (
    CHALLENGE_PERIOD,
    resolution_close,
    resolution_open,
    resolution_schedule,
    resolutions_advance,
    seat_proxy_set,
    vote_cast,
    vote_record_paper,
)
from .surveys import ANONYMOUS_BATCH, anonymous_ballots_seal, survey_respond, survey_response_change

__all__ = [
    "ANONYMOUS_BATCH",
    "anonymous_ballots_seal",
    "CHALLENGE_PERIOD",
    "reminders_send",
    "resolution_reminders_send",
    "survey_reminders_send",
    "resolution_close",
    "resolution_open",
    "resolution_schedule",
    "resolutions_advance",
    "seat_proxy_set",
    "survey_respond",
    "survey_response_change",
    "vote_cast",
    "vote_record_paper",
]
