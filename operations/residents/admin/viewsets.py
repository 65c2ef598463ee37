"""Viewsets of the residents admin ("Mieszkańcy"): estates, buildings, units, the
verification queue of memberships and the read-only log of sign-in attempts.

Memberships are never edited as forms: staff verify, reject or end them with the
decision views (views.py). Sign-in attempts are a read-only log for administrators.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.viewsets import ReadOnlyViewSetMixin

from ..models import Building, Estate, Membership, SignInAttempt, Unit
from .views import (
    VERIFICATION,
    VERIFICATION_LABEL,
    BuildingCreateView,
    BuildingDeleteView,
    BuildingEditView,
    EstateCreateView,
    EstateDeleteView,
    EstateEditView,
    MembershipEndView,
    MembershipFilterSet,
    MembershipIndexView,
    MembershipInspectView,
    MembershipRejectView,
    MembershipVerifyView,
    UnitCreateView,
    UnitDeleteView,
    UnitEditView,
    UnitFilterSet,
)


class EstateViewSet(ModelViewSet):
    model = Estate
    icon = "site"
    menu_label = _("Estates")
    add_view_class = EstateCreateView
    edit_view_class = EstateEditView
    delete_view_class = EstateDeleteView
    copy_view_enabled = False
    panels = [FieldPanel("name"), FieldPanel("slug")]
    ordering = ["name"]
    list_display = ["name", "slug"]
    search_fields = ["name"]


class BuildingViewSet(ModelViewSet):
    model = Building
    icon = "home"
    menu_label = _("Buildings")
    add_view_class = BuildingCreateView
    edit_view_class = BuildingEditView
    delete_view_class = BuildingDeleteView
    copy_view_enabled = False
    panels = [
        FieldPanel("estate"),
        FieldPanel("code"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("street"), FieldPanel("number")]),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city")]),
            ],
            heading=_("Address"),
        ),
    ]
    list_display = ["__str__", "estate", "code", "street", "number", "city"]
    list_filter = ["estate"]
    search_fields = ["code", "street", "city"]


class UnitViewSet(ModelViewSet):
    model = Unit
    icon = "key"
    menu_label = _("Units")
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    panels = [
        FieldPanel("building"),
        FieldRowPanel([FieldPanel("number"), FieldPanel("kind"), FieldPanel("floor")]),
        FieldRowPanel([FieldPanel("area"), FieldPanel("share")]),
        MultiFieldPanel(
            [
                FieldPanel("land_register_number"),
                FieldPanel("member_number"),
                FieldPanel("held_by_spouses"),
                FieldPanel("access_code"),
            ],
            heading=_("What a resident can prove"),
        ),
    ]
    list_display = ["__str__", "building", "number", "kind", "floor", "area", "share"]
    filterset_class = UnitFilterSet  # the estate, the building, the kind and a verified resident account
    search_fields = ["number", "building__code"]
    list_per_page = 100
    # A copy would be saved by Wagtail's form, not by the service.
    copy_view_enabled = False


# --- Read-only listings ----------------------------------------------------------------------


class ReadOnlyViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    """A listing and an inspect view; no add, edit, copy or delete."""

    inspect_view_enabled = True


class SignInAttemptViewSet(ReadOnlyViewSet):
    model = SignInAttempt
    icon = "password"
    menu_label = _("Sign-in attempts")
    list_display = [
        DateColumn("created_at", label=_("Time"), sort_key="created_at"),
        Column("username", label=_("User name"), sort_key="username"),
        Column("ip_address", label=_("IP address")),
        Column("channel", label=_("Client"), accessor="get_channel_display"),
        Column("outcome", label=_("Outcome"), accessor="get_outcome_display"),
        Column("user_agent", label=_("Browser or app")),
    ]
    list_filter = ["outcome", "channel"]
    search_fields = ["username", "ip_address"]
    inspect_view_fields = ["created_at", "username", "user", "ip_address", "user_agent", "channel", "outcome"]


class MembershipViewSet(ReadOnlyViewSet):
    model = Membership
    inspect_view_class = MembershipInspectView
    name = VERIFICATION
    icon = "user"
    menu_label = VERIFICATION_LABEL
    index_view_class = MembershipIndexView
    filterset_class = MembershipFilterSet
    ordering = ["requested_at"]
    list_display = [
        "user",  # the title column: links to the details and carries the decision buttons
        Column("full_name", label=_("Full name"), accessor=lambda m: m.user.get_full_name()),
        Column("email", label=_("E-mail"), accessor="user.email"),
        Column("unit", label=_("Unit"), accessor=lambda m: f"{m.unit} – {m.unit.building.address}"),
        Column("role", label=_("Role"), accessor="get_role_display"),
        # The kind only: the value is the unit's secret (access code, land register), shown
        # on the details page to those who decide (see MembershipInspectView).
        Column("proof", label=_("Proof"), accessor="get_proof_kind_display"),
        BooleanColumn("proof_matches", label=_("Proof matches")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("requested_at", label=_("Requested"), sort_key="requested_at"),
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "unit__number"]
    inspect_view_fields = [
        "user",
        "unit",
        "role",
        "status",
        "proof_kind",
        "proof_value",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_note",
        "ended_at",
        "ended_by",
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("verify/<int:pk>/", MembershipVerifyView.as_view(), name="verify"),
            path("reject/<int:pk>/", MembershipRejectView.as_view(), name="reject"),
            path("end/<int:pk>/", MembershipEndView.as_view(), name="end"),
        ]


class ResidentsViewSetGroup(ViewSetGroup):
    menu_label = _("Residents")
    menu_icon = "group"
    menu_order = 250
    items = (EstateViewSet, BuildingViewSet, UnitViewSet, MembershipViewSet, SignInAttemptViewSet)
