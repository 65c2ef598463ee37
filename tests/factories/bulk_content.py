"""Many pages and restrictions at once, for the scale tests and benchmarks.

`content.publish` goes through Wagtail's tree API and revisions, about 10 ms a page: fine
for a handful, not for the thousands of news items a cooperative restricts over the
years. These helpers write the same rows Wagtail's tree writes (treebeard paths, depth,
`numchild`, `url_path`, the news table beside the page table) in a few statements, so a
test can stand up 500 restricted items in a second and a benchmark 10,000 in seconds.
They make live pages without revisions: what the visibility rules and the API read.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page, PageViewRestriction

from cms.core import content_version
from cms.news.models import NewsPage


def _next_steps(parent: Page, count: int) -> list[str]:
    """Tree paths for `count` new children of `parent`, after its existing children."""
    last = parent.get_last_child()
    first_step = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
    return [Page._get_path(parent.path, parent.depth + 1, first_step + offset) for offset in range(count)]


def live_page_row(
    parent: Page, path: str, *, title: str, slug: str, content_type, at, translation_key: uuid.UUID | None = None
) -> Page:
    """The page-table row Wagtail's tree writes for a live child of `parent` at `path`
    (not saved: for `bulk_create`)."""
    return Page(
        title=title,
        draft_title=title,
        slug=slug,
        path=path,
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{slug}/",
        content_type=content_type,
        live=True,
        has_unpublished_changes=False,
        first_published_at=at,
        last_published_at=at,
        locale_id=parent.locale_id,
        translation_key=translation_key or uuid.uuid4(),
    )


@transaction.atomic
def bulk_news(parent: Page, count: int, *, slug_prefix: str = "item", day: date | None = None) -> list[NewsPage]:
    """`count` live news items under `parent` (a news index), newest last, in four statements."""
    parent = Page.objects.get(pk=parent.pk)
    content_type = ContentType.objects.get_for_model(NewsPage)
    now = timezone.now()
    day = day or timezone.localdate()
    pages = []
    for offset, path in enumerate(_next_steps(parent, count)):
        slug = f"{slug_prefix}-{offset}-{uuid.uuid4().hex[:6]}"
        pages.append(
            live_page_row(parent, path, title=f"{slug_prefix} {offset}", slug=slug, content_type=content_type, at=now)
        )
    Page.objects.bulk_create(pages)
    created = Page.objects.filter(path__in=[page.path for page in pages]).order_by("path")
    news = [
        NewsPage(page_ptr_id=page.pk, date=day - timedelta(days=count - offset), lead=f"Lead {offset}")
        for offset, page in enumerate(created)
    ]
    # Django's bulk_create refuses multi-table models; the news rows go in as the child
    # table's own insert, exactly what `Model.save` issues for them.
    NewsPage._base_manager._insert(news, fields=NewsPage._meta.local_concrete_fields)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    content_version.raise_version()  # as the signals of a save would
    return list(NewsPage.objects.filter(pk__in=[page.pk for page in created]).order_by("path"))


def _bulk_restrict(restriction_model, owner_field: str, owners, groups) -> list:
    kind = BaseViewRestriction.GROUPS if groups else BaseViewRestriction.LOGIN
    restrictions = restriction_model.objects.bulk_create(
        [restriction_model(**{owner_field: owner.pk}, restriction_type=kind) for owner in owners]
    )
    if groups:
        through = restriction_model.groups.through
        restriction_field = f"{restriction_model._meta.model_name}_id"
        through.objects.bulk_create(
            [through(**{restriction_field: r.pk}, group_id=g.pk) for r in restrictions for g in groups]
        )
    content_version.raise_version()  # as the signals of a save would
    return restrictions


@transaction.atomic
def bulk_restrict_pages(pages, *, groups: list[Group] | None = None) -> list[PageViewRestriction]:
    """A view restriction on each of `pages`: to `groups` if given, else `login`."""
    return _bulk_restrict(PageViewRestriction, "page_id", pages, groups)


@transaction.atomic
def bulk_restrict_collections(collections, *, groups: list[Group] | None = None) -> list[CollectionViewRestriction]:
    """A view restriction on each of `collections`: to `groups` if given, else `login`."""
    return _bulk_restrict(CollectionViewRestriction, "collection_id", collections, groups)


@transaction.atomic
def bulk_restricted_collections(
    parent: Collection, count: int, *, groups: list[Group] | None = None
) -> list[Collection]:
    """`count` sub-collections of `parent`, each restricted to `groups` (or `login`)."""
    parent = Collection.objects.get(pk=parent.pk)
    last = parent.get_last_child()
    first_step = Collection._str2int(last.path[-Collection.steplen :]) + 1 if last else 1
    collections = [
        Collection(
            name=f"Zbiór {first_step + offset}",
            path=Collection._get_path(parent.path, parent.depth + 1, first_step + offset),
            depth=parent.depth + 1,
            numchild=0,
        )
        for offset in range(count)
    ]
    Collection.objects.bulk_create(collections)
    Collection.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    created = list(Collection.objects.filter(path__in=[c.path for c in collections]).order_by("path"))
    bulk_restrict_collections(created, groups=groups)
    return created
