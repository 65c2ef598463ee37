"""The staff roles grant what billing's policy names: residents cannot import billing (billing
reads memberships), so operations/residents/roles.py spells the sets out again, and this
keeps the two from drifting apart."""

from __future__ import annotations

from operations.billing.policy import PERMISSIONS_ACCOUNTANT, PERMISSIONS_READ
from operations.residents.roles import ROLE_PERMISSIONS, StaffRole


def _billing(role: StaffRole) -> set[str]:
    return {permission for permission in ROLE_PERMISSIONS[role] if permission.startswith("billing.")}


def test_the_accountant_has_exactly_the_policys_accountant_permissions():
    assert _billing(StaffRole.ACCOUNTANT) == set(PERMISSIONS_ACCOUNTANT)


def test_the_board_reads_billing_and_changes_nothing():
    assert _billing(StaffRole.BOARD) == set(PERMISSIONS_READ)
