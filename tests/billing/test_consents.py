"""A resident's own consents on an account (services/consents.py): only a person who holds
the unit as the account's audience says sets their own; what is left out stays; the
installment request keeps its first time and refuses a stray or long note; a refusal
changes nothing."""

from __future__ import annotations

import pytest

from cms.core.exceptions import ServiceError, service_errors
from operations.billing import services
from operations.billing.models import BillingConsent
from operations.billing.policy import PERMISSIONS_READ
from operations.residents.models import Membership
from tests.billing.kit import grant, open_account
from tests.factories import tickets as tf
from tests.factories.residents import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def codes(call) -> list[str]:
    with pytest.raises(ServiceError) as caught:
        call()
    return [str(problem.code) for problem in service_errors(caught.value)]


@pytest.fixture
def owner(unit):
    return tf.resident(unit, username="wlasciciel-zgody")


def test_an_owner_sets_their_own_consents_one_switch_at_a_time(account, owner):
    consent = services.consents_update(account=account, person=owner, reminders=True)
    assert (consent.reminders, consent.electronic_documents, consent.installment_requested_at) == (True, False, None)
    consent = services.consents_update(account=account, person=owner, electronic_documents=True)
    assert (consent.reminders, consent.electronic_documents) == (True, True)
    consent = services.consents_update(account=account, person=owner, reminders=False)
    assert (consent.reminders, consent.electronic_documents) == (False, True)
    assert BillingConsent.objects.filter(account=account).count() == 1


def test_the_installment_request_keeps_its_first_time_and_its_note(account, owner):
    first = services.consents_update(
        account=account, person=owner, request_installment=True, installment_note="  Proszę o 3 raty.\x07  "
    )
    assert first.installment_requested_at is not None and first.installment_note == "Proszę o 3 raty."
    again = services.consents_update(account=account, person=owner, request_installment=True)
    assert again.installment_requested_at == first.installment_requested_at
    assert again.installment_note == "Proszę o 3 raty."
    noted = services.consents_update(account=account, person=owner, installment_note="Jednak 4 raty.")
    assert (
        noted.installment_note == "Jednak 4 raty." and noted.installment_requested_at == first.installment_requested_at
    )
    withdrawn = services.consents_update(account=account, person=owner, request_installment=False)
    assert withdrawn.installment_requested_at is None and withdrawn.installment_note == ""


def test_a_note_without_a_request_or_too_long_is_refused_and_nothing_changes(account, owner):
    services.consents_update(account=account, person=owner, reminders=True)
    assert codes(lambda: services.consents_update(account=account, person=owner, installment_note="Raty?")) == [
        "INSTALLMENT_NOT_REQUESTED"
    ]
    assert codes(
        lambda: services.consents_update(
            account=account, person=owner, reminders=False, request_installment=False, installment_note="x"
        )
    ) == ["INSTALLMENT_NOT_REQUESTED"]
    assert codes(
        lambda: services.consents_update(
            account=account, person=owner, reminders=False, request_installment=True, installment_note="x" * 2001
        )
    ) == ["NOTE_TOO_LONG"]
    consent = BillingConsent.objects.get(account=account, person=owner)
    assert consent.reminders is True and consent.installment_requested_at is None


def test_who_may_set_consents(account, unit, owner, settings):
    tenant = tf.resident(unit, role=Membership.Role.TENANT, username="najemca-zgody")
    other = tf.resident(UnitFactory(building=unit.building, number="99"), username="sasiad-zgody")
    staff = grant(UserFactory(username="ksiegowa-zgody"), *PERMISSIONS_READ)

    def attempt(person):
        return lambda: services.consents_update(account=account, person=person, reminders=True)

    assert codes(attempt(None)) == ["NOT_AUTHENTICATED"]
    assert codes(attempt(other)) == ["NOT_FOUND"]
    assert codes(attempt(tenant)) == ["NOT_FOUND"]  # tenants do not see the owner's account by default
    assert codes(attempt(staff)) == ["FORBIDDEN"]  # staff see every account and choose for nobody
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    assert services.consents_update(account=account, person=tenant, reminders=True).reminders is True
    assert services.consents_update(account=account, person=owner, reminders=True).person == owner
    assert BillingConsent.objects.filter(account=account).count() == 2


def test_a_named_account_is_its_members_alone(unit, owner):
    named_one = tf.resident(unit, username="nazwany")
    account = open_account(unit, payer_name="Osobno", members=[named_one])
    assert codes(lambda: services.consents_update(account=account, person=owner, reminders=True)) == ["NOT_FOUND"]
    assert services.consents_update(account=account, person=named_one, reminders=True).reminders is True


def test_a_contractors_worker_with_the_permission_by_mistake_is_refused(account, cast):
    worker = grant(cast.firm_worker, *PERMISSIONS_READ)
    assert codes(lambda: services.consents_update(account=account, person=worker, reminders=True)) == ["NOT_FOUND"]
