"""GraphQL for the document directory: the `documents` connection and the Document type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
import strawberry_django
from django.conf import settings
from strawberry import Info, relay

from cms.core import directory_search
from cms.core.graphql.content import BuildingRef, building_ref
from cms.core.graphql.context import denial, request_of, viewer_of
from cms.core.graphql.errors import bad_input
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.ids import parse_id
from cms.core.graphql.pagination import HubConnection
from cms.documents import selectors
from cms.documents.models import CooperativeDocument

DocumentCategory = strawberry.enum(CooperativeDocument.Category, name="DocumentCategory")


@strawberry.input(description="Narrow the document list.")
class DocumentFilter:
    category: DocumentCategory | None = None
    year: int | None = None
    collection_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only documents in this collection or its sub-collections."
    )
    building_id: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Only documents the directory search finds for this text (title, description, category and "
            "a PDF's text; Polish as typed), the most relevant first; blank means no search."
        ),
    )


@strawberry.type(name="DocumentCollection")
class DocumentCollectionRef:
    id: strawberry.ID
    name: str


@model_type(CooperativeDocument, name="Document")
class DocumentType(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    title: str
    category: DocumentCategory
    year: int
    description: str
    created_at: datetime

    @instance_field(only=["file"], description="File extension, e.g. pdf.")
    def file_extension(self) -> str:
        return self.file_extension

    @instance_field(only=["file_size"], description="Size in bytes, when known.")
    def file_size(self) -> int | None:
        return self.file_size

    @instance_field(
        only=["file"],
        description="Download address; it checks the same restrictions for whoever follows it.",
    )
    def download_url(self, info: Info) -> str:
        return request_of(info).build_absolute_uri(self.url)

    @instance_field(select_related=["collection"], only=["collection__name", "collection__path"])
    def collection(self) -> DocumentCollectionRef:
        return DocumentCollectionRef(id=strawberry.ID(str(self.collection_id)), name=self.collection.name)

    @instance_field(select_related=["building"], description="The building the document concerns, if one.")
    def building(self) -> BuildingRef | None:
        return building_ref(self.building) if self.building else None


@strawberry.type
class Query:
    @strawberry_django.connection(
        HubConnection[DocumentType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="Documents the viewer may download, newest year first.",
    )
    def documents(self, info: Info, filter: DocumentFilter | None = None) -> Iterable[CooperativeDocument]:
        filter = filter or DocumentFilter()
        if filter.search is not None and (problem := directory_search.query_problem(filter.search)):
            raise bad_input(problem, field="search")
        return selectors.documents_visible_to(
            viewer_of(info),
            category=filter.category.value if filter.category else None,
            year=filter.year,
            collection_id=parse_id(filter.collection_id, field="collectionId"),
            building_id=parse_id(filter.building_id, field="buildingId"),
            search=filter.search,
            denial=denial(info),
        )
