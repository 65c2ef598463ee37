"""Asking for a unit: validation in the service and typed errors through GraphQL."""

from __future__ import annotations

import pytest

from operations.residents import errors as residents_errors
from operations.residents import services
from operations.residents.models import Membership
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

REQUEST = """
mutation Request($unitId: ID, $estateSlug: String, $buildingCode: String, $unitNumber: String,
                 $role: MembershipRole!, $proofKind: ProofKind!, $proofValue: String!) {
  membershipRequest(unitId: $unitId, estateSlug: $estateSlug, buildingCode: $buildingCode,
                    unitNumber: $unitNumber, role: $role, proofKind: $proofKind, proofValue: $proofValue) {
    membership { id role status unit { number building { code address } } }
    errors { field message code }
  }
}
"""


def request_by_code(**overrides):
    variables = {
        "buildingCode": "A",
        "unitNumber": "1",
        "role": "OWNER",
        "proofKind": "LAND_REGISTER",
        "proofValue": "wa1m/00012345/6",
    }
    variables.update(overrides)
    return variables


def test_request_by_building_code_and_number(graphql_for, person, unit_a1):
    data = graphql_for(person)(REQUEST, request_by_code())["membershipRequest"]
    assert data["errors"] == []
    assert data["membership"]["status"] == "PENDING"
    assert data["membership"]["unit"] == {
        "number": "1",
        "building": {"code": "A", "address": "ul. Lipowa 1, 00-950 Warszawa"},
    }
    stored = Membership.objects.get(pk=data["membership"]["id"])
    assert stored.proof_value == "WA1M/00012345/6"  # normalised
    assert stored.proof_matches


def test_request_by_unit_id(graphql_for, person, unit_b1):
    variables = {"unitId": str(unit_b1.pk), "role": "TENANT", "proofKind": "ACCESS_CODE", "proofValue": "b1-kod-2026"}
    data = graphql_for(person)(REQUEST, variables)["membershipRequest"]
    assert data["errors"] == []
    assert data["membership"]["role"] == "TENANT"


def test_anonymous_gets_a_typed_error(graphql, unit_a1):
    data = graphql(REQUEST, request_by_code())["membershipRequest"]
    assert data["membership"] is None
    assert data["errors"][0]["code"] == "NOT_AUTHENTICATED"
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"unitNumber": "999"}, "unitNumber"),
        ({"buildingCode": "Q"}, "unitNumber"),
        ({"buildingCode": ""}, "buildingCode"),
        ({"unitId": "987654"}, "unitId"),
        ({"unitId": "not-a-number"}, "unitId"),
    ],
)
def test_unknown_unit(graphql_for, person, unit_a1, overrides, field):
    data = graphql_for(person)(REQUEST, request_by_code(**overrides))["membershipRequest"]
    assert data["membership"] is None
    assert data["errors"] == [{"field": field, "message": data["errors"][0]["message"], "code": "UNIT_NOT_FOUND"}]
    assert data["errors"][0]["message"]


@pytest.mark.parametrize(
    "kind, value",
    [
        ("LAND_REGISTER", "12345"),
        ("LAND_REGISTER", "WA1M-00012345-6"),
        ("ACCESS_CODE", "ab"),
        ("ACCESS_CODE", "kod z ; średnikiem"),
        ("MEMBER_NUMBER", "   "),
    ],
)
def test_bad_proof_format(graphql_for, person, unit_a1, kind, value):
    data = graphql_for(person)(REQUEST, request_by_code(proofKind=kind, proofValue=value))["membershipRequest"]
    assert data["membership"] is None
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("proofValue", "PROOF_FORMAT")]


def test_duplicate_live_request_is_refused(graphql_for, person, unit_a1):
    client = graphql_for(person)
    assert client(REQUEST, request_by_code())["membershipRequest"]["errors"] == []
    data = client(REQUEST, request_by_code())["membershipRequest"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("unitNumber", "DUPLICATE")]
    # Another role in the same unit is a different claim.
    assert client(REQUEST, request_by_code(role="BOARD"))["membershipRequest"]["errors"] == []


def test_request_again_after_rejection(person, unit_a1, superuser):
    first = MembershipFactory(user=person, unit=unit_a1)
    services.membership_reject(membership=first, decided_by=superuser, reason="Zły kod")
    again = services.membership_request(
        user=person, unit=unit_a1, role="owner", proof_kind="access_code", proof_value=unit_a1.access_code
    )
    assert again.status == Membership.Status.PENDING


def test_ambiguous_building_code_needs_the_estate(graphql_for, person, unit_a1):
    other_estate = EstateFactory(name="Stare Miasto", slug="stare-miasto")
    UnitFactory(building=BuildingFactory(estate=other_estate, code="A", street="ul. Rynek", number="2"), number="1")
    client = graphql_for(person)
    data = client(REQUEST, request_by_code())["membershipRequest"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("estateSlug", "BUILDING_AMBIGUOUS")]
    data = client(REQUEST, request_by_code(estateSlug="stare-miasto"))["membershipRequest"]
    assert data["errors"] == []
    assert data["membership"]["unit"]["building"]["address"].startswith("ul. Rynek 2")


def test_too_many_pending_requests(person, building_a):
    for number in range(services.MAX_PENDING_REQUESTS):
        MembershipFactory(user=person, unit=UnitFactory(building=building_a, number=f"P{number}"))
    with pytest.raises(services.ServiceError) as refused:
        MembershipFactory(user=person, unit=UnitFactory(building=building_a, number="P-last"))
    assert refused.value.code == residents_errors.MembershipErrorCode.TOO_MANY_PENDING


def test_service_refuses_unknown_role_and_kind(person, unit_a1):
    with pytest.raises(services.ServiceError) as bad_role:
        services.membership_request(
            user=person, unit=unit_a1, role="landlord", proof_kind="access_code", proof_value="KOD-1"
        )
    assert bad_role.value.code == residents_errors.MembershipErrorCode.ROLE_INVALID
    with pytest.raises(services.ServiceError) as bad_kind:
        services.membership_request(user=person, unit=unit_a1, role="owner", proof_kind="passport", proof_value="KOD-1")
    assert bad_kind.value.code == residents_errors.MembershipErrorCode.PROOF_KIND_INVALID


def test_proof_matches_is_a_hint_not_a_gate(person, unit_a1):
    membership = services.membership_request(
        user=person, unit=unit_a1, role="owner", proof_kind="access_code", proof_value="ZLY-KOD-1"
    )
    assert membership.status == Membership.Status.PENDING
    assert not membership.proof_matches
