"""`billingConsentsUpdate` and `BillingAccount.consents` for every kind of viewer: only a
household member sets (and reads) their own; a refusal is a typed error and changes
nothing; the field answers defaults before anything is chosen.

The people are the tickets' cast (built once per module); the accounts per test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.billing.models import BillingConsent
from operations.billing.policy import PERMISSIONS_READ
from operations.residents.models import Membership
from tests.api.test_billing_accounts import gid
from tests.billing.kit import grant, open_account
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

UPDATE = """
mutation($input: BillingConsentsUpdateInput!) { billingConsentsUpdate(input: $input) {
  account { id consents { reminders } }
  consents { electronicDocuments reminders installmentRequestedAt installmentNote }
  errors { field code message }
} }
"""

READ = """
query($id: ID!) {
  billingAccount(id: $id) { id consents { electronicDocuments reminders installmentRequestedAt installmentNote } }
  viewer { billingAccounts { edges { node { id consents { reminders } } } } }
}
"""

DEFAULTS = {"electronicDocuments": False, "reminders": False, "installmentRequestedAt": None, "installmentNote": ""}


@pytest.fixture
def home(cast):
    today = timezone.localdate()
    return open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=100))


def _update(gql, user, account, **fields) -> dict:
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql.data(UPDATE, {"input": {"accountId": gid(account), **fields}})["billingConsentsUpdate"]


def _codes(payload) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def test_anonymous_is_asked_to_sign_in(gql, home):
    payload = _update(gql, None, home, reminders=True)
    assert _codes(payload) == ["NOT_AUTHENTICATED"] and payload["account"] is None
    assert not BillingConsent.objects.exists()
    assert gql.logout().data(READ, {"id": gid(home)}) == {"billingAccount": None, "viewer": None}


def test_the_owner_sets_and_reads_their_own_consents(gql, cast, home):
    assert gql.logout().login(cast.reporter).data(READ, {"id": gid(home)})["billingAccount"]["consents"] == DEFAULTS
    payload = _update(gql, cast.reporter, home, reminders=True, electronicDocuments=True)
    assert payload["errors"] == []
    assert payload["account"] == {"id": gid(home), "consents": {"reminders": True}}
    assert payload["consents"]["reminders"] is True and payload["consents"]["electronicDocuments"] is True
    payload = _update(gql, cast.reporter, home, requestInstallment=True, installmentNote="Proszę o raty.")
    assert payload["consents"]["installmentRequestedAt"] is not None
    assert payload["consents"]["installmentNote"] == "Proszę o raty."
    assert payload["consents"]["reminders"] is True  # what was left out stayed
    data = gql.data(READ, {"id": gid(home)})
    assert data["billingAccount"]["consents"]["installmentNote"] == "Proszę o raty."
    assert data["viewer"]["billingAccounts"]["edges"] == [{"node": {"id": gid(home), "consents": {"reminders": True}}}]


def test_a_stray_note_is_a_typed_error_next_to_its_field(gql, cast, home):
    payload = _update(gql, cast.reporter, home, reminders=True, installmentNote="Raty?")
    assert payload["errors"] == [
        {"field": "installmentNote", "code": "INSTALLMENT_NOT_REQUESTED", "message": payload["errors"][0]["message"]}
    ]
    assert payload["consents"] is None
    assert not BillingConsent.objects.exists()  # nothing changed, the reminders switch neither


def test_another_buildings_resident_gets_not_found(gql, cast, home):
    payload = _update(gql, cast.stranger, home, reminders=True)
    assert _codes(payload) == ["NOT_FOUND"] and payload["errors"][0]["field"] == "accountId"
    assert gql.data(READ, {"id": gid(home)})["billingAccount"] is None
    assert not BillingConsent.objects.exists()


def test_a_neighbour_of_the_same_building_gets_not_found(gql, cast, home):
    assert _codes(_update(gql, cast.neighbour, home, reminders=True)) == ["NOT_FOUND"]


def test_a_tenant_only_when_the_cooperative_lets_tenants_see_accounts(gql, cast, home, settings):
    assert _codes(_update(gql, cast.co_resident, home, reminders=True)) == ["NOT_FOUND"]
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    payload = _update(gql, cast.co_resident, home, reminders=True)
    assert payload["errors"] == [] and payload["consents"]["reminders"] is True
    # Their own row: the owner's consents are still the defaults.
    assert gql.logout().login(cast.reporter).data(READ, {"id": gid(home)})["billingAccount"]["consents"] == DEFAULTS
    assert BillingConsent.objects.get().person == cast.co_resident


def test_a_contractors_worker_gets_not_found_even_with_the_permission(gql, cast, home):
    assert _codes(_update(gql, cast.firm_worker, home, reminders=True)) == ["NOT_FOUND"]
    mistaken = grant(cast.firm_worker, *PERMISSIONS_READ)
    assert _codes(_update(gql, mistaken, home, reminders=True)) == ["NOT_FOUND"]
    assert not BillingConsent.objects.exists()


def test_staff_see_the_account_but_choose_for_nobody(gql, cast, home):
    accountant = tf.staff("accountant", username="ksiegowa-zgody-api")
    payload = _update(gql, accountant, home, reminders=True)
    assert _codes(payload) == ["FORBIDDEN"] and payload["account"] is None
    assert not BillingConsent.objects.exists()
    # Staff read their own (empty) consents on any account: the defaults, never a resident's.
    _update(gql, cast.reporter, home, reminders=True)
    assert gql.logout().login(accountant).data(READ, {"id": gid(home)})["billingAccount"]["consents"] == DEFAULTS


def test_an_ended_membership_may_no_longer_choose(gql, cast, home):
    from operations.residents import services as residents

    owner = tf.resident(cast.unit, username="wyprowadzka-zgody")
    assert _update(gql, owner, home, reminders=True)["errors"] == []
    residents.membership_end(membership=Membership.objects.live().get(user=owner), ended_by=owner)
    assert _codes(_update(gql, tf.fresh(owner), home, reminders=False)) == ["NOT_FOUND"]
    assert BillingConsent.objects.get(person=owner).reminders is True


def test_a_malformed_account_id_is_bad_input(gql, cast):
    result = gql.logout().login(cast.reporter).execute(UPDATE, {"input": {"accountId": "nonsense", "reminders": True}})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
