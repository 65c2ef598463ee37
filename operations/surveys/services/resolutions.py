"""Writes of resolutions: announcing one (`resolution_schedule`), opening the vote and
fixing the electorate (`resolution_open`), casting a vote online (`vote_cast`) or
recording a paper ballot (`vote_record_paper`), naming a proxy (`seat_proxy_set`), and
closing the vote with its result and the owners' notification (`resolution_close`).
`resolutions_advance` opens and closes whatever is due (the Celery task calls it).

Votes are appended under a lock on the resolution's row, so their sequence numbers and
the hash chain have no gaps or forks whatever runs at once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError
from cms.core.portal_links import resolution_portal_url
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind

from .. import policy, selectors
from ..errors import ResolutionErrorCode
from ..models import Resolution, Seat, Vote

CHALLENGE_PERIOD = timedelta(weeks=6)  # art. 25 ust. 1a of the Act on Ownership of Premises
E = ResolutionErrorCode


def _refuse(code: ResolutionErrorCode, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field)


def _locked(resolution: Resolution) -> Resolution:
    return Resolution.objects.select_for_update().select_related("rule").get(pk=resolution.pk)


def resolution_schedule(*, resolution: Resolution, by: AbstractBaseUser, now: datetime | None = None) -> Resolution:
    """Announce a draft: owners see it; voting opens at `opens_at` (at once if that has come)."""
    if refusal := policy.resolution_management_refusal(by):
        raise refusal
    now = now or timezone.now()
    with transaction.atomic():
        resolution = _locked(resolution)
        if resolution.state != Resolution.State.DRAFT:
            raise _refuse(E.STATE_INVALID, gettext("Only a draft can be announced."))
        if resolution.closes_at <= now:
            raise _refuse(E.DATE_INVALID, gettext("The voting would have closed already."), "closes_at")
        if not selectors.electorate_now(resolution):
            raise _refuse(E.ELECTORATE_EMPTY, gettext("Nobody would vote on this resolution."), "buildings")
        resolution.state = Resolution.State.SCHEDULED
        resolution.save(update_fields=["state"])
    if resolution.opens_at <= now:
        resolution = resolution_open(resolution=resolution, now=now)
    return resolution


def resolution_open(*, resolution: Resolution, now: datetime | None = None) -> Resolution:
    """Open the vote: the electorate is fixed as it stands now (seats, weights, holders)."""
    now = now or timezone.now()
    with transaction.atomic():
        resolution = _locked(resolution)
        if resolution.state != Resolution.State.SCHEDULED:
            raise _refuse(E.STATE_INVALID, gettext("Only an announced resolution opens for voting."))
        specs = selectors.electorate_now(resolution)
        if not specs:
            raise _refuse(E.ELECTORATE_EMPTY, gettext("Nobody would vote on this resolution."))
        for spec in specs:
            seat = Seat.objects.create(resolution=resolution, key=spec.key, label=spec.label, weight=spec.weight)
            seat.units.set(spec.unit_ids)
            seat.holders.set(spec.holder_ids)
        resolution.total_weight = sum((spec.weight for spec in specs), start=type(specs[0].weight)(0))
        resolution.state = Resolution.State.OPEN
        resolution.save(update_fields=["total_weight", "state"])
        resolution.electorate_hash = selectors.electorate_hash(resolution)
        resolution.save(update_fields=["electorate_hash"])
    return resolution


def _window_refusal(resolution: Resolution, moment: datetime) -> ServiceError | None:
    if resolution.state in (Resolution.State.DRAFT, Resolution.State.SCHEDULED) or moment < resolution.opens_at:
        return _refuse(E.NOT_OPEN, gettext("Voting on this resolution has not started."))
    if resolution.state == Resolution.State.CLOSED or moment >= resolution.closes_at:
        return _refuse(E.CLOSED, gettext("Voting on this resolution has ended."))
    return None


def _append(resolution: Resolution, seat: Seat, **fields) -> Vote:
    """The next vote of the resolution's chain (the resolution's row is locked)."""
    last = resolution.votes.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, previous = (last[0] + 1, last[1]) if last else (1, selectors.GENESIS)
    scan = fields.pop("ballot_scan", None)
    vote = Vote(
        resolution=resolution, seat=seat, sequence=sequence, weight=seat.weight, previous_hash=previous, **fields
    )
    if scan:
        # Stored first, so that the hash covers the file's final (random) name; saving the
        # row would otherwise name it only afterwards. A rollback leaves the file behind,
        # unreferenced and private.
        scan.seek(0)
        vote.ballot_sha256 = hashlib.sha256(scan.read()).hexdigest()
        scan.seek(0)
        vote.ballot_scan.save(getattr(scan, "name", "") or "ballot.pdf", scan, save=False)
    vote.hash = selectors.vote_hash(vote)
    vote.save()
    resolution.votes_count, resolution.votes_head = sequence, vote.hash
    resolution.save(update_fields=["votes_count", "votes_head"])
    return vote


def _voted_seat_ids(resolution: Resolution, seats: list[Seat]) -> set[int]:
    return set(resolution.votes.filter(seat__in=seats).values_list("seat_id", flat=True))


def vote_cast(
    *, resolution: Resolution, person: AbstractBaseUser, choice: str, now: datetime | None = None
) -> list[Vote]:
    """The person's vote, online, for every seat they cast (their units, or as a proxy).
    Where the resolution keeps the first vote, seats already voted are left as they are."""
    now = now or timezone.now()
    if not (person and person.is_authenticated):
        raise _refuse(E.NOT_AUTHENTICATED, gettext("Sign in to vote."))
    if choice not in Vote.Choice.values:
        raise _refuse(E.CHOICE_INVALID, gettext("Vote for, against or abstain."), "choice")
    with transaction.atomic():
        resolution = _locked(resolution)
        if resolution.state == Resolution.State.DRAFT:
            raise _refuse(E.NOT_FOUND, gettext("Resolution not found."))
        # The window first: before the opening nobody holds a seat yet (the electorate is
        # fixed then), and an owner asking early is told it has not opened.
        if refusal := _window_refusal(resolution, now):
            raise refusal
        seats = selectors.seats_of(person, resolution)
        if not seats:
            raise _refuse(E.NOT_ENTITLED, gettext("You do not vote on this resolution."))
        if not resolution.allow_changes:
            voted = _voted_seat_ids(resolution, seats)
            seats = [seat for seat in seats if seat.pk not in voted]
            if not seats:
                raise _refuse(E.ALREADY_VOTED, gettext("You have voted on this resolution already."))
        name = person.get_full_name() or person.get_username()
        return [
            _append(
                resolution,
                seat,
                choice=choice,
                channel=Vote.Channel.ONLINE,
                cast_by=person,
                voter_name=name,
                cast_at=now,
            )
            for seat in seats
        ]


def vote_record_paper(
    *,
    resolution: Resolution,
    seat: Seat,
    choice: str,
    voter_name: str,
    ballot_scan,
    signed_at: datetime,
    by: AbstractBaseUser,
    now: datetime | None = None,
) -> Vote:
    """Staff enter a paper ballot (with its scan) while voting is open; it counts as cast
    when it was signed, which must fall within the voting window."""
    if refusal := policy.paper_vote_refusal(by):
        raise refusal
    now = now or timezone.now()
    voter_name = " ".join((voter_name or "").split())
    if choice not in Vote.Choice.values:
        raise _refuse(E.CHOICE_INVALID, gettext("Vote for, against or abstain."), "choice")
    if not voter_name:
        raise _refuse(E.VOTER_REQUIRED, gettext("Give the name signed on the ballot."), "voter_name")
    if not ballot_scan:
        raise _refuse(E.BALLOT_REQUIRED, gettext("Attach the scan of the ballot."), "ballot_scan")
    with transaction.atomic():
        resolution = _locked(resolution)
        if seat.resolution_id != resolution.pk:
            raise _refuse(E.SEAT_INVALID, gettext("That seat is not in this resolution's electorate."), "seat")
        if refusal := _window_refusal(resolution, now):
            raise refusal
        if not (resolution.opens_at <= signed_at <= now):
            raise _refuse(
                E.DATE_INVALID,
                gettext("The ballot must be signed between %(opens)s and now.")
                % {"opens": date_format(timezone.localtime(resolution.opens_at), "d.m.Y H:i")},
                "signed_at",
            )
        if not resolution.allow_changes and _voted_seat_ids(resolution, [seat]):
            raise _refuse(E.ALREADY_VOTED, gettext("This seat has voted already."), "seat")
        return _append(
            resolution,
            seat,
            choice=choice,
            channel=Vote.Channel.PAPER,
            cast_by=None,
            voter_name=voter_name[:200],
            recorded_by=by,
            ballot_scan=ballot_scan,
            cast_at=signed_at,
        )


def seat_proxy_set(*, seat: Seat, proxy: AbstractBaseUser | None, by: AbstractBaseUser) -> Seat:
    """Name (or remove) the proxy who casts the seat's vote, from a power of attorney."""
    if refusal := policy.paper_vote_refusal(by):
        raise refusal
    with transaction.atomic():
        resolution = _locked(seat.resolution)
        if resolution.state != Resolution.State.OPEN:
            raise _refuse(E.PROXY_INVALID, gettext("A proxy is named while voting is open."))
        seat.proxy = proxy
        seat.save(update_fields=["proxy"])
    return seat


def resolution_close(*, resolution: Resolution, now: datetime | None = None) -> Resolution:
    """Count the votes once the window has ended, fix the result, and notify every owner
    in the electorate (and each proxy) through messaging; the delivery log is the
    evidence, and the six weeks to challenge the resolution run from that notification."""
    now = now or timezone.now()
    with transaction.atomic():
        resolution = _locked(resolution)
        if resolution.state != Resolution.State.OPEN or now < resolution.closes_at:
            raise _refuse(E.STATE_INVALID, gettext("Only a vote whose time has ended is counted."))
        counted = selectors.tally(resolution)
        resolution.result = Resolution.Result.ADOPTED if counted.adopted else Resolution.Result.NOT_ADOPTED
        resolution.weight_for = counted.weight_for
        resolution.weight_against = counted.weight_against
        resolution.weight_abstained = counted.weight_abstained
        resolution.threshold_crossed_at = counted.threshold_crossed_at
        resolution.decided_at = now
        resolution.state = Resolution.State.CLOSED
        recipients = set(
            Seat.holders.through.objects.filter(seat__resolution=resolution).values_list("user_id", flat=True)
        ) | set(resolution.seats.filter(proxy__isnull=False).values_list("proxy_id", flat=True))
        messaging.message_send(
            kind=MessageKind.SURVEY_REMINDER,
            template_key="resolution-result",
            recipients=sorted(recipients),
            context={
                "number": resolution.number,
                "title": resolution.title,
                "result": str(resolution.get_result_display()),
                "challenge_until": date_format(timezone.localdate(now) + CHALLENGE_PERIOD, "d.m.Y"),
            },
            dedupe_key=f"resolution:{resolution.pk}:result",
            link=resolution_portal_url(resolution),
        )
        resolution.notified_at = now
        resolution.challenge_until = timezone.localdate(now) + CHALLENGE_PERIOD
        resolution.save()
    return resolution


def resolutions_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Open the announced resolutions whose time has come and close those whose time has
    ended (Celery beat runs it every few minutes; running it twice does nothing twice)."""
    now = now or timezone.now()
    opened = closed = 0
    for resolution in Resolution.objects.filter(state=Resolution.State.SCHEDULED, opens_at__lte=now):
        try:
            resolution_open(resolution=resolution, now=now)
            opened += 1
        except ServiceError:
            continue  # opened meanwhile, or nobody to vote: left for staff to see
    for resolution in Resolution.objects.filter(state=Resolution.State.OPEN, closes_at__lte=now):
        try:
            resolution_close(resolution=resolution, now=now)
            closed += 1
        except ServiceError:
            continue
    return {"opened": opened, "closed": closed}
