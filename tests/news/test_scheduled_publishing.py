"""Scheduled news goes live through the beat task, and not before its time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.core.tasks import scheduled_pages_publish as publish_scheduled_pages
from cms.news.models import NewsPage
from cms.news.selectors import news_visible_to
from tests.factories import content as f

pytestmark = pytest.mark.django_db


def test_scheduled_item_is_hidden_until_due_then_published_once(site_tree):
    next_week = timezone.now() + timedelta(days=7)
    item = f.schedule(site_tree.news, NewsPage(title="Walne zgromadzenie", slug="walne"), next_week)
    publish_scheduled_pages()
    assert not news_visible_to(None).filter(pk=item.pk).exists()

    # A week passes: the approved revision is now due.
    due = timezone.now() - timedelta(minutes=1)
    revision = item.latest_revision
    revision.approved_go_live_at = due
    revision.content["go_live_at"] = due.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    publish_scheduled_pages()
    publish_scheduled_pages()  # a second run changes nothing
    assert list(news_visible_to(None).filter(pk=item.pk).values_list("title", flat=True)) == ["Walne zgromadzenie"]
    assert item.revisions.count() == 1


def test_expired_alert_leaves_current_alerts(site_tree):
    current = f.make_alert(site_tree.news, title="Brak wody jutro")
    f.make_alert(site_tree.news, title="Stara awaria", hours_from=-48, hours_until=-24)
    alerts = news_visible_to(None, current_alerts_only=True)
    assert list(alerts.values_list("pk", flat=True)) == [current.pk]
