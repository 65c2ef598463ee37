"""Hand-written views the benchmarks measure the API against (the floor).

Not product code: the smallest Django view that returns the same JSON as the GraphQL
operation, built from `.values()` with the same visibility selector.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.core.images import ImageSize, rendition_url
from cms.news.selectors import news_visible_to

CARD = ImageSize.CARD.value


def news_floor(request):
    root = Site.objects.get(is_default_site=True).root_page.url_path
    rows = list(
        news_visible_to(request.user)[:100].values(
            "id", "title", "url_path", "kind", "priority", "date", "lead",
            "lead_image_id", "lead_image__title", "lead_image__description",
        )
    )
    rendition_model = get_image_model().get_rendition_model()
    renditions = {
        r.image_id: r
        for r in rendition_model.objects.filter(
            image_id__in=[row["lead_image_id"] for row in rows if row["lead_image_id"]], filter_spec=CARD
        ).only("id", "image_id", "file", "width", "height")
    }
    edges = []
    for row in rows:
        rendition = renditions.get(row["lead_image_id"])
        edges.append(
            {
                "node": {
                    "title": row["title"],
                    "urlPath": "/" + row["url_path"][len(root):],
                    "kind": row["kind"].upper(),
                    "priority": row["priority"].upper(),
                    "date": row["date"].isoformat(),
                    "lead": row["lead"],
                    "leadImage": rendition
                    and {
                        "alt": row["lead_image__description"] or row["lead_image__title"],
                        "rendition": {
                            "url": rendition_url(rendition),
                            "width": rendition.width,
                            "height": rendition.height,
                        },
                    },
                }
            }
        )
    return JsonResponse({"data": {"news": {"edges": edges}}})


urlpatterns = [path("floor/news", news_floor)]
