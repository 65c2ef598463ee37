"""Resolutions in the Wagtail admin: drafts, announcing, the electorate, paper ballots
with their scans (served only to staff with the permission), proxies, the live tally with
the moment of the majority, the hash chain's check, the result with the notification and
the challenge window; who may use each screen, and list query counts that stay flat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.surveys import services
from operations.surveys.models import CountingRule, Resolution, Vote
from tests.surveys.admin_kit import (
    RESOLUTION_PERMISSIONS,
    RESOLUTIONS,
    grant,
    login,
    make_resolution,
    resolution_staff,
    scan,
    shares,
)

pytestmark = pytest.mark.django_db
MOMENT = "%Y-%m-%d %H:%M"


def refused(response) -> bool:
    return response.status_code in (302, 403, 404)


@pytest.fixture
def secretary(cast):
    shares(cast)
    return resolution_staff()


@pytest.fixture
def client_(secretary):
    return login(secretary)


def draft_data(cast, **fields):
    now = timezone.localtime()
    data = {
        "number": "7/2026",
        "title": "Remont dachu",
        "text": "Właściciele wyrażają zgodę na remont dachu.",
        "buildings": [str(cast.building.pk)],
        "rule": str(CountingRule.objects.get(code="wspolnota-udzialy", version=1).pk),
        "opens_at": (now - timedelta(minutes=1)).strftime(MOMENT),
        "closes_at": (now + timedelta(days=7)).strftime(MOMENT),
    }
    data.update(fields)
    return data


def paper(resolution, seat, secretary, choice="for", content=b"%PDF-1.4 karta"):
    return services.vote_record_paper(
        resolution=resolution,
        seat=seat,
        choice=choice,
        voter_name="Jan Papierowy",
        ballot_scan=scan(content),
        signed_at=timezone.now() - timedelta(minutes=1),
        by=secretary,
    )


def test_screens_for_resolution_staff_and_refused_to_everyone_else(cast, secretary, client_):
    resolution = make_resolution(cast.building, secretary)
    vote = paper(resolution, resolution.seats.first(), secretary)
    urls = [
        RESOLUTIONS,
        f"{RESOLUTIONS}new/",
        f"{RESOLUTIONS}inspect/{resolution.pk}/",
        f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.pdf",
        f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.csv",
        f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.xlsx",
        f"/surveys/ballots/{vote.pk}/",
    ]
    for url in urls:
        assert client_.get(url).status_code == 200, url
    worker = grant(cast.firm_worker, RESOLUTION_PERMISSIONS)
    without = grant(cast.dispatcher, [])
    for person in (cast.reporter, worker, without):
        client = login(person)
        for url in urls:
            assert refused(client.get(url)), (person.username, url)
    # Actions too.
    for person in (cast.reporter, worker, without):
        client = login(person)
        client.post(f"{RESOLUTIONS}inspect/{resolution.pk}/paper-vote/", {})
    assert resolution.votes.count() == 1


def test_a_draft_is_created_announced_and_opens_fixing_the_electorate(cast, client_, secretary):
    response = client_.post(f"{RESOLUTIONS}new/", draft_data(cast))
    assert response.status_code == 302, response.content.decode()[-3000:]
    resolution = Resolution.objects.get(number="7/2026")
    assert resolution.state == Resolution.State.DRAFT and resolution.created_by == secretary
    page = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/").content.decode()
    assert "data-announce" in page
    client_.post(f"{RESOLUTIONS}inspect/{resolution.pk}/schedule/")
    resolution.refresh_from_db()
    assert resolution.state == Resolution.State.OPEN
    page = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/").content.decode()
    assert "data-electorate" in page and cast.unit.number in page
    # No longer a draft: not edited.
    response = client_.post(f"{RESOLUTIONS}edit/{resolution.pk}/", draft_data(cast, title="Zmiana"))
    resolution.refresh_from_db()
    assert resolution.title == "Remont dachu"


def test_the_draft_form_refuses_a_close_before_the_opening(cast, client_):
    now = timezone.localtime()
    response = client_.post(
        f"{RESOLUTIONS}new/",
        draft_data(cast, opens_at=now.strftime(MOMENT), closes_at=(now - timedelta(days=1)).strftime(MOMENT)),
    )
    assert response.status_code == 200
    assert not Resolution.objects.filter(number="7/2026").exists()


def test_staff_without_the_management_permission_do_not_announce(cast, secretary):
    resolution = make_resolution(cast.building, secretary, schedule=False)
    reader = resolution_staff("czytelnik", ["view_survey", "view_resolution"])
    client = login(reader)
    assert client.get(f"{RESOLUTIONS}inspect/{resolution.pk}/").status_code == 200
    client.post(f"{RESOLUTIONS}inspect/{resolution.pk}/schedule/")
    resolution.refresh_from_db()
    assert resolution.state == Resolution.State.DRAFT


def test_a_paper_ballot_with_its_scan_and_a_proxy_through_the_page(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary)
    seat = resolution.seats.get(label=str(cast.unit))
    other = resolution.seats.get(label=str(cast.other_unit))
    response = client_.post(
        f"{RESOLUTIONS}inspect/{resolution.pk}/paper-vote/",
        {
            "seat": str(seat.pk),
            "choice": "for",
            "voter_name": "Anna Nowak",
            "signed_at": (timezone.localtime() - timedelta(minutes=2)).strftime(MOMENT),
            "ballot_scan": SimpleUploadedFile("karta.pdf", b"%PDF-1.4 skan", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    vote = resolution.votes.get()
    assert vote.channel == Vote.Channel.PAPER and vote.recorded_by == secretary and vote.ballot_scan
    # Refused without the scan: the page again, nothing recorded.
    response = client_.post(
        f"{RESOLUTIONS}inspect/{resolution.pk}/paper-vote/",
        {
            "seat": str(other.pk),
            "choice": "against",
            "voter_name": "X",
            "signed_at": timezone.localtime().strftime(MOMENT),
        },
    )
    assert response.status_code == 200 and resolution.votes.count() == 1

    response = client_.post(
        f"{RESOLUTIONS}inspect/{resolution.pk}/proxy/", {"seat": str(other.pk), "proxy": str(cast.stranger.pk)}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.proxy == cast.stranger


def test_the_tally_shows_when_the_majority_was_reached_and_the_chain_is_intact(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")  # 0.6 of 1: adopted
    page = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/")
    assert page.context["tally"].adopted
    assert page.context["majority_at"]
    assert page.context["chain_intact"]
    html = page.content.decode()
    assert "data-majority" in html and "data-chain" in html


def test_an_edited_vote_shows_the_broken_sequence_numbers(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
    services.vote_cast(resolution=resolution, person=cast.neighbour, choice="against")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_vote SET choice = 'against' WHERE resolution_id = %s AND sequence = 1", [resolution.pk]
        )
    page = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/")
    assert page.context["chain_breaks"] == [1]
    assert not page.context["chain_intact"]


def test_a_closed_resolution_shows_result_notification_and_challenge_end(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
    closed = services.resolution_close(resolution=resolution, now=resolution.closes_at + timedelta(minutes=1))
    html = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/").content.decode()
    assert "data-result" in html
    assert closed.challenge_until.strftime("%d.%m.%Y") in html


def test_a_secret_vote_shows_counts_not_who_voted_how(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary, secret=True)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="against")
    page = client_.get(f"{RESOLUTIONS}inspect/{resolution.pk}/")
    assert page.context["votes"] == []
    assert all(seat["choice"] == "" for seat in page.context["seats"])


# --- ballot scans ---------------------------------------------------------------------------------


def test_ballot_scans_only_to_staff_who_record_paper_votes(cast, secretary):
    resolution = make_resolution(cast.building, secretary)
    vote = paper(resolution, resolution.seats.first(), secretary, content=b"%PDF-1.4 tajna karta")
    url = f"/surveys/ballots/{vote.pk}/"
    response = login(secretary).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 tajna karta"
    assert "no-store" in response["Cache-Control"]
    reader = resolution_staff("czytelnik", ["view_survey", "view_resolution"])
    for person in (reader, cast.reporter, grant(cast.firm_worker, RESOLUTION_PERMISSIONS)):
        assert login(person).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 404
    # The file itself is not reachable under the media prefix.
    assert Client().get(f"/media/{vote.ballot_scan.name}").status_code == 404
    assert vote.ballot_scan.name.startswith("ballots/") and "karta" not in vote.ballot_scan.name


# --- query counts ------------------------------------------------------------------------------------


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_a_resolutions_page_cost_the_same_for_more_rows_and_votes(cast, client_, secretary):
    resolution = make_resolution(cast.building, secretary, allow_changes=True)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
    few_list = count(client_, RESOLUTIONS)
    few_page = count(client_, f"{RESOLUTIONS}inspect/{resolution.pk}/")
    for _ in range(3):
        make_resolution(cast.building, secretary)
    services.vote_cast(resolution=resolution, person=cast.neighbour, choice="against")
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="abstain")
    assert count(client_, RESOLUTIONS) == few_list
    assert count(client_, f"{RESOLUTIONS}inspect/{resolution.pk}/") == few_page
