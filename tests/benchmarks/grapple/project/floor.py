"""The same hand-written floor as the hub's (`tests/benchmarks/floor_views.py`, news), for
this project's model: `.values()`, one query for the renditions, URLs from the storage."""

from django.http import JsonResponse
from gnews.models import NewsPage
from wagtail.images import get_image_model
from wagtail.images.models import get_rendition_storage

SPECS = ("fill-640x400-c100", "width-400", "width-800", "width-1200")


def news_floor(request):
    rows = list(
        NewsPage.objects.live()
        .public()
        .order_by("-date", "-pk")[:100]
        .values(
            "id", "title", "url_path", "kind", "priority", "date", "lead", "valid_from", "valid_until",
            "lead_image_id", "lead_image__title", "lead_image__width", "lead_image__height",
        )
    )  # fmt: skip
    storage = get_rendition_storage()
    renditions = {
        (image_id, spec): (storage.url(name), width, height)
        for image_id, spec, name, width, height in get_image_model()
        .get_rendition_model()
        .objects.filter(image_id__in=[r["lead_image_id"] for r in rows], filter_spec__in=SPECS)
        .values_list("image_id", "filter_spec", "file", "width", "height")
    }
    items = []
    for row in rows:
        image_id = row["lead_image_id"]
        card = renditions[(image_id, SPECS[0])]
        items.append(
            {
                "id": str(row["id"]),
                "title": row["title"],
                "urlPath": row["url_path"],
                "kind": row["kind"],
                "priority": row["priority"],
                "date": str(row["date"]),
                "lead": row["lead"],
                "validFrom": row["valid_from"] and str(row["valid_from"]),
                "validUntil": row["valid_until"] and str(row["valid_until"]),
                "leadImage": {
                    "title": row["lead_image__title"],
                    "width": row["lead_image__width"],
                    "height": row["lead_image__height"],
                    "rendition": {"url": card[0], "width": card[1], "height": card[2]},
                    "srcSet": ", ".join(f"{u} {w}w" for u, w, _ in (renditions[(image_id, s)] for s in SPECS[1:])),
                },
            }
        )
    return JsonResponse({"data": {"pages": items}})
