"""Fixtures of the billing tests: a unit of building A with an account opened by a
process (the accounting system's import), and a member of staff with the accountant's
billing permissions (what operations/residents/roles.py is to grant them)."""

from __future__ import annotations

import pytest

from operations.billing.policy import PERMISSIONS_ACCOUNTANT
from tests.billing import kit
from tests.factories.residents import UnitFactory, UserFactory


@pytest.fixture
def unit(building_a):
    return UnitFactory(building=building_a, number="7")


@pytest.fixture
def account(unit):
    return kit.open_account(unit)


@pytest.fixture
def accountant(db):
    return kit.grant(UserFactory(username="ksiegowa", first_name="Ewa", last_name="Rachunek"), *PERMISSIONS_ACCOUNTANT)
