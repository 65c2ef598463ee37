"""The viewsets of the tickets section of the Wagtail admin ("Zgłoszenia"), registered by
`wagtail_hooks.py`.

The ticket list (filters, search by reference, CSV of the filtered list) and one ticket's
page with its history and the dispatchers' quick actions are views of their own
(`views.py`, forms in `forms.py`) on Wagtail's generic model views; tickets are never
added, edited or deleted as forms, every change goes through the services. Categories
are plain model views (administrators add and change them, dispatchers read them); the
statistics page reads `selectors.figures.ticket_statistics`.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusFlagColumn, StatusTagColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin

from .. import selectors
from ..models import CLOSED_STATUSES, Category, Ticket
from . import views
from .forms import CategoryForm, TicketFilterSet

TICKET_PERMISSIONS = ["view_ticket", "change_ticket", "dispatch_ticket", "view_ticket_statistics"]


class TicketViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    """The list and one ticket's page; no add, edit, copy or delete."""

    model = Ticket
    url_prefix = "tickets"
    url_namespace = views.TICKETS
    icon = "warning"
    menu_label = _("Ticket list")
    menu_name = "ticket-list"
    index_view_class = views.TicketIndexView
    inspect_view_class = views.TicketInspectView
    inspect_view_enabled = True
    filterset_class = TicketFilterSet
    ordering = "-created_at"
    list_per_page = 50
    list_display = [
        TitleColumn(
            "reference",
            label=_("Reference"),
            accessor="reference",
            # "ZG/2026/123" is read and quoted whole: never broken over two lines.
            classname="w-whitespace-nowrap",
            get_url=lambda ticket: views.ticket_url("inspect", ticket),
        ),
        Column("title", label=views.field_label("title")),
        Column("category", label=views.field_label("category"), accessor="category.name"),
        Column("place", label=_("Place"), accessor=views.place_of),
        StatusTagColumn(
            "status",
            label=views.field_label("status"),
            accessor="get_status_display",
            primary=lambda ticket: ticket.status not in CLOSED_STATUSES,
        ),
        Column(
            "contractor",
            label=views.field_label("contractor"),
            accessor=lambda ticket: ticket.contractor.title if ticket.contractor_id else "",
        ),
        Column("worker", label=views.field_label("worker"), accessor=lambda ticket: person_label(ticket.worker)),
        Column(
            "created_at",
            label=views.field_label("created_at"),
            accessor=lambda ticket: local_time(ticket.created_at),
            sort_key="created_at",
        ),
        Column(
            "due_at",
            label=views.field_label("due_at"),
            accessor=lambda ticket: local_time(ticket.due_at),
            sort_key="due_at",
        ),
        StatusFlagColumn("overdue", label=_("Overdue"), accessor="is_overdue", true_label=_("overdue")),
    ]

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket), codename__in=TICKET_PERMISSIONS
        )

    def action_view(self, view_class):
        return self.construct_view(view_class, **self.get_inspect_view_kwargs())

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("inspect/<int:pk>/assign/", self.action_view(views.TicketAssignView), name="assign"),
            path("inspect/<int:pk>/status/", self.action_view(views.TicketTransitionView), name="transition"),
            path("inspect/<int:pk>/comment/", self.action_view(views.TicketCommentView), name="comment"),
            path("inspect/<int:pk>/deadline/", self.action_view(views.TicketDeadlineView), name="deadline"),
        ]


class TicketStatisticsViewSet(ViewSet):
    name = views.STATISTICS
    icon = "table"
    menu_label = _("Statistics")
    menu_name = "ticket-statistics"

    @cached_property
    def menu_item_class(self):
        class StatisticsMenuItem(MenuItem):
            def is_shown(self, request):
                return selectors.can_read_statistics(request.user)

        return StatisticsMenuItem

    def get_urlpatterns(self):
        return [path("", views.TicketStatisticsView.as_view(), name="index")]


class CategoryViewSet(AllPermissionsInGroupEditor, ModelViewSet):
    """Administrators add and change categories, dispatchers read them; a category with
    tickets is never deleted (see views.CategoryDeleteView)."""

    model = Category
    name = views.CATEGORIES
    icon = "tag"
    menu_label = _("Categories")
    menu_name = "ticket-categories"
    index_view_class = views.CategoryIndexView
    delete_view_class = views.CategoryDeleteView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    ordering = "sort_order"
    search_fields = ["name", "description"]
    list_display = [
        "name",
        Column("urgency", label=_("Urgency"), accessor="get_urgency_display", sort_key="urgency"),
        Column("response_hours", label=_("Response (h)"), sort_key="response_hours"),
        Column("resolution_hours", label=_("Resolution (h)"), sort_key="resolution_hours"),
        Column(
            "default_contractor",
            label=_("Default contractor"),
            accessor=lambda category: category.default_contractor.title if category.default_contractor_id else "",
        ),
        BooleanColumn("is_active", label=_("Offered to residents")),
        Column("ticket_count", label=_("Tickets"), sort_key="ticket_count"),
        Column("sort_order", label=_("Order"), sort_key="sort_order"),
    ]
    inspect_view_fields = [
        "name",
        "slug",
        "description",
        "urgency",
        "response_hours",
        "resolution_hours",
        "default_responsible",
        "trade",
        "default_contractor",
        "is_active",
        "sort_order",
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
            FieldPanel("description"),
            MultiFieldPanel(
                [
                    FieldPanel("urgency"),
                    FieldRowPanel([FieldPanel("response_hours"), FieldPanel("resolution_hours")]),
                ],
                heading=_("Deadlines"),
            ),
            MultiFieldPanel(
                [FieldPanel("default_responsible"), FieldPanel("trade"), FieldPanel("default_contractor")],
                heading=_("Who answers for it"),
            ),
            FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
        ],
        base_form_class=CategoryForm,
    )

    def get_permissions_to_register(self):
        return Permission.objects.filter(content_type=ContentType.objects.get_for_model(Category))


class TicketsViewSetGroup(ViewSetGroup):
    menu_label = _("Tickets")
    menu_name = "tickets"
    menu_icon = "warning"
    menu_order = 240
    items = (TicketViewSet, TicketStatisticsViewSet, CategoryViewSet)
