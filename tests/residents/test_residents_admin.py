"""The residents section of the Wagtail admin, driven through the test client."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from cms.core.exceptions import ServiceError
from operations.residents import policy, services
from operations.residents.errors import MembershipErrorCode
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
    return viewer_for(role.value)[1]


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


# --- Decisions follow the policy, for every role --------------------------------------------------
#
# Per role, what the list offers, which decision views let the person in and who sees the
# proof; then, with the policy's answer changed, that the admin changes with it (so the
# views ask policy.py rather than knowing the rules themselves).

ROLES = ["administrator", "dispatcher", "accountant", "board", "resident"]
DECIDERS = {"administrator"}  # residents.change_membership
DECISIONS = {"verify": {"note": ""}, "reject": {"reason": "Kod nie pasuje"}, "end": {"confirm": "on"}}


def viewer_for(name: str, unit=None) -> tuple[object, Client]:
    """A person signed in: a member of staff with role `name`, or for "resident" a person
    holding a verified membership of `unit`."""
    if name == "resident":
        user = UserFactory(username="mieszkaniec")
        MembershipFactory(user=user, unit=unit, verified=True)
    else:
        user = UserFactory(username=f"staff.{name}")
        services.staff_role_assign(user=user, role=name)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def verified(unit_a2):
    return MembershipFactory(unit=unit_a2, verified=True)


def decision_url(decision: str, membership) -> str:
    return f"/admin/verification/{decision}/{membership.pk}/"


def offered(html: str, membership) -> set[str]:
    return {decision for decision in DECISIONS if decision_url(decision, membership) in html}


def assert_sent_to_sign_in(response) -> None:
    """Wagtail sends people without admin access to its sign-in page."""
    assert response.status_code == 302 and response.url.startswith("/admin/login/"), response


def assert_permission_denied(response) -> None:
    assert (response.status_code, response.url) == (302, "/admin/")  # Wagtail's "permission denied"


@pytest.mark.parametrize("role", ROLES)
def test_the_list_offers_each_role_what_the_policy_opens(role, pending, verified, unit_b1):
    user, client = viewer_for(role, unit_b1)
    response = client.get("/admin/verification/", {"status": ""})
    if role == "resident":
        assert_sent_to_sign_in(response)
        return
    assert response.status_code == 200
    html = response.content.decode()
    decides = role in DECIDERS
    assert offered(html, pending) == ({"verify", "reject"} if decides else set())
    assert offered(html, verified) == ({"end"} if decides else set())
    for membership in (pending, verified):
        actions = policy.membership_actions_open(user, membership, as_staff=True)
        assert offered(html, membership) == {name for name in DECISIONS if getattr(actions, name)}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_let_into_the_decisions_the_policy_allows(role, unit_a1, unit_b1, verified):
    _, client = viewer_for(role, unit_b1)
    targets = {"verify": MembershipFactory(unit=unit_a1), "reject": MembershipFactory(unit=unit_a1), "end": verified}
    expected = {"verify": "verified", "reject": "rejected", "end": "ended"}
    for decision, membership in targets.items():
        before = membership.status
        shown = client.get(decision_url(decision, membership))
        response = client.post(decision_url(decision, membership), DECISIONS[decision])
        membership.refresh_from_db()
        if role in DECIDERS:
            assert shown.status_code == 200, decision
            assert (response.status_code, response.url) == (302, "/admin/verification/"), decision
            assert membership.status == expected[decision]
            continue
        check = assert_sent_to_sign_in if role == "resident" else assert_permission_denied
        check(shown)
        check(response)
        assert membership.status == before, decision


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_proof_only_when_the_policy_says(role, pending, unit_b1):
    _, client = viewer_for(role, unit_b1)
    response = client.get(f"/admin/verification/inspect/{pending.pk}/")
    if role == "resident":
        assert_sent_to_sign_in(response)
        return
    assert response.status_code == 200
    assert (pending.proof_value in response.content.decode()) == (role in DECIDERS)


def test_staff_who_hold_a_membership_do_not_end_it_in_the_admin(unit_a1):
    """The service lets a person end their own membership (from the portal); the admin
    decides for the cooperative and asks the policy `as_staff`, so a dispatcher's own
    membership offers no button there and the end view refuses them."""
    dispatcher, client = viewer_for("dispatcher", unit_a1)
    own = MembershipFactory(user=dispatcher, unit=unit_a1, verified=True)
    assert policy.membership_end_refusal(dispatcher, own) is None  # what the service would take
    listed = client.get("/admin/verification/", {"status": ""}).content.decode()
    assert offered(listed, own) == set()
    assert_permission_denied(client.get(decision_url("end", own)))
    assert_permission_denied(client.post(decision_url("end", own), DECISIONS["end"]))
    own.refresh_from_db()
    assert own.status == Membership.Status.VERIFIED


def test_the_list_offers_what_the_policy_answers_not_what_the_status_says(monkeypatch, admin_client, pending):
    asked = []

    def answer(actor, membership, *, as_staff=False):
        asked.append(as_staff)
        return policy.MembershipActions(verify=False, reject=True, end=True)

    monkeypatch.setattr(policy, "membership_actions_open", answer)
    html = admin_client.get("/admin/verification/").content.decode()
    assert offered(html, pending) == {"reject", "end"}
    assert asked == [True]


def test_the_decision_views_let_in_whom_the_policy_lets_in(monkeypatch, admin_client, pending, verified):
    _, dispatcher = viewer_for("dispatcher", pending.unit)
    monkeypatch.setattr(policy, "membership_decision_refusal", lambda actor: None)
    monkeypatch.setattr(policy, "membership_end_refusal", lambda actor, membership, *, as_staff=False: None)
    for decision, membership in {"verify": pending, "reject": pending, "end": verified}.items():
        assert dispatcher.get(decision_url(decision, membership)).status_code == 200, decision

    refused = ServiceError(MembershipErrorCode.PERMISSION_DENIED, "Nie wolno.")
    monkeypatch.setattr(policy, "membership_decision_refusal", lambda actor: refused)
    monkeypatch.setattr(policy, "membership_end_refusal", lambda actor, membership, *, as_staff=False: refused)
    for decision, membership in {"verify": pending, "reject": pending, "end": verified}.items():
        assert_permission_denied(admin_client.get(decision_url(decision, membership)))
        assert_permission_denied(admin_client.post(decision_url(decision, membership), DECISIONS[decision]))
    pending.refresh_from_db()
    verified.refresh_from_db()
    assert (pending.status, verified.status) == (Membership.Status.PENDING, Membership.Status.VERIFIED)


def test_a_decision_the_policy_no_longer_opens_sends_back_to_the_list(monkeypatch, admin_client, pending):
    closed = policy.MembershipActions(verify=False, reject=False, end=False)
    monkeypatch.setattr(policy, "membership_actions_open", lambda actor, membership, *, as_staff=False: closed)
    response = admin_client.get(decision_url("verify", pending))
    assert (response.status_code, response.url) == (302, "/admin/verification/")


def test_the_proof_is_shown_to_whom_the_policy_shows_it(monkeypatch, admin_client, pending):
    _, dispatcher = viewer_for("dispatcher", pending.unit)
    page = f"/admin/verification/inspect/{pending.pk}/"
    monkeypatch.setattr(policy, "may_see_membership_proof", lambda user: True)
    assert pending.proof_value in dispatcher.get(page).content.decode()
    monkeypatch.setattr(policy, "may_see_membership_proof", lambda user: False)
    assert pending.proof_value not in admin_client.get(page).content.decode()
