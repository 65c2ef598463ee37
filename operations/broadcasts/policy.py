"""What a member of staff may do with a broadcast, answered once.

Three places ask: the services before they change anything (they raise the refusal this
module returns), the admin's views and buttons (which actions are offered on a broadcast,
who may broadcast a news item), and the page hooks that offer a broadcast of a published
alert. They all ask here, so a button is shown exactly when the action is allowed.

The rules are Django permissions, named in the admin's group editor: composing
(`broadcasts.add_broadcast`), editing (`change_broadcast`) and sending or cancelling
(`send_broadcast`) a broadcast; reading who got what (the delivery log) is messaging's
`view_delivery` (`messaging.policy.may_read_delivery_log`). A broadcast's status decides
the rest: only one not sent yet is edited or sent, only one not finished is cancelled.

Each `*_refusal` returns the `ServiceError` a service raises, or None when allowed; the
`may_*` answers are booleans; `broadcast_actions_open` is everything at once, for buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError
from cms.core.visibility import page_is_visible
from operations.messaging import policy as messaging_policy

from .errors import BroadcastErrorCode
from .models import Broadcast

COMPOSE_BROADCASTS = "broadcasts.add_broadcast"
EDIT_BROADCASTS = "broadcasts.change_broadcast"
SEND_BROADCASTS = "broadcasts.send_broadcast"

CANCELLABLE_STATUSES = frozenset({Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING})


def broadcast_edit_refusal(broadcast: Broadcast | None) -> ServiceError | None:
    """Only a broadcast not yet sent is edited or sent, whoever asks (None: one that is
    gone, deleted meanwhile)."""
    if broadcast is not None and broadcast.is_editable:
        return None
    return ServiceError(
        BroadcastErrorCode.BROADCAST_NOT_EDITABLE, gettext("This broadcast has already been sent or cancelled.")
    )


def broadcast_cancel_refusal(broadcast: Broadcast) -> ServiceError | None:
    """A draft, a scheduled and a sending broadcast can be stopped; a finished one cannot."""
    if broadcast.status in CANCELLABLE_STATUSES:
        return None
    return ServiceError(BroadcastErrorCode.BROADCAST_NOT_CANCELLABLE, gettext("This broadcast has already finished."))


def may_compose_broadcast(user) -> bool:
    return user.has_perm(COMPOSE_BROADCASTS)


def may_edit_broadcast(user, broadcast: Broadcast) -> bool:
    return broadcast_edit_refusal(broadcast) is None and user.has_perm(EDIT_BROADCASTS)


def may_send_broadcasts(user) -> bool:
    """Sends (and cancels) broadcasts at all; the admin's first page shows them their failures."""
    return user.has_perm(SEND_BROADCASTS)


def may_send_broadcast(user, broadcast: Broadcast) -> bool:
    return broadcast_edit_refusal(broadcast) is None and may_send_broadcasts(user)


def may_cancel_broadcast(user, broadcast: Broadcast) -> bool:
    return may_send_broadcasts(user) and broadcast_cancel_refusal(broadcast) is None


def may_broadcast_news(user, page) -> bool:
    """A draft broadcast from a news item: for those who compose broadcasts and may read
    the item (Wagtail's view restrictions) or edit it (its lead is copied into the draft)."""
    return may_compose_broadcast(user) and (page_is_visible(page, user) or page.permissions_for_user(user).can_edit())


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
        export=messaging_policy.may_read_delivery_log(user),
    )
