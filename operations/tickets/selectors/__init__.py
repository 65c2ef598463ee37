"""Every read of tickets that depends on who asks: which tickets, comments and photos a
person sees, what a person is to a ticket (`TicketViewer`), and the look-ups the API
makes before calling a service (a unit, a building, a firm, a person by id).

`policy.py` turns what a person is (`TicketViewer.roles_for`) into what they may do;
`services/` writes; `api/` reads only through this package, the mutations' payloads
included (a firm that has just handed a ticket back no longer receives it).
`selectors.figures` holds the statistics (aggregate reads for those who may see them).

Operational data is scoped by relation (docs/architecture.md): residents see the tickets of the
units they hold a verified membership in, and the common-area tickets they reported in
a building where they still hold one (someone who moved out no longer reads the new
occupants' tickets, nor the comments on their own old ones); a contractor's workers see
the tickets assigned to their firm; dispatchers, administrators and the board see all
(`tickets.view_ticket`). Internal comments are for staff and the assigned firm only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from cms.contractors.models import ContractorPage, ContractorStaff
from operations.residents.models import Building, Membership, Unit
from operations.residents.roles import StaffRole, staff_group_name

from ..models import CLOSED_STATUSES, Category, Ticket, TicketComment, TicketPhoto
from ..workflow import Actor

# Whoever asks: an account, the anonymous visitor (Django's AnonymousUser), or nobody.
Person = AbstractBaseUser | AnonymousUser | None


def is_ticket_staff(user: Person) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("tickets.view_ticket"))


def can_dispatch(user: Person) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("tickets.dispatch_ticket"))


def can_read_statistics(user: Person) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("tickets.view_ticket_statistics"))


def firm_id_of(user: Person) -> int | None:
    """The id of the contractor firm the person works for, or None (one small query: the
    firm's page row is not needed to scope tickets)."""
    if not user or not user.is_authenticated:
        return None
    return ContractorStaff.objects.filter(user=user).values_list("firm_id", flat=True).first()


def household_condition(user: Person) -> Q:
    """The tickets a person sees as a resident: those of their verified units, and the
    common-area reports they made in those units' buildings. Staff and firms see more
    (`tickets_visible_to`); the resident portal asks for this much only."""
    memberships = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
    return Q(unit__in=memberships.values("unit_id")) | Q(
        reporter=user, unit__isnull=True, building__in=memberships.values("unit__building_id")
    )


def tickets_visible_to(user: Person) -> QuerySet[Ticket]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if is_ticket_staff(user):
        return Ticket.objects.all()
    visible = household_condition(user)
    # The firm as a subquery rather than a look-up of its own: the same answer, one query
    # fewer for every caller (and the condition is evaluated when the queryset runs, so a
    # mutation's payload read after a hand-back sees the hand-back).
    visible |= Q(contractor_id__in=ContractorStaff.objects.filter(user=user).values("firm_id"))
    return Ticket.objects.filter(visible)


class TicketOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    DEADLINE = "deadline"  # the soonest deadline first


_ORDERINGS = {
    TicketOrder.NEWEST: ("-created_at", "-id"),
    TicketOrder.OLDEST: ("created_at", "id"),
    TicketOrder.DEADLINE: ("due_at", "id"),
}


def overdue_condition(now: datetime | None = None) -> Q:
    """`Ticket.is_overdue` as a query condition: open, and marked overdue or past its deadline."""
    now = now or timezone.now()
    return ~Q(status__in=CLOSED_STATUSES) & (Q(overdue_at__isnull=False) | Q(due_at__lte=now))


def tickets_list(
    user: Person,
    *,
    statuses: list[str] | None = None,
    open_only: bool = False,
    category_id: int | None = None,
    building_id: int | None = None,
    unit_id: int | None = None,
    overdue: bool | None = None,
    reported_by_me: bool = False,
    assigned_to_me: bool = False,
    household: bool = False,
    sources: list[str] | None = None,
    order: TicketOrder = TicketOrder.NEWEST,
) -> QuerySet[Ticket]:
    """The tickets the person may see, narrowed by the list's filters (each one that is given)."""
    tickets = tickets_visible_to(user)
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if open_only:
        tickets = tickets.exclude(status__in=CLOSED_STATUSES)
    if category_id is not None:
        tickets = tickets.filter(category_id=category_id)
    if building_id is not None:
        tickets = tickets.filter(building_id=building_id)
    if unit_id is not None:
        tickets = tickets.filter(unit_id=unit_id)
    if overdue is not None:
        tickets = tickets.filter(overdue_condition()) if overdue else tickets.exclude(overdue_condition())
    if reported_by_me:
        tickets = tickets.filter(reporter=user)
    if assigned_to_me:
        tickets = tickets.filter(worker=user)
    if household:
        tickets = tickets.filter(household_condition(user))
    if sources:
        tickets = tickets.filter(source__in=sources)
    return tickets.order_by(*_ORDERINGS[order])


def person(pk: int | None) -> AbstractBaseUser | None:
    """An active account by its id (a resident staff record a report for, a worker)."""
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


@dataclass(frozen=True)
class TicketViewer:
    """What a person is, for tickets, read once (a few queries) and then applied to any
    number of tickets without further queries: lists answer per-ticket questions (what
    may I do with it?) at a constant cost."""

    user_id: int | None
    is_staff: bool  # reads every ticket (tickets.view_ticket)
    dispatches: bool  # works them (tickets.dispatch_ticket)
    firm_id: int | None
    unit_ids: frozenset[int]  # units of verified memberships
    building_ids: frozenset[int]  # their buildings

    @classmethod
    def of(cls, user: Person) -> TicketViewer:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(None, False, False, None, frozenset(), frozenset())
        firm_id = firm_id_of(user)
        places = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values_list(
            "unit_id", "unit__building_id"
        )
        return cls(
            user_id=user.pk,
            is_staff=is_ticket_staff(user),
            dispatches=can_dispatch(user),
            firm_id=firm_id,
            unit_ids=frozenset(unit for unit, _building in places),
            building_ids=frozenset(building for _unit, building in places),
        )

    def roles_for(self, ticket: Ticket) -> set[Actor]:
        """What the person is to this ticket: staff, its contractor, its reporter (several at once)."""
        roles: set[Actor] = set()
        if self.user_id is None:
            return roles
        if self.dispatches:
            roles.add(Actor.STAFF)
        if ticket.contractor_id and ticket.contractor_id == self.firm_id:
            roles.add(Actor.CONTRACTOR)
        # As in tickets_visible_to: through a verified membership, held now.
        if ticket.unit_id in self.unit_ids or (
            ticket.unit_id is None and ticket.reporter_id == self.user_id and ticket.building_id in self.building_ids
        ):
            roles.add(Actor.REPORTER)
        return roles

    def sees_internal(self, ticket: Ticket) -> bool:
        return self.is_staff or (self.firm_id is not None and ticket.contractor_id == self.firm_id)


def actor_roles(ticket: Ticket, user: Person) -> set[Actor]:
    """What the person is to this ticket: staff, its contractor, its reporter (several at once)."""
    return TicketViewer.of(user).roles_for(ticket)


def sees_internal_comments(ticket: Ticket, user: Person) -> bool:
    return TicketViewer.of(user).sees_internal(ticket)


def internal_notes_filter(user: Person) -> Q:
    """Which comments or photos (rows with `is_internal` and `ticket`) the person may see,
    as one condition for a whole list: all for staff, internal ones of their firm's
    tickets for a contractor, public ones for everyone else. Apply it to rows of tickets
    the person may see (`tickets_visible_to`)."""
    if is_ticket_staff(user):
        return Q()
    firm_id = firm_id_of(user)
    if firm_id is not None:
        return Q(is_internal=False) | Q(ticket__contractor_id=firm_id)
    return Q(is_internal=False)


def comments_visible_to(ticket: Ticket, user: Person) -> QuerySet[TicketComment]:
    comments = ticket.comments.all()
    return comments if sees_internal_comments(ticket, user) else comments.filter(is_internal=False)


def photos_visible_to(user: Person) -> QuerySet[TicketPhoto]:
    """Photos of the tickets the person may see, internal ones as for comments."""
    visible_tickets = tickets_visible_to(user).values("pk")
    return TicketPhoto.objects.filter(internal_notes_filter(user), ticket__in=visible_tickets)


def categories_offered() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


# --- Look-ups by id for the API (what a request names, before a service is called) ----------


def unit_by_id(pk: int) -> Unit | None:
    """A unit a report names (with its building); whether the reporter may report for it
    is the service's question (`services.ticket_place_check`)."""
    return Unit.objects.select_related("building").filter(pk=pk).first()


def building_by_id(pk: int) -> Building | None:
    return Building.objects.filter(pk=pk).first()


def contractor_by_id(pk: int) -> ContractorPage | None:
    """A firm a ticket is to be handed to; whether it is live is the service's question."""
    return ContractorPage.objects.filter(pk=pk).first()


def staff_in_role(role: StaffRole) -> list[AbstractBaseUser]:
    """The active people holding a staff role (dispatchers, administrators) to tell of a ticket."""
    return list(get_user_model().objects.filter(groups__name=staff_group_name(role), is_active=True))
