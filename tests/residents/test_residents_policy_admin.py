"""policy.py asked `as_staff`, as the admin asks: a decision taken for the cooperative.

There a person's own membership is no reason to be let in: only those who decide on
memberships verify, reject or end, even a membership of their own (a resident ends their
own from the portal, where the policy asked plainly still lets them). Asked of every kind
of viewer, a member of staff who holds the membership among them. That the admin's
buttons and views follow these answers is tested in tests/residents/test_residents_admin.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from operations.residents import policy
from operations.residents.errors import MembershipErrorCode
from operations.residents.models import Membership
from tests.factories.residents import MembershipFactory
from tests.factories.tickets import resident, staff
from tests.factories.viewers import STAFF_ROLES, refusal_code, staff_viewers

pytestmark = pytest.mark.django_db

EVERYONE = [
    "nobody",
    "anonymous",
    "holder",  # the resident whose membership it is
    "other_resident",
    *STAFF_ROLES,
    "dispatcher_holder",  # a dispatcher whose own membership it is
    "django_staff",
    "superuser",
    "disabled_administrator",
]
DECIDERS = {"administrator", "superuser"}
HOLDERS = {"holder", "dispatcher_holder"}
ALL_CLOSED = policy.MembershipActions(verify=False, reject=False, end=False)


@pytest.fixture
def viewers(unit_a1, unit_b1):
    return {
        "nobody": None,
        "anonymous": AnonymousUser(),
        "holder": resident(unit_a1),
        "other_resident": resident(unit_b1),
        "dispatcher_holder": staff("dispatcher"),
        **staff_viewers(),
    }


@pytest.fixture
def memberships(viewers, unit_a1, unit_a2):
    """Each holder's verified membership and a pending request of theirs."""
    mine = MembershipFactory(user=viewers["dispatcher_holder"], unit=unit_a1, verified=True)
    return {
        "holder": Membership.objects.get(user=viewers["holder"]),
        "dispatcher_holder": mine,
        "holder_pending": MembershipFactory(user=viewers["holder"], unit=unit_a2),
        "dispatcher_holder_pending": MembershipFactory(user=viewers["dispatcher_holder"], unit=unit_a2),
    }


def test_as_staff_only_those_who_decide_end_a_membership_even_their_own(viewers, memberships):
    for holder in HOLDERS:
        membership = memberships[holder]
        for name in EVERYONE:
            refusal = policy.membership_end_refusal(viewers[name], membership, as_staff=True)
            expected = None if name in DECIDERS else MembershipErrorCode.PERMISSION_DENIED
            assert refusal_code(refusal) == expected, (holder, name)
            # Asked plainly (the portal, the service), the holder still ends their own.
            plain = policy.membership_end_refusal(viewers[name], membership)
            assert refusal_code(plain) == (None if name in DECIDERS or name == holder else expected), (holder, name)


def test_as_staff_the_offered_decisions_are_those_who_decide(viewers, memberships):
    for holder in HOLDERS:
        verified, pending = memberships[holder], memberships[f"{holder}_pending"]
        for name in EVERYONE:
            decides = name in DECIDERS
            on_request = policy.membership_actions_open(viewers[name], pending, as_staff=True)
            assert on_request == policy.MembershipActions(verify=decides, reject=decides, end=False), (holder, name)
            on_verified = policy.membership_actions_open(viewers[name], verified, as_staff=True)
            assert on_verified == policy.MembershipActions(verify=False, reject=False, end=decides), (holder, name)
            # Only the end differs from the plain answer, and only for the holder.
            plain = policy.membership_actions_open(viewers[name], verified)
            assert plain.end == (decides or name == holder), (holder, name)


def test_as_staff_an_ended_membership_offers_nothing(viewers, memberships):
    membership = memberships["dispatcher_holder"]
    membership.status = Membership.Status.ENDED
    for name in EVERYONE:
        assert policy.membership_actions_open(viewers[name], membership, as_staff=True) == ALL_CLOSED, name
