"""What a person may do with messages, broadcasts and templates, answered once.

Three places ask: the services before they change anything (they raise the refusal this
module returns), the API's resolvers, and the admin's views and buttons (which actions a
member of staff is offered on a broadcast, who reads the delivery log or edits a
template). They all ask here, so a button is shown exactly when the action is allowed.

The staff side is Django permissions, named in the admin's group editor: composing
(`messaging.add_broadcast`), editing (`change_broadcast`) and sending or cancelling
(`send_broadcast`) a broadcast, reading the delivery log (`view_delivery`); messages and
templates about tickets also need the tickets app's permissions. The person's side is
ownership: their inbox and their devices, which the services reach only through queries
scoped to the person. What a channel sends by default (consent for offers included) is
a preference, not a permission, and stays in `kinds.py` and the preference services;
only "may this channel be turned off" is a rule here.

Each `*_refusal` returns the `ServiceError` a service raises, or None when allowed; the
`may_*` answers are booleans; `broadcast_actions_open` is everything at once, for buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError
from cms.core.visibility import page_is_visible

from .errors import MessagingErrorCode
from .kinds import Channel, MessageKind, rules_for
from .models import Broadcast, MessageTemplate
from .selectors import can_read_delivery_log

COMPOSE_BROADCASTS = "messaging.add_broadcast"
EDIT_BROADCASTS = "messaging.change_broadcast"
SEND_BROADCASTS = "messaging.send_broadcast"
# Ticket messages name residents, their units and what they reported: only those who may
# read tickets see them in the delivery log, or edit (and so re-word) their templates.
TICKET_READ_PERMISSION = "tickets.view_ticket"
TICKET_TEMPLATES_PERMISSION = "tickets.dispatch_ticket"

CANCELLABLE_STATUSES = frozenset({Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING})


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


# --- Broadcasts ---------------------------------------------------------------------------------


def broadcast_edit_refusal(broadcast: Broadcast | None) -> ServiceError | None:
    """Only a broadcast not yet sent is edited or sent, whoever asks (None: one that is
    gone, deleted meanwhile)."""
    if broadcast is not None and broadcast.is_editable:
        return None
    return ServiceError(
        MessagingErrorCode.BROADCAST_NOT_EDITABLE, gettext("This broadcast has already been sent or cancelled.")
    )


def broadcast_cancel_refusal(broadcast: Broadcast) -> ServiceError | None:
    """A draft, a scheduled and a sending broadcast can be stopped; a finished one cannot."""
    if broadcast.status in CANCELLABLE_STATUSES:
        return None
    return ServiceError(MessagingErrorCode.BROADCAST_NOT_CANCELLABLE, gettext("This broadcast has already finished."))


def may_compose_broadcast(user) -> bool:
    return user.has_perm(COMPOSE_BROADCASTS)


def may_edit_broadcast(user, broadcast: Broadcast) -> bool:
    return broadcast_edit_refusal(broadcast) is None and user.has_perm(EDIT_BROADCASTS)


def may_send_broadcast(user, broadcast: Broadcast) -> bool:
    return broadcast_edit_refusal(broadcast) is None and user.has_perm(SEND_BROADCASTS)


def may_cancel_broadcast(user, broadcast: Broadcast) -> bool:
    return user.has_perm(SEND_BROADCASTS) and broadcast_cancel_refusal(broadcast) is None


def may_broadcast_news(user, page) -> bool:
    """A draft broadcast from a news item: for those who compose broadcasts and may read
    the item (Wagtail's view restrictions) or edit it."""
    return may_compose_broadcast(user) and (page_is_visible(page, user) or page.permissions_for_user(user).can_edit())


def may_read_delivery_log(user) -> bool:
    """Who got what at which address: `messaging.view_delivery` (the selectors scope by it)."""
    return can_read_delivery_log(user)


@dataclass(frozen=True)
class BroadcastActions:
    """What a member of staff may do with a broadcast now (the admin's buttons)."""

    edit: bool
    send: bool
    cancel: bool
    export: bool


def broadcast_actions_open(user, broadcast: Broadcast) -> BroadcastActions:
    return BroadcastActions(
        edit=may_edit_broadcast(user, broadcast),
        send=may_send_broadcast(user, broadcast),
        cancel=may_cancel_broadcast(user, broadcast),
        export=may_read_delivery_log(user),
    )


# --- Ticket messages and templates --------------------------------------------------------------


def may_read_ticket_messages(user) -> bool:
    """Ticket messages in the delivery log are for those who read tickets."""
    return user.has_perm(TICKET_READ_PERMISSION)


def may_edit_template(user, template: MessageTemplate) -> bool:
    """A ticket template only for ticket staff; the others for whoever the admin lets in."""
    return template.kind != MessageKind.TICKET_UPDATE or user.has_perm(TICKET_TEMPLATES_PERMISSION)
