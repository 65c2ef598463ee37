"""SMS and push providers against a real HTTP server on 127.0.0.1.

The server records every request (path, headers, body) and answers what the test
scripted, so the tests check both what a provider sends and how it reads each answer.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from django.core.exceptions import ImproperlyConfigured

from operations.messaging.providers import OutgoingMessage, PermanentFailure, TemporaryFailure, provider_for
from operations.messaging.providers.push import (
    PUSH_BODY_MAX_CHARS,
    ExpoPushProvider,
    FilePushProvider,
    is_valid_push_token,
)
from operations.messaging.providers.sms import FileSmsProvider, SmsApiProvider

PHONE = "+48600123456"
PUSH_TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"
KEY = "hub-delivery-42"


@dataclass
class Received:
    method: str
    path: str
    headers: Message
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True, strict_parsing=True))

    def json(self):
        return json.loads(self.body)


class FakeApi:
    """What the handler answers next, and what it received so far."""

    def __init__(self, url: str):
        self.url = url
        self.received: list[Received] = []
        self.status = 200
        self.body: bytes = b"{}"
        self.delay = 0.0
        self.released = threading.Event()  # set at teardown so a delayed answer stops waiting

    def answer(self, status: int = 200, body: object = None, *, delay: float = 0.0) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.delay = delay


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        api: FakeApi = self.server.api
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        api.received.append(Received("POST", self.path, self.headers, body))
        if api.delay:
            api.released.wait(api.delay)
        self.send_response(api.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(api.body)))
        self.end_headers()
        self.wfile.write(api.body)

    def log_message(self, *args):
        pass


class _FakeServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The timeout tests hang up before the answer on purpose: writing it then fails,
        # which socketserver would print as a traceback into a passing test run.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@pytest.fixture
def api(monkeypatch):
    # A proxy configured on the machine must not carry requests meant for 127.0.0.1.
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = _FakeServer(("127.0.0.1", 0), _Handler)
    server.api = FakeApi(f"http://127.0.0.1:{server.server_address[1]}")
    # A short poll interval keeps shutdown() from waiting half a second per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server.api
    server.api.released.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """An address nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/sms.do"


@pytest.fixture
def file_dir(settings, tmp_path):
    settings.MESSAGING_FILE_DIR = tmp_path / "messages"
    return settings.MESSAGING_FILE_DIR


def sms(address: str = PHONE, **fields) -> OutgoingMessage:
    values = {
        "subject": "Woda",
        "text": "Jutro od 8 do 12 nie będzie ciepłej wody w budynku B.",
        "sms_text": "Jutro 8-12 brak ciepłej wody, bud. B.",
        "idempotency_key": KEY,
    }
    return OutgoingMessage(address=address, **{**values, **fields})


def push(address: str = PUSH_TOKEN, **fields) -> OutgoingMessage:
    values = {
        "subject": "Przerwa w dostawie wody",
        "text": "Jutro od 8 do 12 nie będzie ciepłej wody w budynku B.",
        "sms_text": "Jutro 8-12 brak ciepłej wody, bud. B.",
        "link": "https://hub.example/news/woda/",
        "idempotency_key": KEY,
    }
    return OutgoingMessage(address=address, **{**values, **fields})


def smsapi(api: FakeApi, **options) -> SmsApiProvider:
    return SmsApiProvider(**{"token": "secret-token", "url": f"{api.url}/sms.do", **options})


def expo(api: FakeApi, **options) -> ExpoPushProvider:
    return ExpoPushProvider(**{"url": f"{api.url}/--/api/v2/push/send", **options})


SMSAPI_ACCEPTED = {"count": 1, "list": [{"id": "17000000000001", "points": 0.16, "number": "48600123456"}]}
EXPO_ACCEPTED = {"data": {"status": "ok", "id": "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX"}}


# --- file providers ------------------------------------------------------------------


def test_file_sms_writes_the_message_as_json(file_dir):
    message_id = FileSmsProvider().send(sms())

    files = list((file_dir / "sms").iterdir())
    assert [f.name for f in files] == [f"{KEY}.json"]
    assert message_id == KEY
    content = json.loads(files[0].read_text(encoding="utf-8"))
    assert content.pop("created_at")
    assert content == {"to": PHONE, "text": "Jutro 8-12 brak ciepłej wody, bud. B.", "idempotency_key": KEY}
    assert FileSmsProvider.rate_per_second is None


def test_file_sms_same_idempotency_key_keeps_one_file(file_dir):
    provider = FileSmsProvider()
    first = provider.send(sms(sms_text="first"))
    second = provider.send(sms(sms_text="second"))

    assert first == second
    files = list((file_dir / "sms").iterdir())
    assert len(files) == 1
    assert json.loads(files[0].read_text(encoding="utf-8"))["text"] == "second"


def test_file_sms_without_key_writes_one_file_per_send(file_dir):
    provider = FileSmsProvider()
    ids = {provider.send(sms(idempotency_key="")), provider.send(sms(idempotency_key=""))}

    assert len(ids) == 2
    assert {f.stem for f in (file_dir / "sms").iterdir()} == ids


def test_file_sms_refuses_a_number_that_is_not_e164(file_dir):
    with pytest.raises(PermanentFailure) as refused:
        FileSmsProvider().send(sms("600123456"))

    assert refused.value.bounced
    assert not (file_dir / "sms").exists()


def test_file_push_writes_title_body_and_link(file_dir):
    long_text = "Słowo " * 100
    message_id = FilePushProvider().send(push(sms_text="", text=long_text))
    FilePushProvider().send(push(sms_text="", text=long_text))

    files = list((file_dir / "push").iterdir())
    assert [f.stem for f in files] == [message_id] == [KEY]
    content = json.loads(files[0].read_text(encoding="utf-8"))
    assert content["to"] == PUSH_TOKEN
    assert content["title"] == "Przerwa w dostawie wody"
    assert content["url"] == "https://hub.example/news/woda/"
    assert content["idempotency_key"] == KEY
    assert len(content["body"]) == PUSH_BODY_MAX_CHARS == 178
    assert content["body"].startswith("Słowo Słowo") and content["body"].endswith("…")


def test_file_push_prefers_the_short_text(file_dir):
    FilePushProvider().send(push())

    content = json.loads((file_dir / "push" / f"{KEY}.json").read_text(encoding="utf-8"))
    assert content["body"] == "Jutro 8-12 brak ciepłej wody, bud. B."


def test_file_push_refuses_what_is_not_a_push_token(file_dir):
    with pytest.raises(PermanentFailure) as refused:
        FilePushProvider().send(push("not-a-token"))

    assert refused.value.bounced
    assert not (file_dir / "push").exists()


def test_an_unsafe_idempotency_key_still_gives_one_file_inside_the_folder(file_dir):
    provider = FileSmsProvider()
    first = provider.send(sms(idempotency_key="../../escape/me"))
    second = provider.send(sms(idempotency_key="../../escape/me"))

    assert first == second
    assert [f.stem for f in (file_dir / "sms").iterdir()] == [first]
    assert "/" not in first and not first.startswith(".")


# --- SMSAPI --------------------------------------------------------------------------


def test_smsapi_sends_the_documented_request(api):
    api.answer(200, SMSAPI_ACCEPTED)

    message_id = smsapi(api, sender="Spoldzielnia").send(sms())

    assert message_id == "17000000000001"
    [request] = api.received
    assert request.path == "/sms.do"
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert request.form() == {
        "to": "48600123456",
        "message": "Jutro 8-12 brak ciepłej wody, bud. B.",
        "from": "Spoldzielnia",
        "encoding": "utf-8",
        "format": "json",
        "idx": KEY,
        "check_idx": "1",
    }


def test_smsapi_without_sender_or_short_text(api):
    api.answer(200, SMSAPI_ACCEPTED)

    smsapi(api).send(sms(sms_text="", idempotency_key=""))

    form = api.received[0].form()
    assert "from" not in form
    assert "idx" not in form and "check_idx" not in form
    assert form["message"] == "Jutro od 8 do 12 nie będzie ciepłej wody w budynku B."


def test_smsapi_duplicate_idx_means_already_sent(api):
    api.answer(200, {"error": 53, "message": "Not unique idx parameter"})

    assert smsapi(api).send(sms()) == f"duplicate:{KEY}"
    assert api.received[0].form()["idx"] == KEY


def test_smsapi_duplicate_without_our_idx_is_not_taken_as_sent(api):
    api.answer(200, {"error": 53, "message": "Not unique idx parameter"})

    with pytest.raises(TemporaryFailure):
        smsapi(api).send(sms(idempotency_key=""))


@pytest.mark.parametrize(
    ("status", "body", "failure", "bounced"),
    [
        (200, {"error": 13, "message": "No correct phone numbers"}, PermanentFailure, True),
        (200, {"error": "13", "message": "No correct phone numbers"}, PermanentFailure, True),
        (200, {"error": 57, "message": "The number is blacklisted for this user"}, PermanentFailure, True),
        (200, {"error": 59, "message": "Number is added to OptOut list"}, PermanentFailure, True),
        (200, {"error": 11, "message": "Message too long"}, PermanentFailure, False),
        (200, {"error": 12, "message": "More parts than max_parts"}, PermanentFailure, False),
        (200, {"error": 103, "message": "Insufficient credits on Your account"}, TemporaryFailure, False),
        (401, {"error": 101, "message": "Invalid authorization info"}, TemporaryFailure, False),
        (200, {"error": 14, "message": "Wrong sender name"}, TemporaryFailure, False),
        (200, {"error": 201, "message": "System internal error"}, TemporaryFailure, False),
        (429, {"message": "Too many requests"}, TemporaryFailure, False),
        (500, b"Internal Server Error", TemporaryFailure, False),
        (503, {"error": 999, "message": "System internal error"}, TemporaryFailure, False),
        (502, {"error": 13, "message": "a gateway's body is not SMSAPI's word"}, TemporaryFailure, False),
        (200, b"<html>maintenance</html>", TemporaryFailure, False),
        (200, {"count": 0, "list": []}, TemporaryFailure, False),
        (403, {}, TemporaryFailure, False),
    ],
)
def test_smsapi_answers_map_to_failures(api, status, body, failure, bounced):
    api.answer(status, body)

    with pytest.raises(failure) as raised:
        smsapi(api).send(sms())

    assert type(raised.value) is failure
    assert getattr(raised.value, "bounced", False) is bounced
    assert len(api.received) == 1


def test_smsapi_timeout_is_temporary(api):
    api.answer(200, SMSAPI_ACCEPTED, delay=5)

    with pytest.raises(TemporaryFailure, match="no answer"):
        smsapi(api, timeout=0.2).send(sms())

    assert len(api.received) == 1


def test_smsapi_refused_connection_is_temporary(closed_port_url):
    with pytest.raises(TemporaryFailure, match="no answer"):
        SmsApiProvider(token="secret-token", url=closed_port_url).send(sms())


@pytest.mark.parametrize("address", ["600123456", "48600123456", "+48 600 123 456", "+4860", "+0486001234567", ""])
def test_smsapi_refuses_a_number_that_is_not_e164_without_calling(api, address):
    with pytest.raises(PermanentFailure) as refused:
        smsapi(api).send(sms(address))

    assert refused.value.bounced
    assert api.received == []


def test_smsapi_needs_a_token_and_an_http_url():
    with pytest.raises(ImproperlyConfigured):
        SmsApiProvider(token="")
    with pytest.raises(ImproperlyConfigured):
        SmsApiProvider(token="secret-token", url="file:///etc/passwd")
    assert SmsApiProvider(token="secret-token").rate_per_second == 10


def test_smsapi_is_built_from_settings(api, settings):
    settings.MESSAGING_PROVIDERS = {
        **settings.MESSAGING_PROVIDERS,
        "sms": {
            "BACKEND": "operations.messaging.providers.sms.SmsApiProvider",
            "OPTIONS": {"token": "from-settings", "url": f"{api.url}/sms.do", "sender": "", "rate_per_second": 5.0},
        },
    }
    api.answer(200, SMSAPI_ACCEPTED)

    provider = provider_for("sms")

    assert provider.rate_per_second == 5.0
    assert provider.send(sms()) == "17000000000001"
    assert api.received[0].headers["Authorization"] == "Bearer from-settings"


# --- Expo ----------------------------------------------------------------------------


def test_expo_sends_the_documented_request(api):
    api.answer(200, EXPO_ACCEPTED)

    ticket_id = expo(api, access_token="expo-token").send(push())

    assert ticket_id == "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX"
    [request] = api.received
    assert request.path == "/--/api/v2/push/send"
    assert request.headers["Authorization"] == "Bearer expo-token"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "to": PUSH_TOKEN,
        "title": "Przerwa w dostawie wody",
        "body": "Jutro 8-12 brak ciepłej wody, bud. B.",
        "data": {"url": "https://hub.example/news/woda/"},
        "sound": "default",
    }


def test_expo_without_access_token_link_or_short_text(api):
    api.answer(200, {"data": [{"status": "ok", "id": "ticket-1"}]})

    ticket_id = expo(api).send(push(sms_text="", link="", text="Długi tekst. " * 40))

    assert ticket_id == "ticket-1"
    [request] = api.received
    assert "Authorization" not in request.headers
    sent = request.json()
    assert sent["data"] == {}
    assert len(sent["body"]) == PUSH_BODY_MAX_CHARS
    assert sent["body"].startswith("Długi tekst. Długi")


def _ticket_error(error: str, message: str = "") -> dict:
    return {"data": {"status": "error", "message": message or error, "details": {"error": error}}}


@pytest.mark.parametrize(
    ("status", "body", "failure", "bounced"),
    [
        (200, _ticket_error("DeviceNotRegistered", f'"{PUSH_TOKEN}" is not a registered'), PermanentFailure, True),
        (200, _ticket_error("MessageTooBig"), PermanentFailure, False),
        (200, _ticket_error("DeveloperError"), PermanentFailure, False),
        (200, _ticket_error("InvalidCredentials"), TemporaryFailure, False),
        (200, _ticket_error("MismatchSenderId"), TemporaryFailure, False),
        (200, _ticket_error("MessageRateExceeded"), TemporaryFailure, False),
        (200, _ticket_error("ProviderError"), TemporaryFailure, False),
        (200, {"data": {"status": "error", "message": "something"}}, TemporaryFailure, False),
        (429, {"errors": [{"code": "TOO_MANY_REQUESTS", "message": "slow down"}]}, TemporaryFailure, False),
        (401, {"errors": [{"code": "UNAUTHORIZED", "message": "access token"}]}, TemporaryFailure, False),
        (400, {"errors": [{"code": "VALIDATION_ERROR", "message": "bad payload"}]}, PermanentFailure, False),
        (502, b"Bad Gateway", TemporaryFailure, False),
        (503, _ticket_error("DeviceNotRegistered"), TemporaryFailure, False),
        (200, b"not json", TemporaryFailure, False),
        (200, {"data": []}, TemporaryFailure, False),
    ],
)
def test_expo_answers_map_to_failures(api, status, body, failure, bounced):
    api.answer(status, body)

    with pytest.raises(failure) as raised:
        expo(api).send(push())

    assert type(raised.value) is failure
    assert getattr(raised.value, "bounced", False) is bounced
    assert len(api.received) == 1


def test_expo_timeout_is_temporary(api):
    api.answer(200, EXPO_ACCEPTED, delay=5)

    with pytest.raises(TemporaryFailure, match="no answer"):
        expo(api, timeout=0.2).send(push())

    assert len(api.received) == 1


def test_expo_refused_connection_is_temporary(closed_port_url):
    with pytest.raises(TemporaryFailure, match="no answer"):
        ExpoPushProvider(url=closed_port_url).send(push())


def test_expo_refuses_what_is_not_a_push_token_without_calling(api):
    with pytest.raises(PermanentFailure) as refused:
        expo(api).send(push("fcm:dOKpuo4qbsM:APA91bHkSmF84ROx7Y"))

    assert refused.value.bounced
    assert api.received == []


@pytest.mark.parametrize(
    ("token", "valid"),
    [
        ("ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]", True),
        ("ExpoPushToken[AbC-123_xyz]", True),
        ("ExponentPushToken[]", False),
        ("ExponentPushToken[abc", False),
        ("ExponentPushToken[ab c]", False),
        (" ExponentPushToken[abc]", False),
        ("ExponentPushToken[abc]\n", False),
        ("5fa729c6e535eb568g18fdabd35785fc60f41c161d9d7cf4b0bbb0d92437fda0", False),
        ("ExponentPushToken[" + "x" * 300 + "]", False),
        ("", False),
        (None, False),
    ],
)
def test_is_valid_push_token(token, valid):
    assert is_valid_push_token(token) is valid
