"""The demo cooperative's books (demo_cooperative/billing.py) and its surveys and
resolutions (demo_cooperative/surveys.py): the stories the README tells hold, the sample
statements in `demo_cooperative/samples/` are what the module writes and import against
the demo as promised, and `--reset` removes the books and the votes with the rest.

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo_cooperative import billing as demo_billing
from demo_cooperative import data
from operations.billing import selectors, services
from operations.billing.models import BankTransaction, BillingAccount, LedgerEntry
from operations.surveys import selectors as survey_selectors
from operations.surveys.models import Resolution, Survey, Vote

SAMPLES = Path(demo_billing.__file__).parent / "samples"


@pytest.fixture(scope="module")
def demo_media(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-billing-media")
    messages = tmp_path_factory.mktemp("demo-billing-messages")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, MESSAGING_FILE_DIR=messages),
        transaction.atomic(),
    ):
        call_command("load_demo_data", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_media, db, settings):
    settings.MEDIA_ROOT = demo_media
    return demo_media


def account(building: str, number: str) -> BillingAccount:
    return BillingAccount.objects.get(identifier=demo_billing.identifier_for(building, number))


def test_every_occupied_flat_has_an_account_with_its_fixed_number(demo):
    accounts = BillingAccount.objects.filter(unit__building__estate__slug=data.ESTATE_SLUG)
    assert accounts.count() >= 50
    resident_a = account("A", "12")
    assert resident_a.identifier == 1012
    assert resident_a.iban == demo_billing.account_number_for("A", "12")
    assert resident_a.payer_name == "Anna Nowak"


def test_resident_a_owes_nothing_overdue_and_has_a_year(demo):
    resident_a = account("A", "12")
    today = timezone.localdate()
    aged = selectors.account_aged_debt(resident_a, as_of=today)
    assert aged.days_1_30 == aged.days_31_60 == aged.days_61_90 == aged.over_90 == Decimal("0.00")
    months = set(LedgerEntry.objects.filter(account=resident_a, kind="charge").values_list("period", flat=True))
    assert len(months) == 12


def test_resident_b_is_two_months_overdue_with_interest(demo):
    resident_b = account("B", "5")
    today = timezone.localdate()
    aged = selectors.account_aged_debt(resident_b, as_of=today)
    assert aged.days_1_30 > 0 and aged.days_31_60 > 0
    assert aged.days_61_90 == aged.over_90 == Decimal("0.00")
    assert LedgerEntry.objects.filter(account=resident_b, kind="interest").exists()


def test_the_documents_resident_a_statement_sent_resident_b_note_and_demand(demo, client):
    import hashlib

    from django.contrib.auth import get_user_model

    from operations.billing.documents.links import document_download_url
    from operations.billing.models import BillingDocument

    statement = BillingDocument.objects.get(account=account("A", "12"))
    assert statement.kind == "statement" and statement.sent_at is not None
    kinds = set(BillingDocument.objects.filter(account=account("B", "5")).values_list("kind", flat=True))
    assert kinds == {"interest_note", "demand"}
    for username, unit in (("resident.a", ("A", "12")), ("resident.b", ("B", "5"))):
        client.force_login(get_user_model().objects.get(username=username))
        for document in BillingDocument.objects.filter(account=account(*unit)):
            response = client.get(document_download_url(document))
            content = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code == 200 and content.startswith(b"%PDF")
            assert hashlib.sha256(content).hexdigest() == document.sha256


def test_the_aged_debt_buckets_and_an_overpayment_have_something_to_show(demo):
    today = timezone.localdate()
    assert selectors.account_aged_debt(account(*demo_billing.OLD_DEBT_UNIT), as_of=today).over_90 > 0
    overpaid = selectors.account_balance(account(*demo_billing.OVERPAID_UNIT))
    if today.day > 1:  # this month's statement holds the transfer from the 1st
        assert overpaid.credits > overpaid.debits


def test_this_months_statement_was_imported_and_one_transfer_waits(demo):
    waiting = BankTransaction.objects.filter(state__in=["unmatched", "suggested"])
    if timezone.localdate().day == 1:
        pytest.skip("on the 1st the month's statement has only the transfer that waits")
    assert waiting.count() == 1
    assert waiting.get().counterparty_name == "KAROL NOWICKI"
    assert BankTransaction.objects.filter(state="matched").count() >= 5


def test_the_sample_statements_are_what_the_module_writes():
    for name, content in demo_billing.sample_files().items():
        assert (SAMPLES / name).read_bytes() == content, f"{name}: run demo_billing.sample_files() and save it"


def test_the_samples_import_against_the_demo_and_the_second_finds_every_line_known(demo):
    mt940 = (SAMPLES / "wyciag-pko-bp-2026-11.sta").read_bytes()
    camt = (SAMPLES / "wyciag-camt053-2026-11.xml").read_bytes()
    first = services.statement_import(file=mt940, profile="pko_bp", process="test")
    assert len(first.created) == 5
    by_title = {row.title: row for row in first.created}
    paid = by_title["Opłaty za lokal B/5 10/2026"]
    assert paid.state == "matched" and paid.account == account("B", "5")
    assert by_title["darowizna"].state == "unmatched"
    second = services.statement_import(file=camt, profile="camt053", process="test")
    assert second.created == [] and second.skipped == 5


def test_an_open_satisfaction_survey_with_an_nps_question_resident_a_answered(demo):
    from django.contrib.auth import get_user_model

    survey = Survey.objects.get(title__startswith="Jak oceniasz utrzymanie")
    now = timezone.now()
    assert survey.is_open_at(now) and not survey.anonymous
    results = survey_selectors.survey_results(survey)
    assert results.responses >= 10
    assert any(question.nps is not None for question in results.questions)
    people = {
        user.username: user for user in get_user_model().objects.filter(username__in=["resident.a", "resident.b"])
    }
    assert survey_selectors.answered(people["resident.a"], [survey]) == {survey.pk: True}
    assert survey_selectors.answered(people["resident.b"], [survey]) == {survey.pk: False}


def test_a_closed_anonymous_survey_whose_results_residents_see(demo):
    survey = Survey.objects.get(title__startswith="Ocena pracy administracji")
    assert survey.anonymous and survey.is_closed_at(timezone.now()) and survey.results_to_residents
    assert not survey.responses.filter(participation__isnull=False).exists()
    results = survey_selectors.survey_results(survey)
    assert results.responses >= 10 and results.sealed == 0
    assert sum(results.questions[0].distribution.values()) == results.responses


def test_an_open_resolution_by_shares_with_votes_one_on_paper(demo):
    resolution = Resolution.objects.get(number="8/2026")
    assert resolution.state == Resolution.State.OPEN and resolution.rule.method == "shares"
    assert resolution.votes.filter(channel=Vote.Channel.PAPER).count() == 1
    assert resolution.votes.filter(channel=Vote.Channel.ONLINE).exists()
    assert not resolution.votes.filter(seat__holders__username="resident.b").exists()
    assert survey_selectors.chain_breaks(resolution) == []


def test_a_closed_adopted_resolution_with_its_challenge_window(demo):
    resolution = Resolution.objects.get(number="6/2026")
    assert resolution.state == Resolution.State.CLOSED and resolution.result == Resolution.Result.ADOPTED
    assert resolution.notified_at is not None
    assert resolution.challenge_until > timezone.localdate()
    assert resolution.votes.filter(seat__holders__username="resident.a", choice="for").exists()


def test_reset_removes_the_books_and_votes_and_loads_them_again(demo):
    before = BillingAccount.objects.count(), Vote.objects.count()
    call_command("load_demo_data", "--reset", stdout=StringIO())
    assert (BillingAccount.objects.count(), Vote.objects.count()) == before
    assert account("A", "12").opened_on <= timezone.localdate() - timedelta(days=300)
    assert Resolution.objects.filter(number__in=["6/2026", "8/2026"]).count() == 2
