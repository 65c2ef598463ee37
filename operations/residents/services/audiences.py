"""Audience groups: the Django groups that stand for an estate, a building or a role.

They are derived data (see models.Audience): `user_audiences_sync` computes a person's
audience groups from their live memberships, staff roles and contractor link, and every
service that changes one of those calls it in the same transaction, so that Wagtail's
view restrictions answer "who may see this" from up-to-date groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..models import Audience, Building, Estate, Membership
from ..roles import STAFF_GROUP_NAMES

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser

User = get_user_model()

# Names of the role audiences as the cooperative sees them in Wagtail's privacy dialog.
ROLE_AUDIENCE_NAMES: dict[str, str] = {
    Audience.Role.OWNERS: "Właściciele",
    Audience.Role.TENANTS: "Najemcy",
    Audience.Role.BOARD: "Zarząd (członkowie)",
    Audience.Role.STAFF: "Pracownicy",
    Audience.Role.CONTRACTORS: "Wykonawcy",
}

MEMBERSHIP_ROLE_AUDIENCE: dict[str, str] = {
    Membership.Role.OWNER: Audience.Role.OWNERS,
    Membership.Role.TENANT: Audience.Role.TENANTS,
    Membership.Role.BOARD: Audience.Role.BOARD,
}


def estate_group_name(estate: Estate) -> str:
    return f"Osiedle: {estate.name}"


def building_group_name(building: Building) -> str:
    return f"Budynek {building.code} ({building.street} {building.number})"


def _free_group_name(base: str, *, qualifier: str, group: Group | None = None) -> str:
    """`base`, or a variant of it, that no group other than `group` already uses."""
    max_length = Group._meta.get_field("name").max_length
    candidates = [base, f"{base} – {qualifier}"] + [f"{base} – {qualifier} ({n})" for n in range(2, 100)]
    for candidate in candidates:
        candidate = candidate[:max_length]
        taken = Group.objects.filter(name=candidate)
        if group is not None:
            taken = taken.exclude(pk=group.pk)
        if not taken.exists():
            return candidate
    raise RuntimeError(f"No free group name for {base!r}")


def _audience_group(audience: Audience | None, *, kind: str, name: str, qualifier: str, **target) -> Audience:
    """Create the audience (and its group) or bring the group's name up to date."""
    if audience is None:
        group = Group.objects.create(name=_free_group_name(name, qualifier=qualifier))
        return Audience.objects.create(group=group, kind=kind, **target)
    group = audience.group
    if group.name != name and not group.name.startswith(f"{name} – "):
        group.name = _free_group_name(name, qualifier=qualifier, group=group)
        group.save(update_fields=["name"])
    return audience


def _estate_audience(estate: Estate) -> Audience:
    existing = Audience.objects.select_related("group").filter(estate=estate).first()
    return _audience_group(
        existing, kind=Audience.Kind.ESTATE, name=estate_group_name(estate), qualifier=estate.slug, estate=estate
    )


def _building_audience(building: Building) -> Audience:
    existing = Audience.objects.select_related("group").filter(building=building).first()
    return _audience_group(
        existing,
        kind=Audience.Kind.BUILDING,
        name=building_group_name(building),
        qualifier=building.estate.name,
        building=building,
    )


def _role_audience(role: str) -> Audience:
    existing = Audience.objects.select_related("group").filter(role=role).first()
    if existing is not None:
        return existing
    # Adopt a group of that name if someone created it by hand, unless it stands for something else.
    name = ROLE_AUDIENCE_NAMES[role]
    group = Group.objects.filter(name=name, audience__isnull=True).first()
    if group is None:
        group = Group.objects.create(name=_free_group_name(name, qualifier=str(Audience.Role(role).label)))
    return Audience.objects.create(group=group, kind=Audience.Kind.ROLE, role=role)


@transaction.atomic
def audiences_ensure() -> None:
    """Make sure every role, estate and building has its audience group; idempotent.

    Runs after every `migrate`; estate_create and building_create create their own, so
    this only repairs what was made some other way (fixtures, a restored backup).
    """
    for role in ROLE_AUDIENCE_NAMES:
        _role_audience(role)
    for estate in Estate.objects.all():
        _estate_audience(estate)
    for building in Building.objects.select_related("estate"):
        _building_audience(building)


@transaction.atomic
def audience_group(*, role: str | None = None, estate: Estate | None = None, building: Building | None = None) -> Group:
    """The Django group of a role, estate or building audience (created if missing).

    For other apps and for the demo data: a news item for building A is restricted to
    `audience_group(building=a)`.
    """
    if role is not None:
        return _role_audience(role).group
    if estate is not None:
        return _estate_audience(estate).group
    if building is not None:
        return _building_audience(building).group
    raise ValueError("Give a role, an estate or a building.")


def _is_contractor(user: AbstractUser) -> bool:
    from cms.contractors.models import ContractorStaff

    return ContractorStaff.objects.filter(user=user).exists()


@transaction.atomic
def user_audiences_sync(*, user: AbstractUser) -> None:
    """Bring `user`'s audience groups in line with what they are entitled to now.

    Entitled: the estate, building and role (owners, tenants, board) audiences of every
    verified, not ended membership; the staff audience for any staff role; the
    contractors audience for a contractor link. Groups that are not audiences (staff
    roles, Wagtail's own) are never touched. A person with two units keeps what the
    other unit gives when one membership ends, because nothing is removed that some
    live membership still justifies.
    """
    # Serialise concurrent decisions about one person, so that each computes from the
    # other's committed result (PostgreSQL; SQLite serialises writers anyway).
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))

    wanted: set[int] = set()
    live = Membership.objects.live().filter(user=user).select_related("unit__building__estate")
    seen_buildings: set[int] = set()
    for membership in live:
        building = membership.unit.building
        if building.pk not in seen_buildings:
            seen_buildings.add(building.pk)
            wanted.add(_building_audience(building).group_id)
            wanted.add(_estate_audience(building.estate).group_id)
        wanted.add(_role_audience(MEMBERSHIP_ROLE_AUDIENCE[membership.role]).group_id)
    if user.groups.filter(name__in=STAFF_GROUP_NAMES.values()).exists():
        wanted.add(_role_audience(Audience.Role.STAFF).group_id)
    if _is_contractor(user):
        wanted.add(_role_audience(Audience.Role.CONTRACTORS).group_id)

    current = set(Group.objects.filter(user=user, audience__isnull=False).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
