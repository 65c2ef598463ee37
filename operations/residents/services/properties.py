"""Estates, buildings and units: the cooperative's property, each with its audience group."""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cms.core.exceptions import ServiceError, model_validate

from ..errors import PropertyErrorCode
from ..models import Building, Estate, Membership, Unit
from .audiences import _building_audience, _estate_audience, user_audiences_sync
from .memberships import _normalise_proof

User = get_user_model()


@transaction.atomic
def estate_create(*, name: str, slug: str) -> Estate:
    estate = Estate(name=name.strip(), slug=slug.strip())
    model_validate(estate, code=PropertyErrorCode.INVALID)
    estate.save()
    _estate_audience(estate)
    return estate


@transaction.atomic
def estate_update(*, estate: Estate, name: str, slug: str) -> Estate:
    estate.name, estate.slug = name.strip(), slug.strip()
    model_validate(estate, code=PropertyErrorCode.INVALID)
    estate.save()
    _estate_audience(estate)
    for building in estate.buildings.all():
        # A building group's qualifier may name the estate.
        _building_audience(building)
    return estate


def _delete_with_audience(instance, audience_filter: dict) -> None:
    groups = list(Group.objects.filter(**{f"audience__{k}": v for k, v in audience_filter.items()}))
    instance.delete()
    for group in groups:
        group.delete()


@transaction.atomic
def estate_delete(*, estate: Estate) -> None:
    if estate.buildings.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("Delete or move the estate's buildings first."))
    _delete_with_audience(estate, {"estate": estate})


@transaction.atomic
def building_create(*, estate: Estate, code: str, street: str, number: str, postal_code: str, city: str) -> Building:
    building = Building(
        estate=estate,
        code=code.strip(),
        street=street.strip(),
        number=number.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
    )
    _validate_postal_code(building.postal_code)
    model_validate(building, code=PropertyErrorCode.INVALID)
    building.save()
    _building_audience(building)
    return building


@transaction.atomic
def building_update(
    *, building: Building, estate: Estate, code: str, street: str, number: str, postal_code: str, city: str
) -> Building:
    # Compared with the stored row: an admin form has already copied its data onto `building`.
    moved = Building.objects.filter(pk=building.pk).values_list("estate_id", flat=True).first() != estate.pk
    building.estate, building.code, building.street = estate, code.strip(), street.strip()
    building.number, building.postal_code, building.city = number.strip(), postal_code.strip(), city.strip()
    _validate_postal_code(building.postal_code)
    model_validate(building, code=PropertyErrorCode.INVALID)
    building.save()
    _building_audience(building)
    if moved:
        # Residents of the building now belong to another estate's audience.
        for user in User.objects.filter(memberships__unit__building=building).distinct():
            user_audiences_sync(user=user)
    return building


@transaction.atomic
def building_delete(*, building: Building) -> None:
    if building.units.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("Delete the building's units first."))
    _delete_with_audience(building, {"building": building})


POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")


def _validate_postal_code(value: str) -> None:
    if not POSTAL_CODE.match(value):
        raise ServiceError(PropertyErrorCode.INVALID, _("Enter the postal code as 00-950."), "postal_code")


@transaction.atomic
def unit_create(
    *,
    building: Building,
    number: str,
    floor: int,
    area: Decimal,
    share: Decimal,
    kind: str = Unit.Kind.RESIDENTIAL,
    land_register_number: str = "",
    member_number: str = "",
    held_by_spouses: bool = False,
    access_code: str = "",
) -> Unit:
    unit = Unit(building=building)
    return _unit_save(
        unit,
        number=number,
        floor=floor,
        area=area,
        share=share,
        kind=kind,
        land_register_number=land_register_number,
        member_number=member_number,
        held_by_spouses=held_by_spouses,
        access_code=access_code,
    )


@transaction.atomic
def unit_update(
    *,
    unit: Unit,
    building: Building,
    number: str,
    floor: int,
    area: Decimal,
    share: Decimal,
    kind: str,
    land_register_number: str = "",
    member_number: str = "",
    held_by_spouses: bool = False,
    access_code: str = "",
) -> Unit:
    moved = Unit.objects.filter(pk=unit.pk).values_list("building_id", flat=True).first() != building.pk
    unit.building = building
    unit = _unit_save(
        unit,
        number=number,
        floor=floor,
        area=area,
        share=share,
        kind=kind,
        land_register_number=land_register_number,
        member_number=member_number,
        held_by_spouses=held_by_spouses,
        access_code=access_code,
    )
    if moved:
        for user in User.objects.filter(memberships__unit=unit).distinct():
            user_audiences_sync(user=user)
    return unit


def _unit_save(unit: Unit, **fields) -> Unit:
    for name in ("number", "land_register_number", "member_number", "access_code"):
        fields[name] = (fields[name] or "").strip()
    if fields["land_register_number"]:
        fields["land_register_number"] = _normalise_proof(
            Membership.ProofKind.LAND_REGISTER, fields["land_register_number"], field="land_register_number"
        )
    for name, value in fields.items():
        setattr(unit, name, value)
    model_validate(unit, code=PropertyErrorCode.INVALID)
    unit.save()
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    if unit.memberships.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("The unit has memberships; end them instead of deleting it."))
    # A unit's billing accounts keep its books for years (operations/billing), by the
    # reverse name billing gives them: residents need not know billing.
    if unit.billing_accounts.exists():
        raise ServiceError(PropertyErrorCode.IN_USE, _("The unit has billing accounts; it cannot be deleted."))
    unit.delete()
