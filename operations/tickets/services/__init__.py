"""Every write of the tickets app, by concern:

- `reporting` — a resident's (or staff's, on a resident's behalf) report, its deadlines
  and its hand-over; `anonymous` — the report without an account;
- `transitions` — status changes, the firm's acceptance, deadlines, rating, reopening;
- `assignment` — handing a ticket to a firm; `comments` — comments and internal notes;
- `attachments` — photo uploads and their files; `escalation` — the periodic closing and
  escalation (Celery beat); `categories` — the default categories and their trades.

Callers import the package (`from operations.tickets import services;
services.ticket_create(...)`); the modules are how it is kept, not part of the interface.

Every service is keyword-only and typed, runs in `transaction.atomic` (the periodic ones
in one transaction per ticket, so one ticket's failure does not undo the others'; photo
decoding before any transaction, since Pillow is slow), and is named `<entity>_<action>`.
Each change and its history entry (`TicketEvent`) are written in one transaction, and the
people concerned are told through messaging (`message_send`), whose outbox rows are part
of that same transaction: a ticket change is never committed without its notifications,
and they are sent by Celery after commit, even if the broker is down at that moment.
Whether a person may make a change is `policy`'s answer; refusals are
`ServiceError(code, message, field)` with `TicketErrorCode` values, and a refused call
changes nothing. Reads that depend on who asks are `selectors`.
"""

from .anonymous import ticket_anonymous_create
from .assignment import ticket_assign
from .attachments import photos_process, ticket_photo_files_sweep
from .categories import categories_ensure, category_trade_set
from .comments import ticket_comment_add
from .escalation import tickets_close_unconfirmed, tickets_escalate
from .reporting import ticket_create, ticket_place_check
from .transitions import (
    ticket_contractor_accept,
    ticket_deadline_change,
    ticket_rate,
    ticket_reopen,
    ticket_transition,
)

__all__ = [
    "categories_ensure",
    "category_trade_set",
    "photos_process",
    "ticket_anonymous_create",
    "ticket_assign",
    "ticket_comment_add",
    "ticket_contractor_accept",
    "ticket_create",
    "ticket_deadline_change",
    "ticket_photo_files_sweep",
    "ticket_place_check",
    "ticket_rate",
    "ticket_reopen",
    "ticket_transition",
    "tickets_close_unconfirmed",
    "tickets_escalate",
]
