"""The messages section of the Wagtail admin, driven through the test client: the delivery
log (filtered, searched, never edited) and message templates. (Broadcasts, whose items
sit in the same menu: tests/broadcasts/test_broadcasts_admin.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operations.messaging.models import MessageTemplate
from operations.residents.roles import StaffRole
from tests.factories.admin import html_form, staff_client
from tests.factories.broadcasts import broadcast_now, draft

pytestmark = pytest.mark.django_db


def test_delivery_log_filters_and_searches_but_never_edits(
    dispatcher_client, building_a, reachable_people, django_capture_on_commit_callbacks
):
    broadcast = draft(building_a)
    with django_capture_on_commit_callbacks(execute=True):  # sent now, as the workers would
        broadcast_now(broadcast)
    response = dispatcher_client.get("/admin/deliveries/", {"channel": "push", "broadcast": broadcast.pk})
    assert response.status_code == 200
    assert {d.address for d in response.context["object_list"]} == {
        "ExponentPushToken[anna-phone]",
        "ExponentPushToken[ewa-phone]",
    }
    today = timezone.localdate()
    sent_today = {"broadcast": broadcast.pk, "created_at_from": today.isoformat(), "created_at_to": today.isoformat()}
    assert len(dispatcher_client.get("/admin/deliveries/", sent_today).context["object_list"]) == 5
    last_week = {"broadcast": broadcast.pk, "created_at_to": (today - timedelta(days=7)).isoformat()}
    assert len(dispatcher_client.get("/admin/deliveries/", last_week).context["object_list"]) == 0
    found = dispatcher_client.get("/admin/deliveries/", {"q": "jan@example"})
    assert {d.address for d in found.context["object_list"]} == {"jan@example.pl"}
    assert dispatcher_client.get("/admin/deliveries/new/").status_code == 404
    assert staff_client(StaffRole.BOARD).get("/admin/deliveries/").status_code == 302  # no view_delivery


def test_editor_edits_a_template_and_bad_syntax_is_refused():
    editor = staff_client(StaffRole.EDITOR)
    template = MessageTemplate.objects.get(key="membership-verified", language="pl")
    edit_url = reverse("message-templates:edit", args=[template.pk])
    page = editor.get(edit_url)
    assert page.status_code == 200
    data = html_form(page, "w-editor-form")
    data["subject"] = "Dostęp do lokalu {% if unit %}"
    response = editor.post(edit_url, data)
    assert response.status_code == 200 and response.context["form"].errors["subject"]
    data["subject"] = "Potwierdziliśmy dostęp do lokalu {{ unit }}"
    data["key"] = "cos-innego"  # the key is fixed: the code asks for the template by it
    assert editor.post(edit_url, data).status_code == 302
    template.refresh_from_db()
    assert (template.key, template.subject) == ("membership-verified", "Potwierdziliśmy dostęp do lokalu {{ unit }}")
    assert staff_client(StaffRole.DISPATCHER).post(edit_url, data).url == "/admin/"
