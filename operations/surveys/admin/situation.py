"""The surveys' part of the situation centre, for staff who see surveys or resolutions
(never a contractor's worker): open surveys with their response rates, resolutions in
voting with where they stand, and closed ones still within the six weeks in which an
owner may challenge them. Counted by `selectors.staff.surveys_situation` in a fixed
number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.core.admin.dashboard import Cell, DashboardPanel, Figure, Table, percent
from cms.core.admin.views import local_time

from ..selectors import staff
from ..services.protocol import weight_text
from .views import RESOLUTIONS, SURVEYS, resolution_url, survey_url


def surveys_panel(user) -> DashboardPanel | None:
    sees_surveys, sees_resolutions = staff.sees_surveys(user), staff.sees_resolutions(user)
    if not (sees_surveys or sees_resolutions):
        return None
    situation = staff.surveys_situation(user)
    figures, sections = [], []
    if sees_surveys:
        figures.append(
            Figure(gettext("Open surveys"), len(situation.open_surveys), f"{reverse(f'{SURVEYS}:index')}?open=yes")
        )
        sections.append(
            Table(
                gettext("Open surveys"),
                [gettext("Survey"), gettext("Closes at"), gettext("Answers"), gettext("Audience"), gettext("Rate")],
                [
                    [
                        Cell(row.survey.title, url=survey_url("results", row.survey)),
                        Cell(local_time(row.survey.closes_at)),
                        Cell(str(row.answered), numeric=True),
                        Cell(str(row.audience), numeric=True),
                        Cell(percent(row.answered, row.audience), numeric=True),
                    ]
                    for row in situation.open_surveys
                ],
                empty=gettext("No survey is open."),
            )
        )
    if sees_resolutions:
        index = reverse(f"{RESOLUTIONS}:index")
        figures += [
            Figure(gettext("Resolutions in voting"), len(situation.voting), f"{index}?state=open"),
            Figure(gettext("Within the challenge window"), len(situation.challengeable), f"{index}?challengeable=yes"),
        ]
        sections.append(
            Table(
                gettext("Resolutions in voting"),
                [gettext("Resolution"), gettext("Closes at"), gettext("Seats voted"), gettext("For"), gettext("Now")],
                [
                    [
                        Cell(
                            f"{row.resolution.number} {row.resolution.title}",
                            url=resolution_url("inspect", row.resolution),
                        ),
                        Cell(local_time(row.resolution.closes_at)),
                        Cell(f"{row.seats_voted}/{row.seats}", numeric=True),
                        Cell(weight_text(row.weight_for, row.resolution.rule.method), numeric=True),
                        Cell(gettext("majority reached") if row.adopted_now else gettext("no majority yet")),
                    ]
                    for row in situation.voting
                ],
                empty=gettext("No resolution is being voted on."),
            )
        )
        sections.append(
            Table(
                gettext("Closed, within the challenge window"),
                [
                    gettext("Resolution"),
                    gettext("Result"),
                    gettext("Owners notified at"),
                    gettext("May be challenged until"),
                ],
                [
                    [
                        Cell(f"{r.number} {r.title}", url=resolution_url("inspect", r)),
                        Cell(str(r.get_result_display())),
                        Cell(local_time(r.notified_at)),
                        Cell(date_format(r.challenge_until, "d.m.Y") if r.challenge_until else ""),
                    ]
                    for r in situation.challengeable
                ],
                empty=gettext("None."),
            )
        )
    return DashboardPanel(
        name="surveys",
        order=70,
        title=_("Surveys and votes"),
        figures=figures,
        sections=sections,
        description=gettext("Response rates count the audience as it stands now."),
    )


def add_surveys_panel(request, panels) -> None:
    panel = surveys_panel(request.user)
    if panel is not None:
        panels.append(panel)
