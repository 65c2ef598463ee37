"""The editors' list of pages by editorial state (unpublished changes, scheduled), which
Wagtail's page listing cannot filter by: Wagtail's own flat page listing (the page table
with its status, bulk actions, search and filters) over the pages the viewer may edit,
with one more filter, so that a number on the situation centre opens exactly its pages."""

from __future__ import annotations

from django.forms import RadioSelect
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import GenericPageFilterSet, IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page

from cms.core.admin.views import local_time

from ..selectors import editorial

STATE_CHOICES = [
    (editorial.UNPUBLISHED, _("Unpublished changes, not scheduled or in moderation")),
    (editorial.SCHEDULED, _("Scheduled to go live")),
]


class EditorialStateFilter(ChoiceFilter):
    def filter(self, qs, value):
        return editorial.pages_in_state(qs, value) if value in editorial.STATES else qs


class EditorialPageFilterSet(GenericPageFilterSet):
    state = EditorialStateFilter(
        label=_("Editorial state"), choices=STATE_CHOICES, empty_label=_("Any editorial state"), widget=RadioSelect
    )


class EditorialIndexView(IndexView):
    page_title = _("Pages by editorial state")
    base_filterset_class = EditorialPageFilterSet
    base_columns = [
        *IndexView.base_columns,
        # The moment itself, in local time (Wagtail's date column says "just now" of a
        # moment ahead); not sortable, as the page search cannot order by an annotation.
        Column(
            "approved_go_live_at",
            label=_("Goes live"),
            accessor=lambda page: local_time(page.approved_go_live_at),
            width="12%",
        ),
    ]

    def get_base_queryset(self):
        # The pages the viewer may edit, not all they may explore: what the figures count.
        pages = editorial.with_go_live(editorial.pages_editable_by(self.request.user))
        return self.annotate_queryset(pages)


class EditorialPagesViewSet(PageListingViewSet):
    name = "editorial_pages"
    url_prefix = "editorial-pages"
    model = Page
    icon = "doc-empty-inverse"
    index_view_class = EditorialIndexView
    filterset_class = EditorialPageFilterSet
    columns = EditorialIndexView.base_columns

    def get_index_view_kwargs(self, **kwargs):
        # A list to follow work in, not a place to add pages from.
        return super().get_index_view_kwargs(add_url_name=None, **kwargs)
