"""Billing › Reminders sent: the record of each payment reminder, read by billing staff
only, in a fixed number of queries whatever the number of reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.billing import services
from operations.billing.models import PaymentReminder
from operations.residents.roles import StaffRole
from tests.billing.kit import charge, open_account
from tests.factories import tickets as tf
from tests.factories.admin import staff_client
from tests.factories.residents import UnitFactory

pytestmark = pytest.mark.django_db

URL = "/admin/paymentreminder/"
DUE = date(2026, 3, 10)


def remind(building, number: str, count: int = 1) -> list[PaymentReminder]:
    unit = UnitFactory(building=building, number=number)
    account = open_account(unit)
    people = [tf.resident(unit, username=f"przypomnij-{number}-{n}") for n in range(count)]
    for person in people:
        services.consents_update(account=account, person=person, reminders=True)
    charge(account, "250.00", due=DUE, title=f"Eksploatacja {number}")
    services.payment_reminders_send(on=DUE + timedelta(days=7))
    return list(PaymentReminder.objects.filter(account=account))


def test_billing_staff_read_who_was_reminded_of_what(building_a, settings):
    settings.BILLING_DEMAND_STEP = None
    [reminder] = remind(building_a, "3")
    for role in (StaffRole.ACCOUNTANT, StaffRole.BOARD):
        page = staff_client(role, username=f"czyta-{role.value}").get(URL)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Eksploatacja 3" in text and "+7" in text and "250,00" in text
        assert reminder.person.get_full_name() in text or reminder.person.username in text


@pytest.mark.parametrize("role", [StaffRole.DISPATCHER, StaffRole.EDITOR, StaffRole.ADMINISTRATOR])
def test_other_staff_are_refused(building_a, role, settings):
    settings.BILLING_DEMAND_STEP = None
    remind(building_a, "4")
    response = staff_client(role, username=f"bez-{role.value}").get(URL)
    assert response.status_code in (302, 403)
    assert "Eksploatacja 4" not in response.content.decode()


def test_the_list_costs_the_same_queries_for_few_and_many_reminders(building_a, settings):
    settings.BILLING_DEMAND_STEP = None
    client = staff_client(StaffRole.ACCOUNTANT, username="ksiegowa-liczy")
    remind(building_a, "5")
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    remind(building_a, "6", count=3)
    remind(building_a, "8", count=3)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert PaymentReminder.objects.count() == 7
    assert len(many) == len(few)
