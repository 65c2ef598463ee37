"""Who sees a billing account: residents of its unit whose membership is live (tenants
as the setting says, named accounts their named members only), staff with
billing.view_billingaccount; nobody else, contractors' workers included."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.billing import policy, selectors, services
from operations.billing.errors import BillingErrorCode as E
from operations.residents import services as residents
from operations.residents.models import Membership
from tests.billing.kit import charge, grant, open_account
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, SuperUserFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _holding(unit, role=Role.OWNER, *, verified=True):
    user = UserFactory()
    MembershipFactory(user=user, unit=unit, role=role, verified=verified)
    return user


def _end(person):
    """The person ends their own membership (they moved out)."""
    membership = Membership.objects.live().get(user=person)
    residents.membership_end(membership=membership, ended_by=person)


def _sees(person, account) -> bool:
    return selectors.accounts_visible_to(person).filter(pk=account.pk).exists()


def test_a_live_owner_and_board_member_see_their_units_account(unit, account):
    assert _sees(_holding(unit), account)
    assert _sees(_holding(unit, Role.BOARD), account)


def test_ended_pending_and_rejected_memberships_see_nothing(unit, account):
    ended = _holding(unit)
    _end(ended)
    pending = _holding(unit, verified=False)
    rejected = _holding(unit, verified=False)
    residents.membership_reject(
        membership=Membership.objects.get(user=rejected), decided_by=SuperUserFactory(), reason="Brak tytułu prawnego."
    )
    assert not any(_sees(person, account) for person in (ended, pending, rejected))


def test_another_units_resident_sees_nothing(unit, account):
    neighbour = _holding(UnitFactory(building=unit.building, number="8"))
    assert not _sees(neighbour, account)
    assert list(selectors.accounts_visible_to(neighbour)) == []


def test_tenants_see_what_the_setting_allows(unit, account, settings):
    tenant = _holding(unit, Role.TENANT)
    assert not _sees(tenant, account)  # the default: not the owner's account
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    assert _sees(tenant, account)


def test_a_tenant_named_on_an_account_sees_it(unit):
    tenant = _holding(unit, Role.TENANT)
    rent = open_account(unit, payer_name="Najemca lokalu użytkowego", members=[tenant])
    assert _sees(tenant, rent)


def test_a_named_account_is_for_its_members_only(unit):
    owner, co_owner = _holding(unit), _holding(unit)
    separate = open_account(unit, payer_name="Jan Kowalski", members=[co_owner])
    assert _sees(co_owner, separate)
    assert not _sees(owner, separate)
    _end(co_owner)
    assert not _sees(co_owner, separate)  # named, but no longer holds the unit


def test_staff_with_the_permission_see_every_account(unit, account):
    other = open_account(UnitFactory(), payer_name="Jan Kowalski")
    staff = grant(UserFactory(), "billing.view_billingaccount")
    assert set(selectors.accounts_visible_to(staff)) == {account, other}
    assert selectors.is_billing_staff(staff)
    dispatcher = tf.staff("dispatcher")
    assert list(selectors.accounts_visible_to(dispatcher)) == []
    assert _sees(SuperUserFactory(), account)


def test_contractors_workers_never_see_accounts(unit, account, site_tree):
    firm = tf.firm()
    worker = tf.worker(firm)
    assert list(selectors.accounts_visible_to(worker)) == []
    # Not even when someone grants them the permission by mistake.
    worker = grant(worker, "billing.view_billingaccount")
    assert not selectors.is_billing_staff(worker)
    assert list(selectors.accounts_visible_to(worker)) == []
    # A worker who lives in the unit sees it as its resident.
    MembershipFactory(user=worker, unit=unit, role=Role.OWNER, verified=True)
    assert list(selectors.accounts_visible_to(worker)) == [account]


def test_nobody_signed_out_or_inactive_sees_anything(unit, account):
    assert list(selectors.accounts_visible_to(None)) == []
    assert list(selectors.accounts_visible_to(AnonymousUser())) == []
    owner = _holding(unit)
    owner.is_active = False
    owner.save()
    assert list(selectors.accounts_visible_to(owner)) == []


def test_closing_keeps_the_history_from_the_next_owner(unit):
    """Closing names those who held the unit by the closing day: whoever is verified later
    (the next owner) never reads the previous owner's ledger."""
    old_owner, staying = _holding(unit), _holding(unit)  # verified today
    today = timezone.localdate()
    old = open_account(unit, opened_on=today - timedelta(days=60))
    charge(old, "100.00", due=today - timedelta(days=30))
    _end(old_owner)
    change = today + timedelta(days=1)
    new = services.account_owner_change(account=old, payer_name="Nowa właścicielka", on=change, staying=[staying])
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=2)):
        newcomer = _holding(unit)  # verified after the change
    assert _sees(staying, old) and _sees(staying, new)
    assert _sees(newcomer, new)
    assert not _sees(newcomer, old)
    assert not _sees(old_owner, old)
    old.refresh_from_db()
    assert list(old.members.all()) == [staying]


def test_policy_says_not_found_to_those_who_may_not_see(unit, account):
    owner, stranger = _holding(unit), UserFactory()
    assert policy.may_view_account(owner, account)
    assert policy.account_view_refusal(owner, account) is None
    refusal = policy.account_view_refusal(stranger, account)
    assert refusal.code == E.NOT_FOUND
    assert policy.posting_refusal(owner).code == E.FORBIDDEN
    assert policy.posting_refusal(None) is None  # a process


def test_visibility_is_one_query_whatever_the_number_of_accounts(unit):
    owner = _holding(unit)
    open_account(unit)
    person = tf.fresh(owner)
    with CaptureQueriesContext(connection) as few:
        list(selectors.accounts_visible_to(person))
    for number in range(10):
        open_account(UnitFactory(building=unit.building, number=f"10{number}"), payer_name=f"Płatnik {number}")
        open_account(unit, payer_name=f"Współwłaściciel {number}")
    person = tf.fresh(owner)
    with CaptureQueriesContext(connection) as many:
        visible = list(selectors.accounts_visible_to(person))
    assert len(visible) == 11
    # The person's permissions (two queries, once per request) and the accounts.
    assert len(few.captured_queries) == len(many.captured_queries) == 3
