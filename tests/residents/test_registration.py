"""Registration: a new person signs up, signs in and asks for a unit."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from operations.residents import services

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($username: String!, $email: String!, $password: String!, $firstName: String!, $lastName: String!) {
  userRegister(username: $username, email: $email, password: $password, firstName: $firstName, lastName: $lastName) {
    user { username email firstName lastName memberships { id } }
    errors { field code message }
  }
}
"""


def form(**overrides):
    values = {
        "username": "maria.zielinska",
        "email": "Maria.Zielinska@Example.PL",
        "password": "Pelargonie-na-balkonie-7",
        "firstName": "Maria",
        "lastName": "Zielińska",
    }
    values.update(overrides)
    return values


def test_registration_then_sign_in_and_request(graphql, unit_a1):
    data = graphql(REGISTER, form())["userRegister"]
    assert data["errors"] == []
    assert data["user"] == {
        "username": "maria.zielinska",
        "email": "Maria.Zielinska@example.pl",  # domain part normalised
        "firstName": "Maria",
        "lastName": "Zielińska",
        "memberships": [],
    }
    signed_in = graphql(
        """mutation { sessionSignIn(username: "maria.zielinska", password: "Pelargonie-na-balkonie-7") {
             viewer { username } errors { code } } }"""
    )
    assert signed_in["sessionSignIn"]["errors"] == []
    requested = graphql(
        """mutation { membershipRequest(buildingCode: "A", unitNumber: "1", role: TENANT,
                                        proofKind: ACCESS_CODE, proofValue: "A1-KOD-2026") {
             membership { status } errors { code } } }"""
    )
    assert requested["membershipRequest"] == {"membership": {"status": "PENDING"}, "errors": []}


def codes(data):
    return sorted((e["field"], e["code"]) for e in data["userRegister"]["errors"])


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"username": ""}, [("username", "USERNAME_INVALID")]),
        ({"username": "ma ria"}, [("username", "USERNAME_INVALID")]),
        ({"email": "maria@"}, [("email", "EMAIL_INVALID")]),
        ({"password": "123"}, None),  # several password messages, all PASSWORD_INVALID
        ({"password": "maria.zielinska"}, None),
        ({"firstName": " ", "lastName": ""}, [("firstName", "NAME_REQUIRED"), ("lastName", "NAME_REQUIRED")]),
    ],
)
def test_validation_errors(graphql, overrides, expected):
    data = graphql(REGISTER, form(**overrides))
    assert data["userRegister"]["user"] is None
    found = codes(data)
    if expected is None:
        assert found and {code for _field, code in found} == {"PASSWORD_INVALID"}
        assert {field for field, _code in found} == {"password"}
    else:
        assert found == expected
    assert all(e["message"] for e in data["userRegister"]["errors"])
    assert not get_user_model().objects.filter(username="maria.zielinska").exists()


def test_all_problems_are_reported_at_once(graphql):
    data = graphql(REGISTER, form(username="x y", email="nope", password="1", lastName=""))
    fields = {field for field, _code in codes(data)}
    assert fields == {"username", "email", "password", "lastName"}


def test_taken_username_and_email(graphql, person):
    data = graphql(REGISTER, form(username="Jan.Kowalski", email="JAN.KOWALSKI@example.pl"))
    assert codes(data) == [("email", "EMAIL_TAKEN"), ("username", "USERNAME_TAKEN")]


def test_service_returns_an_active_user_with_a_usable_password():
    user = services.user_register(
        username="tomasz", email="tomasz@example.pl", password="Kasztanowiec-2026", first_name="Tomasz", last_name="Lis"
    )
    assert user.is_active and user.check_password("Kasztanowiec-2026")
    assert not user.groups.exists()  # an unverified person sees only public content


def _sign_up(username: str, ip_address: str):
    return services.user_register(
        username=username,
        email=f"{username}@example.pl",
        password="Zielony-Balkon-42",
        first_name="Ewa",
        last_name="Nowa",
        ip_address=ip_address,
    )


def test_sign_ups_from_one_address_are_limited(settings):
    settings.REGISTRATION_LIMIT_PER_HOUR = 2
    _sign_up("nowy0", "203.0.113.5")
    _sign_up("nowy1", "203.0.113.5")
    with pytest.raises(services.ServiceError) as refused:
        _sign_up("nowy9", "203.0.113.5")
    assert refused.value.code == services.RegistrationErrorCode.THROTTLED
    _sign_up("sasiad", "198.51.100.5")  # another household is not affected
