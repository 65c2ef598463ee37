"""Who is still to be reminded: the people in a survey's audience who have not answered,
and those who cast a seat's vote in a resolution that has no vote yet. Sets, counted in
the database, whatever the size of the audience."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import Participation, Resolution, Seat, Survey
from .surveys import audience_memberships


def survey_not_answered(survey: Survey) -> QuerySet:
    """Ids of the active people in the audience with something left to answer: they have
    not answered a per-person survey, or a unit they answer for a per-unit one has no
    answer yet."""
    memberships = audience_memberships(survey).filter(user__is_active=True)
    answered = Participation.objects.filter(survey=survey)
    if survey.answer_by == Survey.AnswerBy.UNIT:
        memberships = memberships.exclude(unit_id__in=answered.values("unit_id"))
    else:
        memberships = memberships.exclude(user_id__in=answered.values("person_id"))
    return memberships.values_list("user_id", flat=True).distinct().order_by()


def resolution_not_voted(resolution: Resolution) -> set[int]:
    """Ids of the people who cast the vote of a seat that has not voted yet: its proxy,
    or (with no proxy) its holders."""
    open_seats = Seat.objects.filter(resolution=resolution).exclude(pk__in=resolution.votes.values("seat_id"))
    proxies = open_seats.filter(proxy__isnull=False).values_list("proxy_id", flat=True)
    holders = Seat.holders.through.objects.filter(Q(seat__in=open_seats.filter(proxy__isnull=True))).values_list(
        "user_id", flat=True
    )
    return set(proxies) | set(holders)
