"""Payment reminders (services/reminders.py, selectors/reminders.py): each step once to
each person who chose reminders, through messaging; never of a paid debt; counted from
the day a debt is payable by (moved past weekends and holidays); a missed day made up
while no later step is due; two overlapping runs send nothing twice; the demand step
issues a demand with its reminder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from operations.billing import services, tasks
from operations.billing.models import BillingDocument, PaymentReminder
from operations.billing.selectors import reminders as due_reminders
from operations.messaging.models import Message, NotificationSettings
from operations.residents.models import Membership
from tests.billing.kit import charge, correct, open_account, pay
from tests.factories import tickets as tf
from tests.factories.residents import UnitFactory

pytestmark = pytest.mark.django_db

DUE = date(2026, 3, 10)  # a Tuesday


def reminded(**filters) -> list[tuple[int, int]]:
    """(step, person) of every reminder recorded, in order."""
    return list(
        PaymentReminder.objects.filter(**filters).order_by("step", "person_id").values_list("step", "person_id")
    )


def reminder_messages(**filters) -> list[Message]:
    return list(Message.objects.filter(kind="balance_reminder", dedupe_key__startswith="billing-reminder:", **filters))


@pytest.fixture
def household(unit):
    """An owner who chose reminders, an owner who did not, a tenant who chose them (but
    tenants see no account by default), and the account with one charge due on DUE."""
    account = open_account(unit)
    wants = tf.resident(unit, username="chce-przypomnien", first_name="Anna")
    silent = tf.resident(unit, username="bez-przypomnien")
    tenant = tf.resident(unit, role=Membership.Role.TENANT, username="najemca-przypomnienia")
    services.consents_update(account=account, person=wants, reminders=True)
    services.consents_update(account=account, person=silent, electronic_documents=True)
    debt = charge(account, "412.35", due=DUE, title="Opłata eksploatacyjna")
    return account, debt, wants, silent, tenant


def test_each_step_reaches_each_consenting_person_once(household, settings):
    settings.BILLING_DEMAND_STEP = None
    account, debt, wants, silent, tenant = household
    for day in [DUE - timedelta(days=5), DUE - timedelta(days=4)]:
        services.payment_reminders_send(on=day)
    assert reminded() == []
    services.payment_reminders_send(on=DUE - timedelta(days=3))
    services.payment_reminders_send(on=DUE - timedelta(days=3))  # the beat ran twice
    for offset in range(-2, 45):  # every day after, some twice
        services.payment_reminders_send(on=DUE + timedelta(days=offset))
        if offset % 5 == 0:
            services.payment_reminders_send(on=DUE + timedelta(days=offset))
    assert reminded() == [(-3, wants.pk), (7, wants.pk), (30, wants.pk)]
    messages = reminder_messages()
    assert len(messages) == 3 and {message.recipient_id for message in messages} == {wants.pk}
    by_step = {row.step: row for row in PaymentReminder.objects.all()}
    assert by_step[-3].message.subject.startswith("Termin płatności 10.03.2026: 412,35 zł")
    assert "Zaległa płatność" in by_step[7].message.subject
    assert all(row.outstanding == row.debt.amount for row in by_step.values())
    assert by_step[7].account == account and by_step[7].debt == debt


def test_the_steps_are_configurable(household, settings):
    settings.BILLING_REMINDER_STEPS = (0, 14)
    settings.BILLING_DEMAND_STEP = None
    _account, _debt, wants, _silent, _tenant = household
    for offset in range(-5, 30):
        services.payment_reminders_send(on=DUE + timedelta(days=offset))
    assert reminded() == [(0, wants.pk), (14, wants.pk)]


def test_only_viewers_who_chose_reminders_get_them(household, settings):
    settings.BILLING_DEMAND_STEP = None
    account, _debt, wants, silent, tenant = household
    services.consents_update(account=account, person=silent, reminders=False)
    services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert reminded() == [(-3, wants.pk)]
    # A tenant who chose reminders while the cooperative let tenants see the account gets
    # none once it no longer does.
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    services.consents_update(account=account, person=tenant, reminders=True)
    settings.BILLING_TENANTS_SEE_ACCOUNTS = False
    services.payment_reminders_send(on=DUE + timedelta(days=7))
    assert reminded() == [(-3, wants.pk), (7, wants.pk)]
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    services.payment_reminders_send(on=DUE + timedelta(days=30))
    assert {person for _step, person in reminded(step=30)} == {wants.pk, tenant.pk}


def test_a_person_who_no_longer_holds_the_unit_gets_nothing(household, settings):
    from operations.residents import services as residents

    settings.BILLING_DEMAND_STEP = None
    _account, _debt, wants, _silent, _tenant = household
    residents.membership_end(membership=Membership.objects.live().get(user=wants), ended_by=wants)
    services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert reminded() == []


def test_a_paid_debt_gets_no_reminder_and_a_part_paid_one_names_what_is_left(household, settings):
    settings.BILLING_DEMAND_STEP = None
    account, debt, wants, _silent, _tenant = household
    pay(account, "400.00", on=DUE)
    services.payment_reminders_send(on=DUE + timedelta(days=7))
    row = PaymentReminder.objects.get()
    assert str(row.outstanding) == "12.35"
    assert "12,35 zł" in row.message.subject
    pay(account, "12.35", on=DUE + timedelta(days=8))
    services.payment_reminders_send(on=DUE + timedelta(days=30))
    assert reminded() == [(7, wants.pk)]


def test_a_debt_corrected_to_nothing_gets_no_reminder(household, settings):
    settings.BILLING_DEMAND_STEP = None
    _account, debt, _wants, _silent, _tenant = household
    correct(debt, "-412.35", on=DUE - timedelta(days=10))
    services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert reminded() == []


def test_steps_count_from_the_day_a_debt_is_payable_by_past_weekends_and_holidays(unit, settings):
    settings.BILLING_DEMAND_STEP = None
    account = open_account(unit)
    owner = tf.resident(unit, username="wielkanoc")
    services.consents_update(account=account, person=owner, reminders=True)
    # Due on Saturday 4 April 2026; Easter Sunday and Monday follow: payable by Tuesday the 7th.
    debt = charge(account, "100.00", due=date(2026, 4, 4))
    assert debt.effective_due_date == date(2026, 4, 7)
    services.payment_reminders_send(on=date(2026, 4, 1))  # three days before the due date as charged
    assert reminded() == []
    services.payment_reminders_send(on=date(2026, 4, 4))
    assert reminded() == [(-3, owner.pk)]
    services.payment_reminders_send(on=date(2026, 4, 13))  # 7 days after the 4th, not after the 7th
    assert reminded() == [(-3, owner.pk)]
    services.payment_reminders_send(on=date(2026, 4, 14))
    assert reminded() == [(-3, owner.pk), (7, owner.pk)]
    assert "07.04.2026" in PaymentReminder.objects.get(step=7).message.body_text


def test_a_missed_day_is_made_up_until_a_later_step_is_due(household, settings):
    settings.BILLING_DEMAND_STEP = None
    _account, _debt, wants, _silent, _tenant = household
    # The beat was down on the 7th day: the reminder goes out on the 9th.
    services.payment_reminders_send(on=DUE + timedelta(days=9))
    assert reminded() == [(7, wants.pk)]
    # Down from day 20 to day 31: only the 30-day step goes out, nothing of the earlier.
    services.payment_reminders_send(on=DUE + timedelta(days=31))
    assert reminded() == [(7, wants.pk), (30, wants.pk)]


def test_a_step_before_the_due_date_is_not_sent_once_the_debt_is_overdue(household, settings):
    settings.BILLING_DEMAND_STEP = None
    household_account, _debt, wants, _silent, _tenant = household
    services.payment_reminders_send(on=DUE + timedelta(days=1))
    assert reminded() == []
    services.payment_reminders_send(on=DUE)  # payable today: still on time
    assert reminded() == [(-3, wants.pk)]


def test_old_arrears_are_not_reminded_when_reminders_are_switched_on(household, settings):
    settings.BILLING_DEMAND_STEP = None
    _account, _debt, _wants, _silent, _tenant = household
    services.payment_reminders_send(on=DUE + timedelta(days=30 + 15))
    assert reminded() == []


def test_two_overlapping_runs_send_nothing_twice(household, settings, monkeypatch):
    settings.BILLING_DEMAND_STEP = None
    account, debt, wants, silent, _tenant = household
    services.consents_update(account=account, person=silent, reminders=True)
    second = charge(account, "10.00", due=DUE, component="waste")
    real = due_reminders.debts_due_reminders
    calls = []

    def overlapping(**kwargs):
        found = list(real(**kwargs))  # the first run has read its list...
        if not calls:
            calls.append(1)
            services.payment_reminders_send(on=kwargs["on"])  # ...when a second run does all the work
        return found

    monkeypatch.setattr(due_reminders, "debts_due_reminders", overlapping)
    result = services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert result["reminders"] == 0 and result["messages"] == 0
    assert sorted(reminded()) == sorted([(-3, wants.pk), (-3, silent.pk)] * 2)
    assert PaymentReminder.objects.filter(debt=debt).count() == 2
    assert PaymentReminder.objects.filter(debt=second).count() == 2
    assert len(reminder_messages()) == 4


def test_a_reminder_recorded_by_another_run_rolls_this_accounts_work_back(household, settings, monkeypatch):
    """Where the database cannot lock the account's row, the unique (debt, step, person)
    constraint stops the second writer: its messages roll back with it."""
    settings.BILLING_DEMAND_STEP = None
    _account, debt, wants, _silent, _tenant = household
    from operations.billing.services import reminders as module

    real_send = module.messaging.message_send

    def racing_send(**kwargs):
        written = real_send(**kwargs)
        # Another process records the same reminder between our check and our insert.
        PaymentReminder.objects.create(debt=debt, account=debt.account, step=-3, person=wants, outstanding=debt.amount)
        return written

    monkeypatch.setattr(module.messaging, "message_send", racing_send)
    result = services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert result["conflicts"] == 1 and result["reminders"] == 0
    assert reminded() == []  # the other process's row went with the rollback of this test's savepoint
    assert reminder_messages() == []


def test_the_reminder_is_in_the_persons_language(household, settings):
    settings.BILLING_DEMAND_STEP = None
    _account, _debt, wants, _silent, _tenant = household
    NotificationSettings.objects.update_or_create(user=wants, defaults={"language": "en"})
    services.payment_reminders_send(on=DUE + timedelta(days=7))
    message = PaymentReminder.objects.get().message
    assert message.language == "en"
    assert message.subject == "Overdue payment for unit A/7: PLN 412.35"
    assert "PLN 412.35" in message.body_text and "10.03.2026" in message.body_text


def test_the_demand_step_issues_one_demand_with_its_reminder(household, settings):
    account, debt, wants, _silent, _tenant = household
    for offset in (7, 30, 31, 32):
        services.payment_reminders_send(on=DUE + timedelta(days=offset))
    assert reminded() == [(7, wants.pk), (30, wants.pk)]
    demands = list(BillingDocument.objects.filter(account=account, kind=BillingDocument.Kind.DEMAND))
    assert len(demands) == 1
    assert PaymentReminder.objects.get(step=30).document == demands[0]
    assert PaymentReminder.objects.get(step=7).document is None
    assert demands[0].created_by_process == "payment-reminders"


def test_the_task_runs_the_service_for_today_or_a_given_day(household, settings):
    settings.BILLING_DEMAND_STEP = None
    _account, _debt, wants, _silent, _tenant = household
    result = tasks.payment_reminders_send.delay(on=(DUE - timedelta(days=3)).isoformat()).get()
    assert result["reminders"] == 1 and result["on"] == "2026-03-07"
    assert reminded() == [(-3, wants.pk)]
    assert tasks.payment_reminders_send.delay().get()["on"]  # today: nothing due in 2026-03 from here on


def test_the_beat_runs_the_reminders_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["billing-payment-reminders-send"]
    assert entry["task"] == "operations.billing.tasks.payment_reminders_send"
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}


def test_step_windows():
    windows = due_reminders.step_windows((-3, 7, 30), catch_up=14)
    assert [(w.step, w.first, w.last) for w in windows] == [(-3, -3, 0), (7, 7, 21), (30, 30, 44)]


def test_one_accounts_failure_leaves_the_others_reminded(household, settings, monkeypatch):
    from operations.billing.services import reminders as module

    settings.BILLING_DEMAND_STEP = None
    account, _debt, wants, _silent, _tenant = household
    other_unit = UnitFactory(building=account.unit.building, number="8")
    other = open_account(other_unit, payer_name="Inny")
    neighbour = tf.resident(other_unit, username="sasiad-przypomnienia")
    services.consents_update(account=other, person=neighbour, reminders=True)
    charge(other, "20.00", due=DUE)
    real = module._context

    def broken(debt, account_, *args):
        if account_.pk == account.pk:
            raise RuntimeError("a broken template")
        return real(debt, account_, *args)

    monkeypatch.setattr(module, "_context", broken)
    result = services.payment_reminders_send(on=DUE - timedelta(days=3))
    assert result["failed"] == 1 and result["reminders"] == 1
    assert reminded() == [(-3, neighbour.pk)]
    monkeypatch.setattr(module, "_context", real)
    services.payment_reminders_send(on=DUE - timedelta(days=2))  # the next day's run makes up for it
    assert sorted(reminded()) == sorted([(-3, neighbour.pk), (-3, wants.pk)])
