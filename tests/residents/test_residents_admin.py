"""The residents section of the Wagtail admin, driven through the test client."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from operations.residents import services
from operations.residents.models import (
    Audience,
    Building,
    Estate,
    Membership,
    SignInAttempt,
    Unit,
)
from operations.residents.roles import StaffRole
from tests.factories.residents import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def staff_client(role: StaffRole) -> Client:
    user = UserFactory(username=f"staff.{role.value}")
    services.staff_role_assign(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pending(person, unit_a1):
    return MembershipFactory(user=person, unit=unit_a1, proof_value=unit_a1.access_code)


def test_verification_list_shows_pending_requests_and_proof_match(admin_client, pending, unit_a2):
    mismatched = MembershipFactory(unit=unit_a2, proof_value="ZLY-KOD-123")
    response = admin_client.get("/admin/verification/")
    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert listed == [pending, mismatched]  # oldest first
    html = response.content.decode()
    # The list shows whether a proof matches, never the secret itself (details page only).
    assert "ZLY-KOD-123" not in html and "jan.kowalski" in html
    assert f"/admin/verification/verify/{pending.pk}/" in html
    assert [m.proof_matches for m in listed] == [True, False]


def test_verification_list_hides_decided_unless_asked(admin_client, pending, superuser):
    services.membership_verify(membership=pending, decided_by=superuser)
    assert list(admin_client.get("/admin/verification/").context["object_list"]) == []
    assert list(admin_client.get("/admin/verification/", {"status": ""}).context["object_list"]) == [pending]
    assert list(admin_client.get("/admin/verification/", {"status": "verified"}).context["object_list"]) == [pending]


def test_approve_through_the_admin(admin_client, pending, person, mailoutbox, django_capture_on_commit_callbacks):
    assert admin_client.get(f"/admin/verification/verify/{pending.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/verification/verify/{pending.pk}/", {"note": "KW sprawdzona"})
    assert response.status_code == 302 and response.url == "/admin/verification/"
    pending.refresh_from_db()
    assert pending.status == Membership.Status.VERIFIED and pending.decision_note == "KW sprawdzona"
    assert person.groups.filter(audience__building__code="A").exists()
    assert len(mailoutbox) == 1


def test_reject_through_the_admin_needs_a_reason(
    admin_client, pending, person, mailoutbox, django_capture_on_commit_callbacks
):
    response = admin_client.post(f"/admin/verification/reject/{pending.pk}/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/verification/reject/{pending.pk}/", {"reason": "Kod nie pasuje"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.REJECTED
    assert "Kod nie pasuje" in mailoutbox[0].body
    assert not person.groups.filter(audience__isnull=False).exists()


def test_end_through_the_admin(admin_client, pending, superuser, person):
    services.membership_verify(membership=pending, decided_by=superuser)
    assert admin_client.get(f"/admin/verification/end/{pending.pk}/").status_code == 200
    response = admin_client.post(f"/admin/verification/end/{pending.pk}/", {"confirm": "on"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ENDED
    assert not person.groups.filter(audience__isnull=False).exists()


def test_deciding_twice_shows_an_error_not_a_crash(admin_client, pending, superuser):
    services.membership_reject(membership=pending, decided_by=superuser, reason="x")
    response = admin_client.post(f"/admin/verification/verify/{pending.pk}/", {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert admin_client.get(f"/admin/verification/verify/{pending.pk}/").status_code == 302


def test_administrator_role_can_decide(pending):
    client = staff_client(StaffRole.ADMINISTRATOR)
    assert client.post(f"/admin/verification/verify/{pending.pk}/", {"note": ""}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.VERIFIED


def test_dispatcher_sees_the_list_but_cannot_decide(pending):
    client = staff_client(StaffRole.DISPATCHER)
    response = client.get("/admin/verification/")
    assert response.status_code == 200
    assert f"/admin/verification/verify/{pending.pk}/" not in response.content.decode()
    refused = client.post(f"/admin/verification/verify/{pending.pk}/", {"note": ""})
    assert (refused.status_code, refused.url) == (302, "/admin/")  # Wagtail's "permission denied" redirect
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_resident_cannot_enter(person, pending):
    client = Client()
    client.force_login(person)
    response = client.get("/admin/verification/")
    assert response.status_code == 302  # Wagtail sends people without admin access away


def test_memberships_cannot_be_edited_as_forms(admin_client, pending):
    assert admin_client.get(f"/admin/verification/edit/{pending.pk}/").status_code == 404
    assert admin_client.get("/admin/verification/new/").status_code == 404
    assert admin_client.get(f"/admin/verification/inspect/{pending.pk}/").status_code == 200


def test_estate_created_in_the_admin_gets_its_audience(admin_client):
    response = admin_client.post("/admin/estate/new/", {"name": "Osiedle Parkowe", "slug": "parkowe"})
    assert response.status_code == 302, response.context["form"].errors
    estate = Estate.objects.get(slug="parkowe")
    assert Audience.objects.get(estate=estate).group.name == "Osiedle: Osiedle Parkowe"


def test_building_created_and_renamed_in_the_admin(admin_client, estate):
    data = {
        "estate": estate.pk,
        "code": "C",
        "street": "ul. Lipowa",
        "number": "5",
        "postal_code": "00-950",
        "city": "Warszawa",
    }
    response = admin_client.post("/admin/building/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    building = Building.objects.get(code="C")
    assert building.audience.group.name == "Budynek C (ul. Lipowa 5)"

    response = admin_client.post(f"/admin/building/edit/{building.pk}/", {**data, "number": "5a"})
    assert response.status_code == 302
    assert Group.objects.filter(name="Budynek C (ul. Lipowa 5a)").exists()


def test_building_with_a_bad_postal_code_shows_the_field_error(admin_client, estate):
    data = {
        "estate": estate.pk,
        "code": "D",
        "street": "ul. Lipowa",
        "number": "7",
        "postal_code": "00950",
        "city": "Warszawa",
    }
    response = admin_client.post("/admin/building/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    assert not Building.objects.filter(code="D").exists()


def test_unit_created_in_the_admin(admin_client, building_a):
    data = {
        "building": building_a.pk,
        "number": "17",
        "kind": "residential",
        "floor": "3",
        "area": "52.30",
        "share": "0.021000",
        "land_register_number": "wa1m/00099999/1",
        "member_number": "",
        "access_code": "",
    }
    response = admin_client.post("/admin/unit/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Unit.objects.get(number="17").land_register_number == "WA1M/00099999/1"


def test_unit_in_use_is_not_deleted(admin_client, pending, unit_a1):
    response = admin_client.post(f"/admin/unit/delete/{unit_a1.pk}/")
    assert response.status_code == 302
    assert Unit.objects.filter(pk=unit_a1.pk).exists()


def test_sign_in_attempts_are_read_only_for_administrators(person, make_request):
    with pytest.raises(services.ServiceError):
        services.user_sign_in(request=make_request(), username="jan.kowalski", password="zle", channel="session")
    administrator = staff_client(StaffRole.ADMINISTRATOR)
    response = administrator.get("/admin/signinattempt/")
    assert response.status_code == 200 and "jan.kowalski" in response.content.decode()
    attempt = SignInAttempt.objects.get()
    assert administrator.get(f"/admin/signinattempt/inspect/{attempt.pk}/").status_code == 200
    assert administrator.get(f"/admin/signinattempt/edit/{attempt.pk}/").status_code == 404
    refused = staff_client(StaffRole.DISPATCHER).get("/admin/signinattempt/")
    assert (refused.status_code, refused.url) == (302, "/admin/")


# --- Admin sign-in --------------------------------------------------------------------------------


def admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR="10.8.8.8")


def test_stock_admin_login_is_recorded_once(superuser, password):
    client = Client()
    assert admin_login(client, "admin", "zle").status_code == 200
    assert admin_login(client, "admin", password).status_code == 302
    attempts = list(SignInAttempt.objects.order_by("created_at", "pk").values_list("channel", "outcome", "ip_address"))
    assert attempts == [("admin", "failure", "10.8.8.8"), ("admin", "success", "10.8.8.8")]


@pytest.fixture
def throttled_admin_login(settings):
    settings.WAGTAILADMIN_USER_LOGIN_FORM = "operations.residents.admin.forms.AdminLoginForm"


def test_throttled_admin_login_is_recorded_once(throttled_admin_login, superuser, password):
    client = Client()
    assert admin_login(client, "admin", "zle").status_code == 200
    assert admin_login(client, "admin", password).status_code == 302
    attempts = list(SignInAttempt.objects.order_by("created_at", "pk").values_list("channel", "outcome"))
    assert attempts == [("admin", "failure"), ("admin", "success")]


def test_throttled_admin_login_refuses_after_the_limit(throttled_admin_login, superuser, password, settings):
    client = Client()
    for _ in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        admin_login(client, "admin", "zle")
    response = admin_login(client, "admin", password)
    assert response.status_code == 200  # the form again, with the refusal
    assert "_auth_user_id" not in client.session
    assert SignInAttempt.objects.filter(outcome="throttled").count() == 1
