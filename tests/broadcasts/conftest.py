"""Fixtures for the broadcasts tests: a small cooperative, residents, and a scripted provider."""

from __future__ import annotations

import pytest

from operations.residents.models import Membership
from tests.factories import messaging as mf
from tests.factories.residents import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture
def fake_provider(settings):
    """fake_provider(channel, behaviour=..., rate_per_second=...) sends `channel` through a
    ScriptedProvider for the rest of the test and returns its script (what it saw)."""
    with mf.scripted_providers(settings) as install:
        yield install


@pytest.fixture
def unit_a1(building_a):
    return UnitFactory(building=building_a, number="1")


@pytest.fixture
def unit_b1(building_b):
    return UnitFactory(building=building_b, number="1")


@pytest.fixture
def resident(db):
    """resident(unit, role=owner, **user fields): a person with a verified membership."""

    def make(unit, role=Membership.Role.OWNER, **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, unit=unit, role=role, verified=True)
        return user

    return make
