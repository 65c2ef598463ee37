"""The surveys' panel of the situation centre: open surveys with their response rates,
resolutions in voting with where they stand, closed ones within the challenge window;
for the staff who see them only, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.surveys import services
from operations.surveys.admin.situation import surveys_panel
from operations.surveys.selectors import staff
from tests.surveys.admin_kit import (
    RESOLUTION_PERMISSIONS,
    SURVEY_PERMISSIONS,
    K,
    grant,
    login,
    make_resolution,
    make_survey,
    resolution_staff,
    shares,
    survey_staff,
)

pytestmark = pytest.mark.django_db


def test_the_panel_shows_rates_voting_and_the_challenge_window(cast):
    shares(cast)
    person = grant(survey_staff(), RESOLUTION_PERMISSIONS)
    survey = make_survey(questions=[(K.YES_NO, "Czy?", [], True)])
    services.survey_respond(survey=survey, person=cast.reporter, answers={survey.questions.get().pk: True})
    voting = make_resolution(cast.building, person)
    services.vote_cast(resolution=voting, person=cast.reporter, choice="for")
    closed = make_resolution(cast.building, person)
    services.resolution_close(resolution=closed, now=closed.closes_at + timedelta(minutes=1))
    rows = {row.survey.pk: row for row in staff.surveys_situation(person).open_surveys}
    assert rows[survey.pk].answered == 1 and rows[survey.pk].audience >= 4
    voting_rows = {row.resolution.pk: row for row in staff.surveys_situation(person).voting}
    assert voting_rows[voting.pk].seats_voted == 1 and voting_rows[voting.pk].adopted_now  # 0.6 of all shares
    assert closed.pk in [r.pk for r in staff.surveys_situation(person).challengeable]
    client = login(person)
    html = client.get("/admin/").content.decode()
    assert survey.title in html and voting.number in html and closed.number in html
    # Each figure links to the list of exactly what it counts.
    panel = surveys_panel(person)
    for figure in panel.figures:
        listed = client.get(figure.url).context["object_list"]
        assert len(listed) == figure.value, figure.label


def test_the_panel_only_for_staff_who_see_surveys(cast):
    assert surveys_panel(cast.reporter) is None
    assert surveys_panel(grant(cast.dispatcher, [])) is None
    assert surveys_panel(grant(cast.firm_worker, SURVEY_PERMISSIONS + RESOLUTION_PERMISSIONS)) is None
    only_resolutions = resolution_staff("tylko-uchwaly", ["view_resolution"])
    panel = surveys_panel(only_resolutions)
    assert panel is not None and len(panel.figures) == 2  # no surveys' figure


def test_the_panel_costs_the_same_for_more_surveys_resolutions_and_votes(cast):
    shares(cast)
    person = grant(survey_staff(), RESOLUTION_PERMISSIONS)
    make_survey()
    make_resolution(cast.building, person)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            surveys_panel(person)
        return len(captured.captured_queries)

    few = queries()
    for _ in range(3):
        make_survey(groups=[])
    resolution = make_resolution(cast.building, person)
    services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")
    services.vote_cast(resolution=resolution, person=cast.neighbour, choice="against")
    assert queries() == few
