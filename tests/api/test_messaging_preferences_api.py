"""The messaging API's notification preferences and push devices, for each kind of viewer.

Moved out of test_messaging_api.py (the inbox) to keep each file to one area.
"""

from __future__ import annotations

import pytest

from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import NotificationPreference, NotificationSettings, PushDevice
from tests.api.messaging_api_helpers import (
    OTHER_TOKEN,
    PREFERENCES,
    PREFERENCES_UPDATE,
    PUSH_REGISTER,
    PUSH_UNREGISTER,
    TOKEN,
    client_error,
    codes,
    payload,
)

pytestmark = pytest.mark.django_db


# --- Preferences ------------------------------------------------------------------------------


def _kinds(preferences) -> dict[str, dict]:
    return {
        kind["kind"]: {**kind, "channels": {channel["channel"]: channel for channel in kind["channels"]}}
        for kind in preferences["kinds"]
    }


@pytest.mark.parametrize("viewer", ["resident_b", "contractor", "staff"])
def test_defaults(as_viewer, scenario, viewer):
    preferences = as_viewer(viewer).data(PREFERENCES)["viewer"]["notificationPreferences"]
    assert preferences["language"] == "pl"
    assert preferences["phone"] is None
    assert preferences["pushDevices"] == []
    kinds = _kinds(preferences)
    assert set(kinds) == {kind.name for kind in MessageKind}
    # Offers need consent: every channel off until the person turns one on.
    offers = kinds["OFFERS"]
    assert offers["needsConsent"] is True
    assert {name: channel["enabled"] for name, channel in offers["channels"].items()} == {
        "EMAIL": False,
        "SMS": False,
        "PUSH": False,
    }
    # Account e-mail is on and locked; SMS costs money and is never on by default.
    account_email = kinds["ACCOUNT"]["channels"]["EMAIL"]
    assert (account_email["enabled"], account_email["locked"]) == (True, True)
    assert account_email["label"]
    assert kinds["ACCOUNT"]["needsConsent"] is False
    assert not any(kind["channels"]["SMS"]["enabled"] for kind in kinds.values())
    assert kinds["OUTAGE_ALERT"]["channels"]["PUSH"]["enabled"] is True
    assert [kind for kind, value in kinds.items() if any(c["locked"] for c in value["channels"].values())] == [
        "ACCOUNT"
    ]


def test_labels_follow_the_language_of_the_request(as_viewer, scenario):
    gql = as_viewer("resident_a")
    english = gql.data(PREFERENCES, HTTP_ACCEPT_LANGUAGE="en")["viewer"]["notificationPreferences"]
    kinds = _kinds(english)
    assert kinds["OUTAGE_ALERT"]["label"] == "outage alerts"
    assert kinds["OUTAGE_ALERT"]["description"].startswith("Water, heating or power cuts")
    assert kinds["ACCOUNT"]["channels"]["PUSH"]["label"] == "mobile app notification"
    polish = gql.data(PREFERENCES, HTTP_ACCEPT_LANGUAGE="pl")["viewer"]["notificationPreferences"]
    # Whatever the Polish catalogue says today, the labels come from it and stay non-empty.
    assert all(kind["label"] and kind["description"] for kind in polish["kinds"])


def test_update_round_trip(as_viewer, scenario):
    gql = as_viewer("resident_a")
    variables = {
        "input": {
            "language": "en",
            "phone": "600 123 456",
            "choices": [
                {"kind": "OFFERS", "channel": "EMAIL", "enabled": True},
                {"kind": "OUTAGE_ALERT", "channel": "SMS", "enabled": True},
                {"kind": "ANNOUNCEMENT", "channel": "PUSH", "enabled": False},
                {"kind": "ACCOUNT", "channel": "EMAIL", "enabled": True},  # locked on: saying "on" is fine
            ],
        }
    }
    result = payload(gql, PREFERENCES_UPDATE, variables, "notificationPreferencesUpdate")
    assert result["errors"] == []
    assert result["preferences"]["language"] == "en"
    assert result["preferences"]["phone"] == "+48600123456"

    kinds = _kinds(gql.data(PREFERENCES)["viewer"]["notificationPreferences"])
    assert kinds["OFFERS"]["channels"]["EMAIL"]["enabled"] is True
    assert kinds["OFFERS"]["channels"]["SMS"]["enabled"] is False
    assert kinds["OUTAGE_ALERT"]["channels"]["SMS"]["enabled"] is True
    assert kinds["ANNOUNCEMENT"]["channels"]["PUSH"]["enabled"] is False
    assert kinds["ANNOUNCEMENT"]["channels"]["EMAIL"]["enabled"] is True  # untouched

    # Only what was named changes next time; phone "" removes the number.
    result = payload(gql, PREFERENCES_UPDATE, {"input": {"phone": ""}}, "notificationPreferencesUpdate")
    assert result["errors"] == [] and result["preferences"]["phone"] is None
    assert result["preferences"]["language"] == "en"
    assert _kinds(result["preferences"])["OUTAGE_ALERT"]["channels"]["SMS"]["enabled"] is True
    # Another person's preferences are not touched.
    assert not NotificationPreference.objects.exclude(user=scenario.user("resident_a")).exists()


def test_locked_channel_cannot_be_turned_off_and_nothing_is_saved(as_viewer, scenario):
    gql = as_viewer("resident_a")
    variables = {
        "input": {
            "phone": "+48 600 123 456",
            "language": "en",
            "choices": [
                {"kind": "OFFERS", "channel": "EMAIL", "enabled": True},
                {"kind": "ACCOUNT", "channel": "EMAIL", "enabled": False},
            ],
        }
    }
    result = payload(gql, PREFERENCES_UPDATE, variables, "notificationPreferencesUpdate")
    assert result["preferences"] is None
    assert codes(result) == [("choices.1.enabled", "CHANNEL_LOCKED")]
    assert result["errors"][0]["message"]
    user = scenario.user("resident_a")
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert not NotificationSettings.objects.filter(user=user).exists()
    kinds = _kinds(gql.data(PREFERENCES)["viewer"]["notificationPreferences"])
    assert kinds["OFFERS"]["channels"]["EMAIL"]["enabled"] is False
    assert kinds["ACCOUNT"]["channels"]["EMAIL"]["enabled"] is True


def test_every_problem_is_reported_and_nothing_is_saved(as_viewer, scenario):
    gql = as_viewer("resident_a")
    variables = {
        "input": {
            "phone": "call me maybe",
            "choices": [
                {"kind": "OUTAGE_ALERT", "channel": "SMS", "enabled": True},
                {"kind": "ACCOUNT", "channel": "EMAIL", "enabled": False},
            ],
        }
    }
    result = payload(gql, PREFERENCES_UPDATE, variables, "notificationPreferencesUpdate")
    assert sorted(codes(result)) == [("choices.1.enabled", "CHANNEL_LOCKED"), ("phone", "PHONE_INVALID")]
    assert not NotificationPreference.objects.filter(user=scenario.user("resident_a")).exists()


@pytest.mark.parametrize("phone", ["call me", "+48 12", "+48 600 123 456 789", "600-123-45", "+0600123456"])
def test_phone_garbage(as_viewer, scenario, phone):
    user = scenario.user("resident_a")
    NotificationSettings.objects.create(user=user, phone="+48600000001")
    result = payload(
        as_viewer("resident_a"),
        PREFERENCES_UPDATE,
        {"input": {"phone": phone, "language": "en"}},
        "notificationPreferencesUpdate",
    )
    assert codes(result) == [("phone", "PHONE_INVALID")]
    saved = NotificationSettings.objects.get(user=user)
    assert (saved.phone, saved.language) == ("+48600000001", "pl")


def test_unknown_language(as_viewer, scenario):
    result = payload(
        as_viewer("resident_a"), PREFERENCES_UPDATE, {"input": {"language": "de"}}, "notificationPreferencesUpdate"
    )
    assert codes(result) == [("language", "LANGUAGE_INVALID")]


@pytest.mark.parametrize(
    "choice",
    [
        {"kind": "NOPE", "channel": "EMAIL", "enabled": True},
        {"kind": "OFFERS", "channel": "FAX", "enabled": True},
        {"kind": "offers", "channel": "EMAIL", "enabled": True},
        {"kind": "OFFERS", "channel": "EMAIL"},
        {"kind": "OFFERS", "channel": "EMAIL", "enabled": "yes"},
    ],
)
def test_unknown_kind_or_channel_in_choices(as_viewer, scenario, choice):
    client_error(as_viewer("resident_a"), PREFERENCES_UPDATE, {"input": {"choices": [choice]}})
    assert not NotificationPreference.objects.exists()


def test_consent_kind_reaches_nobody_until_they_say_yes(as_viewer, scenario):
    """Offers are off by default everywhere; after the person's yes, e-mail carries them."""
    from operations.messaging.selectors import channel_allowed_user_ids

    user = scenario.user("resident_a")
    assert channel_allowed_user_ids(kind=MessageKind.OFFERS, channel=Channel.EMAIL, user_ids=[user.pk]) == set()
    payload(
        as_viewer("resident_a"),
        PREFERENCES_UPDATE,
        {"input": {"choices": [{"kind": "OFFERS", "channel": "EMAIL", "enabled": True}]}},
        "notificationPreferencesUpdate",
    )
    assert channel_allowed_user_ids(kind=MessageKind.OFFERS, channel=Channel.EMAIL, user_ids=[user.pk]) == {user.pk}


# --- Push devices -----------------------------------------------------------------------------


def test_push_device_register_and_unregister(as_viewer, scenario):
    gql = as_viewer("resident_a")
    result = payload(gql, PUSH_REGISTER, {"token": TOKEN, "name": "  Pixel 8 "}, "pushDeviceRegister")
    assert result["errors"] == [] and result["device"]["name"] == "Pixel 8"
    # Registering again (every app start) keeps one device.
    payload(gql, PUSH_REGISTER, {"token": TOKEN, "name": "Pixel 8"}, "pushDeviceRegister")
    devices = gql.data(PREFERENCES)["viewer"]["notificationPreferences"]["pushDevices"]
    assert [device["name"] for device in devices] == ["Pixel 8"]
    assert PushDevice.objects.get(token=TOKEN).user == scenario.user("resident_a")

    # Another person cannot unregister it, and does not see it.
    other = as_viewer("resident_b")
    assert payload(other, PUSH_UNREGISTER, {"token": TOKEN}, "pushDeviceUnregister") == {
        "removed": False,
        "errors": [],
    }
    assert other.data(PREFERENCES)["viewer"]["notificationPreferences"]["pushDevices"] == []
    assert PushDevice.objects.filter(token=TOKEN).exists()

    gql = as_viewer("resident_a")
    assert payload(gql, PUSH_UNREGISTER, {"token": TOKEN}, "pushDeviceUnregister")["removed"] is True
    assert payload(gql, PUSH_UNREGISTER, {"token": TOKEN}, "pushDeviceUnregister")["removed"] is False
    assert not PushDevice.objects.exists()


def test_a_phone_passed_on_moves_to_whoever_registers_it(as_viewer, scenario):
    payload(as_viewer("resident_a"), PUSH_REGISTER, {"token": OTHER_TOKEN}, "pushDeviceRegister")
    payload(as_viewer("tenant_a"), PUSH_REGISTER, {"token": OTHER_TOKEN}, "pushDeviceRegister")
    assert PushDevice.objects.get(token=OTHER_TOKEN).user == scenario.user("tenant_a")


@pytest.mark.parametrize("token", ["", "   ", "abc", "ExponentPushToken[]", "ExponentPushToken[" + "x" * 300 + "]"])
def test_push_token_garbage(as_viewer, scenario, token):
    result = payload(as_viewer("resident_a"), PUSH_REGISTER, {"token": token}, "pushDeviceRegister")
    assert codes(result) == [("token", "PUSH_TOKEN_INVALID")]
    assert result["device"] is None
    assert not PushDevice.objects.exists()


def test_push_token_is_never_exposed(as_viewer, scenario):
    gql = as_viewer("resident_a")
    payload(gql, PUSH_REGISTER, {"token": TOKEN}, "pushDeviceRegister")
    client_error(gql, "{ viewer { notificationPreferences { pushDevices { token } } } }")


# --- Query counts -----------------------------------------------------------------------------


def test_preferences_query_count_is_constant(as_viewer, scenario):
    gql = as_viewer("resident_a")
    few, _data = gql.count_queries(PREFERENCES)
    for n in range(10):
        PushDevice.objects.create(user=scenario.user("resident_a"), token=f"ExponentPushToken[t{n}]", name=f"p{n}")
    NotificationPreference.objects.create(
        user=scenario.user("resident_a"), kind=MessageKind.OFFERS, channel=Channel.SMS, enabled=True
    )
    many, data = gql.count_queries(PREFERENCES)
    assert len(data["viewer"]["notificationPreferences"]["pushDevices"]) == 10
    assert few == many, (few, many)
    assert many <= 5, many
