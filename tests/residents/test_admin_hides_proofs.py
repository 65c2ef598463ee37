"""A unit's secrets (access code, land-register number a resident proved) are shown in the
admin only to those who decide on memberships, not to every staff role that may read."""

from __future__ import annotations

import pytest

from operations.residents import services
from operations.residents.roles import StaffRole
from operations.residents.services import staff_groups_ensure
from tests.factories.residents import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = (
    "/admin/verification/?status=",
    "/admin/verification/inspect/{pk}/",
    "/admin/unit/",
    "/admin/unit/edit/{unit}/",
)


def _staff(role):
    staff_groups_ensure()
    user = UserFactory()
    services.staff_role_assign(user=user, role=role)
    return user


def _responses(client, membership):
    for page in PAGES:
        yield client.get(page.format(pk=membership.pk, unit=membership.unit_id))


@pytest.mark.parametrize("role", [StaffRole.DISPATCHER, StaffRole.ACCOUNTANT, StaffRole.BOARD])
def test_readers_never_see_the_proof_value(client, role):
    membership = MembershipFactory(verified=True)
    client.force_login(_staff(role))
    responses = list(_responses(client, membership))
    # Every page exists (a refusal is fine, a wrong address would check nothing).
    assert all(response.status_code != 404 for response in responses), [r.status_code for r in responses]
    seen = [response for response in responses if response.status_code == 200]
    assert seen, "the role should at least read the verification list"
    for response in seen:
        assert membership.proof_value not in response.content.decode()


def test_administrators_who_decide_see_it(client):
    membership = MembershipFactory()
    client.force_login(_staff(StaffRole.ADMINISTRATOR))
    response = client.get(f"/admin/verification/inspect/{membership.pk}/")
    assert response.status_code == 200
    assert membership.proof_value in response.content.decode()
