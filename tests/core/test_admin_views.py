"""The pieces the apps' admin views and viewsets share (cms.core.admin.views and
.viewsets): times and people as staff read them, a service's refusals on the form that
asked, and read-only listings."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import ServiceFormMixin, add_service_errors, local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin
from cms.core.exceptions import ServiceError, ServiceErrorList

# --- Times and people -------------------------------------------------------------------------------


def test_local_time_is_the_viewers_day_and_minute():
    moment = datetime(2026, 12, 31, 23, 5, 59, tzinfo=UTC)
    with timezone.override("Europe/Warsaw"):
        assert local_time(moment) == "01.01.2027 00:05"
    with timezone.override("UTC"):
        assert local_time(moment) == "31.12.2026 23:05"
    assert local_time(None) == ""


def _person(full_name: str, username: str):
    return SimpleNamespace(get_full_name=lambda: full_name, get_username=lambda: username)


def test_a_person_is_their_full_name_or_else_their_user_name():
    assert person_label(_person("Anna Nowak", "anowak")) == "Anna Nowak"
    assert person_label(_person("", "anowak")) == "anowak"
    assert person_label(None) == ""


# --- A service's refusals on the form ---------------------------------------------------------------


class DeadlineForm(forms.Form):
    due_at = forms.CharField(required=False)
    reason = forms.CharField(required=False)


def bound_form() -> DeadlineForm:
    form = DeadlineForm({"due_at": "jutro", "reason": ""})
    assert form.is_valid()
    return form


def test_a_refusal_lands_next_to_its_field_or_above_the_form():
    form = bound_form()
    add_service_errors(form, ServiceError("REASON_REQUIRED", "Podaj powód.", "reason"))
    add_service_errors(form, ServiceError("LOCKED", "Zgłoszenie jest zamknięte.", None))
    add_service_errors(form, ServiceError("WORKER", "Pracownik innej firmy.", "worker"))
    assert form.errors["reason"] == ["Podaj powód."]
    assert form.non_field_errors() == ["Zgłoszenie jest zamknięte.", "Pracownik innej firmy."]


def test_every_problem_of_a_list_is_shown_and_fields_can_be_renamed():
    form = bound_form()
    error = ServiceErrorList(
        [ServiceError("BAD", "Zła data.", "due_at_value"), ServiceError("BAD", "Podaj powód.", "reason")]
    )
    add_service_errors(form, error, {"due_at_value": "due_at"})
    assert form.errors["due_at"] == ["Zła data."]
    assert form.errors["reason"] == ["Podaj powód."]
    assert form.non_field_errors() == []


class _SavingView:
    """Stands for Wagtail's generic create view: form_valid saves, form_invalid re-renders."""

    refusal: ServiceError | None = None

    def form_valid(self, form):
        if self.refusal:
            raise self.refusal
        return "saved"

    def form_invalid(self, form):
        return "shown again"

    def get_error_message(self):
        return "Nie zapisano."


class _ServiceView(ServiceFormMixin, _SavingView):
    pass


def test_a_refused_save_shows_the_form_again_with_the_refusal():
    view = _ServiceView()
    view.refusal = ServiceError("TAKEN", "Ten kod już jest.", "reason")
    form = bound_form()
    assert view.form_valid(form) == "shown again"
    assert form.errors["reason"] == ["Ten kod już jest."]
    assert (view.produced_error_code, view.produced_error_message) == ("validation_error", "Nie zapisano.")


def test_an_accepted_save_goes_on():
    view = _ServiceView()
    assert view.form_valid(bound_form()) == "saved"
    assert not hasattr(view, "produced_error_code")


# --- Read-only listings and the group editor ---------------------------------------------------------


class GroupLogViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = Group
    name = "test-group-log"


class GroupQueueViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = Group
    name = "test-group-queue"
    inspect_view_enabled = True


def test_a_read_only_listing_has_no_links_to_change_anything():
    kwargs = GroupLogViewSet().get_common_view_kwargs()
    for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
        assert kwargs[name] is None, name
    assert GroupLogViewSet.copy_view_enabled is False
    assert GroupLogViewSet.add_to_reference_index is False


def test_a_read_only_listing_serves_the_listing_and_the_inspect_view_when_enabled():
    assert [pattern.name for pattern in GroupLogViewSet().get_urlpatterns()] == ["index", "index_results"]
    patterns = GroupQueueViewSet().get_urlpatterns()
    assert [pattern.name for pattern in patterns] == ["index", "index_results", "inspect"]
    assert str(patterns[-1].pattern) == "inspect/<int:pk>/"


@pytest.mark.django_db
def test_every_permission_of_the_model_is_offered_in_the_group_editor():
    class GroupViewSet(AllPermissionsInGroupEditor, ModelViewSet):
        model = Group
        name = "test-groups"

    offered = set(GroupViewSet().get_permissions_to_register().values_list("codename", flat=True))
    expected = Permission.objects.filter(content_type=ContentType.objects.get_for_model(Group))
    assert offered == set(expected.values_list("codename", flat=True))
    assert "view_group" in offered
