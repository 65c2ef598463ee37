"""Browser tests of the resident portal and the staff admin: a real hub, the demo data, Debian's Chromium.

A hub is started for the session as a cooperative starts the demo (migrate, load the demo
data, serve), in its own process, on a database of its own: a SQLite file, or a new
PostgreSQL database beside the suite's when DATABASE_URL names PostgreSQL (dropped at
the end). Playwright for Python drives /usr/bin/chromium (never a downloaded browser),
with the flags this closed network needs. The tests are marked `e2e`; they are skipped,
saying why, when Chromium is not installed (scripts/test.sh installs it where it can).

Screenshots land in `test-artifacts/portal/` (the README names it).
"""

from __future__ import annotations

import collections
import contextlib
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "portal"
DEMO_PASSWORD = "demo-haslo-2026"  # demo_cooperative/data.py, as the README says
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The billing account test_portal_billing.py reads, whatever the demo's own books hold:
# resident.a's parking space on flat A/12, settled apart from the flat (an account that
# names her), posted through operations.billing.services as an import would: four months
# up to this one, last month's charges unpaid (overdue), a cold-water charge corrected,
# this month's charges due in ten days (the payment calendar), and a payment demand
# (services.document_issue). Balance -850.00, overdue 437.50. tenant.a sees no account
# (tenants do not, by default).
BILLING_PAYER = "Anna Nowak – miejsce postojowe P-14"
BILLING_SEED = f"""
import datetime
from decimal import Decimal
from django.utils import timezone
from operations.billing import services
from operations.billing.models import BillingAccount, LedgerEntry
from operations.residents.models import Membership

PAYER = {BILLING_PAYER!r}
today = timezone.localdate()

def month(back):
    year, number = divmod(today.year * 12 + today.month - 1 - back, 12)
    return datetime.date(year, number + 1, 1)

def charge(account, first, component, amount, title, due=None):
    return services.entry_post(
        account=account, kind=LedgerEntry.Kind.CHARGE, component=component, amount=Decimal(amount),
        booking_date=first, due_date=due or first.replace(day=15), title=title, process="browser tests",
    )

membership = Membership.objects.live().select_related("user", "unit").get(user__username="resident.a")
if not BillingAccount.objects.filter(payer_name=PAYER).exists():
    account = services.account_open(
        unit=membership.unit, payer_name=PAYER, opened_on=month(3), members=[membership.user]
    )
    for back in (3, 2, 1, 0):
        first = month(back)
        due = today + datetime.timedelta(days=10) if back == 0 else None
        charge(account, first, "maintenance", "350.00", f"Eksploatacja {{first:%m/%Y}}", due)
        charge(account, first, "repair_fund", "62.50", f"Fundusz remontowy {{first:%m/%Y}}", due)
        if back == 1:
            water = charge(account, first, "cold_water", "40.00", f"Woda zimna {{first:%m/%Y}}")
            services.entry_post(
                account=account, kind=LedgerEntry.Kind.CORRECTION, amount=Decimal("-15.00"), corrects=water,
                booking_date=first.replace(day=20), title="Korekta rozliczenia wody", process="browser tests",
            )
        if back in (3, 2):
            services.payment_record(
                account=account, amount=Decimal("412.50"), booking_date=first.replace(day=12),
                title=f"Opłaty {{first:%m/%Y}}", process="browser tests",
            )
    # A payment demand to download; the screen's other tests do without it if it cannot be made.
    try:
        services.document_issue(account=account, kind="demand", on=today, process="browser tests")
    except Exception as error:
        print("browser tests: no payment demand for the billing screen:", repr(error))
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


# --- What a failing test shows besides its traceback ---------------------------------------
# A browser test that times out says only what it waited for. Its report also shows what
# the browser asked the hub during the test (each request's operation, answer and time,
# and those still unanswered), what the page showed, and the end of the hub's log: a
# failure in CI, where the hub's log is gone afterwards, then says where it stopped.

_HUB_LOG: list[Path] = []  # the running hub's log


class _Traffic:
    """The requests one browser context made to the hub: answered ones (the last 60 of
    the test) and those still waiting."""

    answered: collections.deque[str] = collections.deque(maxlen=60)
    open_contexts: list[_Traffic] = []

    def __init__(self, context):
        self.waiting: dict = {}
        context.on("request", self._asked)
        context.on("response", lambda response: self._done(response.request, str(response.status)))
        context.on("requestfailed", lambda request: self._done(request, f"failed ({request.failure})"))

    def __enter__(self):
        _Traffic.open_contexts.append(self)
        return self

    def __exit__(self, *exc_info):
        _Traffic.open_contexts.remove(self)
        for request in list(self.waiting):
            self._done(request, "no answer before the page was closed")

    def _asked(self, request):
        self.waiting[request] = time.monotonic()

    def _done(self, request, outcome: str):
        began = self.waiting.pop(request, None)
        if outcome in ("200", "304") and _is_portal_file(request.url):
            return  # the portal's own scripts and styles, as expected
        took = f"{time.monotonic() - began:.2f} s" if began is not None else "?"
        _Traffic.answered.append(f"{time.strftime('%H:%M:%S')} {_described(request)} -> {outcome} after {took}")

    @classmethod
    def report(cls) -> str:
        lines = list(cls.answered)
        now = time.monotonic()
        for traffic in cls.open_contexts:
            for request, began in traffic.waiting.items():
                lines.append(f"still waiting after {now - began:.2f} s: {_described(request)}")
        return "\n".join(lines) or "(none)"


def _is_portal_file(url: str) -> bool:
    return "/portal/" in url and "/graphql" not in url


def operation_name(request) -> str | None:
    """The GraphQL operation a browser request asks for, or None (not JSON: an upload)."""
    try:
        payload = json.loads(request.post_data or "{}")
    except ValueError:  # a multipart upload (binary data does not decode either)
        return None
    return payload.get("operationName") if isinstance(payload, dict) else None


def _described(request) -> str:
    path = request.url.split("://", 1)[-1].partition("/")[2]
    operation = operation_name(request)
    return f"{request.method} /{path}" + (f" {operation}" if operation else "")


def pytest_runtest_setup(item):
    _Traffic.answered.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "hub" in getattr(item, "fixturenames", ()):
        report.sections.append(("the browser's requests to the hub", _Traffic.report()))
        for name, value in getattr(item, "funcargs", {}).items():
            shown = _page_shown(value)
            if shown:
                report.sections.append((f"what page `{name}` showed", shown))
        if _HUB_LOG and _HUB_LOG[0].exists():
            lines = _HUB_LOG[0].read_text(errors="replace").splitlines()
            tail = [line for line in lines if not re.search(r'"GET /portal/\S* HTTP/[\d.]+" (200|304) ', line)][-40:]
            report.sections.append(("the hub's log, last 40 lines (without the portal's files)", "\n".join(tail)))
    return report


def _page_shown(value) -> str | None:
    from playwright.sync_api import Page

    if not isinstance(value, Page) or value.is_closed():
        return None
    try:
        return f"{value.url}\n{value.locator('body').inner_text(timeout=2000)[:1500]}"
    except Exception as error:  # the page may be gone with its browser
        return f"{value.url} (its text could not be read: {error})"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(tmp: Path) -> tuple[str, callable]:
    """A database for the hub under test, and how to drop it."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'portal.sqlite3'}", lambda: None
    import psycopg

    head, _, _ = base.rpartition("/")
    name = f"portal_e2e_{os.getpid()}"
    admin = f"{head}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{head}/{name}", drop


_HUB_ENV: dict[str, str] = {}  # the running hub's environment, for `hub_shell`


@pytest.fixture(scope="session")
def hub_shell(hub):
    """Run code in `manage.py shell` against the running hub's database (data the demo
    does not have, set up as staff would in the admin); returns its output. A fixture, so
    that it reads this conftest's own `_HUB_ENV` (the module pytest loaded)."""

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            env=_HUB_ENV,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    return run


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    """The base URL of a hub serving the demo, as `scripts/demo.sh` would."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium); scripts/test.sh installs it as root")
    tmp = tmp_path_factory.mktemp("hub")
    port = _free_port()
    url, drop = _database_url(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": url,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_ROOT": str(tmp / "media"),
        "PYTHONUNBUFFERED": "1",
        # The browser tests report many tickets as one resident within the hour; the
        # limit itself is tested in tests/tickets.
        "TICKET_REPORTS_PER_USER_PER_HOUR": "500",
        # Some tests sign in with wrong passwords on purpose, all from 127.0.0.1: past the
        # address's soft limit every sign-in would wait, and past the hard limits (five
        # failures of one account within 15 minutes: two tests' desk and phone runs and
        # one more) the next test's correct sign-in was refused, in whatever order the
        # workers drew the tests. The limits and their delay are tested in tests/residents.
        "SIGNIN_DELAY_SECONDS": "0",
        "SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS": "1000",
        "SIGNIN_HARD_LIMIT_ADDRESS": "1000",
    }
    # Each hub its own caches: the suite's Redis database is shared by its workers.
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    log = open(tmp / "hub.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    _HUB_LOG[:] = [tmp / "hub.log"]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, cwd=ROOT, check=True, stdout=log, stderr=log)
    subprocess.run([*manage, "load_demo_data"], env=env, cwd=ROOT, check=True, stdout=log, stderr=log)
    subprocess.run([*manage, "shell", "-c", BILLING_SEED], env=env, cwd=ROOT, check=True, stdout=log, stderr=log)
    # Threaded, as the demo runs: on a single-threaded server one connection the
    # browser opens ahead and leaves idle (a preconnect) holds up every other request
    # until the browser gives it up, and a navigation timed out waiting for it.
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    _HUB_ENV.update(env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/graphql/operations.json", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the hub did not start: {(tmp / 'hub.log').read_text()[-2000:]}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        _HUB_ENV.clear()
        drop()


@pytest.fixture(scope="session")
def browser(hub):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(params=[360, 1280], ids=["phone", "desktop"])
def width(request) -> int:
    return request.param


@contextlib.contextmanager
def opened_page(browser, hub, width: int = 1280, height: int = 900, **options):
    """A page in a browser context of its own (no cookies), failing the test on any script
    error or any request to a host other than the hub."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=hub, locale="pl-PL", **options)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def outside(route):
        problems.append(f"request outside the hub: {route.request.url}")
        route.abort()

    context.route(lambda url: not url.startswith(hub), outside)
    try:
        with _Traffic(context):
            yield opened
    finally:
        context.close()
    assert not problems, problems


@pytest.fixture
def page(browser, hub, width):
    """A fresh page at the test's width (`opened_page`)."""
    with opened_page(browser, hub, width) as opened:
        yield opened


class HubApi:
    """One person's session on the hub's GraphQL endpoint, for what staff do in the admin
    and for setting up data (development settings accept any query, as the README says)."""

    def __init__(self, hub: str, username: str, password: str = DEMO_PASSWORD):
        self.hub = hub
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.run("query { csrfToken }")
        answer = self.run(
            "mutation($u: String!, $p: String!) { sessionSignIn(username: $u, password: $p) { errors { message } } }",
            u=username,
            p=password,
        )
        assert not answer["sessionSignIn"]["errors"], answer

    def run(self, query: str, **variables):
        token = next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")
        request = urllib.request.Request(
            f"{self.hub}/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": f"{self.hub}/"},
        )
        with self.opener.open(request, timeout=30) as response:
            answer = json.load(response)
        assert not answer.get("errors"), answer
        return answer["data"]

    def memberships(self):
        return self.run("query { viewer { memberships { status unit { id building { id } } } } }")["viewer"][
            "memberships"
        ]

    def category(self, slug: str) -> str:
        categories = self.run("query { ticketCategories { id slug } }")["ticketCategories"]
        return next(category["id"] for category in categories if category["slug"] == slug)

    def report(self, title: str, *, common: bool = False, slug: str = "hydraulika") -> str:
        """A ticket reported in the person's verified unit (or its building's common area): its id."""
        unit = next(m for m in self.memberships() if m["status"] == "VERIFIED")["unit"]
        place = {"buildingId": unit["building"]["id"]} if common else {"unitId": unit["id"]}
        created = self.run(
            "mutation($input: TicketCreateInput!) {"
            " ticketCreate(input: $input) { ticket { id status } errors { message } } }",
            input={"categoryId": self.category(slug), "title": title, "description": "Opis usterki.", **place},
        )["ticketCreate"]
        assert not created["errors"], created
        return created["ticket"]["id"]


def done_ticket(hub: str, title: str, *, note: str = "Naprawione.") -> str:
    """A ticket resident.a reported in their flat (a plumbing fault), handed to a firm and
    finished by the dispatcher, as staff do in the admin: its id."""
    ticket = HubApi(hub, "resident.a").report(title)
    dispatcher = HubApi(hub, "dispatcher")
    status = dispatcher.run("query($id: ID!) { ticket(id: $id) { status } }", id=ticket)["ticket"]["status"]
    if status != "ASSIGNED":
        firms = dispatcher.run("query { contractors(first: 50) { edges { node { id title } } } }")["contractors"]
        firm = next(edge["node"]["id"] for edge in firms["edges"] if edge["node"]["title"].startswith("Hydro-Tech"))
        assigned = dispatcher.run(
            "mutation($t: ID!, $c: ID!) { ticketAssign(ticketId: $t, contractorId: $c) { errors { message } } }",
            t=ticket,
            c=firm,
        )["ticketAssign"]
        assert not assigned["errors"], assigned
    for step, step_note in [("IN_PROGRESS", ""), ("DONE", note)]:
        moved = dispatcher.run(
            "mutation($t: ID!, $s: TicketStatus!, $n: String!) {"
            " ticketTransition(ticketId: $t, status: $s, note: $n) { errors { message } } }",
            t=ticket,
            s=step,
            n=step_note,
        )["ticketTransition"]
        assert not moved["errors"], moved
    return ticket


def sign_in(page, username: str) -> None:
    page.goto("/zaloguj")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill(username)
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").last.click()
    # Signed in, or the form's error summary (a refusal says why at once, not after a timeout).
    greeting = page.get_by_role("heading", level=1).filter(has_text="Dzień dobry")
    refusal = page.locator(".error-summary")
    greeting.or_(refusal).first.wait_for()
    assert greeting.is_visible(), f"{username} was not signed in: {refusal.inner_text()}"


def tab_to(page, condition: str, limit: int = 150) -> None:
    """Press Tab until the focused element meets `condition` (JavaScript, with `element`);
    every stop on the way must show where the focus is. (The body: the focus left the
    page, as after the last element; Tab brings it back.)"""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const element = document.activeElement; return {condition}; }})()"):
            return
        assert page.evaluate(
            "(() => { const element = document.activeElement; const style = getComputedStyle(element);"
            " return element === document.body || (style.outlineStyle !== 'none' && style.outlineWidth !== '0px')"
            " || style.boxShadow !== 'none'; })()"
        ), "no visible focus on " + page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"Tab never reached {condition}")


def no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def no_serious_violations(page) -> None:
    """axe-core finds no serious or critical accessibility violation on the page as it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def screenshot(page, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


@contextlib.contextmanager
def staff_page(
    browser, hub: str, username: str, width: int, height: int, *, landing: str = "/admin/", javascript: bool = True
):
    """A page signed in to the admin as `username` (landing on `landing`), with every request
    the browser makes recorded: `page.requests`. Requests to any other host are refused
    (this network has none) and the test fails on them, and on any script error."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=hub,
        locale="pl-PL",
        java_script_enabled=javascript,
    )
    context.route(lambda url: not url.startswith(f"{hub}/"), lambda route: route.abort())
    page = context.new_page()
    page.requests = []
    errors: list[str] = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        with _Traffic(context):
            page.goto(f"/admin/login/?next={landing}")
            page.locator("#id_username").fill(username)
            page.locator("#id_password").fill(DEMO_PASSWORD)
            page.locator("#id_password").press("Enter")
            page.wait_for_url(re.compile(re.escape(landing.split("?")[0]) + "$"))
            yield page
    finally:
        context.close()
    assert not errors, errors
    outside = [url for url in page.requests if not url.startswith(f"{hub}/")]
    assert not outside, f"the admin asked another host for {outside}"
