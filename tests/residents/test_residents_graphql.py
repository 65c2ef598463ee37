"""The residents API for each kind of viewer: viewer, sign-in history, session sign-in."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.contractors.models import ContractorIndexPage, ContractorPage
from cms.contractors.services import contractor_staff_add, trade_create
from cms.home.models import HomePage
from operations.residents import services
from operations.residents.models import SignInAttempt
from operations.residents.roles import StaffRole
from tests.factories.residents import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEWER = """
query {
  viewer {
    username firstName lastName email isStaff staffRoles
    memberships {
      role status rejectionReason
      unit { number floor area share kind building { code address estate { name } } }
    }
  }
}
"""

HISTORY = """
query($first: Int!) { viewer { signInHistory(first: $first) { createdAt ipAddress userAgent channel outcome } } }
"""

SESSION_SIGN_IN = """
mutation($username: String!, $password: String!) {
  sessionSignIn(username: $username, password: $password) {
    viewer { username }
    errors { field message code }
  }
}
"""


@pytest.fixture
def resident_a(unit_a1):
    resident = UserFactory(username="resident.a")
    MembershipFactory(user=resident, unit=unit_a1, verified=True)
    return resident


@pytest.fixture
def resident_b(unit_b1):
    resident = UserFactory(username="resident.b")
    MembershipFactory(user=resident, unit=unit_b1, verified=True)
    return resident


@pytest.fixture
def contractor(db):
    directory = HomePage.objects.get(slug="home").add_child(
        instance=ContractorIndexPage(title="Wykonawcy", slug="wykonawcy")
    )
    firm = directory.add_child(
        instance=ContractorPage(
            title="Hydro-Serwis", slug="hydro-serwis", trade=trade_create(name="Hydraulik", slug="hydraulik")
        )
    )
    plumber = UserFactory(username="contractor.plumber")
    contractor_staff_add(user=plumber, firm=firm)
    return plumber


@pytest.fixture
def dispatcher(db):
    user = UserFactory(username="dispatcher")
    services.staff_role_assign(user=user, role=StaffRole.DISPATCHER)
    return user


def test_anonymous_viewer_is_null(graphql):
    assert graphql(VIEWER) == {"viewer": None}


def test_resident_sees_own_membership(graphql_for, resident_a, resident_b):
    viewer = graphql_for(resident_a)(VIEWER)["viewer"]
    assert viewer["username"] == "resident.a"
    assert viewer["isStaff"] is False and viewer["staffRoles"] == []
    assert viewer["memberships"] == [
        {
            "role": "OWNER",
            "status": "VERIFIED",
            "rejectionReason": None,
            "unit": {
                "number": "1",
                "floor": 1,
                "area": "48.50",
                "share": "0.012345",
                "kind": "RESIDENTIAL",
                "building": {
                    "code": "A",
                    "address": "ul. Lipowa 1, 00-950 Warszawa",
                    "estate": {"name": "Zielone Wzgórze"},
                },
            },
        }
    ]


def test_resident_of_another_building_sees_only_theirs(graphql_for, resident_a, resident_b):
    memberships = graphql_for(resident_b)(VIEWER)["viewer"]["memberships"]
    assert [m["unit"]["building"]["code"] for m in memberships] == ["B"]


def test_rejected_request_shows_its_reason(graphql_for, person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1)
    services.membership_reject(membership=membership, decided_by=superuser, reason="Brak tytułu prawnego.")
    memberships = graphql_for(person)(VIEWER)["viewer"]["memberships"]
    assert [(m["status"], m["rejectionReason"]) for m in memberships] == [("REJECTED", "Brak tytułu prawnego.")]


def test_contractor_viewer(graphql_for, contractor):
    viewer = graphql_for(contractor)(VIEWER)["viewer"]
    assert viewer["isStaff"] is False and viewer["memberships"] == []


def test_staff_viewer(graphql_for, dispatcher):
    viewer = graphql_for(dispatcher)(VIEWER)["viewer"]
    assert viewer["isStaff"] is True and viewer["staffRoles"] == ["DISPATCHER"]


def test_superuser_is_staff(graphql_for, superuser):
    assert graphql_for(superuser)(VIEWER)["viewer"]["isStaff"] is True


def test_unit_proofs_are_not_in_the_schema(graphql_for, resident_a):
    client = graphql_for(resident_a)
    response = client.client.post(
        "/graphql",
        data=json.dumps({"query": "{ viewer { memberships { unit { accessCode landRegisterNumber } } } }"}),
        content_type="application/json",
    )
    errors = response.json()["errors"]
    assert "accessCode" in errors[0]["message"]


def count_queries(client: Client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/graphql", data=json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json()
    return len(captured.captured_queries)


VIEWER_WITH_HISTORY = VIEWER.replace("isStaff staffRoles", "isStaff staffRoles signInHistory(first: 50) { outcome }")


def test_viewer_query_count_does_not_grow(person, password, building_a, make_request):
    client = Client()
    client.force_login(person)
    MembershipFactory(user=person, unit=UnitFactory(building=building_a, number="100"), verified=True)
    services.user_sign_in(request=make_request(), username="jan.kowalski", password=password, channel="session")
    one = count_queries(client, VIEWER_WITH_HISTORY)
    for number in range(101, 105):
        MembershipFactory(user=person, unit=UnitFactory(building=building_a, number=str(number)), verified=True)
        services.user_sign_in(request=make_request(), username="jan.kowalski", password=password, channel="session")
    five = count_queries(client, VIEWER_WITH_HISTORY)
    assert one == five
    # Session, user, staff roles, memberships with unit, building and estate joined, history.
    assert five == 5


def test_sign_in_history_is_own_only(graphql_for, person, password, make_request):
    other = UserFactory(username="anna")
    services.user_sign_in(
        request=make_request(ip="10.0.0.1"), username="jan.kowalski", password=password, channel="session"
    )
    with pytest.raises(services.ServiceError):
        services.user_sign_in(
            request=make_request(ip="10.0.0.66"), username="jan.kowalski", password="zgadywanie", channel="token"
        )
    services.user_sign_in(request=make_request(ip="10.0.0.2"), username="anna", password=password, channel="session")

    history = graphql_for(person)(HISTORY, {"first": 20})["viewer"]["signInHistory"]
    assert [(h["ipAddress"], h["channel"], h["outcome"]) for h in history] == [
        ("10.0.0.66", "TOKEN", "FAILURE"),  # someone guessing at my account: I should see it
        ("10.0.0.1", "SESSION", "SUCCESS"),
    ]
    assert history[1]["userAgent"] == "pytest-browser/1.0"
    other_history = graphql_for(other)(HISTORY, {"first": 20})["viewer"]["signInHistory"]
    assert [h["ipAddress"] for h in other_history] == ["10.0.0.2"]


def test_sign_in_history_page_size(graphql_for, person, password, make_request):
    for _ in range(3):
        services.user_sign_in(request=make_request(), username="jan.kowalski", password=password, channel="session")
    client = graphql_for(person)
    assert len(client(HISTORY, {"first": 2})["viewer"]["signInHistory"]) == 2
    response = client.client.post(
        "/graphql", data=json.dumps({"query": HISTORY, "variables": {"first": 101}}), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- Session sign-in ---------------------------------------------------------------------------------


def post(client: Client, query: str, variables: dict | None = None, **headers):
    response = client.post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )
    return response




def test_mobile_client_without_cookies_can_sign_in(person, password):
    app = Client(enforce_csrf_checks=True)  # a phone: no cookies, no CSRF token
    query = (
        'mutation($p: String!) { tokenSignIn(username: "jan.kowalski", password: $p, clientName: "Telefon") { token } }'
    )
    response = post(app, query, {"p": password})
    assert response.status_code == 200
    assert response.json()["data"]["tokenSignIn"]["token"]


def test_session_sign_in_without_csrf_token_is_refused(person, password):
    browser = Client(enforce_csrf_checks=True)
    response = post(browser, SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password})
    data = response.json()["data"]["sessionSignIn"]
    assert data["viewer"] is None
    assert [e["code"] for e in data["errors"]] == ["CSRF"]
    assert "sessionid" not in response.cookies
    assert not SignInAttempt.objects.exists()  # refused before the password was even looked at


def test_session_sign_in_with_csrf_token(person, password):
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/graphql", {"query": "{ csrfToken }"}).json()["data"]["csrfToken"]
    assert "csrftoken" in browser.cookies

    response = post(
        browser, SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password}, HTTP_X_CSRFTOKEN=token
    )
    data = response.json()["data"]["sessionSignIn"]
    assert data == {"viewer": {"username": "jan.kowalski"}, "errors": []}
    assert "sessionid" in response.cookies
    attempt = SignInAttempt.objects.get()
    assert attempt.channel == "session" and attempt.outcome == "success"

    # The session now speaks for the person; with the session cookie, CSRF is required on every POST.
    new_token = browser.cookies["csrftoken"].value  # rotated at sign-in
    viewer = post(browser, "{ viewer { username } }", HTTP_X_CSRFTOKEN=new_token).json()["data"]["viewer"]
    assert viewer == {"username": "jan.kowalski"}
    assert post(browser, "{ viewer { username } }").status_code == 403

    signed_out = post(browser, "mutation { sessionSignOut { signedOut errors { code } } }", HTTP_X_CSRFTOKEN=new_token)
    assert signed_out.json()["data"]["sessionSignOut"] == {"signedOut": True, "errors": []}
    after = post(browser, "{ viewer { username } }", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert after.json()["data"]["viewer"] is None


def test_session_sign_in_wrong_password_is_a_typed_error(graphql, person):
    data = graphql(SESSION_SIGN_IN, {"username": "jan.kowalski", "password": "nie to"})["sessionSignIn"]
    assert data["viewer"] is None
    assert [(e["field"], e["code"]) for e in data["errors"]] == [(None, "INVALID_CREDENTIALS")]
    assert data["errors"][0]["message"]


def test_session_sign_in_throttled_is_a_typed_error(graphql, person, password, settings):
    for _ in range(settings.SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS):
        graphql(SESSION_SIGN_IN, {"username": "jan.kowalski", "password": "nie to"})
    data = graphql(SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password})["sessionSignIn"]
    assert [e["code"] for e in data["errors"]] == ["THROTTLED"]
    assert SignInAttempt.objects.filter(outcome="throttled").count() == 1


def test_session_sign_in_records_once(graphql, person, password):
    graphql(SESSION_SIGN_IN, {"username": "jan.kowalski", "password": password})
    graphql(SESSION_SIGN_IN, {"username": "jan.kowalski", "password": "nie to"})
    assert SignInAttempt.objects.count() == 2
