"""Reads of news that depend on who is asking."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Count, F, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.core import visibility
from cms.news.models import NewsPage


class NewsOrder(enum.Enum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"


_ORDERINGS = {
    NewsOrder.NEWEST: ("-date", "-first_published_at", "-pk"),
    NewsOrder.OLDEST: ("date", "first_published_at", "pk"),
    # urgent > important > normal happens to be reverse alphabetical order of the codes.
    NewsOrder.PRIORITY: ("-priority", "-date", "-pk"),
}


def news_visible_to(
    user,
    *,
    kind: str | None = None,
    building_id: int | None = None,
    current_alerts_only: bool = False,
    order: NewsOrder = NewsOrder.NEWEST,
    denial: visibility.Denial | None = None,
    within: str | None = None,
):
    """News items `user` may read, filtered; restrictions applied as a set (see visibility)."""
    queryset = visibility.restrict_pages(NewsPage.objects.all(), user, denial=denial, within=within)
    if current_alerts_only:
        queryset = queryset.current_alerts()
    if kind:
        queryset = queryset.filter(kind=kind)
    if building_id is not None:
        queryset = queryset.filter(affected_buildings__id=building_id)
    return queryset.order_by(*_ORDERINGS[order])


# --- The situation centre: outage alerts as staff follow them ---------------------------

# How many alerts each list of the admin's panel shows; the rest are counted.
ALERTS_SHOWN = 25


@dataclass(frozen=True)
class AlertReaders:
    """Who may read an alert, as the view restrictions on its page and its ancestors say:
    each `groups` restriction's group names, a `login` or a `password` restriction. None of
    them: everyone. (Restrictions reached through aliases are not followed here: an outage
    alert is written in the news section, not shown through an alias.)"""

    groups: tuple[tuple[str, ...], ...] = ()
    login: bool = False
    password: bool = False

    @property
    def everyone(self) -> bool:
        return not (self.groups or self.login or self.password)


@dataclass(frozen=True)
class AlertBoard:
    """Outage alerts in force now and those coming up (published, valid from a moment still
    ahead), each list cut at `ALERTS_SHOWN` and counted whole, with who may read each."""

    current: list[NewsPage]
    upcoming: list[NewsPage]
    current_count: int
    upcoming_count: int
    readers: dict[int, AlertReaders] = field(default_factory=dict)


def _published_alerts():
    # What residents are served (visibility.restrict_pages: live and not expired).
    return NewsPage.objects.filter(kind=NewsPage.Kind.OUTAGE, live=True, expired=False)


def _upcoming(now) -> Q:
    # Valid from a moment ahead and not already over (an end before the start is a typo
    # that would never show).
    return Q(valid_from__gt=now) & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))


def _ancestry(path: str) -> list[str]:
    """The tree paths of a page and its ancestors, the root's first."""
    return [path[:end] for end in range(NewsPage.steplen, len(path) + 1, NewsPage.steplen)]


def alert_readers(pages) -> dict[int, AlertReaders]:
    """Who may read each of `pages` (by page id): the restrictions on the pages and their
    ancestors, in two queries (the restrictions, their groups) whatever the number of pages."""
    pages = list(pages)
    paths = {path for page in pages for path in _ancestry(page.path)}
    restrictions = (
        PageViewRestriction.objects.filter(page__path__in=paths)
        .annotate(page_path=F("page__path"))
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("page__path", "pk")
        if paths
        else []
    )
    by_path: dict[str, list[PageViewRestriction]] = {}
    for restriction in restrictions:
        by_path.setdefault(restriction.page_path, []).append(restriction)
    readers = {}
    for page in pages:
        found = [r for path in _ancestry(page.path) for r in by_path.get(path, ())]
        readers[page.pk] = AlertReaders(
            groups=tuple(
                tuple(group.name for group in r.groups.all())
                for r in found
                if r.restriction_type == PageViewRestriction.GROUPS
            ),
            login=any(r.restriction_type == PageViewRestriction.LOGIN for r in found),
            password=any(r.restriction_type == PageViewRestriction.PASSWORD for r in found),
        )
    return readers


def outage_alert_board(*, now=None, shown: int = ALERTS_SHOWN) -> AlertBoard:
    """The outage alerts staff follow on the admin's first page: in force now (as residents
    see them: `NewsPage.objects.current_alerts()`, published) ending soonest first, and
    coming up starting soonest first. Six queries whatever the number of alerts: both
    counts, the two lists, their buildings, and the restrictions with their groups."""
    now = now or timezone.now()
    alerts = _published_alerts()
    current = alerts.current_alerts(now)
    counts = alerts.aggregate(
        current=Count("pk", filter=Q(pk__in=current.values("pk"))),
        upcoming=Count("pk", filter=_upcoming(now)),
    )
    in_force = list(current.order_by(F("valid_until").asc(nulls_last=True), "-valid_from", "pk")[:shown])
    coming = list(alerts.filter(_upcoming(now)).order_by("valid_from", "pk")[:shown])
    listed = in_force + coming
    prefetch_related_objects(listed, "affected_buildings")
    return AlertBoard(
        current=in_force,
        upcoming=coming,
        current_count=counts["current"],
        upcoming_count=counts["upcoming"],
        readers=alert_readers(listed),
    )
