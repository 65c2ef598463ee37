"""The viewsets of the surveys section ("Ankiety i głosowania"), registered by
`wagtail_hooks.py`: surveys (the builder, the list, each survey's results and exports)
and resolutions (drafts, a resolution's page with its actions, the protocol). Counting
rules are data shown to staff, never edited here (a change in the law is a new version,
added by a migration)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from cms.core.admin.views import local_time

from ..models import Resolution, Survey
from ..selectors import staff
from . import views
from .forms import QuestionsPanel, ResolutionFilterSet, ResolutionForm, SurveyFilterSet, SurveyForm


class NoContractorWorkersPolicy(ModelPermissionPolicy):
    """Django's model permissions, never for a contractor's worker (as billing's)."""

    def user_has_permission(self, user, action):
        return not staff.is_firm_worker(user) and super().user_has_permission(user, action)


def _permissions(model):
    return Permission.objects.filter(content_type=ContentType.objects.get_for_model(model))


class SurveyViewSet(ModelViewSet):
    model = Survey
    url_prefix = "surveys"
    url_namespace = views.SURVEYS
    icon = "list-ul"
    menu_label = _("Surveys")
    menu_name = "surveys"
    index_view_class = views.SurveyIndexView
    add_view_class = views.SurveyCreateView
    edit_view_class = views.SurveyEditView
    delete_view_class = views.SurveyDeleteView
    filterset_class = SurveyFilterSet
    copy_view_enabled = False
    add_to_reference_index = False
    search_fields = ["title"]
    ordering = ["-opens_at", "-pk"]
    list_per_page = 50
    list_display = [
        TitleColumn("title", label=_("Title"), url_name=f"{views.SURVEYS}:edit"),
        StatusTagColumn(
            "state", label=_("State"), accessor=lambda s: views.survey_state(s), primary=lambda s: s.is_published
        ),
        Column("opens_at", label=_("Opens at"), accessor=lambda s: local_time(s.opens_at), sort_key="opens_at"),
        Column("closes_at", label=_("Closes at"), accessor=lambda s: local_time(s.closes_at), sort_key="closes_at"),
        Column("question_count", label=_("Questions")),
        Column("response_count", label=_("Answers"), sort_key="response_count"),
        TitleColumn(
            "results",
            label=_("Results"),
            accessor=lambda s: _("results"),
            get_url=lambda s: views.survey_url("results", s),
        ),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("introduction"),
            MultiFieldPanel([FieldPanel("audience_everyone"), FieldPanel("audiences")], heading=_("Audience")),
            MultiFieldPanel(
                [
                    FieldPanel("answer_by"),
                    FieldPanel("anonymous"),
                    FieldPanel("allow_changes"),
                    FieldPanel("results_to_residents"),
                ],
                heading=_("Rules"),
            ),
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Window")),
            FieldPanel("is_published"),
            QuestionsPanel(
                "questions",
                panels=[
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]),
                    FieldPanel("text"),
                    FieldPanel("help_text"),
                    FieldPanel("choices_text"),
                ],
                heading=_("Questions"),
                label=_("Question"),
                min_num=1,
            ),
        ],
        base_form_class=SurveyForm,
    )

    def get_permissions_to_register(self):
        return _permissions(Survey)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("results/<int:pk>/", views.SurveyResultsView.as_view(), name="results"),
            path("results/<int:pk>/csv/", views.SurveyResultsCsvView.as_view(), name="results_csv"),
            path("results/<int:pk>/xlsx/", views.SurveyResultsXlsxView.as_view(), name="results_xlsx"),
        ]


class ResolutionViewSet(ModelViewSet):
    model = Resolution
    url_prefix = "resolutions"
    url_namespace = views.RESOLUTIONS
    icon = "doc-full"
    menu_label = _("Resolutions")
    menu_name = "resolutions"
    index_view_class = views.ResolutionIndexView
    add_view_class = views.ResolutionCreateView
    edit_view_class = views.ResolutionEditView
    delete_view_class = views.ResolutionDeleteView
    inspect_view_class = views.ResolutionInspectView
    filterset_class = ResolutionFilterSet
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    search_fields = ["number", "title"]
    ordering = ["-opens_at", "-pk"]
    list_per_page = 50
    list_display = [
        TitleColumn("number", label=_("Number"), get_url=lambda r: views.resolution_url("inspect", r)),
        Column("title", label=_("Title")),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda r: r.state == Resolution.State.OPEN,
        ),
        Column("rule", label=_("Counting rule"), accessor=lambda r: r.rule.name),
        Column("closes_at", label=_("Closes at"), accessor=lambda r: local_time(r.closes_at), sort_key="closes_at"),
        Column("seat_count", label=_("Seats")),
        Column("vote_count", label=_("Votes")),
        Column("result", label=_("Result"), accessor="get_result_display"),
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("number"), FieldPanel("title")]),
            FieldPanel("text"),
            FieldPanel("attachments"),
            FieldPanel("buildings"),
            FieldPanel("rule"),
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Window")),
            FieldRowPanel([FieldPanel("allow_changes"), FieldPanel("secret")]),
        ],
        base_form_class=ResolutionForm,
    )

    def get_permissions_to_register(self):
        return _permissions(Resolution)

    def action_view(self, view_class):
        return self.construct_view(view_class, **self.get_inspect_view_kwargs())

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("inspect/<int:pk>/schedule/", self.action_view(views.ResolutionScheduleView), name="schedule"),
            path("inspect/<int:pk>/paper-vote/", self.action_view(views.PaperVoteView), name="paper_vote"),
            path("inspect/<int:pk>/proxy/", self.action_view(views.ProxyView), name="proxy"),
            path("inspect/<int:pk>/protocol.pdf", views.ProtocolPdfView.as_view(), name="protocol_pdf"),
            path("inspect/<int:pk>/protocol.csv", views.ProtocolCsvView.as_view(), name="protocol_csv"),
            path("inspect/<int:pk>/protocol.xlsx", views.ProtocolXlsxView.as_view(), name="protocol_xlsx"),
        ]


class SurveysViewSetGroup(ModelViewSetGroup):
    menu_label = _("Surveys and votes")
    menu_name = "surveys-and-votes"
    menu_icon = "list-ul"
    menu_order = 260
    items = (SurveyViewSet, ResolutionViewSet)
