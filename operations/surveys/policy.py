"""What a person may see and do with a survey, answered once for the services, the API
and the admin.

- Seeing a survey: its audience (selectors) once published; survey staff
  (`surveys.view_survey`) every survey. Refusing to show one says "not found".
- Answering: a resident in the audience, while it is open, for a unit through which they
  are in the audience; staff answer as residents only (their staff role gives nothing).
- Results: survey staff with `surveys.view_survey_results` at any time (live counts);
  residents in the audience after the close, when the survey shows them its results.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from . import selectors
from .errors import ResolutionErrorCode, SurveyErrorCode
from .models import Survey

PERMISSIONS_STAFF = ["surveys.view_survey", "surveys.add_survey", "surveys.change_survey", "surveys.delete_survey"]
PERMISSIONS_RESULTS = ["surveys.view_survey_results"]


def not_found() -> ServiceError:
    return ServiceError(SurveyErrorCode.NOT_FOUND, gettext("Survey not found."))


def may_view(person: selectors.Person, survey: Survey) -> bool:
    return selectors.surveys_visible_to(person).filter(pk=survey.pk).exists()


def respond_refusal(person: selectors.Person, survey: Survey, *, now=None) -> ServiceError | None:
    """Why the person cannot answer the survey now, or None. Audience before time: someone
    outside the audience learns nothing of its window."""
    now = now or timezone.now()
    if not (person and person.is_authenticated):
        return ServiceError(SurveyErrorCode.NOT_AUTHENTICATED, gettext("Sign in to answer."))
    if not survey.is_published:
        return not_found()
    if not selectors.in_audience(person, survey):
        return ServiceError(SurveyErrorCode.NOT_IN_AUDIENCE, gettext("This survey is not addressed to you."))
    if now < survey.opens_at:
        return ServiceError(SurveyErrorCode.NOT_OPEN, gettext("This survey has not opened yet."))
    if survey.is_closed_at(now):
        return ServiceError(SurveyErrorCode.CLOSED, gettext("This survey is closed."))
    return None


def may_see_results(person: selectors.Person, survey: Survey, *, now=None) -> bool:
    if selectors.sees_live_results(person):
        return True
    now = now or timezone.now()
    return (
        survey.is_published
        and survey.results_to_residents
        and survey.is_closed_at(now)
        and selectors.in_audience(person, survey)
    )


def _staff_with(person: selectors.Person, permission: str) -> bool:
    return selectors.is_survey_staff(person) and person.has_perm(permission)


def resolution_management_refusal(by: selectors.Person) -> ServiceError | None:
    """Announcing resolutions: staff with `surveys.change_resolution`."""
    if _staff_with(by, "surveys.change_resolution"):
        return None
    return ServiceError(ResolutionErrorCode.FORBIDDEN, gettext("You may not manage resolutions."))


def paper_vote_refusal(by: selectors.Person) -> ServiceError | None:
    """Entering paper ballots and proxies: staff with `surveys.record_paper_vote`."""
    if _staff_with(by, "surveys.record_paper_vote"):
        return None
    return ServiceError(ResolutionErrorCode.FORBIDDEN, gettext("You may not record paper votes."))


def may_view_resolution(person: selectors.Person, resolution) -> bool:
    return selectors.resolutions_visible_to(person).filter(pk=resolution.pk).exists()


def may_see_tally(person: selectors.Person, resolution) -> bool:
    """Staff who see resolutions: always (the live tally). Residents who see it: once closed."""
    if _staff_with(person, "surveys.view_resolution"):
        return True
    return resolution.state == resolution.State.CLOSED and may_view_resolution(person, resolution)


def answering_open(survey: Survey, standing, *, now=None) -> tuple[bool, bool]:
    """(may answer, may change their answer) for a person whose `standing`
    (`selectors.api_reads.SurveyStanding`) with the survey is known: what
    `respond_refusal` and the services decide, for a list without a query per survey.
    Answering: published and open, in the audience, something left to answer (their own
    answer in a per-person survey, a unit without one in a per-unit survey). Changing:
    their own answer, while open, where the survey allows it (never an anonymous one)."""
    now = now or timezone.now()
    if not (survey.is_open_at(now) and standing.in_audience):
        return False, False
    if survey.answer_by == Survey.AnswerBy.UNIT:
        left = any(unit.pk not in standing.answered_unit_ids for unit in standing.units)
    else:
        left = not standing.answered_by_me
    change = survey.allow_changes and not survey.anonymous and standing.answered_by_me
    return left, change


class ResolutionSight:
    """`may_see_tally`, and who may see each seat's vote, for resolutions the person
    already sees (read through `selectors.resolutions_visible_to`), their standing asked
    once: staff who see resolutions see every tally, and each seat's vote where the vote
    is not secret; a resident sees the tally once the vote is closed, and never another
    person's vote."""

    def __init__(self, person: selectors.Person):
        self.staff = _staff_with(person, "surveys.view_resolution")

    def may_see_tally(self, resolution) -> bool:
        return self.staff or resolution.state == resolution.State.CLOSED

    def may_see_votes(self, resolution) -> bool:
        return self.staff and not resolution.secret
