"""The one GraphQL schema: every app's Query and Mutation merged, with the API's limits.

Apps own their types and resolvers (`<app>/schema.py`); this module only assembles them.
"""

from django.conf import settings
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from cms.contractors.schema import Contractor
from cms.contractors.schema import Query as ContractorsQuery
from cms.core.graphql.disclosure import SchemaDisclosure
from cms.core.graphql.execution import HubExecutionContext
from cms.core.graphql.extensions import ParsedDocuments, Schema, TypedErrors
from cms.core.graphql.optimizer import FieldOptimizerExtension
from cms.core.graphql.scalars import SCALAR_OVERRIDES
from cms.documents.schema import Query as DocumentsQuery
from cms.home.schema import ContractorIndexType, DocumentIndexType, HomePageType, InvestmentIndexType, NewsIndexType
from cms.home.schema import Query as HomeQuery
from cms.investments.schema import Investment
from cms.investments.schema import Query as InvestmentsQuery
from cms.news.schema import NewsItem
from cms.news.schema import Query as NewsQuery
from cms.preview.schema import Query as PreviewQuery
from operations.billing.api import Mutation as BillingMutation
from operations.billing.api import Query as BillingQuery
from operations.billing.api import ViewerBillingFields
from operations.messaging.api import Mutation as MessagingMutation
from operations.residents.api import Mutation as ResidentsMutation
from operations.residents.api import Query as ResidentsQuery
from operations.residents.api.types import Viewer
from operations.surveys.api import Mutation as SurveysMutation
from operations.surveys.api import Query as SurveysQuery
from operations.tickets.api import Mutation as TicketsMutation
from operations.tickets.api import Query as TicketsQuery
from search.api.queries import Query as SearchQuery

Query = merge_types(
    "Query",
    (
        ResidentsQuery,
        HomeQuery,
        NewsQuery,
        DocumentsQuery,
        InvestmentsQuery,
        ContractorsQuery,
        SearchQuery,
        PreviewQuery,
        TicketsQuery,
        BillingQuery,
        SurveysQuery,
    ),
)


def extend_viewer(*field_sets) -> None:
    """Add to `Viewer` the fields of apps that the residents app cannot import (they import
    it: billing reads memberships), as messaging's are inherited. Each set is a type of the
    user model made with `model_type`; its fields resolve with the viewer as `self`."""
    definition = Viewer.__strawberry_definition__
    present = {field.python_name for field in definition.fields}
    for field_set in field_sets:
        for field in field_set.__strawberry_definition__.fields:
            if field.python_name not in present:
                definition.fields.append(field)
                present.add(field.python_name)


extend_viewer(ViewerBillingFields)
Mutation = merge_types(
    "Mutation", (ResidentsMutation, MessagingMutation, TicketsMutation, BillingMutation, SurveysMutation)
)


def schema_options(**changes) -> dict:
    """The schema's constructor arguments; a test builds a twin from them with `changes`."""
    options = {
        "query": Query,
        "mutation": Mutation,
        # Page types reachable only through the Page interface must be listed explicitly.
        "types": [
            HomePageType,
            NewsIndexType,
            DocumentIndexType,
            InvestmentIndexType,
            ContractorIndexType,
            NewsItem,
            Investment,
            Contractor,
        ],
        "config": StrawberryConfig(relay_max_results=settings.GRAPHQL_MAX_PAGE_SIZE),
        "scalar_overrides": SCALAR_OVERRIDES,
        "execution_context_class": HubExecutionContext,
        "extensions": [
            FieldOptimizerExtension,
            lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
            ParsedDocuments,
            SchemaDisclosure,
            TypedErrors,
        ],
    }
    return {**options, **changes}


schema = Schema(**schema_options())
