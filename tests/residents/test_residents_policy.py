"""policy.py: who may decide on memberships, ask for one, count as staff and manage their
own account, answered once for the services, the API and the admin's buttons.

Every rule is asked of every kind of viewer (tests/factories/viewers.py): nobody, the
anonymous user, the resident whose membership it is, a resident of another unit, a tenant
of the same unit, a contractor's worker, each staff role, Django staff without a role, a
superuser and a disabled administrator. That the services refuse with exactly these answers is tested
through them here too (one case per viewer), and through the API in
tests/residents/test_membership_requests.py and tests/api/test_residents_accounts.py.
"""

from __future__ import annotations

import pytest

from operations.residents import policy, services
from operations.residents.errors import MembershipErrorCode, PasswordChangeErrorCode, TokenErrorCode
from operations.residents.models import Membership
from tests.factories.residents import MembershipFactory
from tests.factories.viewers import EVERYONE, SIGNED_IN, STAFF_ROLES, make_viewers, refusal_code, refused_by_service

# Deciding on memberships is residents.change_membership: the administrators' (and a superuser's).
DECIDERS = {"administrator", "superuser"}


@pytest.fixture
def viewers(unit_a1, unit_b1):
    return make_viewers(home=unit_a1, other=unit_b1)


@pytest.fixture
def own_membership(viewers):
    """The resident's verified membership."""
    return Membership.objects.get(user=viewers["resident"])


@pytest.fixture
def pending_request(viewers, unit_a2):
    return MembershipFactory(user=viewers["resident"], unit=unit_a2)


@pytest.mark.django_db
def test_only_administrators_decide_on_memberships_and_see_proofs(viewers):
    for name in EVERYONE:
        viewer = viewers[name]
        assert policy.may_decide_memberships(viewer) == (name in DECIDERS), name
        assert policy.may_see_membership_proof(viewer) == (name in DECIDERS), name
        expected = None if name in DECIDERS else MembershipErrorCode.PERMISSION_DENIED
        assert refusal_code(policy.membership_decision_refusal(viewer)) == expected, name


@pytest.mark.django_db
def test_a_membership_is_ended_by_administrators_or_by_its_own_resident(viewers, own_membership):
    for name in EVERYONE:
        allowed = name in DECIDERS or name == "resident"
        refusal = policy.membership_end_refusal(viewers[name], own_membership)
        assert refusal_code(refusal) == (None if allowed else MembershipErrorCode.PERMISSION_DENIED), name


@pytest.mark.django_db
def test_the_offered_decisions_follow_the_status_and_the_refusals(viewers, own_membership, pending_request):
    for name in EVERYONE:
        viewer = viewers[name]
        on_request = policy.membership_actions_open(viewer, pending_request)
        assert on_request == policy.MembershipActions(verify=name in DECIDERS, reject=name in DECIDERS, end=False), name
        on_verified = policy.membership_actions_open(viewer, own_membership)
        assert on_verified == policy.MembershipActions(
            verify=False, reject=False, end=policy.membership_end_refusal(viewer, own_membership) is None
        ), name
    own_membership.status = Membership.Status.ENDED
    assert policy.membership_actions_open(viewers["administrator"], own_membership) == policy.MembershipActions(
        verify=False, reject=False, end=False
    )


@pytest.mark.django_db
def test_the_services_refuse_exactly_what_the_policy_refuses(viewers, own_membership, pending_request):
    for name in EVERYONE:
        viewer = viewers[name]
        ended = refused_by_service(
            lambda viewer=viewer: services.membership_end(membership=own_membership, ended_by=viewer)
        )
        assert ended == refusal_code(policy.membership_end_refusal(viewer, own_membership)), name
        verified = refused_by_service(
            lambda viewer=viewer: services.membership_verify(membership=pending_request, decided_by=viewer)
        )
        assert verified == refusal_code(policy.membership_decision_refusal(viewer)), name
        rejected = refused_by_service(
            lambda viewer=viewer: services.membership_reject(
                membership=pending_request, decided_by=viewer, reason="Nie"
            )
        )
        assert rejected == refusal_code(policy.membership_decision_refusal(viewer)), name


@pytest.mark.django_db
def test_only_signed_in_active_people_ask_for_a_unit_or_change_their_password(viewers, unit_b1):
    for name in EVERYONE:
        viewer = viewers[name]
        signed_in = name in SIGNED_IN
        assert refusal_code(policy.membership_request_refusal(viewer)) == (
            None if signed_in else MembershipErrorCode.NOT_AUTHENTICATED
        ), name
        assert refusal_code(policy.password_change_refusal(viewer)) == (
            None if signed_in else PasswordChangeErrorCode.NOT_AUTHENTICATED
        ), name
    refused = refused_by_service(
        lambda: services.membership_request(
            user=viewers["disabled_administrator"],
            unit=unit_b1,
            role="owner",
            proof_kind="access_code",
            proof_value="X",
        )
    )
    assert refused == MembershipErrorCode.NOT_AUTHENTICATED
    refused = refused_by_service(
        lambda: services.password_change(user=None, current_password="x", new_password="y", channel="session")
    )
    assert refused == PasswordChangeErrorCode.NOT_AUTHENTICATED


@pytest.mark.django_db
def test_staff_are_the_roles_django_staff_and_superusers(viewers):
    staff_like = {*STAFF_ROLES, "django_staff", "superuser", "disabled_administrator"}
    for name in EVERYONE:
        if name == "nobody":
            continue
        assert policy.is_staff_member(viewers[name]) == (name in staff_like), name


@pytest.mark.django_db
def test_a_token_is_revoked_only_by_a_request_signed_in_with_it(viewers):
    for name in EVERYONE:
        viewer = viewers[name]
        with_token = policy.token_revoke_refusal(viewer, raw_token="a-token")
        signed_in = name in SIGNED_IN or name == "disabled_administrator"
        assert refusal_code(with_token) == (None if signed_in else TokenErrorCode.NOT_TOKEN_AUTHENTICATED), name
        assert refusal_code(policy.token_revoke_refusal(viewer, raw_token="")) == TokenErrorCode.NOT_TOKEN_AUTHENTICATED


def test_a_token_signed_request_has_no_session_to_end():
    assert policy.may_sign_out_session(via_token=False)
    assert not policy.may_sign_out_session(via_token=True)
