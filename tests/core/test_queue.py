"""Queueing after commit: a broker outage costs a request nothing but a log line.

Before, Celery's own publish retries made each request that queued a message wait about
1.2 s with the broker stopped (tests/benchmarks/test_outages.py), and a broker that hangs
would have cost the connection timeout on every such request.
"""

from __future__ import annotations

import pytest
from celery import shared_task

from cms.core import queue

pytestmark = pytest.mark.django_db


@shared_task
def _noop(value):
    return value


@pytest.fixture
def broker(monkeypatch):
    """`_noop` published to a broker that refuses, recording each try."""
    from cms.celery import app as celery_app

    tries = []

    def refuse(args, **options):
        tries.append(options)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(_noop, "apply_async", refuse)
    queue.publishing_resume()
    yield tries
    queue.publishing_resume()


def test_a_failed_publish_is_not_retried_and_pauses_publishing(broker, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 1, fallback="the sweep will do it")
        queue.enqueue_after_commit(_noop, 2, fallback="the sweep will do it")
    assert broker == [{"retry": False}]  # one try, without Celery's retries; the second not tried
    assert "the sweep will do it" in caplog.text


def test_publishing_resumes_after_the_pause(broker, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 1, fallback="later")
    monkeypatch.setitem(queue._paused_until, "at", 0.0)  # the pause has passed
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 2, fallback="later")
    assert len(broker) == 2


def test_nothing_is_published_before_commit(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.enqueue_after_commit(_noop, 1, fallback="later")
    assert broker == [] and len(callbacks) == 1


def test_a_task_that_fails_eagerly_does_not_pause_publishing(django_capture_on_commit_callbacks, monkeypatch):
    # In the embedded default the task runs in the request; its own failure says nothing
    # about a broker, and must not stop a later publish to a real one.
    @shared_task
    def failing():
        raise RuntimeError("the task's own fault")

    queue.publishing_resume()
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(failing, fallback="later")
    assert queue._paused_until["at"] == 0.0


def test_the_caller_hears_when_its_task_was_not_handed_over(broker, django_capture_on_commit_callbacks):
    not_sent = []
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 1, fallback="later", on_not_sent=lambda: not_sent.append("refused"))
        queue.enqueue_after_commit(_noop, 2, fallback="later", on_not_sent=lambda: not_sent.append("paused"))
    assert not_sent == ["refused", "paused"]


def test_a_task_handed_over_or_run_eagerly_is_not_reported_as_not_sent(django_capture_on_commit_callbacks, monkeypatch):
    from cms.celery import app as celery_app

    not_sent = []
    queue.publishing_resume()
    with django_capture_on_commit_callbacks(execute=True):  # eager: run here and now
        queue.enqueue_after_commit(_noop, 1, fallback="later", on_not_sent=lambda: not_sent.append(1))
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(_noop, "apply_async", lambda args, **options: None)  # a broker that takes it
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 2, fallback="later", on_not_sent=lambda: not_sent.append(2))
    assert not_sent == []


def test_a_failing_not_sent_callback_is_logged_and_goes_no_further(broker, django_capture_on_commit_callbacks, caplog):
    def broken():
        raise RuntimeError("the run log is gone")

    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(_noop, 1, fallback="later", on_not_sent=broken)
    assert "was not queued failed" in caplog.text
