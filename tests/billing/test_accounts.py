"""Opening and closing accounts, owner changes, account numbers and who may do it."""

from __future__ import annotations

from datetime import date

import pytest

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.account_numbers import validate_account_number
from operations.billing.errors import BillingErrorCode as E
from operations.billing.models import BillingAccount
from operations.residents.models import Membership
from tests.billing.kit import D, charge, open_account, pay
from tests.factories.residents import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _owner(unit, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, unit=unit, role=Membership.Role.OWNER, verified=True)
    return user


def test_accounts_get_the_next_identifier_and_a_valid_number(unit):
    first = open_account(unit)
    second = open_account(unit, payer_name="Jan Kowalski")  # a co-owner who settles separately
    assert (first.identifier, second.identifier) == (1, 2)
    assert first.iban == "PL64999000094000000000000001"
    assert validate_account_number(second.iban) == second.iban
    assert first.iban_formatted == "PL64 9990 0009 4000 0000 0000 0001"
    assert first.audience == BillingAccount.Audience.HOUSEHOLD and first.is_open


def test_the_books_identifier_is_kept(unit):
    account = open_account(unit, identifier=123456)
    assert account.iban.endswith("4000000000123456")
    assert open_account(unit, payer_name="Jan Kowalski").identifier == 123457
    with pytest.raises(ServiceError) as refused:
        open_account(unit, identifier=123456)
    assert refused.value.code == E.IDENTIFIER_TAKEN
    with pytest.raises(ServiceError) as refused:
        open_account(unit, identifier=10**12)  # 12 digits follow the prefix 4000
    assert refused.value.code == E.IDENTIFIER_INVALID


def test_a_stored_number_never_changes_with_the_settings(unit, settings):
    account = open_account(unit)
    settings.BILLING_BANK_SETTLEMENT_NUMBER = "10901014"
    account.refresh_from_db()
    assert account.iban == "PL64999000094000000000000001"
    assert open_account(unit, payer_name="Nowy").iban.startswith("PL")
    settings.BILLING_BANK_SETTLEMENT_NUMBER = "10901015"
    with pytest.raises(ServiceError) as refused:
        open_account(unit, payer_name="Ktoś")
    assert refused.value.code == E.ACCOUNT_NUMBER_INVALID


def test_payer_and_named_members_are_checked(unit):
    with pytest.raises(ServiceError) as refused:
        open_account(unit, payer_name="  ")
    assert refused.value.code == E.PAYER_REQUIRED
    stranger = UserFactory()
    with pytest.raises(ServiceError) as refused:
        open_account(unit, members=[stranger])
    assert refused.value.code == E.MEMBER_INVALID
    owner = _owner(unit)
    named = open_account(unit, members=[owner])
    assert named.audience == BillingAccount.Audience.NAMED
    assert list(named.members.all()) == [owner]
    assert not BillingAccount.objects.filter(pk__in=[]).exists()


def test_staff_need_the_permission_to_open_and_close(unit, accountant):
    resident = _owner(unit)
    with pytest.raises(ServiceError) as refused:
        open_account(unit, by=resident)
    assert refused.value.code == E.FORBIDDEN
    account = open_account(unit, by=accountant)
    with pytest.raises(ServiceError) as refused:
        services.account_close(account=account, closed_on=date(2026, 1, 31), by=resident)
    assert refused.value.code == E.FORBIDDEN
    services.account_close(account=account, closed_on=date(2026, 1, 31), by=accountant)


def test_closing(unit):
    account = open_account(unit, opened_on=date(2026, 1, 1))
    with pytest.raises(ServiceError) as refused:
        services.account_close(account=account, closed_on=date(2025, 12, 31))
    assert refused.value.code == E.DATE_INVALID
    services.account_close(account=account, closed_on=date(2026, 1, 31))
    account.refresh_from_db()
    assert account.closed_on == date(2026, 1, 31) and not account.is_open
    with pytest.raises(ServiceError) as refused:
        services.account_close(account=account, closed_on=date(2026, 2, 28))
    assert refused.value.code == E.ACCOUNT_CLOSED


def test_an_owner_change_opens_a_new_account_and_the_old_keeps_its_history(unit):
    old = open_account(unit, opened_on=date(2025, 12, 1))
    charge(old, "300.00", due=date(2026, 1, 12))
    new = services.account_owner_change(account=old, payer_name="Piotr Wójcik", on=date(2026, 2, 1))
    old.refresh_from_db()
    assert old.closed_on == date(2026, 1, 31)
    assert new.opened_on == date(2026, 2, 1) and new.replaces == old and new.is_open
    assert new.iban != old.iban and new.unit == unit
    assert old.replaced_by == new
    # The previous owner's debt stays on the old account, which still takes their payment.
    assert selectors.account_balance(old).owed == D("300.00")
    assert selectors.account_balance(new).owed == D("0.00")
    pay(old, "300.00", on=date(2026, 2, 15))
    assert selectors.account_balance(old).owed == D("0.00")
    assert old.entries.count() == 2


def test_only_a_closed_account_of_the_unit_is_replaced(unit):
    old = open_account(unit)
    with pytest.raises(ServiceError) as refused:
        open_account(unit, replaces=old)
    assert refused.value.code == E.UNIT_INVALID
    services.account_close(account=old, closed_on=date(2026, 1, 31))
    old.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        open_account(UnitFactory(building=unit.building, number="9"), replaces=old)
    assert refused.value.code == E.UNIT_INVALID


def test_members_can_be_named_and_dropped(unit):
    owner, co_owner = _owner(unit), _owner(unit)
    account = open_account(unit)
    services.account_members_set(account=account, people=[owner])
    account.refresh_from_db()
    assert account.audience == BillingAccount.Audience.NAMED
    assert list(account.members.all()) == [owner]
    services.account_members_set(account=account, people=[co_owner])
    assert list(account.members.all()) == [co_owner]
    services.account_members_set(account=account, people=[])
    account.refresh_from_db()
    assert account.audience == BillingAccount.Audience.HOUSEHOLD
    other_unit = UnitFactory(building=unit.building, number="8")
    with pytest.raises(ServiceError) as refused:
        services.account_members_set(account=account, people=[_owner(other_unit)])
    assert refused.value.code == E.MEMBER_INVALID


def test_a_unit_with_billing_accounts_cannot_be_deleted(unit):
    from operations.residents.services import unit_delete

    open_account(unit)
    with pytest.raises(ServiceError) as refused:
        unit_delete(unit=unit)
    assert refused.value.message == "Lokal ma konta rozrachunkowe; nie można go usunąć."
    assert BillingAccount.objects.filter(unit=unit).exists()
