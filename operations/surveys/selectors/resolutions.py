"""Reads of resolutions: the electorate as it would be fixed now, who sees a resolution,
the seats a person votes for, the tally with the moment the majority was reached, and
the check of the votes' hash chain.

The electorate (`electorate_now`), by the rule's method, of the units in the resolution's
buildings:
- SHARES: a seat per unit with a share, weighing its share; its holders are the unit's
  owners (live memberships as owner or board member). Counted against all units, so a
  unit whose owners are not in the hub is a seat too (they vote on paper).
- OWNERS: one seat per owner. The people who hold a unit together are one owner, and so
  are the same people holding several units; a unit whose owners the hub does not know
  counts as one owner of its own.
- MEMBERS: one seat per member of the cooperative, known by the member number of the
  units they hold the right to. Where a right is held by several people only one of them
  is a member, so co-holders share that seat, unless staff marked a unit as held jointly
  by spouses (`Unit.held_by_spouses`): both spouses are then members (art. 3 of the Act
  on Housing Cooperatives), each with a vote (art. 36 § 1 of the Cooperative Law), so
  the member number gives a seat to each of its units' owners, labelled with the
  person's name, and one without holders while no owner is in the hub.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from operations.residents.models import Membership, Unit

from ..models import CountingRule, Resolution, Seat, Vote
from .surveys import Person, _signed_in, is_survey_staff

OWNER_ROLES = [Membership.Role.OWNER, Membership.Role.BOARD]
GENESIS = "0" * 64


@dataclass
class SeatSpec:
    key: str
    label: str
    weight: Decimal
    unit_ids: list[int]
    holder_ids: list[int] = field(default_factory=list)


def _label(units: list[Unit]) -> str:
    return ", ".join(str(unit) for unit in sorted(units, key=lambda u: (u.building.code, u.number)))


def _person_label(units: list[Unit], name: str) -> str:
    """A spouse's seat: the units and the person, so the protocol tells the spouses apart."""
    return f"{_label(units)} ({name})"[: Seat._meta.get_field("label").max_length]


def electorate_now(resolution: Resolution) -> list[SeatSpec]:
    """The seats the resolution's rule gives today (what opening it fixes)."""
    units = list(Unit.objects.filter(building__in=resolution.buildings.all()).select_related("building").order_by("pk"))
    owners: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    memberships = Membership.objects.live().filter(unit__in=units, role__in=OWNER_ROLES).order_by("user_id")
    rows = memberships.values_list("unit_id", "user_id", "user__first_name", "user__last_name", "user__username")
    for unit_id, user_id, first_name, last_name, username in rows:
        if user_id not in owners[unit_id]:
            owners[unit_id].append(user_id)
        names[user_id] = f"{first_name} {last_name}".strip() or username
    method = resolution.rule.method
    if method == CountingRule.Method.SHARES:
        return [
            SeatSpec(f"unit:{u.pk}", str(u), u.share, [u.pk], owners.get(u.pk, []))
            for u in sorted(units, key=lambda u: (u.building.code, u.number))
            if u.share > 0
        ]
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        if method == CountingRule.Method.MEMBERS:
            if unit.member_number:
                groups[f"member:{unit.member_number}"].append(unit)
        elif owners.get(unit.pk):
            groups["owner:" + "-".join(str(pk) for pk in sorted(owners[unit.pk]))].append(unit)
        else:
            groups[f"unit:{unit.pk}"].append(unit)
    seats = []
    for key, members in groups.items():
        holders = sorted({user for unit in members for user in owners.get(unit.pk, [])})
        unit_ids = [u.pk for u in members]
        if method == CountingRule.Method.MEMBERS and holders and any(u.held_by_spouses for u in members):
            # Spouses holding the right jointly are two members: a seat for each of them.
            for user_id in holders:
                label = _person_label(members, names[user_id])
                seats.append(SeatSpec(f"{key}:{user_id}", label, Decimal(1), unit_ids, [user_id]))
        else:
            seats.append(SeatSpec(key, _label(members), Decimal(1), unit_ids, holders))
    return sorted(seats, key=lambda seat: (seat.label, seat.key))


def resolutions_visible_to(person: Person) -> QuerySet[Resolution]:
    """Staff (`surveys.view_resolution`): every resolution. A resident: those past the
    draft whose buildings they own a unit in, and, once voting opened, those where they
    hold a seat or are a proxy (an owner who sold since keeps seeing what they voted on)."""
    if not _signed_in(person):
        return Resolution.objects.none()
    if is_survey_staff(person) and person.has_perm("surveys.view_resolution"):
        return Resolution.objects.all()
    owned = Membership.objects.live().filter(user=person, role__in=OWNER_ROLES).values("unit__building_id")
    seated = Seat.objects.filter(Q(holders=person) | Q(proxy=person)).values("resolution_id")
    return (
        Resolution.objects.exclude(state=Resolution.State.DRAFT)
        .filter(Q(state=Resolution.State.SCHEDULED, buildings__in=owned) | Q(pk__in=seated))
        .distinct()
    )


def seats_of(person: Person, resolution: Resolution) -> list[Seat]:
    """The seats the person casts the vote of: as a holder where no proxy was named, or
    as the proxy."""
    if not _signed_in(person):
        return []
    seats = Seat.objects.filter(resolution_id=resolution.pk).filter(
        Q(proxy=person) | Q(proxy__isnull=True, holders=person)
    )
    seats = seats.distinct()
    return list(seats.order_by("label", "pk"))


def vote_hash(vote: Vote) -> str:
    """The hash of a vote over every field that matters and the previous vote's hash."""
    cast_at = vote.cast_at.astimezone(UTC).isoformat(timespec="microseconds")
    parts = [
        str(vote.resolution_id),
        str(vote.sequence),
        str(vote.seat_id),  # the seat itself: the same unit's seat in another resolution is another seat
        vote.seat.key,
        vote.choice,
        f"{Decimal(vote.weight):.6f}",
        vote.channel,
        str(vote.cast_by_id or ""),
        vote.voter_name,
        str(vote.recorded_by_id or ""),
        vote.ballot_scan.name if vote.ballot_scan else "",
        vote.ballot_sha256,
        cast_at,
        vote.previous_hash,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _scan_digest(vote: Vote) -> str:
    try:
        with vote.ballot_scan.open("rb") as scan:
            return hashlib.sha256(scan.read()).hexdigest()
    except (FileNotFoundError, OSError, ValueError):
        return ""


def chain_breaks(resolution: Resolution) -> list[int]:
    """The sequence numbers at which the stored votes no longer follow from each other:
    a vote whose hash is not that of its fields, whose previous hash is not the hash of
    the vote before it, whose seat is another resolution's, whose ballot scan is not the
    file it was cast with, or a gap in the numbering; and the numbers missing from the
    log's end, by the anchor kept on the resolution (`votes_count`, `votes_head`). Empty
    when nothing was edited."""
    broken = []
    previous, expected_sequence = GENESIS, 1
    for vote in Vote.objects.filter(resolution_id=resolution.pk).select_related("seat").order_by("sequence"):
        if (
            vote.sequence != expected_sequence
            or vote.previous_hash != previous
            or vote.hash != vote_hash(vote)
            or vote.seat.resolution_id != vote.resolution_id
            or (vote.ballot_scan and _scan_digest(vote) != vote.ballot_sha256)
        ):
            broken.append(vote.sequence)
        previous, expected_sequence = vote.hash, vote.sequence + 1
    last = expected_sequence - 1
    # The anchor as stored now (the caller's object may predate the latest votes).
    count, head = Resolution.objects.filter(pk=resolution.pk).values_list("votes_count", "votes_head").get()
    if count > last:
        broken.extend(range(last + 1, count + 1))
    elif last and (count != last or head != previous) and last not in broken:
        broken.append(last)
    return broken


def electorate_hash(resolution: Resolution) -> str:
    """A hash of the electorate as stored: each seat's key, weight, units, holders and the
    total weight (proxies are named later, and each proxy vote names who cast it)."""
    parts = [f"{resolution.pk}", f"{Decimal(resolution.total_weight):.6f}"]
    seats = Seat.objects.filter(resolution_id=resolution.pk).order_by("key").prefetch_related("units", "holders")
    for seat in seats:
        units = ",".join(str(pk) for pk in sorted(unit.pk for unit in seat.units.all()))
        holders = ",".join(str(pk) for pk in sorted(holder.pk for holder in seat.holders.all()))
        parts.append(f"{seat.pk}|{seat.key}|{Decimal(seat.weight):.6f}|{units}|{holders}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def electorate_intact(resolution: Resolution) -> bool:
    """Whether the electorate is still what was fixed at the opening (before it, True)."""
    if not resolution.electorate_hash:
        return resolution.state in (Resolution.State.DRAFT, Resolution.State.SCHEDULED)
    return electorate_hash(resolution) == resolution.electorate_hash


@dataclass
class Tally:
    weight_for: Decimal = Decimal(0)
    weight_against: Decimal = Decimal(0)
    weight_abstained: Decimal = Decimal(0)
    seats_for: int = 0
    seats_against: int = 0
    seats_abstained: int = 0
    seats: int = 0
    total_weight: Decimal = Decimal(0)
    adopted: bool = False
    threshold_crossed_at: datetime | None = None

    @property
    def seats_voted(self) -> int:
        return self.seats_for + self.seats_against + self.seats_abstained


def _adopted(base: str, total: Decimal, weight_for: Decimal, weight_against: Decimal) -> bool:
    if base == CountingRule.Base.ALL:
        return weight_for * 2 > total  # more than half of all: exactly half is not enough
    return weight_for > weight_against


# The order in which `count_votes` takes a resolution's votes, and the columns it reads:
# by the moment each was cast (a paper ballot counts from when it was signed, whenever it
# was entered), the log's order between votes of the same moment. A seat's latest
# declaration is the one that counts, and the majority is reached when it really was.
TALLY_ORDER = ("cast_at", "sequence")
TALLY_COLUMNS = ("seat_id", "choice", "weight", "cast_at")


def tally(resolution: Resolution) -> Tally:
    """The count of each seat's latest vote (by when it was cast), and when the majority
    was last reached (the vote after which it held until now). Two queries whatever the
    number of votes."""
    # Read afresh, never through the resolution object (the API's optimizer may have
    # prefetched its relations for a whole page).
    rows = Vote.objects.filter(resolution_id=resolution.pk).order_by(*TALLY_ORDER).values_list(*TALLY_COLUMNS)
    return count_votes(resolution, rows, seats=Seat.objects.filter(resolution_id=resolution.pk).count())


def count_votes(resolution: Resolution, rows, *, seats: int) -> Tally:
    """`tally` of the resolution's votes given as rows of TALLY_COLUMNS in TALLY_ORDER (the
    API counts a page of resolutions from one query with it)."""
    result = Tally(total_weight=resolution.total_weight, seats=seats)
    current: dict[int, tuple[str, Decimal]] = {}
    sums = {choice: Decimal(0) for choice in Vote.Choice.values}
    held_since = None
    for seat_id, choice, weight, cast_at in rows:
        if seat_id in current:
            old_choice, old_weight = current[seat_id]
            sums[old_choice] -= old_weight
        current[seat_id] = (choice, weight)
        sums[choice] += weight
        now_adopted = _adopted(resolution.rule.base, resolution.total_weight, sums["for"], sums["against"])
        if now_adopted and held_since is None:
            held_since = cast_at
        elif not now_adopted:
            held_since = None
    result.weight_for, result.weight_against, result.weight_abstained = sums["for"], sums["against"], sums["abstain"]
    counts = defaultdict(int)
    for choice, _weight in current.values():
        counts[choice] += 1
    result.seats_for, result.seats_against, result.seats_abstained = counts["for"], counts["against"], counts["abstain"]
    result.adopted = _adopted(resolution.rule.base, resolution.total_weight, sums["for"], sums["against"])
    result.threshold_crossed_at = held_since if result.adopted else None
    return result
