"""Views of the residents admin: estates, buildings and units edited with Wagtail's
generic views but saved through the services, and the membership decision views.

No view writes the ORM: every save, delete and decision is a service call, so an estate
or building always gets its audience group and a decision moves the person's audiences
and sends their e-mail. Which decisions a member of staff is offered and let into, and
who sees a membership's proof, is `policy`'s answer (asked `as_staff`: the admin decides
for the cooperative), the one the services refuse with.
"""

from __future__ import annotations

import django_filters
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import MenuItem
from wagtail.log_actions import log

from cms.core.admin.views import ServiceFormMixin, add_service_errors, person_label
from cms.core.exceptions import ServiceError

from .. import policy, selectors, services
from ..models import Membership, Unit
from .forms import EndForm, RejectForm, VerifyForm

# The verification viewset's URL namespace and menu label, here rather than read from
# the viewset class: the viewsets import these views, so the views cannot import them.
VERIFICATION = "verification"
VERIFICATION_LABEL = _("Verification")


# --- Estates, buildings, units: generic views that save through the services ---------------


class ServiceCreateView(ServiceFormMixin, generic.CreateView):
    """A create view whose `create(data)` calls a service instead of `form.save()`."""

    def create(self, data: dict):
        raise NotImplementedError

    def save_instance(self):
        instance = self.create(self.form.cleaned_data)
        log(instance, "wagtail.create", user=self.request.user)
        return instance


class ServiceEditView(ServiceFormMixin, generic.EditView):
    def update(self, instance, data: dict):
        raise NotImplementedError

    def save_instance(self):
        instance = self.update(self.form.instance, self.form.cleaned_data)
        log(instance, "wagtail.edit", user=self.request.user)
        return instance


class ServiceDeleteView(generic.DeleteView):
    def delete(self, instance):
        raise NotImplementedError

    def delete_action(self):
        log(self.object, "wagtail.delete", user=self.request.user)
        self.delete(self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as error:
            messages.error(self.request, error.message)
            return redirect(self.get_success_url())


def _fields(data: dict, names: list[str]) -> dict:
    return {name: data[name] for name in names}


ESTATE_FIELDS = ["name", "slug"]
BUILDING_FIELDS = ["estate", "code", "street", "number", "postal_code", "city"]
UNIT_FIELDS = [
    "building",
    "number",
    "kind",
    "floor",
    "area",
    "share",
    "land_register_number",
    "member_number",
    "held_by_spouses",
    "access_code",
]


class EstateCreateView(ServiceCreateView):
    def create(self, data):
        return services.estate_create(**_fields(data, ESTATE_FIELDS))


class EstateEditView(ServiceEditView):
    def update(self, instance, data):
        return services.estate_update(estate=instance, **_fields(data, ESTATE_FIELDS))


class EstateDeleteView(ServiceDeleteView):
    def delete(self, instance):
        services.estate_delete(estate=instance)


class BuildingCreateView(ServiceCreateView):
    def create(self, data):
        return services.building_create(**_fields(data, BUILDING_FIELDS))


class BuildingEditView(ServiceEditView):
    def update(self, instance, data):
        return services.building_update(building=instance, **_fields(data, BUILDING_FIELDS))


class BuildingDeleteView(ServiceDeleteView):
    def delete(self, instance):
        services.building_delete(building=instance)


class UnitCreateView(ServiceCreateView):
    def create(self, data):
        return services.unit_create(**_fields(data, UNIT_FIELDS))


class UnitEditView(ServiceEditView):
    def update(self, instance, data):
        return services.unit_update(unit=instance, **_fields(data, UNIT_FIELDS))


class UnitDeleteView(ServiceDeleteView):
    def delete(self, instance):
        services.unit_delete(unit=instance)


# The units list's "resident account" filter: units with or without a verified resident
# account, the condition the situation centre's adoption table counts and links to.
WITH_ACCOUNT = "with"
WITHOUT_ACCOUNT = "without"


class UnitFilterSet(WagtailFilterSet):
    resident_account = django_filters.ChoiceFilter(
        label=_("Verified resident account"),
        choices=[
            (WITH_ACCOUNT, _("At least one verified resident account")),
            (WITHOUT_ACCOUNT, _("No verified resident account")),
        ],
        method="filter_resident_account",
        empty_label=_("All units"),
    )

    class Meta:
        model = Unit
        fields = ["building__estate", "building", "kind"]

    def filter_resident_account(self, queryset, name, value):
        condition = selectors.has_verified_resident_account()
        if value == WITH_ACCOUNT:
            return queryset.filter(condition)
        if value == WITHOUT_ACCOUNT:
            return queryset.exclude(condition)
        return queryset


# --- Memberships: verification ---------------------------------------------------------------


class MembershipFilterSet(WagtailFilterSet):
    """Shows requests awaiting verification unless another status is chosen."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Membership.Status.choices, empty_label=_("Any status")
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["status", "role", "unit__building"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = Membership.Status.PENDING
        super().__init__(data, *args, **kwargs)


# The decision buttons of a membership's row, by policy.MembershipActions field (= URL name).
DECISION_BUTTONS = [
    ("verify", _("Verify"), "check"),
    ("reject", _("Reject"), "cross"),
    ("end", _("End membership"), "cross"),
]


class MembershipIndexView(generic.IndexView):
    def get_base_queryset(self):
        return Membership.objects.select_related("user", "unit__building__estate")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        offered = policy.membership_actions_open(self.request.user, instance, as_staff=True)
        for name, label, icon in DECISION_BUTTONS:
            if getattr(offered, name):
                url = reverse(f"{VERIFICATION}:{name}", args=[quote(instance.pk)])
                buttons.append(MenuItem(label, url=url, icon_name=icon, priority=5))
        return buttons


class MembershipDecisionView(WagtailAdminTemplateMixin, FormView):
    """Verify, reject or end one membership; the service does the work and the mail.

    Whoever the policy refuses the decision is sent away with Wagtail's "permission
    denied"; a membership whose status no longer offers it is sent back to the list."""

    model = Membership
    template_name = "wagtailadmin/generic/form.html"
    header_icon = "user"
    decision = ""  # the field of policy.MembershipActions: "verify", "reject" or "end"
    submit_button_label = ""
    success_message = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Membership.objects.select_related("user", "unit__building__estate"), pk=kwargs["pk"]
        )

    def refusal(self) -> ServiceError | None:
        """Why the policy refuses this person the decision, whatever the status."""
        return policy.membership_decision_refusal(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if refusal := self.refusal():
            raise PermissionDenied(refusal.message)  # Wagtail's admin answers with its redirect
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not getattr(policy.membership_actions_open(request.user, self.object, as_staff=True), self.decision):
            messages.warning(request, gettext("This membership can no longer be decided that way."))
            return redirect(self.index_url)
        return super().get(request, *args, **kwargs)

    @property
    def index_url(self) -> str:
        return reverse(f"{VERIFICATION}:index")

    def get_page_title(self):
        return self.submit_button_label

    def get_page_subtitle(self):
        return f"{person_label(self.object.user)} – {self.object.unit} ({self.object.get_role_display()})"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.index_url, "label": VERIFICATION_LABEL},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        first_field = next(iter(form.fields.values()))
        membership = self.object
        values = {"kind": membership.get_proof_kind_display(), "value": membership.proof_value}
        if membership.proof_matches:
            proof = gettext("Proof: %(kind)s %(value)s – matches what the cooperative holds for the unit.") % values
        else:
            proof = (
                gettext("Proof: %(kind)s %(value)s – does NOT match what the cooperative holds for the unit.") % values
            )
        first_field.help_text = f"{proof} {first_field.help_text}"
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            action_url=self.request.path,
            submit_button_label=self.submit_button_label,
            submit_button_active_label=self.submit_button_label,
        )
        return context

    def decide(self, form) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.decide(form)
        except ServiceError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"membership": self.object})
        return redirect(self.index_url)


class MembershipVerifyView(MembershipDecisionView):
    decision = "verify"
    form_class = VerifyForm
    submit_button_label = _("Verify")
    success_message = _("Membership %(membership)s verified; the person has been told.")

    def decide(self, form):
        services.membership_verify(membership=self.object, decided_by=self.request.user, note=form.cleaned_data["note"])


class MembershipRejectView(MembershipDecisionView):
    decision = "reject"
    form_class = RejectForm
    submit_button_label = _("Reject")
    success_message = _("Request %(membership)s rejected; the person has been told.")

    def decide(self, form):
        services.membership_reject(
            membership=self.object, decided_by=self.request.user, reason=form.cleaned_data["reason"]
        )


class MembershipEndView(MembershipDecisionView):
    decision = "end"
    form_class = EndForm
    submit_button_label = _("End membership")
    success_message = _("Membership %(membership)s ended.")

    def refusal(self):
        return policy.membership_end_refusal(self.request.user, self.object, as_staff=True)

    def decide(self, form):
        services.membership_end(membership=self.object, ended_by=self.request.user)


class MembershipInspectView(generic.InspectView):
    """Details of a request; the proof's value only for those who may decide on it."""

    def get_fields(self):
        fields = super().get_fields()
        if not policy.may_see_membership_proof(self.request.user):
            fields = [name for name in fields if name != "proof_value"]
        return fields
