"""Hand-written views the benchmarks measure the API against (the floor).

Not product code, and reachable only in the benchmarks (their own URL confs, and the load
benchmark's settings `tests.benchmarks.load_settings`). Each is the smallest Django view
that returns the same JSON as one operation of `graphql/operations/` asked for 100 items
(`first: 100`): `.values()` queries through the same selectors (so the same visibility
rules and ordering), JSON built in a loop. Images take one query for every (image, size)
pair and their URLs come from the storage, as any hand-written view would do it.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.http import RFC3986_SUBDELIMS
from strawberry.relay import to_base64
from wagtail.images import get_image_model
from wagtail.images.models import get_rendition_storage
from wagtail.models import Site

from cms.contractors import selectors as contractors
from cms.core import visibility
from cms.core.images import SRCSET_SPECS, ImageSize
from cms.documents import selectors as documents
from cms.investments import selectors as investments
from cms.investments.models import InvestmentGalleryImage
from cms.news import selectors as news
from operations.messaging import selectors as messaging
from operations.residents.models import Building

PAGE = 100
CARD = ImageSize.CARD.value
THUMBNAIL = ImageSize.THUMBNAIL.value


def _site_root_url_path() -> str:
    return Site.objects.filter(is_default_site=True).values_list("root_page__url_path", flat=True).get()


def _page_info(total: int, returned: int, offset: int = 0) -> dict:
    return {
        "hasNextPage": offset + returned < total,
        "endCursor": to_base64("arrayconnection", offset + returned - 1) if returned else None,
    }


def _renditions(image_ids, specs) -> dict[tuple[int, str], tuple[str, int, int]]:
    """(image id, spec) -> (url, width, height), one query for all."""
    storage = get_rendition_storage()
    rows = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(image_id__in=set(image_ids), filter_spec__in=specs)
        .values_list("image_id", "filter_spec", "file", "width", "height")
    )
    return {(image_id, spec): (storage.url(name), width, height) for image_id, spec, name, width, height in rows}


def _rendition(renditions, image_id, spec) -> dict:
    url, width, height = renditions[(image_id, spec)]
    return {"url": url, "width": width, "height": height}


def _srcset(renditions, image_id) -> str:
    candidates: dict[int, str] = {}  # one per width, as `cms.core.images.srcset`
    for spec in SRCSET_SPECS:
        url, width, _height = renditions[(image_id, spec)]
        candidates.setdefault(width, url)
    return ", ".join(f"{url} {width}w" for width, url in candidates.items())


def _buildings_of(relation: str, ids) -> dict[int, list[dict]]:
    """Buildings of each page through a many-to-many `relation` (`news`, `investments`),
    in the buildings' own order."""
    grouped: dict[int, list[dict]] = defaultdict(list)
    rows = Building.objects.filter(**{f"{relation}__in": ids}).values_list(relation, "id", "code")
    for page_id, building_id, code in rows:
        grouped[page_id].append({"id": str(building_id), "code": code})
    return grouped


# --- News ----------------------------------------------------------------------------------


def news_floor(request):
    """`graphql/operations/News.graphql` (the `News` operation) with `first: 100`."""
    denial = visibility.denial_for_request(request)
    visible = news.news_visible_to(request.user, denial=denial)
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "url_path", "kind", "priority", "date", "lead", "valid_from", "valid_until",
            "lead_image_id", "lead_image__title", "lead_image__description", "lead_image__width",
            "lead_image__height", "lead_image__collection__path",
        )
    )  # fmt: skip
    root = _site_root_url_path()
    buildings = _buildings_of("news", [row["id"] for row in rows])
    may_read = denial.may_read_collection
    renditions = _renditions([row["lead_image_id"] for row in rows if row["lead_image_id"]], (CARD, *SRCSET_SPECS))
    edges = []
    for row in rows:
        image_id = row["lead_image_id"]
        image = None
        if image_id and may_read(row["lead_image__collection__path"]):
            image = {
                "alt": row["lead_image__description"] or row["lead_image__title"],
                "width": row["lead_image__width"],
                "height": row["lead_image__height"],
                "rendition": _rendition(renditions, image_id, CARD),
                "srcset": _srcset(renditions, image_id),
            }
        edges.append(
            {
                "node": {
                    "id": to_base64("NewsItem", row["id"]),
                    "title": row["title"],
                    "urlPath": "/" + row["url_path"][len(root) :],
                    "kind": row["kind"].upper(),
                    "priority": row["priority"].upper(),
                    "date": row["date"].isoformat(),
                    "lead": row["lead"],
                    "isCurrentAlert": row["kind"] == "outage" and _is_current(row),
                    "validFrom": row["valid_from"] and row["valid_from"].isoformat(),
                    "validUntil": row["valid_until"] and row["valid_until"].isoformat(),
                    "affectedBuildings": buildings[row["id"]],
                    "leadImage": image,
                }
            }
        )
    return JsonResponse(
        {"data": {"news": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


def _is_current(row) -> bool:
    now = timezone.now()
    return (row["valid_from"] is None or row["valid_from"] <= now) and (
        row["valid_until"] is None or row["valid_until"] > now
    )


def alerts_floor(request):
    """The `CurrentAlerts` operation of `graphql/operations/News.graphql`."""
    visible = news.news_visible_to(
        request.user,
        current_alerts_only=True,
        order=news.NewsOrder.PRIORITY,
        denial=visibility.denial_for_request(request),
    )
    total = visible.count()
    rows = list(visible[:10].values("id", "title", "lead", "priority", "valid_until"))
    buildings = _buildings_of("news", [row["id"] for row in rows])
    edges = [
        {
            "node": {
                "id": to_base64("NewsItem", row["id"]),
                "title": row["title"],
                "lead": row["lead"],
                "priority": row["priority"].upper(),
                "validUntil": row["valid_until"] and row["valid_until"].isoformat(),
                "affectedBuildings": [{"code": b["code"]} for b in buildings[row["id"]]],
            }
        }
        for row in rows
    ]
    return JsonResponse({"data": {"news": {"totalCount": total, "edges": edges}}})


# --- Documents -----------------------------------------------------------------------------


def documents_floor(request):
    """`graphql/operations/Documents.graphql` with `first: 100`."""
    visible = documents.documents_visible_to(request.user, denial=visibility.denial_for_request(request))
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "category", "year", "description", "file", "file_size",
            "collection_id", "collection__name", "building_id", "building__code",
        )
    )  # fmt: skip
    serve = request.build_absolute_uri(reverse("wagtaildocs_serve", args=[0, "name"])).replace("/0/name", "/{}/{}")
    edges = []
    for row in rows:
        filename = row["file"].rsplit("/", 1)[-1]
        edges.append(
            {
                "node": {
                    "id": to_base64("Document", row["id"]),
                    "title": row["title"],
                    "category": row["category"].upper(),
                    "year": row["year"],
                    "description": row["description"],
                    "fileExtension": filename.rpartition(".")[2] if "." in filename else "",
                    "fileSize": row["file_size"],
                    "downloadUrl": serve.format(row["id"], quote(filename, safe=RFC3986_SUBDELIMS + "/~:@")),
                    "collection": {"id": str(row["collection_id"]), "name": row["collection__name"]},
                    "building": row["building_id"] and {"code": row["building__code"]},
                }
            }
        )
    return JsonResponse(
        {"data": {"documents": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


# --- Investments ---------------------------------------------------------------------------


def investments_floor(request):
    """`graphql/operations/Investments.graphql` with `first: 100`."""
    denial = visibility.denial_for_request(request)
    visible = investments.investments_visible_to(request.user, denial=denial)
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "url_path", "status", "summary", "budget", "start_date", "end_date", "progress",
            "lead_image_id", "lead_image__title", "lead_image__description", "lead_image__collection__path",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    root = _site_root_url_path()
    buildings = _buildings_of("investments", ids)
    gallery: dict[int, list[dict]] = defaultdict(list)
    gallery_rows = (
        InvestmentGalleryImage.objects.filter(page_id__in=ids)
        .order_by("sort_order")
        .values("page_id", "caption", "image_id", "image__title", "image__description", "image__collection__path")
    )
    for item in gallery_rows:
        gallery[item["page_id"]].append(item)
    may_read = denial.may_read_collection
    renditions = _renditions(
        [row["lead_image_id"] for row in rows if row["lead_image_id"]]
        + [item["image_id"] for items in gallery.values() for item in items],
        (CARD, THUMBNAIL, *SRCSET_SPECS),
    )
    edges = []
    for row in rows:
        image_id = row["lead_image_id"]
        lead = None
        if image_id and may_read(row["lead_image__collection__path"]):
            lead = {
                "alt": row["lead_image__description"] or row["lead_image__title"],
                "rendition": _rendition(renditions, image_id, CARD),
            }
        photos = [
            {
                "caption": item["caption"],
                "image": {
                    "alt": item["image__description"] or item["image__title"],
                    "rendition": _rendition(renditions, item["image_id"], THUMBNAIL),
                    "srcset": _srcset(renditions, item["image_id"]),
                },
            }
            for item in gallery[row["id"]]
            if may_read(item["image__collection__path"])
        ]
        edges.append(
            {
                "node": {
                    "id": to_base64("Investment", row["id"]),
                    "title": row["title"],
                    "urlPath": "/" + row["url_path"][len(root) :],
                    "status": row["status"].upper(),
                    "summary": row["summary"],
                    "budget": None if row["budget"] is None else str(row["budget"]),
                    "startDate": row["start_date"] and row["start_date"].isoformat(),
                    "endDate": row["end_date"] and row["end_date"].isoformat(),
                    "progress": row["progress"],
                    "buildings": [{"code": b["code"]} for b in buildings[row["id"]]],
                    "leadImage": lead,
                    "gallery": photos,
                }
            }
        )
    return JsonResponse(
        {"data": {"investments": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


# --- Contractors ---------------------------------------------------------------------------


def contractors_floor(request):
    """`graphql/operations/Contractors.graphql` with `first: 100`."""
    trades = list(contractors.trades().values("name", "slug"))
    visible = contractors.contractors_visible_to(request.user, denial=visibility.denial_for_request(request))
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "trade__name", "trade__slug", "services", "area_served", "phone", "email", "website",
            "opening_hours",
        )
    )  # fmt: skip
    edges = [
        {
            "node": {
                "id": to_base64("Contractor", row["id"]),
                "title": row["title"],
                "trade": {"name": row["trade__name"], "slug": row["trade__slug"]},
                "services": [line.strip() for line in row["services"].splitlines() if line.strip()],
                "areaServed": row["area_served"],
                "phone": row["phone"],
                "email": row["email"],
                "website": row["website"],
                "openingHours": row["opening_hours"],
            }
        }
        for row in rows
    ]
    return JsonResponse(
        {
            "data": {
                "trades": trades,
                "contractors": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges},
            }
        }
    )


# --- Inbox ---------------------------------------------------------------------------------


def inbox_floor(request):
    """`graphql/operations/Inbox.graphql` with `first: 100`, for the signed-in person."""
    user = request.user
    inbox = messaging.inbox_of(user)
    total = inbox.count()
    unread = messaging.unread_count_of(user)
    rows = list(inbox[:PAGE].values("id", "kind", "subject", "body_text", "body_html", "link", "created_at", "read_at"))
    edges = [
        {
            "node": {
                "id": to_base64("InboxMessage", row["id"]),
                "kind": row["kind"].upper(),
                "subject": row["subject"],
                "body": row["body_text"],
                "bodyHtml": row["body_html"] or linebreaks(row["body_text"], autoescape=True),
                "link": row["link"] or None,
                "createdAt": row["created_at"].isoformat(),
                "readAt": row["read_at"] and row["read_at"].isoformat(),
                "isRead": row["read_at"] is not None,
            }
        }
        for row in rows
    ]
    return JsonResponse(
        {
            "data": {
                "viewer": {
                    "id": str(user.pk),
                    "inbox": {
                        "totalCount": total,
                        "unreadCount": unread,
                        "pageInfo": _page_info(total, len(rows)),
                        "edges": edges,
                    },
                }
            }
        }
    )


urlpatterns = [
    path("floor/news", news_floor),
    path("floor/alerts", alerts_floor),
    path("floor/documents", documents_floor),
    path("floor/investments", investments_floor),
    path("floor/contractors", contractors_floor),
    path("floor/inbox", inbox_floor),
]
