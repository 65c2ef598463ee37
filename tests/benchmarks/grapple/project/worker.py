"""The wagtail-grapple side of the comparison, run in the throwaway venv (see ../README.md).

Builds the project's database once (100 news items with a lead image, every size
rendered), then answers the driver's commands on stdin, one per line:
`graphql <n>` / `floor <n>` (add `cold` to empty the caches before each request): it
makes n requests through Django's test client and prints their durations as JSON.
"""

import io
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.files.images import ImageFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from timing import serve  # noqa: E402

QUERY = """
{ pages(contentType: "gnews.NewsPage", limit: 100, order: "-newspage__date,-id") { ... on NewsPage {
    id title urlPath kind priority date lead isCurrentAlert validFrom validUntil
    leadImage { title width height rendition(fill: "640x400-c100") { url width height }
                srcSet(sizes: [400, 800, 1200]) }
} } }
"""
SPECS = ("fill-640x400-c100", "width-400", "width-800", "width-1200")


def build() -> None:
    from gnews.models import NewsIndexPage, NewsPage
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Page

    call_command("makemigrations", "gnews", verbosity=0)
    call_command("migrate", verbosity=0)
    if NewsPage.objects.exists():
        return
    home = Page.objects.get(depth=2)
    index = home.add_child(instance=NewsIndexPage(title="Aktualności", slug="aktualnosci"))
    today = timezone.localdate()
    now = timezone.now()
    for n in range(100):
        buffer = io.BytesIO()
        PILImage.new("RGB", (1600, 1000), (40 + n % 200, 120, 200 - n % 150)).save(buffer, "JPEG", quality=70)
        image = get_image_model()(
            title=f"Zdjęcie {n}",
            file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"zdjecie-{n}.jpg"),
            collection=Collection.get_first_root_node(),
        )
        image.save()
        image.get_renditions(*SPECS)
        outage = n < 5
        index.add_child(
            instance=NewsPage(
                title=f"Komunikat {n + 1}: przerwa w dostawie wody w budynku A",
                slug=f"komunikat-{n + 1}",
                lead="Przerwa w dostawie wody w godzinach 8–14. Prosimy o zrobienie zapasu.",
                date=today - timedelta(days=n),
                lead_image=image,
                kind="outage" if outage else "announcement",
                priority="urgent" if outage else "normal",
                valid_from=now - timedelta(hours=1) if outage else None,
                valid_until=now + timedelta(days=2) if outage else None,
            )
        )


def main() -> None:
    build()
    client = Client()
    body = json.dumps({"query": QUERY})
    calls = {
        "graphql": lambda: client.post("/graphql/", data=body, content_type="application/json"),
        "floor": lambda: client.get("/floor/news"),
    }
    answer = calls["graphql"]().json()
    assert not answer.get("errors"), answer["errors"]
    pages = answer["data"]["pages"]
    floor = calls["floor"]().json()["data"]["pages"]
    assert len(pages) == len(floor) == 100, (len(pages), len(floor))
    assert [p["leadImage"]["rendition"]["url"] for p in pages] == [p["leadImage"]["rendition"]["url"] for p in floor]
    assert [p["leadImage"]["srcSet"] for p in pages] == [p["leadImage"]["srcSet"] for p in floor]
    serve(calls, cache.clear)


if __name__ == "__main__":
    main()
