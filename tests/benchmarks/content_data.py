"""Demo-like content for the list benchmarks and the load benchmark: what a cooperative's
portal lists, at 100 items a list.

Built through Wagtail's tree API and the residents' services, as editors and the demo
build them: pages published through revisions, images uploaded with their sizes rendered
(eagerly here, by the upload's task), restrictions to a building's audience. Each list
has a few items the anonymous visitor may not see (restricted to building A) and images
in a collection restricted to building A, so both viewers exercise the visibility path.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.news.models import NewsPage
from operations.residents import services as residents
from tests.factories import content as f

ITEMS = 100


@dataclass
class People:
    building_a: object
    building_b: object
    audience_a: object
    resident_a: object  # a resident of building A
    neighbour_a: object  # another resident of building A: same audiences, another person
    resident_b: object


def build_people() -> People:
    estate = residents.estate_create(name="Osiedle Zielone Wzgórze", slug="zielone-wzgorze")
    buildings = [
        residents.building_create(
            estate=estate, code=code, street="ul. Lipowa", number=number, postal_code="00-950", city="Warszawa"
        )
        for code, number in (("A", "1"), ("B", "3"))
    ]
    audiences = [residents.audience_group(building=building) for building in buildings]
    users = {}
    for username, audience in (("mieszkaniec-a", 0), ("sasiad-a", 0), ("mieszkaniec-b", 1)):
        user = get_user_model().objects.create_user(username, password="bench-password-1")
        user.groups.add(audiences[audience])
        users[username] = user
    return People(
        building_a=buildings[0],
        building_b=buildings[1],
        audience_a=audiences[0],
        resident_a=users["mieszkaniec-a"],
        neighbour_a=users["sasiad-a"],
        resident_b=users["mieszkaniec-b"],
    )


def _jpeg(n: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 1000), (40 + n % 200, 120, 200 - n % 150)).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _image(n: int, collection) -> object:
    image = get_image_model()(
        title=f"Zdjęcie {n}",
        description=f"Opis zdjęcia {n}" if n % 2 else "",
        file=ImageFile(io.BytesIO(_jpeg(n)), name=f"zdjecie-{n}.jpg"),
        collection=collection,
    )
    image.save()  # its sizes are rendered by the upload's task (eager outside production)
    return image


def restricted_collection(people: People):
    existing = f.root_collection().get_children().filter(name="Tylko budynek A").first()
    if existing:
        return existing
    collection = f.make_collection("Tylko budynek A")
    f.restrict_collection(collection, groups=[people.audience_a])
    return collection


def build_news(
    tree, people: People, *, count: int = ITEMS, restricted: int = 10, alerts: int = 5, private_images: bool = True
) -> None:
    """`count` public news items with a lead image (every 20th image in building A's
    collection unless not `private_images`), `alerts` of them current outage alerts for
    building A, plus `restricted` items for building A's audience only."""
    private = restricted_collection(people)
    today = timezone.localdate()
    now = timezone.now()
    for n in range(count + restricted):
        fields = {}
        if n < alerts:
            fields = {
                "kind": NewsPage.Kind.OUTAGE,
                "priority": NewsPage.Priority.URGENT,
                "valid_from": now - timedelta(hours=1),
                "valid_until": now + timedelta(days=2),
            }
        page = f.make_news(
            tree.news,
            title=f"Komunikat {n + 1}: przerwa w dostawie wody w budynku A",
            slug=f"komunikat-{n + 1}",
            image=_image(n, private if private_images and n % 20 == 19 else f.root_collection()),
            lead="Przerwa w dostawie wody w godzinach 8–14. Prosimy o zrobienie zapasu.",
            date=today - timedelta(days=n),
            buildings=[people.building_a] if n % 3 else [people.building_a, people.building_b],
            **fields,
        )
        if n >= count:
            f.restrict_page(page, groups=[people.audience_a])


def build_documents(people: People, *, count: int = ITEMS, restricted: int = 10) -> None:
    private = restricted_collection(people)
    public = f.root_collection().get_children().filter(name="Dokumenty").first() or f.make_collection("Dokumenty")
    categories = ("form", "regulations", "financial", "other")
    for n in range(count + restricted):
        f.make_document(
            title=f"Dokument {n + 1}: regulamin rozliczania kosztów",
            collection=private if n >= count else public,
            category=categories[n % len(categories)],
            year=2026 - n % 5,
            building=people.building_a if n % 2 else None,
        )


def build_investments(tree, people: People, *, count: int = ITEMS, restricted: int = 10, gallery: int = 2) -> None:
    private = restricted_collection(people)
    statuses = ("planned", "ongoing", "finished")
    for n in range(count + restricted):
        page = f.make_investment(
            tree.investments,
            title=f"Inwestycja {n + 1}: termomodernizacja budynku",
            image=_image(10_000 + n, f.root_collection()),
            gallery=[
                _image(20_000 + n * gallery + k, private if (n + k) % 10 == 9 else f.root_collection())
                for k in range(gallery)
            ],
            status=statuses[n % 3],
            summary="Docieplenie ścian i wymiana okien na klatkach schodowych.",
            budget="125000.50",
            start_date=date(2026, 1, 1) - timedelta(days=n),
            end_date=date(2026, 12, 31),
            progress=n % 101,
        )
        page.buildings.set([people.building_a])
        page.save_revision().publish()
        if n >= count:
            f.restrict_page(page, groups=[people.audience_a])


def build_contractors(tree, people: People, *, count: int = ITEMS, restricted: int = 10) -> None:
    trades = [f.make_trade(name=f"Branża {k}", slug=f"branza-{k}", sort_order=k) for k in range(5)]
    for n in range(count + restricted):
        page = f.make_contractor(
            tree.contractors,
            title=f"Firma {n + 1:03d} sp. z o.o.",
            trade=trades[n % len(trades)],
            services="Naprawa instalacji\nWymiana pionów\nPogotowie 24 h",
            area_served="Warszawa i okolice",
            email=f"biuro{n}@example.com",
            website=f"https://firma{n}.example.com",
            opening_hours="pn–pt 8–16",
        )
        if n >= count:
            f.restrict_page(page, groups=[people.audience_a])


def build_inbox(user, *, count: int = ITEMS + 20) -> None:
    """`count` inbox messages for `user`, a third of them read, newest last."""
    from operations.messaging.models import Message

    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            recipient=user,
            kind="announcement" if n % 2 else "ticket_update",
            dedupe_key=f"benchmark-{n}",
            subject=f"Wiadomość {n + 1}: przerwa w dostawie wody",
            body_text="W czwartek w godzinach 8–14 nie będzie wody.\n\nZarząd spółdzielni",
            body_html="<p>W czwartek w godzinach 8–14 nie będzie wody.</p>" if n % 4 == 0 else "",
            link=f"/aktualnosci/komunikat-{n + 1}/" if n % 3 else "",
            created_at=now - timedelta(minutes=count - n),
            read_at=now if n % 3 == 0 else None,
        )
        for n in range(count)
    )
