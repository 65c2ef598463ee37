"""Who sees which tickets and comments, and what a person is to a ticket.

Operational data is scoped by relation (DESIGN.md): residents see the tickets of the
units they hold a verified membership in and those they reported themselves; a
contractor's workers see the tickets assigned to their firm; dispatchers,
administrators and the board see all (`tickets.view_ticket`). Internal comments are for
staff and the assigned firm only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from cms.contractors.models import ContractorStaff
from operations.residents.models import Membership
from operations.residents.roles import staff_group_name

from .models import Category, Ticket, TicketComment, TicketPhoto
from .workflow import Actor


def is_ticket_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("tickets.view_ticket"))


def can_dispatch(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("tickets.dispatch_ticket"))


def firm_of(user):
    """The contractor firm the person works for, or None."""
    if not user or not user.is_authenticated:
        return None
    staff = ContractorStaff.objects.filter(user=user).select_related("firm").first()
    return staff.firm if staff else None


def tickets_visible_to(user) -> QuerySet[Ticket]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if is_ticket_staff(user):
        return Ticket.objects.all()
    units = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values("unit_id")
    visible = Q(reporter=user) | Q(unit__in=units)
    firm = firm_of(user)
    if firm is not None:
        visible |= Q(contractor=firm)
    return Ticket.objects.filter(visible)


def actor_roles(ticket: Ticket, user) -> set[Actor]:
    """What the person is to this ticket: staff, its contractor, its reporter (several at once)."""
    roles: set[Actor] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return roles
    if can_dispatch(user):
        roles.add(Actor.STAFF)
    if ticket.contractor_id and ContractorStaff.objects.filter(user=user, firm_id=ticket.contractor_id).exists():
        roles.add(Actor.CONTRACTOR)
    if ticket.reporter_id == user.pk or (
        ticket.unit_id
        and Membership.objects.filter(user=user, unit_id=ticket.unit_id, status=Membership.Status.VERIFIED).exists()
    ):
        roles.add(Actor.REPORTER)
    return roles


def sees_internal_comments(ticket: Ticket, user) -> bool:
    if is_ticket_staff(user):
        return True
    firm = firm_of(user)
    return firm is not None and ticket.contractor_id == firm.pk


def internal_notes_filter(user) -> Q:
    """Which comments or photos (rows with `is_internal` and `ticket`) the person may see,
    as one condition for a whole list: all for staff, internal ones of their firm's
    tickets for a contractor, public ones for everyone else. Apply it to rows of tickets
    the person may see (`tickets_visible_to`)."""
    if is_ticket_staff(user):
        return Q()
    firm = firm_of(user)
    if firm is not None:
        return Q(is_internal=False) | Q(ticket__contractor=firm)
    return Q(is_internal=False)


def comments_visible_to(ticket: Ticket, user) -> QuerySet[TicketComment]:
    comments = ticket.comments.all()
    return comments if sees_internal_comments(ticket, user) else comments.filter(is_internal=False)


def photos_visible_to(user) -> QuerySet[TicketPhoto]:
    """Photos of the tickets the person may see, internal ones as for comments."""
    visible_tickets = tickets_visible_to(user).values("pk")
    return TicketPhoto.objects.filter(internal_notes_filter(user), ticket__in=visible_tickets)


def categories_offered() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def staff_in_role(role) -> list:
    """The active people holding a staff role (dispatchers, administrators) to tell of a ticket."""
    return list(get_user_model().objects.filter(groups__name=staff_group_name(role), is_active=True))
