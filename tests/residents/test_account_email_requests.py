"""Account e-mail requests after the answer: the sweep that takes up what the broker lost,
a request that fails and is retried, and how long requests are kept (test_registration.py
covers what a sign-up answers and sends)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from operations.residents import services
from operations.residents.models import AccountEmailRequest
from tests.factories.accounts import account_messages, mails_to, register, the_link

pytestmark = pytest.mark.django_db
User = get_user_model()

ADDRESS = "maria.zielinska@example.pl"


def test_the_sweep_acts_on_requests_whose_task_was_lost_once(client, settings):
    from operations.residents import tasks

    register(client)  # its task never runs: the broker lost it
    request = AccountEmailRequest.objects.get()
    assert tasks.account_email_requests_sweep.delay().get() == {"processed": 0, "deleted": 0}  # not a minute old yet
    AccountEmailRequest.objects.filter(pk=request.pk).update(created_at=request.created_at - timedelta(minutes=2))
    assert tasks.account_email_requests_sweep.delay().get() == {"processed": 1, "deleted": 0}
    user = User.objects.get(username=ADDRESS)
    assert not user.is_active and account_messages() == [(ADDRESS, "account-confirm")]
    assert tasks.account_email_requests_sweep.delay().get() == {"processed": 0, "deleted": 0}
    assert account_messages() == [(ADDRESS, "account-confirm")]  # once


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_answer_is_the_same_and_the_sweep_sends_the_email_later(broker_down, caplog):
    from operations.residents import tasks

    with caplog.at_level(logging.WARNING, logger="cms.core.queue"):
        answer = register(Client())
    assert answer == {"data": {"userRegister": {"accepted": True, "errors": []}}}
    assert "the account e-mail sweep will send it" in caplog.text
    assert not User.objects.exists() and mail.outbox == []

    broker_down()  # the broker is back (eager again); beat runs the sweep a minute later
    AccountEmailRequest.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert tasks.account_email_requests_sweep.delay().get() == {"processed": 1, "deleted": 0}
    assert not User.objects.get(username=ADDRESS).is_active
    the_link(ADDRESS, "potwierdz")
    tasks.account_email_requests_sweep.delay().get()
    assert len(mails_to(ADDRESS)) == 1


def test_a_request_that_fails_is_retried_and_does_not_stop_the_others(client, monkeypatch, caplog):
    register(client, "pierwszy@example.pl")
    register(client, "drugi@example.pl")
    real = services._register_act

    def failing(*, email, **names):
        if email.startswith("pierwszy"):
            raise RuntimeError("the database hiccuped")
        return real(email=email, **names)

    monkeypatch.setattr(services.accounts, "_register_act", failing)  # where the sweep calls it
    assert services.account_email_requests_process() == 1
    assert "could not be processed" in caplog.text
    assert list(AccountEmailRequest.objects.filter(processed_at__isnull=True).values_list("email", flat=True)) == [
        "pierwszy@example.pl"
    ]
    assert not User.objects.filter(username="pierwszy@example.pl").exists()
    monkeypatch.undo()
    assert services.account_email_requests_process() == 1
    assert User.objects.filter(username="pierwszy@example.pl").exists()


def test_requests_are_deleted_a_day_after_they_came(client, sent, caplog):
    from operations.residents import tasks

    sent(register, client, "stary@example.pl")
    register(client, "zgubiony@example.pl")  # its task was lost
    sent(register, client, "nowy@example.pl")
    a_day_ago = timezone.now() - timedelta(days=1, minutes=1)
    AccountEmailRequest.objects.exclude(email="nowy@example.pl").update(created_at=a_day_ago)
    # The sweep acts on what is due first (the lost one too), then deletes what is a day old.
    assert tasks.account_email_requests_sweep.delay().get() == {"processed": 1, "deleted": 2}
    assert list(AccountEmailRequest.objects.values_list("email", flat=True)) == ["nowy@example.pl"]
    assert User.objects.filter(username="zgubiony@example.pl").exists()
    # One never acted on within the day (failing every time) is dropped all the same.
    register(client, "pechowy@example.pl")
    AccountEmailRequest.objects.filter(email="pechowy@example.pl").update(created_at=a_day_ago)
    assert services.account_email_requests_prune(before=timezone.now() - timedelta(days=1)) == 1
    assert "never processed" in caplog.text
