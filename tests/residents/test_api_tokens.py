"""Bearer tokens for mobile clients: issued by tokenSignIn, honoured on requests, revoked, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from operations.residents import errors as residents_errors
from operations.residents import services
from operations.residents.models import SignInAttempt

pytestmark = pytest.mark.django_db

TOKEN_SIGN_IN = """
mutation($username: String!, $password: String!, $clientName: String!) {
  tokenSignIn(username: $username, password: $password, clientName: $clientName) {
    token
    viewer { username }
    errors { field code message }
  }
}
"""
TOKEN_REVOKE = "mutation { tokenRevoke { revoked errors { code } } }"
WHO = "{ viewer { username } }"


@pytest.fixture
def token(graphql, person, password):
    data = graphql(TOKEN_SIGN_IN, {"username": "jan.kowalski", "password": password, "clientName": "Telefon Jana"})
    assert data["tokenSignIn"]["errors"] == []
    return data["tokenSignIn"]["token"]


def test_token_sign_in_returns_a_token_once(graphql, token, person):
    stored = APIToken.objects.get()
    assert stored.user == person and stored.name == "Telefon Jana"
    assert token not in (stored.key_hash, stored.prefix)  # only a digest is kept
    attempt = SignInAttempt.objects.get()
    assert attempt.channel == "token" and attempt.outcome == "success"


def test_token_authenticates_requests(graphql, token):
    assert graphql(WHO, token=token) == {"viewer": {"username": "jan.kowalski"}}
    assert graphql(WHO) == {"viewer": None}  # the same client without the header is anonymous


def test_revoked_token_stops_working(graphql, token):
    assert graphql(TOKEN_REVOKE, token=token) == {"tokenRevoke": {"revoked": True, "errors": []}}
    assert graphql(WHO, token=token) == {"viewer": None}
    assert APIToken.objects.get().revoked_at is not None


def test_revoke_needs_a_token(graphql_for, person):
    data = graphql_for(person)(TOKEN_REVOKE)["tokenRevoke"]
    assert data == {"revoked": False, "errors": [{"code": "NOT_TOKEN_AUTHENTICATED"}]}


def test_expired_token_stops_working(graphql, token, settings, monkeypatch):
    later = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert graphql(WHO, token=token) == {"viewer": None}


def test_token_of_a_disabled_account_stops_working(graphql, token, person):
    person.is_active = False
    person.save()
    assert graphql(WHO, token=token) == {"viewer": None}


def test_wrong_password_gets_no_token(graphql, person):
    data = graphql(TOKEN_SIGN_IN, {"username": "jan.kowalski", "password": "zle", "clientName": "Telefon"})
    assert data["tokenSignIn"]["token"] is None
    assert [e["code"] for e in data["tokenSignIn"]["errors"]] == ["INVALID_CREDENTIALS"]
    assert not APIToken.objects.exists()


def test_client_name_is_checked_before_the_password(graphql, person, password):
    data = graphql(TOKEN_SIGN_IN, {"username": "jan.kowalski", "password": password, "clientName": "  "})
    assert [(e["field"], e["code"]) for e in data["tokenSignIn"]["errors"]] == [("clientName", "CLIENT_NAME_INVALID")]
    assert not SignInAttempt.objects.exists()  # costs no attempt


def test_session_sign_out_with_a_token_is_refused(graphql, token):
    data = graphql("mutation { sessionSignOut { signedOut errors { code } } }", token=token)
    assert data == {"sessionSignOut": {"signedOut": False, "errors": [{"code": "TOKEN_AUTHENTICATED"}]}}


def test_revoke_service_refuses_unknown_tokens(token):
    with pytest.raises(services.ServiceError) as refused:
        services.api_token_revoke(raw_token="wagtail_not-a-token")
    assert refused.value.code == residents_errors.TokenErrorCode.TOKEN_UNKNOWN
    services.api_token_revoke(raw_token=token)
    with pytest.raises(services.ServiceError):
        services.api_token_revoke(raw_token=token)  # already revoked


def test_a_password_change_revokes_every_token(graphql, token, person):
    person.set_password("Nowe-Haslo-2027!")
    person.save()
    assert graphql(WHO, token=token)["viewer"] is None


def test_other_saves_keep_the_token(graphql, token, person):
    person.first_name = "Janek"
    person.save()
    assert graphql(WHO, token=token)["viewer"]["username"] == "jan.kowalski"


def test_a_token_does_not_open_the_admin(client, token, person):
    from operations.residents.roles import StaffRole

    services.staff_role_assign(user=person, role=StaffRole.ADMINISTRATOR)
    response = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
