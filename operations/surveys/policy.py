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
