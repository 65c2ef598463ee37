"""A resolution's protocol (services/protocol.py): the resolution, its rule and legal
basis, the electorate, every vote — or, for a secret vote, counts only — the result, the
moment the majority was reached and the hash of the last vote; as PDF (typst), CSV and
XLSX."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from operations.surveys import selectors, services
from operations.surveys.services import protocol as protocols
from tests.surveys.admin_kit import RESOLUTIONS, login, make_resolution, resolution_staff, scan, shares

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(cast):
    shares(cast)
    return resolution_staff()


def vote_some(cast, resolution, secretary):
    services.vote_cast(resolution=resolution, person=cast.neighbour, choice="against")
    services.vote_record_paper(
        resolution=resolution,
        seat=resolution.seats.get(label=str(cast.unit)),
        choice="for",
        voter_name="Anna Nowak",
        ballot_scan=scan(),
        signed_at=timezone.now() - timedelta(minutes=1),
        by=secretary,
    )


def test_the_protocol_lists_every_vote_with_who_cast_or_recorded_it(cast, secretary):
    resolution = make_resolution(cast.building, secretary)
    vote_some(cast, resolution, secretary)
    with translation.override("en"):
        made = protocols.protocol(resolution)
    assert [v.sequence for v in made.votes] == [1, 2]
    first, second = made.votes
    assert first.channel == "online" and first.cast_by and first.recorded_by == ""
    assert second.channel == "paper ballot" and second.voter == "Anna Nowak" and second.recorded_by == "Roman Sekretarz"
    assert made.last_hash == resolution.votes.order_by("-sequence").first().hash
    assert made.tally.adopted  # 0.6 for against 0.4
    facts = dict(made.facts)
    assert facts["Hash of the last vote"] == made.last_hash
    assert facts["Hash chain"] == "intact"
    assert made.rule.legal_basis.startswith("Art. 23")
    assert [s.label for s in made.seats] == [str(cast.unit), str(cast.other_unit)]
    assert [s.weight for s in made.seats] == [Decimal("0.6"), Decimal("0.4")]


def test_a_secret_vote_gives_counts_only(cast, secretary):
    resolution = make_resolution(cast.building, secretary, secret=True)
    vote_some(cast, resolution, secretary)
    made = protocols.protocol(resolution)
    assert made.votes == []
    assert [(c.seats) for c in made.counts] == [1, 1, 0]
    with translation.override("en"):
        sheets = protocols.protocol_sheets(protocols.protocol(resolution), for_csv=True)
    titles = [title for title, _h, _r in sheets]
    assert titles == ["Resolution", "Electorate", "Counts"]
    flat = repr(sheets[0]) + repr(sheets[2])
    assert "Anna Nowak" not in flat  # the voter's name stays out
    assert "paper ballot" not in repr(sheets) and "online" not in repr(sheets)


def test_the_pdf_is_typeset_and_pins_the_last_hash(cast, secretary):
    resolution = make_resolution(cast.building, secretary)
    vote_some(cast, resolution, secretary)
    closed = services.resolution_close(resolution=resolution, now=resolution.closes_at + timedelta(minutes=1))
    pdf = protocols.protocol_pdf(closed)
    assert pdf.startswith(b"%PDF")
    assert protocols.protocol_pdf(closed) == pdf  # the same votes, the same bytes
    view = protocols.protocol_view(protocols.protocol(closed), day=protocols.protocol_day(closed))
    assert view["last_hash"] == closed.votes.order_by("-sequence").first().hash
    assert len(view["votes"]) == 2 and view["votes"][1]["recorded_by"] == "Roman Sekretarz"
    assert view["facts"]  # with the result and the moment of the majority
    with translation.override("pl"):
        view = protocols.protocol_view(protocols.protocol(closed), day=protocols.protocol_day(closed))
    assert dict(view["facts"])  # typeset in Polish (the document's language)
    assert "Protokół".encode() in pdf  # the title, in the file's metadata
    assert f"sha256:{view['last_hash']}".encode() in pdf  # and the last hash


def test_a_secret_pdf_has_no_votes(cast, secretary):
    resolution = make_resolution(cast.building, secretary, secret=True)
    vote_some(cast, resolution, secretary)
    view = protocols.protocol_view(protocols.protocol(resolution), day=timezone.localdate())
    assert view["secret"] and view["votes"] == []
    assert protocols.protocol_pdf(resolution).startswith(b"%PDF")


def test_csv_and_xlsx_downloads(cast, secretary):
    resolution = make_resolution(cast.building, secretary)
    vote_some(cast, resolution, secretary)
    client = login(secretary)
    response = client.get(f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    last_hash = resolution.votes.order_by("-sequence").first().hash
    assert any(last_hash in row for row in rows)
    assert any("Anna Nowak" in row for row in rows)
    response = client.get(f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 3
    votes = list(book.worksheets[2].iter_rows(values_only=True))
    assert len(votes) == 3 and votes[2][-1] == last_hash
    response = client.get(f"{RESOLUTIONS}inspect/{resolution.pk}/protocol.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_an_edited_vote_shows_in_the_protocol(cast, secretary):
    from django.db import connection

    resolution = make_resolution(cast.building, secretary)
    vote_some(cast, resolution, secretary)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_vote SET choice = 'for' WHERE resolution_id = %s AND sequence = 1", [resolution.pk]
        )
    made = protocols.protocol(resolution)
    assert made.chain_breaks == [1] == selectors.chain_breaks(resolution)
