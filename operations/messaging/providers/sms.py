"""SMS providers: JSON files on disk (the embedded default) and SMSAPI.pl.

The file provider lets the whole messaging pipeline run on a developer's machine or a
fresh install without an account anywhere: every SMS lands as a JSON file under
`MESSAGING_FILE_DIR/sms`. `SmsApiProvider` talks to SMSAPI.pl over HTTPS with the
standard library only.

`JsonFileProvider` and `post()` are shared with the push providers (push.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.core.exceptions import ImproperlyConfigured

from .base import OutgoingMessage, PermanentFailure, Provider, TemporaryFailure
from .files import JsonFileProvider
from .httpclient import post, require_http_url

# E.164: a plus, a country code that never starts with 0, at most 15 digits in all.
E164 = re.compile(r"\+[1-9][0-9]{7,14}")


def is_e164(number: str) -> bool:
    return E164.fullmatch(number) is not None


def sms_text(message: OutgoingMessage) -> str:
    return message.sms_text or message.text


class FileSmsProvider(JsonFileProvider):
    name = "sms-file"
    folder = "sms"
    rate_per_second = None

    def check_address(self, address: str) -> None:
        if not is_e164(address):
            raise PermanentFailure("phone number is not in E.164 form (+48600123456)", bounced=True)

    def payload(self, message: OutgoingMessage) -> dict:
        return {"to": message.address, "text": sms_text(message)}


# SMSAPI.pl error codes (the "error" field of sms.do's JSON answer), as listed in the
# error code table of SMSAPI's REST API documentation (https://www.smsapi.pl/docs,
# "Kody błędów" / "Error codes"). Codes not named here are treated as temporary: most
# of them are account or configuration problems an operator can fix (101/102 bad
# token, 103 no credits, 105 IP filter, 14 sender name not approved) or server-side
# trouble (201, 202, 203, 999), after which retries should take over.
SMSAPI_ERROR_MESSAGE_INVALID = 11  # message too long, empty, or characters not allowed with nounicode
SMSAPI_ERROR_TOO_MANY_PARTS = 12  # more parts than max_parts allows
SMSAPI_ERROR_NO_VALID_NUMBERS = 13  # invalid or blacklisted numbers
SMSAPI_ERROR_DUPLICATE_IDX = 53  # a message with this idx was already sent (check_idx=1)
SMSAPI_ERROR_NUMBER_BLACKLISTED = 57  # number on this account's blacklist
SMSAPI_ERROR_NUMBER_OPTED_OUT = 59  # number on the opt-out (STOP) list

SMSAPI_ADDRESS_REFUSED = {SMSAPI_ERROR_NO_VALID_NUMBERS, SMSAPI_ERROR_NUMBER_BLACKLISTED, SMSAPI_ERROR_NUMBER_OPTED_OUT}
SMSAPI_CONTENT_REFUSED = {SMSAPI_ERROR_MESSAGE_INVALID, SMSAPI_ERROR_TOO_MANY_PARTS}


class SmsApiProvider(Provider):
    """SMS through SMSAPI.pl's `sms.do` endpoint, authenticated with an OAuth token.

    Each SMS carries our idempotency key as `idx` with `check_idx=1`: if an earlier
    attempt reached SMSAPI but its answer was lost, SMSAPI refuses the repeat (error
    53) and we record the delivery as sent instead of texting the person twice.
    """

    name = "smsapi"

    def __init__(
        self,
        *,
        token: str,
        url: str = "https://api.smsapi.pl/sms.do",
        sender: str = "",
        rate_per_second: float | None = 10,
        timeout: float = 10,
        **options,
    ):
        super().__init__(**options)
        if not token:
            raise ImproperlyConfigured("SmsApiProvider needs an OAuth token (SMSAPI_TOKEN)")
        self.token = token
        self.url = require_http_url(url, "SmsApiProvider")
        self.sender = sender
        self.rate_per_second = rate_per_second
        self.timeout = timeout

    def send(self, message: OutgoingMessage) -> str:
        if not is_e164(message.address):
            raise PermanentFailure("phone number is not in E.164 form (+48600123456)", bounced=True)
        fields = {
            "to": message.address.removeprefix("+"),  # SMSAPI wants digits only, country code first
            "message": sms_text(message),
            "encoding": "utf-8",
            "format": "json",
        }
        if self.sender:
            fields["from"] = self.sender
        if message.idempotency_key:
            fields["idx"] = message.idempotency_key
            fields["check_idx"] = "1"
        status, body = post(
            self.url,
            urllib.parse.urlencode(fields).encode(),
            {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            self.timeout,
        )
        return self._message_id(status, body, message.idempotency_key)

    def _message_id(self, status: int, body: bytes, idempotency_key: str) -> str:
        # SMSAPI reports refusals as {"error": code, "message": ...}, with HTTP 200 as often
        # as with a 4xx status, so the code decides, not the status.
        if status == 429 or status >= 500:
            raise TemporaryFailure(f"SMSAPI answered HTTP {status}")
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise TemporaryFailure(f"SMSAPI answered HTTP {status} with a body that is not a JSON object")
        if answer.get("error") is not None:
            code = _int_or_none(answer["error"])
            if code == SMSAPI_ERROR_DUPLICATE_IDX and idempotency_key:
                # An earlier attempt with this idx reached SMSAPI; only its answer got lost.
                return f"duplicate:{idempotency_key}"
            raise _failure(code, answer)
        if status >= 300:
            raise TemporaryFailure(f"SMSAPI answered HTTP {status} without an error code")
        return self._accepted_id(answer)

    @staticmethod
    def _accepted_id(answer: dict) -> str:
        accepted = answer.get("list")
        if isinstance(accepted, list) and accepted and isinstance(accepted[0], dict) and accepted[0].get("id"):
            return str(accepted[0]["id"])
        raise TemporaryFailure("SMSAPI answer has neither an error nor a message id")


def _failure(code: int | None, answer: dict) -> Exception:
    reason = f"SMSAPI error {answer.get('error')}: {str(answer.get('message', ''))[:200]}".strip()
    if code in SMSAPI_ADDRESS_REFUSED:
        return PermanentFailure(reason, bounced=True)
    if code in SMSAPI_CONTENT_REFUSED:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
