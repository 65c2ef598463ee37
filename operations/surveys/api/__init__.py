"""The surveys' and resolutions' GraphQL API: `types` (a survey and a resolution as each
viewer sees them, results and tallies where policy allows), `queries` (`surveys`,
`survey`, `resolutions`, `resolution`), `mutations` (`surveyRespond`, `voteCast`, with
typed errors). It reads only through `selectors` (`selectors.api_reads` for whole pages)
and asks `policy` what a viewer may see; the domain modules never import it.

`cms/schema.py` merges `Query` and `Mutation` from here into the root schema.
"""

from .mutations import Mutation
from .queries import Query
from .types import ResolutionType, SurveyType

__all__ = ["Mutation", "Query", "ResolutionType", "SurveyType"]
