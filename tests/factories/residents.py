"""Factories for the residents app. Estates, buildings, units and memberships are made
through the services, so they come with their audience groups exactly as in production."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from operations.residents import services
from operations.residents.models import Building, Estate, Membership, Unit

DEFAULT_PASSWORD = "Zielony-Balkon-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"osoba{n}")
    first_name = factory.Iterator(["Anna", "Jan", "Katarzyna", "Piotr", "Zofia"])
    last_name = factory.Iterator(["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska"])
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.pl")
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_active = True


class SuperUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"Osiedle Słoneczne {n}")
    slug = factory.Sequence(lambda n: f"osiedle-sloneczne-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.estate_create(**kwargs)


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    code = factory.Sequence(lambda n: "ABCDEFGHJK"[n % 10] + ("" if n < 10 else str(n // 10)))
    street = "ul. Kwiatowa"
    number = factory.Sequence(lambda n: str(n + 1))
    postal_code = "00-950"
    city = "Warszawa"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.building_create(**kwargs)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    floor = 1
    area = Decimal("48.50")
    share = Decimal("0.012345")
    land_register_number = "WA1M/00012345/6"
    member_number = factory.Sequence(lambda n: f"M-{1000 + n}")
    access_code = factory.Sequence(lambda n: f"KOD-{n:04d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_create(**kwargs)


class MembershipFactory(DjangoModelFactory):
    """A pending request with the unit's own access code; `verified=True` has staff accept it."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.OWNER
    proof_kind = Membership.ProofKind.ACCESS_CODE
    proof_value = factory.LazyAttribute(lambda m: m.unit.access_code)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.membership_request(**kwargs)

    @factory.post_generation
    def verified(membership, create, extracted, **kwargs):
        if create and extracted:
            decider = SuperUserFactory(username="verifier")
            services.membership_verify(membership=membership, decided_by=decider)
            membership.refresh_from_db()


def estate_audience_member(username: str, estate_name: str):
    """A person in the audience group of a new estate, made the way the hub makes it:
    `(user, group)`. For visibility tests that need "someone in building A's audience"
    without memberships and units."""
    from django.contrib.auth import get_user_model

    from operations.residents import services

    estate = services.estate_create(name=estate_name, slug=estate_name.lower().replace(" ", "-"))
    group = services.audience_group(estate=estate)
    user = get_user_model().objects.create_user(username)
    user.groups.add(group)
    return user, group
