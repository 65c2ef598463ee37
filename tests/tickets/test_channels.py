"""The channel a report came through (`Ticket.source`), in the services and the admin: a
report without an account is ANONYMOUS, a resident's own PORTAL or APP, one staff took
down for a resident PHONE, EMAIL or OFFICE (and nothing else); old anonymous reports are
moved to ANONYMOUS by a data migration; staff filter the list by channel. The API's side
is tests/api/test_tickets_channels.py."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from operations.tickets import policy, services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket
from tests.tickets.admin_kit import LIST, listed, login, report

pytestmark = pytest.mark.django_db

Source = Ticket.Source


def anonymous(cast, **fields) -> Ticket:
    fields.setdefault("contact_phone", "601 222 333")
    return services.ticket_anonymous_create(
        category=cast.category, building=cast.building, title="Zepsuta lampa", description="Na parterze.", **fields
    )


def refusal_code(call) -> str:
    with pytest.raises(Exception) as raised:
        call()
    return raised.value.code


def test_a_report_without_an_account_is_anonymous(cast):
    ticket = anonymous(cast)
    assert (ticket.source, ticket.reporter_id, ticket.recorded_by_id) == (Source.ANONYMOUS, None, None)


@pytest.mark.parametrize("source", [Source.PORTAL, Source.APP])
def test_a_resident_reports_through_the_portal_or_the_app(cast, source):
    assert report(cast, source=source).source == source
    assert report(cast).source == Source.PORTAL  # the default


@pytest.mark.parametrize("source", [Source.PHONE, Source.EMAIL, Source.OFFICE, Source.ANONYMOUS])
def test_a_resident_cannot_claim_another_channel(cast, source):
    count = Ticket.objects.count()
    assert refusal_code(lambda: report(cast, source=source)) == TicketErrorCode.FORBIDDEN
    assert Ticket.objects.count() == count


@pytest.mark.parametrize("source", [Source.PHONE, Source.EMAIL, Source.OFFICE])
def test_staff_record_the_channel_they_took_it_through(cast, source):
    ticket = report(cast, source=source, recorded_by=cast.dispatcher)
    assert (ticket.source, ticket.reporter_id, ticket.recorded_by_id) == (source, cast.reporter.pk, cast.dispatcher.pk)


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (Source.PORTAL, TicketErrorCode.SOURCE_INVALID),
        (Source.APP, TicketErrorCode.SOURCE_INVALID),
        (Source.ANONYMOUS, TicketErrorCode.FORBIDDEN),
    ],
)
def test_a_report_staff_took_down_says_phone_email_or_office(cast, source, code):
    count = Ticket.objects.count()
    assert refusal_code(lambda: report(cast, source=source, recorded_by=cast.dispatcher)) == code
    assert Ticket.objects.count() == count
    refusal = policy.report_recording_refusal(source=source, recorded_by=cast.dispatcher, for_someone_else=True)
    assert refusal.code == code and (refusal.field == "source") == (code == TicketErrorCode.SOURCE_INVALID)


def test_the_data_migration_moves_old_anonymous_reports_only(cast):
    old_anonymous = anonymous(cast)
    by_phone = report(cast, source=Source.PHONE, recorded_by=cast.dispatcher)
    own_unit = report(cast)
    common_area = report(cast, building=cast.building, unit=None)
    # As before the change: every report without an account was recorded as the portal's;
    # and residents whose accounts were deleted since have no reporter either.
    Ticket.objects.filter(pk=old_anonymous.pk).update(source=Source.PORTAL)
    Ticket.objects.filter(pk__in=[own_unit.pk, common_area.pk]).update(reporter=None)
    migration = importlib.import_module("operations.tickets.migrations.0005_anonymous_reports_channel")
    migration.mark_anonymous(apps, None)
    sources = dict(Ticket.objects.values_list("pk", "source"))
    assert sources == {
        old_anonymous.pk: Source.ANONYMOUS,
        by_phone.pk: Source.PHONE,
        own_unit.pk: Source.PORTAL,
        common_area.pk: Source.PORTAL,
    }
    migration.mark_portal(apps, None)
    assert Ticket.objects.get(pk=old_anonymous.pk).source == Source.PORTAL


def test_staff_filter_the_list_by_channel(cast):
    made = {
        Source.ANONYMOUS: anonymous(cast),
        Source.PORTAL: report(cast),
        Source.APP: report(cast, source=Source.APP),
        Source.PHONE: report(cast, source=Source.PHONE, recorded_by=cast.dispatcher),
        Source.EMAIL: report(cast, source=Source.EMAIL, recorded_by=cast.dispatcher),
        Source.OFFICE: report(cast, source=Source.OFFICE, recorded_by=cast.dispatcher),
    }
    client = login(cast.dispatcher)
    for source, ticket in made.items():
        response = client.get(LIST, {"source": source})
        assert response.status_code == 200
        assert listed(response) == [ticket.pk], source
    assert sorted(listed(client.get(LIST))) == sorted(ticket.pk for ticket in made.values())
    # Every channel is offered, in Polish, "bez konta" among them.
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    for source in Source.values:
        assert f'name="source" value="{source}"' in page
    assert "bez konta (anonimowo)" in page
    # The CSV says the channel too.
    csv = b"".join(client.get(LIST, {"export": "csv", "source": Source.ANONYMOUS}).streaming_content).decode(
        "utf-8-sig"
    )
    assert "bez konta (anonimowo)" in csv and len(csv.strip().splitlines()) == 2
