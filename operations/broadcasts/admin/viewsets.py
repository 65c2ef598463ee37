"""The broadcasts viewset: composed with Wagtail's generic model views, saved through
`services.broadcast_draft_save`, with the views of one broadcast (preview, send, cancel,
report, its deliveries as CSV) and a draft from a news item. Its menu item sits in
messaging's "Messages" menu (`MESSAGES_MENU_HOOK`), first."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import local_time
from cms.core.admin.viewsets import AllPermissionsInGroupEditor
from operations.messaging.admin.viewsets import MESSAGES_MENU_HOOK

from ..models import Broadcast
from . import views
from .forms import BroadcastFilterSet, BroadcastForm


class NewsItemPanel(FieldPanel):
    """The broadcast's news item, read-only, shown only when there is one."""

    def __init__(self, field_name="news_page", **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(field_name, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            return bool(getattr(self.instance, "news_page_id", None)) and super().is_shown()


def _when(field: str):
    return lambda obj: local_time(getattr(obj, field))


class BroadcastViewSet(AllPermissionsInGroupEditor, ModelViewSet):
    model = Broadcast
    name = views.BROADCASTS
    icon = "mail"
    menu_label = _("Broadcasts")
    menu_hook = MESSAGES_MENU_HOOK
    menu_order = 0  # before messaging's own items
    index_view_class = views.BroadcastIndexView
    add_view_class = views.BroadcastCreateView
    edit_view_class = views.BroadcastEditView
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "title",
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column("send_at", label=_("Send at"), accessor=_when("send_at"), sort_key="send_at"),
        Column("recipient_count", label=_("Recipients"), sort_key="recipient_count"),
        Column("progress", label=_("Progress"), accessor="progress_summary"),
    ]
    filterset_class = BroadcastFilterSet  # status, kind and the situation centre's "now"
    search_fields = ["title", "subject"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel([FieldPanel("title"), FieldPanel("kind")], heading=_("Broadcast")),
            MultiFieldPanel(
                [FieldPanel("subject"), FieldPanel("body"), FieldPanel("sms_text")], heading=_("Message in Polish")
            ),
            MultiFieldPanel(
                [FieldPanel("subject_en"), FieldPanel("body_en"), FieldPanel("sms_text_en")],
                heading=_("Message in English (optional, for people who chose English)"),
            ),
            FieldPanel("link"),
            MultiFieldPanel(
                [
                    NewsItemPanel(),
                    FieldPanel("everyone"),
                    FieldPanel("estates"),
                    FieldPanel("buildings"),
                    FieldPanel("units"),
                    FieldPanel("roles"),
                ],
                heading=_("Audience"),
            ),
            MultiFieldPanel([FieldPanel("channels"), FieldPanel("send_at")], heading=_("Sending")),
        ],
        base_form_class=BroadcastForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # Broadcasts are never deleted (cancel stops one) and are not referenced by content.
        return super().get_common_view_kwargs(delete_url_name=None, usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("edit/<int:pk>/", self.edit_view, name="edit"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("preview/<int:pk>/", views.BroadcastPreviewView.as_view(), name="preview"),
            path("send/<int:pk>/", views.BroadcastSendView.as_view(), name="send"),
            path("cancel/<int:pk>/", views.BroadcastCancelView.as_view(), name="cancel"),
            path("report/<int:pk>/", views.BroadcastReportView.as_view(), name="report"),
            path("report/<int:pk>/deliveries.csv", views.BroadcastDeliveriesCsvView.as_view(), name="deliveries_csv"),
            path("from-news/<int:page_id>/", views.BroadcastFromNewsView.as_view(), name="from_news"),
        ]
