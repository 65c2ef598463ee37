"""The version of the shared content: what lets a cached answer be reused, and when not.

Many residents ask the API the same things (the news list, an alert, the documents
directory), and the answers change only when staff change content. `ContentVersion` is
one number, raised in the same transaction as every such change; the GraphQL response
cache keys its entries by it (`cms.core.graphql.response_cache`), so:

- a change is seen by the next request: the version it reads is new, no entry has it
  (the value is random, not a count, so a restored backup cannot meet old entries);
- a change rolled back never was: its raised number is rolled back with it;
- nothing in the cache has to be found and deleted, and a cache flushed or unreachable
  at the wrong moment cannot bring an old answer back.

What counts as a change: saving or deleting any model of the content apps and of
Wagtail's pages, sites, collections, restrictions, documents and images (renditions and
log entries excepted), fixtures loaded, changing which groups a restriction admits,
moving, publishing and unpublishing a page, the admin's bulk actions (which update rows
without saving them: `cms/core/wagtail_hooks.py`), and the models named in
`settings.CONTENT_VERSION_ALSO_RAISED_BY`
(the buildings content names live in an operations app, which this module must not
import). Raising on a few changes that do not show (a draft revision) costs a cache
miss, never a wrong answer.

Some answers also change with time alone: an outage alert stops being current at its
`valid_until`. Apps register the next such moment (`register_time_boundary`); a cached
answer is not reused past the earliest one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

CONTENT_APPS = (
    "wagtailcore",
    "wagtaildocs",
    "wagtailimages",
    "taggit",
    "home",
    "news",
    "documents",
    "investments",
    "contractors",
)

# Changes that never show in an answer, and happen on every read or every admin click.
_NEVER_RAISED_BY = {
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.pagesubscription",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
    "wagtailimages.rendition",
    "wagtailimages.uploadedimage",
}

_time_boundaries: list[Callable[[datetime], datetime | None]] = []


def current() -> int:
    """The committed version (0 before the first change)."""
    from cms.core.models import ContentVersion

    return ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def of_request(request) -> int:
    """The version as the request first read it: one query per request, and every part
    of the answer keyed by the same version."""
    if not hasattr(request, "_hub_content_version"):
        request._hub_content_version = current()
    return request._hub_content_version


def raise_version() -> None:
    """Give the version a new value, in the caller's transaction.

    A random value rather than one more: a database restored from a backup (or a
    replica promoted) would otherwise count through the same numbers again, and find
    answers cached for the content it no longer has."""
    from cms.core.models import ContentVersion

    value = secrets.randbits(62)
    if not ContentVersion.objects.filter(pk=1).update(value=value):
        ContentVersion.objects.update_or_create(pk=1, defaults={"value": value})


def register_time_boundary(next_moment: Callable[[datetime], datetime | None]) -> None:
    """`next_moment(now)` gives the next time after `now` at which an answer may change
    by the clock alone (None: no such time)."""
    _time_boundaries.append(next_moment)


def next_time_boundary(now: datetime) -> datetime | None:
    moments = [moment for boundary in _time_boundaries if (moment := boundary(now)) is not None]
    return min(moments, default=None)


def _raising_models() -> list:
    named = {label.lower() for label in getattr(settings, "CONTENT_VERSION_ALSO_RAISED_BY", ())}
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in _NEVER_RAISED_BY:
            continue
        if model._meta.app_label in CONTENT_APPS or label in named:
            chosen.append(model)
    return chosen


def _on_change(sender, **kwargs) -> None:
    # Fixtures loaded into a running site (`raw`) are changes too.
    raise_version()


def connect() -> None:
    """Connect the receivers, one per model (a receiver for every sender would turn off
    Django's fast deletes everywhere)."""
    for model in _raising_models():
        uid = f"content-version-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        if model._meta.auto_created:
            m2m_changed.connect(_on_change, sender=model, dispatch_uid=f"{uid}-m2m", weak=False)
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_on_change, dispatch_uid=f"content-version-{id(signal)}", weak=False)
