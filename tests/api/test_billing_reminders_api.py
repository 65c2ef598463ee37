"""`BillingAccount.reminders`: the payment reminders sent, for the cooperative's accountants
and board only; empty for the household, a tenant, a contractor's worker (even given the
permission by mistake); the staff's list costs the same whatever the number of accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.billing import services
from operations.billing.policy import PERMISSIONS_READ
from tests.api.test_billing_accounts import gid
from tests.billing.kit import charge, grant, open_account
from tests.factories import tickets as tf
from tests.factories.residents import UnitFactory

pytestmark = pytest.mark.django_db

ONE = """
query($id: ID!) { billingAccount(id: $id) {
  id reminders(first: 10) { totalCount edges { node { id step outstanding sentAt debtId demandId recipientName } } }
} }
"""

LIST = """
query { billingAccounts(first: 100) { totalCount edges { node { id reminders { totalCount edges { node {
  step recipientName outstanding
} } } } } } }
"""


def _remind(account, people, *, settings) -> None:
    settings.BILLING_DEMAND_STEP = None
    today = timezone.localdate()
    for person in people:
        services.consents_update(account=account, person=person, reminders=True)
    debt = charge(account, "99.00", due=today - timedelta(days=10))
    services.payment_reminders_send(on=debt.effective_due_date + timedelta(days=7))


@pytest.fixture
def reminded(cast, settings):
    today = timezone.localdate()
    account = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=100))
    _remind(account, [cast.reporter], settings=settings)
    return account


def _one(gql, user, account):
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql.data(ONE, {"id": gid(account)})["billingAccount"]


def test_staff_see_the_reminders_sent(gql, cast, reminded):
    data = _one(gql, tf.staff("accountant", username="ksiegowa-przypomnienia"), reminded)
    nodes = [edge["node"] for edge in data["reminders"]["edges"]]
    assert data["reminders"]["totalCount"] == 1
    assert nodes[0]["step"] == 7 and nodes[0]["outstanding"] == "99.00" and nodes[0]["demandId"] is None
    assert nodes[0]["recipientName"] == "Anna Nowak"


@pytest.mark.parametrize("who", ["reporter", "co_resident"])
def test_the_household_sees_the_account_but_not_the_reminders(gql, cast, reminded, settings, who):
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    data = _one(gql, getattr(cast, who), reminded)
    assert data["id"] == gid(reminded)
    assert data["reminders"] == {"totalCount": 0, "edges": []}


def test_anonymous_another_building_and_a_contractors_worker_see_nothing(gql, cast, reminded):
    assert _one(gql, None, reminded) is None
    assert _one(gql, cast.stranger, reminded) is None
    assert _one(gql, cast.firm_worker, reminded) is None
    assert _one(gql, grant(cast.firm_worker, *PERMISSIONS_READ), reminded) is None


def test_the_staff_list_of_reminders_costs_the_same_for_2_and_10_accounts(gql, cast, settings):
    def accounts(count, prefix):
        for n in range(count):
            unit = UnitFactory(building=cast.other_building, number=f"{prefix}{n}")
            owner = tf.resident(unit, username=f"przypominany-{prefix}{n}")
            account = open_account(unit, payer_name=f"Płatnik {n}", opened_on=timezone.localdate() - timedelta(days=90))
            _remind(account, [owner], settings=settings)

    gql.login(cast.board)
    accounts(2, "S")
    gql.data(LIST)
    small, small_data = gql.count_queries(LIST)
    accounts(8, "L")
    large, large_data = gql.count_queries(LIST)
    assert small_data["billingAccounts"]["totalCount"] == 2 and large_data["billingAccounts"]["totalCount"] == 10
    assert all(edge["node"]["reminders"]["totalCount"] == 1 for edge in large_data["billingAccounts"]["edges"])
    assert small == large, (small, large)
