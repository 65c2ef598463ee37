"""What a person may do with messages and templates, answered once.

Three places ask: the services before they change anything (they raise the refusal this
module returns), the API's resolvers, and the admin's views (who reads the delivery log,
who sees ticket messages in it or edits a template). They all ask here, so a screen is
shown exactly when it is allowed. Broadcasts have their own policy (operations.broadcasts).

The staff side is Django permissions, named in the admin's group editor: reading the
delivery log (`messaging.view_delivery`); messages and templates about tickets also need
the tickets app's permissions. The person's side is ownership: their inbox and their
devices, which the services reach only through queries scoped to the person. What a
channel sends by default (consent for offers included) is a preference, not a
permission, and stays in `kinds.py` and the preference services; only "may this channel
be turned off" is a rule here.

Each `*_refusal` returns the `ServiceError` a service raises, or None when allowed; the
`may_*` answers are booleans.
"""

from __future__ import annotations

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from .errors import MessagingErrorCode
from .kinds import Channel, MessageKind, rules_for
from .models import MessageTemplate
from .selectors import can_read_delivery_log

# Ticket messages name residents, their units and what they reported: only those who may
# read tickets see them in the delivery log, or edit (and so re-word) their templates.
TICKET_READ_PERMISSION = "tickets.view_ticket"
TICKET_TEMPLATES_PERMISSION = "tickets.dispatch_ticket"


# --- The person's own messages, preferences and devices -----------------------------------------


def personal_refusal(user) -> ServiceError | None:
    """The inbox, the preferences and the push devices are a signed-in person's own; the
    services then reach only rows of that person (someone else's message is not found)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ServiceError(MessagingErrorCode.NOT_AUTHENTICATED, gettext("Sign in to manage your messages."))
    return None


def may_turn_off(kind: MessageKind | str, channel: Channel | str) -> bool:
    """Whether a person may turn `channel` off for `kind`: not a locked channel (account
    e-mails, for instance, always reach their address)."""
    return not rules_for(kind).is_locked(channel)


def channel_off_refusal(kind: MessageKind | str, channel: Channel | str, *, field: str | None = None):
    """CHANNEL_LOCKED when `channel` cannot be turned off for `kind` (see `may_turn_off`)."""
    if may_turn_off(kind, channel):
        return None
    return ServiceError(
        MessagingErrorCode.CHANNEL_LOCKED,
        gettext("Messages about %(kind)s always reach you by %(channel)s.")
        % {"kind": rules_for(kind).label, "channel": Channel(channel).label},
        field,
    )


# --- The delivery log ---------------------------------------------------------------------------


def may_read_delivery_log(user) -> bool:
    """Who got what at which address: `messaging.view_delivery` (the selectors scope by it)."""
    return can_read_delivery_log(user)


# --- Ticket messages and templates --------------------------------------------------------------


def may_read_ticket_messages(user) -> bool:
    """Ticket messages in the delivery log are for those who read tickets."""
    return user.has_perm(TICKET_READ_PERMISSION)


def may_edit_template(user, template: MessageTemplate) -> bool:
    """A ticket template only for ticket staff; the others for whoever the admin lets in."""
    return template.kind != MessageKind.TICKET_UPDATE or user.has_perm(TICKET_TEMPLATES_PERMISSION)
