"""A person's sign-in history as the portal's account page asks for it, against the
hand-written floor view.

Run on purpose: `.venv/bin/python -m pytest -m benchmark -s -q -n 0 tests/benchmarks/test_sign_in_history_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

`graphql/operations/SignInHistory.graphql` with `first: 100` (the most the field gives):
a resident's 120 attempts recorded through `services.sign_in_attempt_record` (web, app,
e-mail link; successes, wrong passwords, throttled; IPv4 and IPv6 addresses, browsers'
user agents), and someone else's 10 that stay theirs. A plain list, not a connection.
Personal data, never served from a shared cache: warm (requests repeated) and cold
(every cache emptied before each). Asserts only that GraphQL and the floor return the
same JSON and that the GraphQL query count is the same for 10 and for 100 attempts.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from operations.residents.models import SignInAttempt
from operations.residents.services import sign_in_attempt_record
from tests.benchmarks import kit
from tests.factories import tickets as tf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ATTEMPTS = 120
PAGE = 100
CHANNELS = [SignInAttempt.Channel.SESSION, SignInAttempt.Channel.TOKEN, SignInAttempt.Channel.EMAIL_LINK]
OUTCOMES = [SignInAttempt.Outcome.SUCCESS] * 4 + [SignInAttempt.Outcome.FAILURE, SignInAttempt.Outcome.THROTTLED]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "HubApp/2.3 (Android 14; Pixel 8)",
]


def _attempts(user, start: int, count: int) -> None:
    for n in range(start, start + count):
        sign_in_attempt_record(
            username=user.username,
            user=user,
            channel=CHANNELS[n % len(CHANNELS)],
            outcome=OUTCOMES[n % len(OUTCOMES)],
            ip_address=f"83.21.{n % 250}.{(7 * n) % 250 + 1}" if n % 5 else f"2a02:a311:{n:x}::1",
            user_agent=AGENTS[n % len(AGENTS)],
        )


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_sign_in_history_list_graphql_against_floor():
    cast = tf.build_cast(with_firms=False)
    _attempts(cast.neighbour, 0, 10)
    resident = Client()
    resident.force_login(cast.reporter)
    query = kit.operation("SignInHistory")

    _attempts(cast.reporter, 0, 10)
    cases = kit.list_cases("SignInHistory", f"/floor/sign-in-history?first={PAGE}", {"resident": resident})
    graphql_call, floor_call = cases["resident"]
    at_10 = kit.queries(graphql_call), kit.queries(floor_call)
    _attempts(cast.reporter, 10, ATTEMPTS - 10)
    cases = kit.list_cases("SignInHistory", f"/floor/sign-in-history?first={PAGE}", {"resident": resident})
    at_100 = kit.queries(graphql_call), kit.queries(floor_call)

    history = kit.answer(graphql_call)["data"]["viewer"]["signInHistory"]
    assert len(history) == PAGE and {item["outcome"] for item in history} == {"SUCCESS", "FAILURE", "THROTTLED"}
    assert at_10[0] == at_100[0], (at_10, at_100)

    kit.compare_warm_and_cold(
        "sign-in history",
        cases,
        bound_query=query,
        bound_variables={"first": PAGE},
        items=PAGE,
        graphql_queries_at_10_and_100=f"{at_10[0]}/{at_100[0]}",
        floor_queries_at_10_and_100=f"{at_10[1]}/{at_100[1]}",
    )
