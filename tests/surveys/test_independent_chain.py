"""Independent tests of the votes' hash chain (issue 15: "editing any stored vote breaks
the hash chain, and a check finds it"). Every edit is made behind the application's back,
by SQL, as someone with access to the database would: each column of a stored vote, a
deleted vote, a reordered sequence, an inserted forged vote. An untouched log of 50
votes, online and on paper, is intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from operations.surveys import selectors, services
from operations.surveys.models import CountingRule, Resolution, Seat, Vote
from tests.factories.residents import BuildingFactory, MembershipFactory, SuperUserFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CLOSES = T0 + timedelta(days=14)
TABLE = Vote._meta.db_table


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


_numbers = iter(range(1, 10_000))


def open_resolution(building, staff, *, allow_changes=True) -> Resolution:
    res = Resolution.objects.create(
        number=f"H{next(_numbers)}/2026",
        title="Fundusz remontowy",
        text="Podwyższenie zaliczki na fundusz remontowy.",
        rule=CountingRule.objects.filter(code="wspolnota-udzialy").order_by("-version").first(),
        opens_at=T0,
        closes_at=CLOSES,
        allow_changes=allow_changes,
    )
    res.buildings.set([building])
    return services.resolution_schedule(resolution=res, by=staff, now=T0)


class Log:
    """Building A with five owners and two units whose owners vote on paper; a resolution
    with changes allowed, and its votes."""

    def __init__(self, estate, votes: int = 8):
        self.staff = SuperUserFactory(username="liczacy-glosy")
        self.other_staff = SuperUserFactory(username="drugi-liczacy")
        self.building = BuildingFactory(estate=estate, code="A")
        self.units = [
            UnitFactory(building=self.building, number=str(n), share=Decimal("0.142857")) for n in range(1, 8)
        ]
        self.owners = []
        for the_unit in self.units[:5]:
            person = UserFactory()
            MembershipFactory(user=person, unit=the_unit, verified=True)
            self.owners.append(person)
        self.res = open_resolution(self.building, self.staff)
        self.paper_seats = [Seat.objects.get(resolution=self.res, units=u) for u in self.units[5:]]
        choices = ["for", "against", "abstain"]
        for n in range(votes):
            if n % 4 == 3:
                services.vote_record_paper(
                    resolution=self.res,
                    seat=self.paper_seats[n % 2],
                    choice=choices[n % 3],
                    voter_name=f"Właściciel {n}",
                    ballot_scan=ContentFile(b"%PDF-1.4 karta", name="karta.pdf"),
                    signed_at=at(n),
                    by=self.staff,
                    now=at(n + 0.5),
                )
            else:
                services.vote_cast(
                    resolution=self.res,
                    person=self.owners[n % 5],
                    choice=choices[n % 3],
                    now=at(n) + timedelta(microseconds=123456),
                )

    def vote(self, sequence: int) -> Vote:
        return Vote.objects.get(resolution=self.res, sequence=sequence)

    def breaks(self) -> list[int]:
        return selectors.chain_breaks(Resolution.objects.get(pk=self.res.pk))


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def set_column(vote: Vote, column: str, value):
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, vote.pk])


@pytest.fixture
def log(estate):
    made = Log(estate)
    assert made.breaks() == []
    assert Vote.objects.filter(resolution=made.res).count() == 8
    return made


def test_an_untouched_log_of_fifty_votes_is_intact(estate):
    made = Log(estate, votes=50)
    votes = list(Vote.objects.filter(resolution=made.res).order_by("sequence"))
    assert [v.sequence for v in votes] == list(range(1, 51))
    assert votes[0].previous_hash == selectors.GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(votes, votes[1:], strict=False))
    assert {v.channel for v in votes} == {Vote.Channel.ONLINE, Vote.Channel.PAPER}
    assert made.breaks() == []


def _online(log) -> Vote:
    return log.vote(3)  # an online vote in the middle: 3 is online (index 2), 4 is paper


def _paper(log) -> Vote:
    vote = log.vote(4)
    assert vote.channel == Vote.Channel.PAPER
    return vote


@pytest.mark.parametrize(
    ("column", "which", "value"),
    [
        ("choice", _online, lambda v, log: "for" if v.choice != "for" else "against"),
        ("weight", _online, lambda v, log: str(v.weight + Decimal("0.000001"))),
        ("channel", _paper, lambda v, log: "online"),
        (
            "cast_by_id",
            _online,
            lambda v, log: log.owners[4].pk if v.cast_by_id != log.owners[4].pk else log.owners[0].pk,
        ),
        ("voter_name", _online, lambda v, log: v.voter_name + " "),
        ("voter_name", _paper, lambda v, log: "Ktoś Inny"),
        ("recorded_by_id", _paper, lambda v, log: log.other_staff.pk),
        ("ballot_scan", _paper, lambda v, log: "ballots/podmieniona.pdf"),
        (
            "cast_at",
            _online,
            lambda v, log: connection.ops.adapt_datetimefield_value(v.cast_at + timedelta(microseconds=1)),
        ),
        ("cast_at", _paper, lambda v, log: connection.ops.adapt_datetimefield_value(v.cast_at - timedelta(hours=1))),
        ("previous_hash", _online, lambda v, log: "f" * 64),
        ("hash", _online, lambda v, log: "e" * 64),
        (
            "seat_id",
            _online,
            lambda v, log: Seat.objects.filter(resolution=log.res).exclude(pk=v.seat_id).first().pk,
        ),
    ],
    ids=[
        "choice",
        "weight",
        "channel",
        "cast_by",
        "voter_name-online",
        "voter_name-paper",
        "recorded_by",
        "ballot_scan",
        "cast_at-one-microsecond",
        "cast_at-paper",
        "previous_hash",
        "hash",
        "seat",
    ],
)
def test_editing_any_column_of_a_stored_vote_is_found(log, column, which, value):
    vote = which(log)
    set_column(vote, column, value(vote, log))
    breaks = log.breaks()
    assert breaks, f"editing {column} went unnoticed"
    assert min(breaks) == vote.sequence


def test_moving_a_vote_to_the_same_units_seat_in_another_resolution_is_found(log, estate):
    """A second resolution on the same building has seats with the same keys ("unit:<id>").
    Pointing a vote at the other resolution's seat of the same unit changes what the first
    resolution's tally counts (the vote no longer replaces, or is no longer replaced by,
    the votes of its own seat), so the chain check must notice."""
    other = open_resolution(log.building, log.staff)
    vote = log.vote(6)  # the first owner's changed vote (abstain), replacing vote 1 (for)
    assert (log.vote(1).seat_id, log.vote(1).choice, vote.choice) == (vote.seat_id, "for", "abstain")
    before = selectors.tally(log.res)
    twin = Seat.objects.get(resolution=other, key=vote.seat.key)
    set_column(vote, "seat_id", twin.pk)
    after = selectors.tally(Resolution.objects.get(pk=log.res.pk))
    # The edit matters: the unit is now counted twice, "for" and "abstain".
    assert after.seats_voted == before.seats_voted + 1
    assert after.weight_for == before.weight_for + vote.weight
    assert log.breaks(), "a vote moved to another resolution's seat went unnoticed"


def test_moving_a_vote_to_another_resolution_is_found(log):
    other = open_resolution(log.building, log.staff)
    vote = _online(log)
    set_column(vote, "sequence", 1000)  # out of the way of the other resolution's numbers
    set_column(Vote.objects.get(pk=vote.pk), "resolution_id", other.pk)
    assert log.breaks()


def test_editing_a_vote_and_recomputing_its_own_hash_is_found_at_the_next(log):
    vote = _online(log)
    new_choice = "for" if vote.choice != "for" else "against"
    set_column(vote, "choice", new_choice)
    forged = Vote.objects.select_related("seat").get(pk=vote.pk)
    set_column(vote, "hash", selectors.vote_hash(forged))
    assert log.breaks() == [vote.sequence + 1]


def test_a_deleted_vote_in_the_middle_is_found(log):
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [log.vote(5).pk])
    assert log.breaks() == [6]


def test_a_deleted_last_vote_is_found(log):
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [log.vote(8).pk])
    assert log.breaks()


def test_a_reordered_sequence_is_found(log):
    second, third = log.vote(2), log.vote(3)
    set_column(second, "sequence", 1000)
    set_column(third, "sequence", 2)
    set_column(second, "sequence", 3)
    assert log.breaks()[:1] == [2]


def test_a_forged_vote_appended_with_a_wrong_previous_hash_is_found(log):
    last = log.vote(8)
    seat = Seat.objects.get(resolution=log.res, units=log.units[0])
    forged = Vote(
        resolution=log.res,
        sequence=9,
        seat=seat,
        choice="for",
        weight=seat.weight,
        channel=Vote.Channel.ONLINE,
        cast_by=log.owners[0],
        voter_name="Podrobiony",
        cast_at=at(20),
        previous_hash="a" * 64,
    )
    assert forged.previous_hash != last.hash
    forged.hash = selectors.vote_hash(forged)
    forged.save()
    assert log.breaks() == [9]


def test_a_forged_vote_inserted_in_the_middle_is_found(log):
    """Votes 5..8 are renumbered 6..9 and a forged vote 5 is put between, chained to vote
    4's real hash with its own hash recomputed: the old vote 5 (now 6) no longer follows."""
    for sequence in range(8, 4, -1):
        set_column(log.vote(sequence), "sequence", sequence + 1)
    seat = Seat.objects.get(resolution=log.res, units=log.units[1])
    forged = Vote(
        resolution=log.res,
        sequence=5,
        seat=seat,
        choice="for",
        weight=seat.weight,
        channel=Vote.Channel.ONLINE,
        cast_by=log.owners[1],
        voter_name="Podrobiony",
        cast_at=at(4.7),
        previous_hash=log.vote(4).hash,
    )
    forged.hash = selectors.vote_hash(forged)
    forged.save()
    breaks = log.breaks()
    assert 5 not in breaks and breaks[:1] == [6]


def test_the_application_itself_refuses_to_edit_or_delete_a_vote(log):
    from cms.core.immutable import ImmutableRecordError

    vote = log.vote(2)
    vote.choice = "for"
    with pytest.raises(ImmutableRecordError):
        vote.save()
    with pytest.raises(ImmutableRecordError):
        vote.delete()
    with pytest.raises(ImmutableRecordError):
        Vote.objects.filter(pk=vote.pk).update(choice="against")
    with pytest.raises(ImmutableRecordError):
        Vote.objects.filter(pk=vote.pk).delete()
    assert log.breaks() == []


def test_a_replaced_ballot_scan_is_found(log):
    from django.core.files.storage import default_storage

    vote = _paper(log)
    with default_storage.open(vote.ballot_scan.name, "wb") as scan:
        scan.write(b"%PDF-1.4 podmieniona karta: przeciw")
    assert log.breaks()
