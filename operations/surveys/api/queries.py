"""The surveys' and resolutions' root fields: `surveys` and `resolutions` (Relay
connections, open first), `survey(id:)` and `resolution(id:)`. Every read goes through
`selectors`: a survey or resolution the viewer may not see is null, whether or not it
exists."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from django.conf import settings
from strawberry import Info
from strawberry_django.optimizer import optimize

from cms.core.graphql.context import signed_in_user
from cms.core.graphql.ids import parse_global_id

from .. import selectors
from ..models import Resolution, Survey
from ..selectors import api_reads
from .types import (
    ResolutionConnection,
    ResolutionState,
    ResolutionType,
    SurveyConnection,
    SurveyState,
    SurveyType,
    now_of,
)


@strawberry.input(description="Narrow the surveys list.")
class SurveyFilter:
    state: SurveyState | None = strawberry.field(
        default=None, description="Only surveys in this state now (DRAFT: survey staff only)."
    )


@strawberry.input(description="Narrow the resolutions list.")
class ResolutionFilter:
    state: ResolutionState | None = None


def survey_pk(value: strawberry.ID, field: str = "id") -> int:
    return parse_global_id(value, type_name="Survey", field=field)


def resolution_pk(value: strawberry.ID, field: str = "id") -> int:
    return parse_global_id(value, type_name="Resolution", field=field)


@strawberry.type
class Query:
    @strawberry_django.connection(
        SurveyConnection,
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "Surveys addressed to the viewer (every survey for survey staff): open ones first, closing soonest "
            "first, then upcoming, then closed. Empty when anonymous."
        ),
    )
    def surveys(self, info: Info, filter: SurveyFilter | None = None) -> Iterable[Survey]:
        state = filter.state.value if filter and filter.state else None
        return api_reads.surveys_list(signed_in_user(info), state=state, now=now_of(info))

    @strawberry.field(description="One survey addressed to the viewer, with its questions; null otherwise.")
    def survey(self, info: Info, id: strawberry.ID) -> SurveyType | None:
        pk = survey_pk(id)
        return optimize(selectors.surveys_visible_to(signed_in_user(info)).filter(pk=pk), info).first()

    @strawberry_django.connection(
        ResolutionConnection,
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "Resolutions the viewer votes on or may follow (owners of the buildings concerned, seat holders and "
            "proxies; every one for staff who see resolutions): voting now first, then announced, then closed."
        ),
    )
    def resolutions(self, info: Info, filter: ResolutionFilter | None = None) -> Iterable[Resolution]:
        state = filter.state.value if filter and filter.state else None
        return api_reads.resolutions_list(signed_in_user(info), state=state)

    @strawberry.field(description="One resolution the viewer may see; null otherwise.")
    def resolution(self, info: Info, id: strawberry.ID) -> ResolutionType | None:
        pk = resolution_pk(id)
        return optimize(selectors.resolutions_visible_to(signed_in_user(info)).filter(pk=pk), info).first()
