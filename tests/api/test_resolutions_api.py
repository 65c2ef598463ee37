"""The resolutions' API (operations/surveys/api): `resolutions`, `resolution(id:)` with the
viewer's seats and the tally, and `voteCast`, for every kind of viewer.

The cast (tests/factories/tickets.py, once per module): building A's owners are the
reporter (A/1, with the co-resident as its tenant) and the neighbour (A/2); the stranger
owns B/1. The board (staff) follows every resolution, announces them and enters paper
ballots; the dispatcher has no part in them; a firm's worker none either. Resolutions here
count one vote per owner (`wspolnota-jeden-glos`) unless a test says otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from operations.surveys import services
from operations.surveys.models import CountingRule, Resolution, Vote
from tests.api.test_surveys_api import gid, sign_in
from tests.factories.residents import BuildingFactory, UnitFactory
from tests.factories.tickets import fresh, resident

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10_000))


def make_resolution(cast, *, code="wspolnota-jeden-glos", buildings=None, schedule=True, **fields) -> Resolution:
    now = timezone.now()
    values = {
        "number": f"API-{next(_numbers)}/2026",
        "title": "Wymiana dźwigów osobowych",
        "text": "Właściciele lokali wyrażają zgodę na wymianę dźwigów.",
        "rule": CountingRule.objects.get(code=code, version=1),
        "opens_at": now - timedelta(minutes=5),
        "closes_at": now + timedelta(days=7),
    }
    values.update(fields)
    resolution = Resolution.objects.create(**values)
    resolution.buildings.set(buildings or [cast.building])
    if schedule:
        resolution = services.resolution_schedule(resolution=resolution, by=fresh(cast.board))
    return resolution


def close(resolution: Resolution) -> Resolution:
    """The window ends and the vote is counted (the owners are notified)."""
    Resolution.objects.filter(pk=resolution.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(seconds=1)
    )
    return services.resolution_close(resolution=resolution)


def paper_vote(cast, resolution, seat, choice="for", name="Jan Papierowy"):
    return services.vote_record_paper(
        resolution=resolution,
        seat=seat,
        choice=choice,
        voter_name=name,
        ballot_scan=ContentFile(b"%PDF-1.4 karta", name="karta.pdf"),
        signed_at=timezone.now() - timedelta(minutes=1),
        by=fresh(cast.board),
    )


RESOLUTIONS = """{ resolutions(first: 50) { totalCount edges { node {
  id number title state result canVote mySeats { label voted byMe myChoice }
} } } }"""

RESOLUTION = """query($id: ID!) { resolution(id: $id) {
  id number title text state result opensAt closesAt allowChanges secret canVote
  rule { code version name legalBasis method base }
  attachments { id title downloadUrl }
  mySeats { id label weight asProxy voted votedAt channel byMe myChoice }
  tally {
    totalWeight weightFor weightAgainst weightAbstained seats seatsVoted seatsFor seatsAgainst seatsAbstained
    majorityReached thresholdCrossedAt result decidedAt notifiedAt challengeUntil
    votes { seatLabel weight choice channel castAt voterName }
  }
} }"""

VOTE = """mutation($input: VoteCastInput!) { voteCast(input: $input) {
  votes { seatLabel choice channel castAt }
  resolution { id canVote mySeats { label voted byMe myChoice } }
  errors { field message ... on ResolutionError { code } }
} }"""


def vote(gql, resolution, choice="FOR") -> dict:
    return gql.data(VOTE, {"input": {"resolutionId": gid("Resolution", resolution.pk), "choice": choice}})["voteCast"]


def one(gql, resolution) -> dict | None:
    return gql.data(RESOLUTION, {"id": gid("Resolution", resolution.pk)})["resolution"]


def codes(payload) -> list[tuple[str, str | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


# --- who sees which -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer, sees",
    [
        (None, False),
        ("reporter", True),
        ("neighbour", True),
        ("co_resident", False),  # a tenant votes on nothing
        ("stranger", False),  # another building's owner
        ("firm_worker", False),
        ("dispatcher", False),
        ("board", True),
    ],
)
def test_the_list_and_one_resolution_per_viewer(gql, cast, viewer, sees):
    resolution = make_resolution(cast, title="Dźwigi")
    draft = make_resolution(cast, title="Szkic", schedule=False)
    sign_in(gql, getattr(cast, viewer) if viewer else None)
    listed = {edge["node"]["title"] for edge in gql.data(RESOLUTIONS)["resolutions"]["edges"]}
    if viewer == "board":
        assert listed == {"Dźwigi", "Szkic"}
    else:
        assert listed == ({"Dźwigi"} if sees else set())
        assert one(gql, draft) is None
    data = one(gql, resolution)
    if not sees:
        assert data is None
        return
    assert data["state"] == "OPEN" and data["result"] is None
    assert data["rule"]["code"] == "wspolnota-jeden-glos" and data["rule"]["method"] == "OWNERS"
    assert data["rule"]["legalBasis"]
    # The live tally: staff only while voting runs.
    assert (data["tally"] is not None) == (viewer == "board")


def test_voting_now_first_then_announced_then_closed(gql, cast):
    now = timezone.now()
    closed = make_resolution(cast, title="Zamknięta")
    close(closed)
    make_resolution(cast, title="Zapowiedziana", opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9))
    make_resolution(cast, title="Do przyszłego tygodnia", closes_at=now + timedelta(days=7))
    make_resolution(cast, title="Do jutra", closes_at=now + timedelta(days=1))
    sign_in(gql, cast.reporter)
    listed = [edge["node"]["title"] for edge in gql.data(RESOLUTIONS)["resolutions"]["edges"]]
    assert listed == ["Do jutra", "Do przyszłego tygodnia", "Zapowiedziana", "Zamknięta"]
    assert [
        e["node"]["title"]
        for e in gql.data(
            "query($f: ResolutionFilter) { resolutions(first: 9, filter: $f) { edges { node { title } } } }",
            {"f": {"state": "CLOSED"}},
        )["resolutions"]["edges"]
    ] == ["Zamknięta"]


# --- voteCast ----------------------------------------------------------------------------------------


def test_an_owner_votes_and_sees_their_seat_voted_and_how(gql, cast):
    resolution = make_resolution(cast)
    sign_in(gql, cast.reporter)
    before = one(gql, resolution)
    assert before["canVote"] is True
    assert [(s["label"], s["voted"], s["myChoice"]) for s in before["mySeats"]] == [(str(cast.unit), False, None)]
    payload = vote(gql, resolution, "AGAINST")
    assert payload["errors"] == []
    assert [(v["seatLabel"], v["choice"], v["channel"]) for v in payload["votes"]] == [
        (str(cast.unit), "AGAINST", "ONLINE")
    ]
    assert payload["resolution"]["canVote"] is False  # the resolution keeps the first vote
    assert payload["resolution"]["mySeats"] == [
        {"label": str(cast.unit), "voted": True, "byMe": True, "myChoice": "AGAINST"}
    ]
    # The neighbour sees their own seat, and nothing of the reporter's vote.
    sign_in(gql, cast.neighbour)
    data = one(gql, resolution)
    assert [(s["label"], s["voted"]) for s in data["mySeats"]] == [(str(cast.other_unit), False)]
    assert data["tally"] is None
    assert "AGAINST" not in str(data)


def test_a_co_owner_sees_that_the_seat_voted_but_not_how(gql, cast):
    co_owner = resident(cast.unit, username="wspolwlasciciel")
    resolution = make_resolution(cast)
    sign_in(gql, cast.reporter)
    assert vote(gql, resolution, "FOR")["errors"] == []
    sign_in(gql, co_owner)
    data = one(gql, resolution)
    assert [(s["voted"], s["byMe"], s["myChoice"], s["channel"]) for s in data["mySeats"]] == [
        (True, False, None, "ONLINE")
    ]
    assert data["canVote"] is False
    assert codes(vote(gql, resolution, "AGAINST")) == [("ALREADY_VOTED", None)]


def test_a_vote_may_be_changed_where_the_resolution_allows_it(gql, cast):
    resolution = make_resolution(cast, allow_changes=True)
    sign_in(gql, cast.reporter)
    vote(gql, resolution, "FOR")
    assert one(gql, resolution)["canVote"] is True
    payload = vote(gql, resolution, "ABSTAIN")
    assert payload["errors"] == [] and payload["resolution"]["mySeats"][0]["myChoice"] == "ABSTAIN"
    assert Vote.objects.filter(resolution=resolution).count() == 2


def test_the_errors_of_vote_cast(gql, cast):
    resolution = make_resolution(cast)
    sign_in(gql, None)
    assert codes(vote(gql, resolution)) == [("NOT_AUTHENTICATED", None)]
    for outsider in (cast.stranger, cast.co_resident, cast.firm_worker, cast.dispatcher):
        sign_in(gql, outsider)
        payload = vote(gql, resolution)
        assert codes(payload) == [("NOT_FOUND", "resolutionId")] and payload["resolution"] is None
    sign_in(gql, cast.board)  # sees every resolution, holds no seat
    assert codes(vote(gql, resolution)) == [("NOT_ENTITLED", None)]
    sign_in(gql, cast.reporter)
    assert vote(gql, resolution)["errors"] == []
    assert codes(vote(gql, resolution, "AGAINST")) == [("ALREADY_VOTED", None)]
    # The window has ended (the count has not run yet): closed.
    sign_in(gql, cast.neighbour)
    Resolution.objects.filter(pk=resolution.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(seconds=1)
    )
    assert codes(vote(gql, resolution)) == [("CLOSED", None)]
    assert Vote.objects.filter(resolution=resolution).count() == 1


def test_an_announced_resolution_takes_no_vote_yet(gql, cast):
    now = timezone.now()
    resolution = make_resolution(cast, opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=3))
    sign_in(gql, cast.reporter)
    data = one(gql, resolution)
    assert data["state"] == "SCHEDULED" and data["canVote"] is False and data["mySeats"] == []
    assert codes(vote(gql, resolution)) == [("NOT_OPEN", None)]  # the electorate is fixed at the opening


def test_a_proxy_casts_the_seat_and_the_owner_no_longer_does(gql, cast):
    resolution = make_resolution(cast)
    seat = resolution.seats.get(label=str(cast.unit))
    services.seat_proxy_set(seat=seat, proxy=cast.stranger, by=fresh(cast.board))
    sign_in(gql, cast.reporter)
    assert one(gql, resolution)["mySeats"] == []
    assert codes(vote(gql, resolution)) == [("NOT_ENTITLED", None)]
    sign_in(gql, cast.stranger)  # another building's owner, here by a power of attorney
    data = one(gql, resolution)
    assert [(s["label"], s["asProxy"]) for s in data["mySeats"]] == [(str(cast.unit), True)]
    payload = vote(gql, resolution, "ABSTAIN")
    assert payload["errors"] == [] and payload["resolution"]["mySeats"][0]["myChoice"] == "ABSTAIN"


# --- the tally ---------------------------------------------------------------------------------------


def test_staff_see_the_live_tally_with_each_seats_vote(gql, cast):
    resolution = make_resolution(cast)
    sign_in(gql, cast.reporter)
    vote(gql, resolution, "FOR")
    sign_in(gql, cast.board)
    tally = one(gql, resolution)["tally"]
    assert (tally["seats"], tally["seatsVoted"], tally["seatsFor"]) == (2, 1, 1)
    assert (tally["totalWeight"], tally["weightFor"]) == ("2.000000", "1.000000")
    assert tally["majorityReached"] is False and tally["result"] is None
    assert [(v["seatLabel"], v["choice"], v["channel"]) for v in tally["votes"]] == [(str(cast.unit), "FOR", "ONLINE")]
    assert tally["votes"][0]["voterName"] == cast.reporter.get_full_name()
    sign_in(gql, cast.neighbour)
    vote(gql, resolution, "FOR")
    sign_in(gql, cast.board)
    tally = one(gql, resolution)["tally"]
    assert tally["majorityReached"] is True and tally["thresholdCrossedAt"] is not None


def test_once_closed_residents_see_the_counts_and_never_who_voted_how(gql, cast):
    resolution = make_resolution(cast)
    sign_in(gql, cast.reporter)
    vote(gql, resolution, "FOR")
    sign_in(gql, cast.neighbour)
    vote(gql, resolution, "AGAINST")
    close(resolution)
    sign_in(gql, cast.reporter)
    data = one(gql, resolution)
    assert data["state"] == "CLOSED" and data["result"] == "NOT_ADOPTED" and data["canVote"] is False
    tally = data["tally"]
    assert (tally["seatsFor"], tally["seatsAgainst"], tally["result"]) == (1, 1, "NOT_ADOPTED")
    assert tally["votes"] is None
    assert tally["challengeUntil"] == (timezone.localdate() + timedelta(weeks=6)).isoformat()
    assert cast.neighbour.get_full_name() not in str(data) and cast.neighbour.username not in str(data)
    assert data["mySeats"][0]["myChoice"] == "FOR"  # their own vote, still theirs to see


def test_a_secret_vote_shows_staff_counts_only(gql, cast):
    resolution = make_resolution(cast, secret=True)
    sign_in(gql, cast.reporter)
    vote(gql, resolution, "FOR")
    seat = resolution.seats.get(label=str(cast.other_unit))
    paper_vote(cast, resolution, seat, "against", name="Sąsiad Papierowy")
    sign_in(gql, cast.board)
    data = one(gql, resolution)
    assert data["tally"]["seatsVoted"] == 2 and data["tally"]["votes"] is None
    text = str(data)
    for mark in (cast.reporter.get_full_name(), cast.reporter.username, "Sąsiad Papierowy"):
        assert mark not in text
    close(resolution)
    sign_in(gql, cast.neighbour)
    data = one(gql, resolution)
    assert data["tally"]["votes"] is None
    # A paper ballot for the neighbour's seat was someone's signature: voted, but not how.
    assert [(s["voted"], s["channel"], s["byMe"], s["myChoice"]) for s in data["mySeats"]] == [
        (True, "PAPER", False, None)
    ]


def test_the_tally_is_hidden_from_a_resident_while_voting_runs(gql, cast):
    resolution = make_resolution(cast)
    sign_in(gql, cast.reporter)
    assert one(gql, resolution)["tally"] is None


def test_attachments_come_as_the_documents_api_gives_them(gql, cast):
    from tests.factories import content as f

    resolution = make_resolution(cast)
    document = f.make_document(title="Kosztorys dźwigów")
    resolution.attachments.add(document)
    sign_in(gql, cast.reporter)
    attachments = one(gql, resolution)["attachments"]
    assert [a["title"] for a in attachments] == ["Kosztorys dźwigów"]
    listed = gql.data("{ documents(first: 50) { edges { node { id downloadUrl } } } }")["documents"]["edges"]
    assert {"id": attachments[0]["id"], "downloadUrl": attachments[0]["downloadUrl"]} in [e["node"] for e in listed]


def test_a_pages_tallies_are_each_resolutions_own(cast):
    from operations.surveys import selectors
    from operations.surveys.selectors import api_reads

    first, second = make_resolution(cast, allow_changes=True), make_resolution(cast, code="wspolnota-udzialy")
    services.vote_cast(resolution=first, person=cast.reporter, choice="for")
    services.vote_cast(resolution=first, person=cast.neighbour, choice="for")
    services.vote_cast(resolution=first, person=cast.reporter, choice="against")
    services.vote_cast(resolution=second, person=cast.neighbour, choice="abstain")
    page = list(Resolution.objects.filter(pk__in=[first.pk, second.pk]).select_related("rule"))
    assert api_reads.tallies(page) == {r.pk: selectors.tally(r) for r in page}


# --- query counts ------------------------------------------------------------------------------------


STAFF_LIST = RESOLUTIONS.replace("mySeats", "tally { seatsVoted weightFor votes { seatLabel choice } } mySeats")


def test_the_list_costs_the_same_for_2_or_10_resolutions(gql, cast):
    for _ in range(2):
        make_resolution(cast)
    sign_in(gql, cast.reporter)
    gql.execute(RESOLUTIONS)  # what a process remembers, remembered
    small, data = gql.count_queries(RESOLUTIONS)
    assert data["resolutions"]["totalCount"] == 2
    sign_in(gql, cast.board)
    gql.execute(STAFF_LIST)
    staff_small, _ = gql.count_queries(STAFF_LIST)
    for n in range(8):
        resolution = make_resolution(cast, allow_changes=bool(n % 2), secret=n == 3)
        if n % 3 == 0:
            services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
        if n == 7:
            close(resolution)
    sign_in(gql, cast.reporter)
    large, data = gql.count_queries(RESOLUTIONS)
    assert data["resolutions"]["totalCount"] == 10
    assert small == large, (small, large)
    sign_in(gql, cast.board)
    staff_large, data = gql.count_queries(STAFF_LIST)
    assert data["resolutions"]["totalCount"] == 10
    assert sum(len(e["node"]["tally"]["votes"] or []) for e in data["resolutions"]["edges"]) == 2  # one secret
    assert staff_small == staff_large, (staff_small, staff_large)


def test_a_tally_costs_the_same_with_2_or_30_votes(gql, cast):
    building = BuildingFactory(estate=cast.building.estate, code=f"T{next(_numbers)}")
    for n in range(30):
        UnitFactory(building=building, number=str(n + 1), share=Decimal("0.010000"))
    resolution = make_resolution(cast, code="wspolnota-udzialy", buildings=[building])
    seats = list(resolution.seats.order_by("pk"))
    assert len(seats) == 30
    for seat in seats[:2]:
        paper_vote(cast, resolution, seat)
    sign_in(gql, cast.board)
    gql.execute(RESOLUTION, {"id": gid("Resolution", resolution.pk)})  # what a process remembers, remembered
    small, data = gql.count_queries(RESOLUTION, {"id": gid("Resolution", resolution.pk)})
    assert len(data["resolution"]["tally"]["votes"]) == 2
    for n, seat in enumerate(seats[2:]):
        paper_vote(cast, resolution, seat, choice=("for", "against", "abstain")[n % 3])
    large, data = gql.count_queries(RESOLUTION, {"id": gid("Resolution", resolution.pk)})
    assert len(data["resolution"]["tally"]["votes"]) == 30
    assert data["resolution"]["tally"]["seatsVoted"] == 30
    assert small == large, (small, large)


# --- for tests/security/test_field_paths_review.py -----------------------------------------------------


def review_ids(cast) -> dict:
    """An open survey for everyone and an open resolution of building A, open whatever the
    clock says (the review runs at a frozen moment): their ids and a survey's answers."""
    from datetime import UTC, datetime

    from tests.api.test_surveys_api import api_answers, make_survey

    window = {"opens_at": datetime(2020, 1, 1, tzinfo=UTC), "closes_at": datetime(2099, 1, 1, tzinfo=UTC)}
    survey = make_survey(title="Ankieta przeglądu", allow_changes=True, **window)
    services.survey_respond(survey=survey, person=cast.neighbour, answers=_review_answers(survey))
    resolution = make_resolution(cast, title="Uchwała przeglądu", **window)
    services.vote_cast(resolution=resolution, person=cast.neighbour, choice="for")
    return {
        "survey": gid("Survey", survey.pk),
        "survey_answers": api_answers(survey),
        "resolution": gid("Resolution", resolution.pk),
    }


def _review_answers(survey) -> dict:
    from tests.api.test_surveys_api import service_answers

    return service_answers(survey)
