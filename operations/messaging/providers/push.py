"""Push providers: JSON files on disk (the embedded default) and Expo's push service.

The mobile client is expected to be a React Native (Expo) app; it registers the Expo
push token it gets from `getExpoPushTokenAsync`, and the hub sends through Expo, which
hands the notification on to FCM or APNs.
"""

from __future__ import annotations

import json
import re

from .base import OutgoingMessage, PermanentFailure, Provider, TemporaryFailure
from .files import JsonFileProvider
from .httpclient import post, require_http_url

# What a lock screen shows of a notification is about four lines; the whole payload
# must also stay under the 4 KiB APNs and FCM accept.
PUSH_BODY_MAX_CHARS = 178

_EXPO_TOKEN = re.compile(r"(?:ExponentPushToken|ExpoPushToken)\[[^\[\]\s]+\]")
_TOKEN_MAX_LENGTH = 255  # PushDevice.token


def is_valid_push_token(token: str) -> bool:
    """Whether `token` looks like an Expo push token: `ExponentPushToken[…]` or `ExpoPushToken[…]`."""
    return isinstance(token, str) and len(token) <= _TOKEN_MAX_LENGTH and _EXPO_TOKEN.fullmatch(token) is not None


def push_body(message: OutgoingMessage) -> str:
    text = " ".join((message.sms_text or message.text).split())
    if len(text) <= PUSH_BODY_MAX_CHARS:
        return text
    return text[: PUSH_BODY_MAX_CHARS - 1].rstrip() + "…"


def _refuse_unless_push_token(address: str) -> None:
    if not is_valid_push_token(address):
        raise PermanentFailure("not an Expo push token", bounced=True)


class FilePushProvider(JsonFileProvider):
    name = "push-file"
    folder = "push"
    rate_per_second = None

    def check_address(self, address: str) -> None:
        _refuse_unless_push_token(address)

    def payload(self, message: OutgoingMessage) -> dict:
        return {"to": message.address, "title": message.subject, "body": push_body(message), "url": message.link}


# Error values Expo puts in a push ticket's details.error, from "Send notifications with
# Expo's Push API" (https://docs.expo.dev/push-notifications/sending-notifications/,
# "Individual errors") and the ticket types of expo-server-sdk-node (src/ExpoClient.ts).
EXPO_DEVICE_NOT_REGISTERED = "DeviceNotRegistered"  # the app was uninstalled or notifications revoked
EXPO_MESSAGE_TOO_BIG = "MessageTooBig"  # payload over 4096 bytes
EXPO_DEVELOPER_ERROR = "DeveloperError"  # the request itself is wrong
# Temporary: InvalidCredentials and MismatchSenderId are the project's FCM/APNs
# credentials (an operator fixes them), MessageRateExceeded asks for back-off,
# ExpoError and ProviderError are trouble at Expo, FCM or APNs.
EXPO_TICKET_PERMANENT = {EXPO_MESSAGE_TOO_BIG, EXPO_DEVELOPER_ERROR}

# Codes of request-wide errors ("Request errors" in the same page); both are temporary.
EXPO_TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"  # over 600 notifications per second per project
EXPO_UNAUTHORIZED = "UNAUTHORIZED"  # push security is on and the access token is missing or wrong


class ExpoPushProvider(Provider):
    """Push notifications through Expo's push API, one message per request.

    A ticket with status "ok" means Expo accepted the notification, not that the phone
    got it; its id is what Expo's receipts are later looked up by. Expo has no
    idempotency key, so a retry after a lost answer may notify twice; that is the price
    of not losing notifications.
    """

    name = "expo"

    def __init__(
        self,
        *,
        access_token: str = "",
        url: str = "https://exp.host/--/api/v2/push/send",
        rate_per_second: float | None = 100,
        timeout: float = 10,
        **options,
    ):
        super().__init__(**options)
        self.access_token = access_token
        self.url = require_http_url(url, "ExpoPushProvider")
        self.rate_per_second = rate_per_second
        self.timeout = timeout

    def send(self, message: OutgoingMessage) -> str:
        _refuse_unless_push_token(message.address)
        notification = {
            "to": message.address,
            "title": message.subject,
            "body": push_body(message),
            "data": {"url": message.link} if message.link else {},
            "sound": "default",
        }
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        status, body = post(self.url, json.dumps(notification).encode(), headers, self.timeout)
        return _ticket_id(status, body)


def _ticket_id(status: int, body: bytes) -> str:
    if status == 429 or status >= 500:
        raise TemporaryFailure(f"Expo answered HTTP {status}")
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise TemporaryFailure(f"Expo answered HTTP {status} with a body that is not a JSON object")
    if answer.get("errors") or status >= 300:
        raise _request_failure(status, answer.get("errors"))
    ticket = answer.get("data")
    if isinstance(ticket, list):  # one ticket per message when `to` is a list
        ticket = ticket[0] if ticket else None
    if not isinstance(ticket, dict):
        raise TemporaryFailure("Expo answer has no push ticket")
    if ticket.get("status") == "ok" and ticket.get("id"):
        return str(ticket["id"])
    if ticket.get("status") == "error":
        raise _ticket_failure(ticket)
    raise TemporaryFailure(f"Expo push ticket has status {ticket.get('status')!r} and no id")


def _ticket_failure(ticket: dict) -> Exception:
    details = ticket.get("details") if isinstance(ticket.get("details"), dict) else {}
    error = details.get("error")
    reason = f"Expo {error or 'error'}: {str(ticket.get('message', ''))[:200]}"
    if error == EXPO_DEVICE_NOT_REGISTERED:
        return PermanentFailure(reason, bounced=True)
    if error in EXPO_TICKET_PERMANENT:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)


def _request_failure(status: int, errors) -> Exception:
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    reason = f"Expo HTTP {status} {code or 'error'}: {str(first.get('message', ''))[:200]}"
    # A 400 is a payload Expo will never accept ("Retry on failure" in Expo's docs);
    # rate limits, a wrong access token and anything unexpected may pass.
    if status == 400 and code not in (EXPO_TOO_MANY_REQUESTS, EXPO_UNAUTHORIZED):
        return PermanentFailure(reason)
    return TemporaryFailure(reason)
