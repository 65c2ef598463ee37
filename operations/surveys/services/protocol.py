"""A resolution's protocol: what was put to the vote and under which rule (with its legal
basis), the electorate (seats and weights), every vote (seat, choice, weight, channel,
time, who cast or recorded it) — or, for a secret vote, the counts only — the result,
the moment the majority was reached, and the hash of the last vote, so that the document
pins the log it was made from (any later edit of a vote breaks the chain, and the last
hash would no longer match).

`protocol(resolution)` gathers it (a fixed number of queries whatever the number of seats
and votes); `protocol_pdf` typesets it in Polish (the document's language) with Typst
(`cms.core.typst_pdf`, as billing's documents are made; template
`templates/surveys/typst/protocol.typ`); `protocol_sheets` gives its tables for CSV and
XLSX in the viewer's language. Reading only: nothing is written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from cms.core.typst_pdf import TypstRenderError, render_typst

from .. import selectors
from ..models import CountingRule, Resolution, Vote
from ..selectors.staff import electorate, votes_of

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "surveys" / "typst" / "protocol.typ"
MOMENT = "d.m.Y H:i:s"


def _moment(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), MOMENT) if value else ""


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def weight_text(weight: Decimal | None, method: str) -> str:
    """A weight as the protocol prints it: shares with six decimals, votes as whole numbers."""
    if weight is None:
        return ""
    if method != CountingRule.Method.SHARES:
        return str(int(weight)) if weight == int(weight) else f"{weight:.6f}".replace(".", ",")
    return f"{weight:.6f}".replace(".", ",")


@dataclass
class SeatLine:
    label: str
    weight: Decimal
    holders: str
    proxy: str


@dataclass
class VoteLine:
    sequence: int
    seat: str
    choice: str
    weight: Decimal
    channel: str
    cast_at: datetime
    voter: str
    cast_by: str
    recorded_by: str
    hash: str


@dataclass
class CountLine:
    choice: str
    seats: int
    weight: Decimal


@dataclass
class Protocol:
    resolution: Resolution
    rule: CountingRule
    buildings: list[str]
    seats: list[SeatLine]
    votes: list[VoteLine]  # empty for a secret vote
    counts: list[CountLine]
    tally: selectors.Tally
    last_hash: str
    vote_count: int
    chain_breaks: list[int]
    facts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def secret(self) -> bool:
        return self.resolution.secret

    @property
    def result_text(self) -> str:
        return str(self.resolution.get_result_display())


def protocol(resolution: Resolution) -> Protocol:
    """Everything the protocol says, its labels in the active language."""
    resolution = Resolution.objects.select_related("rule").get(pk=resolution.pk)
    rule = resolution.rule
    seats = electorate(resolution)
    votes = list(votes_of(resolution))
    counted = selectors.tally(resolution)
    choices = dict(Vote.Choice.choices)
    channels = dict(Vote.Channel.choices)
    last_hash = votes[-1].hash if votes else selectors.GENESIS
    breaks = selectors.chain_breaks(resolution)
    lines = []
    if not resolution.secret:
        lines = [
            VoteLine(
                sequence=vote.sequence,
                seat=vote.seat.label,
                choice=str(choices.get(vote.choice, vote.choice)),
                weight=vote.weight,
                channel=str(channels.get(vote.channel, vote.channel)),
                cast_at=vote.cast_at,
                voter=vote.voter_name,
                cast_by=_person(vote.cast_by),
                recorded_by=_person(vote.recorded_by),
                hash=vote.hash,
            )
            for vote in votes
        ]
    counts = [
        CountLine(str(choices[Vote.Choice.FOR]), counted.seats_for, counted.weight_for),
        CountLine(str(choices[Vote.Choice.AGAINST]), counted.seats_against, counted.weight_against),
        CountLine(str(choices[Vote.Choice.ABSTAIN]), counted.seats_abstained, counted.weight_abstained),
    ]
    made = Protocol(
        resolution=resolution,
        rule=rule,
        buildings=[str(b) for b in resolution.buildings.order_by("code")],
        seats=[
            SeatLine(
                seat.label,
                seat.weight,
                ", ".join(sorted(_person(h) for h in seat.holders.all())),
                _person(seat.proxy),
            )
            for seat in seats
        ],
        votes=lines,
        counts=counts,
        tally=counted,
        last_hash=last_hash,
        vote_count=len(votes),
        chain_breaks=breaks,
    )
    made.facts = _facts(made)
    return made


def _facts(p: Protocol) -> list[tuple[str, str]]:
    r, rule = p.resolution, p.rule
    method = rule.method
    yes, no = gettext("yes"), gettext("no")
    facts = [
        (gettext("Resolution"), f"{r.number} {r.title}"),
        (gettext("Buildings"), ", ".join(p.buildings)),
        (gettext("Counting rule"), f"{rule.name} (v{rule.version})"),
        (gettext("Weight of a vote"), str(rule.get_method_display())),
        (gettext("Counted against"), str(rule.get_base_display())),
        (gettext("Voting opens at"), _moment(r.opens_at)),
        (gettext("Voting closes at"), _moment(r.closes_at)),
        (gettext("Secret vote"), yes if r.secret else no),
        (gettext("A vote may be changed until the close"), yes if r.allow_changes else no),
        (gettext("State"), str(r.get_state_display())),
        (gettext("Seats in the electorate"), str(len(p.seats))),
        (gettext("Weight of the whole electorate"), weight_text(r.total_weight, method)),
        (gettext("Seats that voted"), str(p.tally.seats_voted)),
        (gettext("Votes recorded"), str(p.vote_count)),
        (gettext("Result"), p.result_text if r.result else gettext("not counted yet")),
        (gettext("Majority reached at"), _moment(r.threshold_crossed_at or p.tally.threshold_crossed_at) or "–"),
        (gettext("Counted at"), _moment(r.decided_at) or "–"),
        (gettext("Owners notified at"), _moment(r.notified_at) or "–"),
        (
            gettext("May be challenged until"),
            date_format(r.challenge_until, "d.m.Y") if r.challenge_until else "–",
        ),
        (gettext("Hash of the last vote"), p.last_hash),
        (
            gettext("Hash chain"),
            gettext("intact")
            if not p.chain_breaks
            else gettext("broken at %(numbers)s") % {"numbers": ", ".join(map(str, p.chain_breaks))},
        ),
    ]
    return facts


# --- PDF -------------------------------------------------------------------------------------------


def protocol_day(resolution: Resolution, today: date | None = None) -> date:
    """The protocol's date: the day it was counted, or today while voting goes on."""
    if resolution.decided_at:
        return timezone.localdate(resolution.decided_at)
    return today or timezone.localdate()


def protocol_view(p: Protocol, *, day: date) -> dict:
    """What the PDF prints, every value a ready string (in the active language)."""
    method = p.rule.method
    r = p.resolution
    return {
        "title": gettext("Protocol of the vote on resolution no. %(number)s") % {"number": r.number},
        "number": r.number,
        "resolution_title": r.title,
        "text": r.text,
        "legal_basis": p.rule.legal_basis,
        "date_parts": [day.year, day.month, day.day],
        "day": date_format(day, "d.m.Y"),
        "facts": [[label, value] for label, value in p.facts],
        "secret": p.secret,
        "labels": {
            "text": gettext("Text of the resolution"),
            "legal_basis": gettext("Legal basis"),
            "electorate": gettext("Electorate"),
            "votes": gettext("Votes"),
            "counts": gettext("Counts"),
            "secret_note": gettext("Secret vote: the protocol gives the counts only, never who voted how."),
            "seat": gettext("Seat"),
            "weight": gettext("Weight"),
            "holders": gettext("Who votes"),
            "proxy": gettext("Proxy"),
            "number": gettext("No."),
            "choice": gettext("Vote"),
            "channel": gettext("Channel"),
            "time": gettext("Cast at"),
            "voter": gettext("Voter"),
            "recorded_by": gettext("Recorded by"),
            "seats": gettext("Seats"),
            "result": gettext("Result"),
            "last_hash": gettext("Hash of the last vote (SHA-256)"),
            "page": gettext("Page"),
            "of": gettext("of"),
            "none": gettext("No votes."),
        },
        "seats": [
            {"label": s.label, "weight": weight_text(s.weight, method), "holders": s.holders, "proxy": s.proxy}
            for s in p.seats
        ],
        "votes": [
            {
                "sequence": str(v.sequence),
                "seat": v.seat,
                "choice": v.choice,
                "weight": weight_text(v.weight, method),
                "channel": v.channel,
                "time": _moment(v.cast_at),
                "voter": v.voter,
                "recorded_by": v.recorded_by,
            }
            for v in p.votes
        ],
        "counts": [
            {"choice": c.choice, "seats": str(c.seats), "weight": weight_text(c.weight, method)} for c in p.counts
        ],
        "result": p.result_text if r.result else gettext("not counted yet"),
        "last_hash": p.last_hash,
    }


# The scripts the compiler's own fonts are known to show (Latin with its extensions,
# Greek, Cyrillic, punctuation and currency signs), tried character by character.
PRINTABLE_RANGES = ((0x20, 0x24F), (0x370, 0x4FF), (0x1E00, 0x1EFF), (0x2010, 0x2027), (0x20A0, 0x20C0))


def _printable(value):
    """`value` (a view: strings in lists and dicts) with each character outside
    PRINTABLE_RANGES (after composing accents) as "?", line breaks and tabs kept."""
    if isinstance(value, str):
        return "".join(
            char
            if char in "\n\t"
            or (unicodedata.category(char) != "Cc" and any(low <= ord(char) <= high for low, high in PRINTABLE_RANGES))
            else "?"
            for char in unicodedata.normalize("NFC", value)
        )
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    return value


def protocol_pdf(resolution: Resolution, *, today: date | None = None) -> bytes:
    """The protocol as PDF, in Polish; the same votes always give the same bytes."""
    day = protocol_day(resolution, today)
    with translation.override("pl"):
        view = protocol_view(protocol(resolution), day=day)
    try:
        return render_typst(TEMPLATE, view, day=day)
    except TypstRenderError:
        # PDF/A refuses a character its fonts cannot show (a holder's name in Chinese
        # script, a control character on a paper ballot's name), and with it the whole
        # protocol (review): typeset it again with such characters as "?" instead.
        return render_typst(TEMPLATE, _printable(view), day=day)


# --- CSV and XLSX ----------------------------------------------------------------------------------


def protocol_sheets(p: Protocol, *, for_csv: bool) -> list[tuple[str, list[str], list[list]]]:
    """The protocol's tables (title, header, rows), in the active language: the facts, the
    electorate, and the votes or (secret) the counts. `for_csv`: weights and times as
    text a Polish spreadsheet reads; otherwise numbers and local times."""
    method = p.rule.method

    def weight(value):
        return weight_text(value, method) if for_csv else value

    def moment(value):
        if for_csv:
            return _moment(value)
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    sheets = [
        (gettext("Resolution"), [gettext("Item"), gettext("Value")], [[label, value] for label, value in p.facts]),
        (
            gettext("Electorate"),
            [gettext("Seat"), gettext("Weight"), gettext("Who votes"), gettext("Proxy")],
            [[s.label, weight(s.weight), s.holders, s.proxy] for s in p.seats],
        ),
    ]
    if p.secret:
        sheets.append(
            (
                gettext("Counts"),
                [gettext("Vote"), gettext("Seats"), gettext("Weight")],
                [[c.choice, c.seats, weight(c.weight)] for c in p.counts],
            )
        )
    else:
        sheets.append(
            (
                gettext("Votes"),
                [
                    gettext("No."),
                    gettext("Seat"),
                    gettext("Vote"),
                    gettext("Weight"),
                    gettext("Channel"),
                    gettext("Cast at"),
                    gettext("Voter"),
                    gettext("Cast by"),
                    gettext("Recorded by"),
                    gettext("Hash"),
                ],
                [
                    [
                        v.sequence,
                        v.seat,
                        v.choice,
                        weight(v.weight),
                        v.channel,
                        moment(v.cast_at),
                        v.voter,
                        v.cast_by,
                        v.recorded_by,
                        v.hash,
                    ]
                    for v in p.votes
                ],
            )
        )
    return sheets
