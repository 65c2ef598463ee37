"""What a person may do with memberships and their own account, answered once.

Three places ask: the services before they change anything (they raise the refusal this
module returns), the API's resolvers (which refuse before they look anything up, so
nobody can probe what exists), and the admin's buttons and fields (which decisions a
member of staff is offered, who sees a membership's proof). They all ask here, so a
button is shown exactly when the service would accept the click, and the reason a
service gives is the one written here. The admin asks `as_staff=True`: its decision
views decide for the cooperative, where a person's own membership is no reason to be
let in (they end it from the portal), so the admin offers no more than the service takes.

Each `*_refusal` returns the `ServiceError` a service raises, or None when allowed: "may
X do Y to Z" is `*_refusal(...) is None` or a `may_*` answer; "what may X do to Z" is
`membership_actions_open`. Whether a person is recognised (passes a `login` view
restriction) is visibility's question: `cms.core.visibility.is_recognised`, not this
module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from . import selectors
from .errors import MembershipErrorCode, PasswordChangeErrorCode, TokenErrorCode
from .models import Membership

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

DECIDE_MEMBERSHIPS = "residents.change_membership"


def _signed_in(user) -> bool:
    """An active person who signed in (None and the anonymous user are not)."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


# --- Staff --------------------------------------------------------------------------------------


def is_staff_member(user) -> bool:
    """Whether `user` works for the cooperative: Django staff, a superuser or any staff role
    (the API's `Viewer.isStaff`). Staff roles are read once per user object."""
    return bool(user.is_staff or user.is_superuser or selectors.staff_roles_of(user))


# --- Memberships --------------------------------------------------------------------------------


def may_decide_memberships(user: AbstractUser | None) -> bool:
    """Verify, reject and end anyone's membership, and see the proof a request gives:
    active staff with residents.change_membership."""
    return bool(user) and user.is_active and user.has_perm(DECIDE_MEMBERSHIPS)


def membership_request_refusal(user: AbstractUser | None) -> ServiceError | None:
    """Only a signed-in, active person asks for a unit. The API asks before it looks the
    unit up, so nobody anonymous can probe which units exist; the service asks again."""
    if not _signed_in(user):
        return ServiceError(MembershipErrorCode.NOT_AUTHENTICATED, gettext("Sign in to ask for access to a unit."))
    return None


def membership_decision_refusal(actor: AbstractUser | None) -> ServiceError | None:
    """Verifying or rejecting a request is staff's (`may_decide_memberships`)."""
    if not may_decide_memberships(actor):
        return ServiceError(MembershipErrorCode.PERMISSION_DENIED, gettext("You may not decide on memberships."))
    return None


def membership_end_refusal(
    actor: AbstractUser | None, membership: Membership, *, as_staff: bool = False
) -> ServiceError | None:
    """Staff who decide on memberships end any; a person may end their own. `as_staff`
    asks for an end decided for the cooperative (the admin's decision views), where a
    person's own membership gives no right: they end it themselves from the portal."""
    if may_decide_memberships(actor):
        return None
    if not as_staff and actor is not None and actor.pk == membership.user_id:
        return None
    return ServiceError(MembershipErrorCode.PERMISSION_DENIED, gettext("You may not end this membership."))


@dataclass(frozen=True)
class MembershipActions:
    """What a person may do with a membership now (the admin's buttons)."""

    verify: bool
    reject: bool
    end: bool


def membership_actions_open(
    actor: AbstractUser | None, membership: Membership, *, as_staff: bool = False
) -> MembershipActions:
    """The decisions the services would accept now: verify and reject a pending request,
    end a verified membership. `as_staff`: those decided for the cooperative, the admin's
    buttons (see `membership_end_refusal`). Runs no query (the permission check is
    Django's cached one)."""
    pending = membership.status == Membership.Status.PENDING
    decides = membership_decision_refusal(actor) is None
    ends = membership_end_refusal(actor, membership, as_staff=as_staff) is None
    return MembershipActions(
        verify=pending and decides,
        reject=pending and decides,
        end=membership.status == Membership.Status.VERIFIED and ends,
    )


def may_see_membership_proof(user: AbstractUser | None) -> bool:
    """The proof's value is for those who decide on it."""
    return may_decide_memberships(user)


# --- The person's own account -------------------------------------------------------------------


def password_change_refusal(user: AbstractUser | None) -> ServiceError | None:
    """Only a signed-in, active person changes their password."""
    if not _signed_in(user):
        return ServiceError(PasswordChangeErrorCode.NOT_AUTHENTICATED, gettext("Sign in to change your password."))
    return None


def may_sign_out_session(*, via_token: bool) -> bool:
    """A request signed with a bearer token has no session to end: it revokes its token."""
    return not via_token


def token_revoke_refusal(user, *, raw_token: str) -> ServiceError | None:
    """Revoking the request's token needs a request signed in with one."""
    if not raw_token or not getattr(user, "is_authenticated", False):
        return ServiceError(
            TokenErrorCode.NOT_TOKEN_AUTHENTICATED, gettext("Send the token to revoke in the Authorization header.")
        )
    return None
