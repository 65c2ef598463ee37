"""Hand-written views the benchmarks measure the API against (the floor).

Not product code, and reachable only in the benchmarks (their own URL confs, and the load
benchmark's settings `tests.benchmarks.load_settings`). Each is the smallest Django view
that returns the same JSON as one operation of `graphql/operations/` asked for 100 items
(`first: 100`): `.values()` queries through the same selectors (so the same visibility
rules and ordering), JSON built in a loop. Images take one query for every (image, size)
pair and their URLs come from the storage, as any hand-written view would do it.
Figures computed per page of rows (billing's balances and calendars, where a viewer
stands with surveys and resolutions) use the selectors' own page-at-once reads; two
operations have a smaller page: `BillingAccounts` asks for 20 accounts, and the search's
floor is the search backend's own answer (`search_floor`), not a hand-written query.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from strawberry.relay import to_base64
from wagtail.images import get_image_model
from wagtail.images.models import get_rendition_storage
from wagtail.models import Site

from cms.contractors import selectors as contractors
from cms.contractors.models import Trade
from cms.core import visibility
from cms.core.images import SRCSET_SPECS, ImageSize
from cms.core.sites import site_root_of
from cms.documents import selectors as documents
from cms.documents.models import CooperativeDocument
from cms.home.models import CooperativeContact
from cms.investments import selectors as investments
from cms.investments.models import InvestmentGalleryImage
from cms.news import selectors as news
from operations.billing import selectors as billing
from operations.billing.account_numbers import format_account_number
from operations.billing.documents.payment_qr import payment_qr_payload, qr_svg
from operations.billing.money import from_grosze
from operations.billing.selectors import api_reads as billing_api_reads
from operations.billing.selectors import batches as billing_batches
from operations.billing.selectors import documents as billing_documents
from operations.messaging import selectors as messaging
from operations.residents import selectors as residents
from operations.residents.models import Building
from operations.surveys.models import Resolution, Seat, Survey, Vote
from operations.surveys.selectors import api_reads as surveys_api_reads
from operations.surveys.selectors.resolutions import TALLY_ORDER
from search import selectors as search_selectors
from search.backends.base import KINDS as SEARCH_KINDS
from search.backends.base import SearchQuery

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


# --- Billing -------------------------------------------------------------------------------


def _billing_documents_page(request, rows) -> list[dict]:
    """Nodes of `BillingDocument` rows (`.values()` of `_BILLING_DOCUMENT_FIELDS`)."""
    download = request.build_absolute_uri(reverse("billing:document_download", args=[0])).replace("/0/", "/{}/")
    return [
        {
            "node": {
                "id": to_base64("BillingDocument", row["id"]),
                "kind": row["kind"].upper(),
                "number": row["number"],
                "issuedOn": row["issued_on"].isoformat(),
                "periodFrom": row["period_from"] and row["period_from"].isoformat(),
                "periodTo": row["period_to"] and row["period_to"].isoformat(),
                "amount": None if row["amount"] is None else str(row["amount"]),
                "downloadUrl": download.format(row["id"]),
            }
        }
        for row in rows
    ]


_BILLING_DOCUMENT_FIELDS = ("id", "account_id", "kind", "number", "issued_on", "period_from", "period_to", "amount")


def billing_documents_floor(request, account_id: int):
    """`graphql/operations/BillingDocuments.graphql` with `first: 100` for account `account_id`."""
    user = request.user
    first = int(request.GET.get("first", PAGE))
    seen = billing.accounts_visible_to(user).filter(pk=account_id).exists()
    if not seen:
        return JsonResponse({"data": {"billingAccount": None}})
    documents = billing_documents.documents_visible_to(user).filter(account_id=account_id)
    total = documents.count()
    rows = list(documents.order_by("-issued_on", "-id")[:first].values(*_BILLING_DOCUMENT_FIELDS))
    return JsonResponse(
        {
            "data": {
                "billingAccount": {
                    "id": to_base64("BillingAccount", account_id),
                    "documents": {
                        "totalCount": total,
                        "pageInfo": _page_info(total, len(rows)),
                        "edges": _billing_documents_page(request, rows),
                    },
                }
            }
        }
    )


def _money(grosze) -> str:
    return str(from_grosze(grosze))


def _qr_recipient(request) -> str:
    name = getattr(settings, "BILLING_QR_RECIPIENT", "")
    if not name:
        try:
            name = CooperativeContact.for_request(request).name
        except Exception:  # no site for the request's host
            name = ""
    return name or settings.WAGTAIL_SITE_NAME


def billing_accounts_floor(request):
    """`graphql/operations/BillingAccounts.graphql` (the viewer's accounts, 20 of them, each
    with its first 10 documents), for the signed-in person."""
    user = request.user
    today = timezone.localdate()
    accounts = billing_api_reads.household_accounts_of(user)
    total = accounts.count()
    rows = list(
        accounts.annotate(
            balance_grosze=billing_api_reads.balance_grosze(),
            **billing_api_reads.aged_debt_grosze(today),
        )[:20].values(
            "id", "payer_name", "opened_on", "closed_on", "iban", "balance_grosze",
            "unit_id", "unit__number", "unit__building_id", "unit__building__code", "unit__building__street",
            "unit__building__number", "unit__building__postal_code", "unit__building__city",
            *(f"aged_{name}" for name in billing_api_reads.BUCKETS),
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    calendars = billing_batches.payment_calendars(ids, today=today)
    ahead = int(getattr(settings, "BILLING_QR_DAYS_AHEAD", 31))
    due = billing_batches.amounts_due(ids, until=today + timedelta(days=ahead), as_of=today)
    consents = billing_batches.consents_of(user, ids)
    documents: dict[int, list[dict]] = defaultdict(list)
    for row in (
        billing_documents.documents_visible_to(user)
        .filter(account_id__in=ids)
        .order_by("account_id", "-issued_on", "-id")
        .values(*_BILLING_DOCUMENT_FIELDS)
    ):
        documents[row["account_id"]].append(row)
    recipient = _qr_recipient(request)
    nip = getattr(settings, "BILLING_ISSUER_NIP", "")
    qr_title = gettext("Payment QR code")
    edges = []
    for row in rows:
        account_id = row["id"]
        buckets = {name: from_grosze(row[f"aged_{name}"]) for name in billing_api_reads.BUCKETS}
        overdue = buckets["days_1_30"] + buckets["days_31_60"] + buckets["days_61_90"] + buckets["over_90"]
        amount = due.get(account_id)
        qr = None
        if row["closed_on"] is None or amount is not None:
            unit = f"{row['unit__building__code']}/{row['unit__number']}"
            title = gettext("Charges for unit %(unit)s") % {"unit": unit}
            payload = payment_qr_payload(iban=row["iban"], recipient=recipient, amount=amount, title=title, nip=nip)
            qr = {
                "payload": payload,
                "svg": qr_svg(payload, title=qr_title),
                "amount": None if amount is None else str(amount),
                "recipient": recipient,
                "title": title,
            }
        consent = consents.get(account_id)
        own_documents = documents[account_id]
        street, number = row["unit__building__street"], row["unit__building__number"]
        address = f"{street} {number}, {row['unit__building__postal_code']} {row['unit__building__city']}"
        edges.append(
            {
                "node": {
                    "id": to_base64("BillingAccount", account_id),
                    "payerName": row["payer_name"],
                    "openedOn": row["opened_on"].isoformat(),
                    "closedOn": row["closed_on"] and row["closed_on"].isoformat(),
                    "isOpen": row["closed_on"] is None,
                    "number": {"formatted": format_account_number(row["iban"]), "electronic": row["iban"]},
                    "unit": {
                        "id": str(row["unit_id"]),
                        "number": row["unit__number"],
                        "building": {
                            "id": str(row["unit__building_id"]),
                            "code": row["unit__building__code"],
                            "address": address,
                        },
                    },
                    "balance": _money(row["balance_grosze"]),
                    "overdue": str(overdue),
                    "agedDebt": {
                        "notDue": str(buckets["not_due"]),
                        "days1To30": str(buckets["days_1_30"]),
                        "days31To60": str(buckets["days_31_60"]),
                        "days61To90": str(buckets["days_61_90"]),
                        "over90Days": str(buckets["over_90"]),
                        "overdue": str(overdue),
                        "total": str(buckets["not_due"] + overdue),
                    },
                    "paymentCalendar": [
                        {
                            "dueDate": day.due_date.isoformat(),
                            "payBy": day.pay_by.isoformat(),
                            "amount": str(day.amount),
                        }
                        for day in calendars[account_id]
                    ],
                    "paymentQr": qr,
                    "consents": {
                        "electronicDocuments": bool(consent and consent.electronic_documents),
                        "reminders": bool(consent and consent.reminders),
                        "installmentRequestedAt": consent
                        and consent.installment_requested_at
                        and consent.installment_requested_at.isoformat(),
                        "installmentNote": consent.installment_note if consent else "",
                    },
                    "documents": {
                        "totalCount": len(own_documents),
                        "pageInfo": _page_info(len(own_documents), min(10, len(own_documents))),
                        "edges": _billing_documents_page(request, own_documents[:10]),
                    },
                }
            }
        )
    return JsonResponse(
        {"data": {"viewer": {"id": str(user.pk), "billingAccounts": {"totalCount": total, "edges": edges}}}}
    )


# --- Surveys and resolutions ---------------------------------------------------------------


def surveys_floor(request):
    """`graphql/operations/Surveys.graphql` with `first: 100`, for the signed-in person."""
    user = request.user
    now = timezone.now()
    visible = surveys_api_reads.surveys_list(user, now=now)
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "is_published", "opens_at", "closes_at", "answer_by", "anonymous", "allow_changes",
            "audience_everyone",
        )
    )  # fmt: skip
    # What `survey_standings` reads of a survey: its id, how it counts, whether it is for everyone.
    surveys = [SimpleNamespace(pk=row["id"], **row) for row in rows]
    standings = surveys_api_reads.survey_standings(user, surveys)
    edges = []
    for survey in surveys:
        standing = standings[survey.pk]
        per_unit = survey.answer_by == Survey.AnswerBy.UNIT
        left = [unit for unit in standing.units if unit.pk not in standing.answered_unit_ids] if per_unit else []
        answered = (bool(standing.units) and not left) if per_unit else standing.answered_by_me
        open_to_me = survey.is_published and survey.opens_at <= now < survey.closes_at and standing.in_audience
        edges.append(
            {
                "node": {
                    "id": to_base64("Survey", survey.pk),
                    "title": survey.title,
                    "state": surveys_api_reads.survey_state(survey, now),
                    "opensAt": survey.opens_at.isoformat(),
                    "closesAt": survey.closes_at.isoformat(),
                    "answerBy": survey.answer_by.upper(),
                    "anonymous": survey.anonymous,
                    "allowChanges": survey.allow_changes,
                    "answered": answered,
                    "canAnswer": open_to_me and (bool(left) if per_unit else not standing.answered_by_me),
                    "canChangeAnswer": open_to_me
                    and survey.allow_changes
                    and not survey.anonymous
                    and standing.answered_by_me,
                    "unitsToAnswerFor": [
                        {"id": str(unit.pk), "number": unit.number, "building": {"code": unit.building.code}}
                        for unit in left
                    ],
                }
            }
        )
    return JsonResponse(
        {"data": {"surveys": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


def resolutions_floor(request):
    """`graphql/operations/Resolutions.graphql` with `first: 100`, for the signed-in person."""
    user = request.user
    now = timezone.now()
    visible = surveys_api_reads.resolutions_list(user)
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "number", "title", "state", "result", "opens_at", "closes_at", "secret", "allow_changes"
        )
    )
    ids = [row["id"] for row in rows]
    seats: dict[int, list[dict]] = defaultdict(list)
    seat_rows = (
        Seat.objects.filter(resolution_id__in=ids)
        .filter(Q(proxy=user) | Q(proxy__isnull=True, holders=user))
        .distinct()
        .order_by("resolution_id", "label", "pk")
        .values_list("pk", "resolution_id", "label")
    )
    by_seat = {}
    for seat_id, resolution_id, label in seat_rows:
        seat = {"id": str(seat_id), "label": label, "voted": False, "byMe": False, "myChoice": None}
        seats[resolution_id].append(seat)
        by_seat[seat_id] = seat
    votes = Vote.objects.filter(seat_id__in=list(by_seat)).order_by("seat_id", *TALLY_ORDER)
    for seat_id, choice, cast_by_id in votes.values_list("seat_id", "choice", "cast_by_id"):
        seat = by_seat[seat_id]  # the last vote of each seat stays
        seat["voted"], seat["byMe"] = True, cast_by_id == user.pk
        seat["myChoice"] = choice.upper() if seat["byMe"] else None
    open_state, closed_state = Resolution.State.OPEN, Resolution.State.CLOSED
    edges = []
    for row in rows:
        own = seats[row["id"]]
        voting = row["state"] == open_state and row["opens_at"] <= now < row["closes_at"]
        edges.append(
            {
                "node": {
                    "id": to_base64("Resolution", row["id"]),
                    "number": row["number"],
                    "title": row["title"],
                    "state": row["state"].upper(),
                    "result": row["result"].upper() if row["state"] == closed_state and row["result"] else None,
                    "opensAt": row["opens_at"].isoformat(),
                    "closesAt": row["closes_at"].isoformat(),
                    "secret": row["secret"],
                    "canVote": voting and any(row["allow_changes"] or not seat["voted"] for seat in own),
                    "mySeats": own,
                }
            }
        )
    return JsonResponse(
        {"data": {"resolutions": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


# --- Sign-in history -----------------------------------------------------------------------


def sign_in_history_floor(request):
    """`graphql/operations/SignInHistory.graphql` with `first: 100`, for the signed-in person."""
    user = request.user
    first = int(request.GET.get("first", PAGE))
    rows = residents.sign_in_history_of(user)[:first].values(
        "created_at", "ip_address", "user_agent", "channel", "outcome"
    )
    history = [
        {
            "createdAt": row["created_at"].isoformat(),
            "ipAddress": row["ip_address"],
            "userAgent": row["user_agent"],
            "channel": row["channel"].upper(),
            "outcome": row["outcome"].upper(),
        }
        for row in rows
    ]
    return JsonResponse({"data": {"viewer": {"id": str(user.pk), "signInHistory": history}}})


# --- Search --------------------------------------------------------------------------------

_SEARCH_KIND_LABELS = {
    "contractor": gettext_lazy("Contractors"),
    "document": gettext_lazy("Documents"),
    "news": gettext_lazy("News"),
    "investment": gettext_lazy("Investments"),
}


def _search_facets(facets) -> list[dict]:
    """The facets with their labels: kinds and categories by name, trades and buildings
    read (a query each, when present)."""
    labels = {("kind", kind): str(label) for kind, label in _SEARCH_KIND_LABELS.items()}
    labels.update((("category", value), capfirst(str(label))) for value, label in CooperativeDocument.Category.choices)
    values = {facet.name: [value.value for value in facet.values] for facet in facets}
    if values.get("trade"):
        for slug, name in Trade.objects.filter(slug__in=values["trade"]).values_list("slug", "name"):
            labels[("trade", slug)] = name
    building_ids = [value for value in values.get("building", ()) if value.isdigit()]
    if building_ids:
        for building in Building.objects.filter(pk__in=building_ids):
            labels[("building", str(building.pk))] = str(building)
    return [
        {
            "name": facet.name,
            "values": [
                {
                    "value": value.value,
                    "label": labels.get((facet.name, value.value), value.value),
                    "count": value.count,
                }
                for value in facet.values
            ],
        }
        for facet in facets
    ]


def _search_nodes(request, hits, *, user, denial, within, root: str) -> dict[tuple[str, int], dict]:
    """The hits' objects the viewer may see, by (kind, id), as the operation's fragments
    give them: one `.values()` query per kind present, through the content's selectors."""
    ids: dict[str, set[int]] = defaultdict(set)
    for hit in hits:
        ids[hit.kind].add(hit.object_id)
    nodes: dict[tuple[str, int], dict] = {}

    def url_path(value: str) -> str:
        return "/" + value[len(root) :] if value.startswith(root) else value

    if ids["contractor"]:
        for row in (
            contractors.contractors_visible_to(user, denial=denial, within=within)
            .filter(pk__in=ids["contractor"])
            .values("id", "title", "url_path", "trade__name", "trade__slug", "area_served", "phone", "email", "website")
        ):
            nodes[("contractor", row["id"])] = {
                "__typename": "Contractor",
                "id": to_base64("Contractor", row["id"]),
                "title": row["title"],
                "urlPath": url_path(row["url_path"]),
                "trade": {"name": row["trade__name"], "slug": row["trade__slug"]},
                "areaServed": row["area_served"],
                "phone": row["phone"],
                "email": row["email"],
                "website": row["website"],
            }
    if ids["document"]:
        serve = request.build_absolute_uri(reverse("wagtaildocs_serve", args=[0, "name"])).replace("/0/name", "/{}/{}")
        for row in (
            documents.documents_visible_to(user, denial=denial)
            .filter(pk__in=ids["document"])
            .values(
                "id", "title", "category", "year", "description", "file", "file_size", "building_id", "building__code"
            )
        ):
            filename = row["file"].rsplit("/", 1)[-1]
            nodes[("document", row["id"])] = {
                "__typename": "Document",
                "id": to_base64("Document", row["id"]),
                "title": row["title"],
                "category": row["category"].upper(),
                "year": row["year"],
                "description": row["description"],
                "fileExtension": filename.rpartition(".")[2] if "." in filename else "",
                "fileSize": row["file_size"],
                "downloadUrl": serve.format(row["id"], quote(filename, safe=RFC3986_SUBDELIMS + "/~:@")),
                "building": row["building_id"] and {"code": row["building__code"]},
            }
    if ids["news"]:
        for row in (
            news.news_visible_to(user, denial=denial, within=within)
            .filter(pk__in=ids["news"])
            .values("id", "title", "url_path", "kind", "date", "lead")
        ):
            nodes[("news", row["id"])] = {
                "__typename": "NewsItem",
                "id": to_base64("NewsItem", row["id"]),
                "title": row["title"],
                "urlPath": url_path(row["url_path"]),
                "kind": row["kind"].upper(),
                "date": row["date"].isoformat(),
                "lead": row["lead"],
            }
    if ids["investment"]:
        for row in (
            investments.investments_visible_to(user, denial=denial, within=within)
            .filter(pk__in=ids["investment"])
            .values("id", "title", "url_path", "status", "summary")
        ):
            nodes[("investment", row["id"])] = {
                "__typename": "Investment",
                "id": to_base64("Investment", row["id"]),
                "title": row["title"],
                "urlPath": url_path(row["url_path"]),
                "status": row["status"].upper(),
                "summary": row["summary"],
            }
    return nodes


def search_floor(request):
    """`graphql/operations/Search.graphql` (`query`, `first` from the query string; every
    kind, no filter): the search backend's own answer (`search.selectors.search`, called
    directly) with the hits' objects read by `.values()`, so that the GraphQL layer is what
    the ratio measures, not the search."""
    user = request.user
    text = request.GET["query"].strip()
    first = int(request.GET.get("first", 20))
    denial = visibility.denial_for_request(request)
    within, root = site_root_of(request)
    results = search_selectors.search(
        SearchQuery(text=text, kinds=frozenset(SEARCH_KINDS), filters={}, offset=0, limit=first, with_facets=True),
        user=user,
        denial=denial,
        within=within,
    )
    hits = list(results.hits)
    nodes = _search_nodes(request, hits, user=user, denial=denial, within=within, root=root)
    edges = []
    for position, hit in enumerate(hits):
        node = nodes.get((hit.kind, hit.object_id))
        if node is None:
            continue  # hidden or gone since it was indexed
        edges.append(
            {
                "cursor": to_base64("search", position),
                "node": {
                    "kind": hit.kind.upper(),
                    "score": hit.score,
                    "highlights": [
                        {
                            "field": highlight.field,
                            "parts": [{"text": part.text, "match": part.match} for part in highlight.parts],
                        }
                        for highlight in hit.highlights
                    ],
                    "node": node,
                },
            }
        )
    return JsonResponse(
        {
            "data": {
                "search": {
                    "totalCount": results.total,
                    "suggestion": results.suggestion,
                    "pageInfo": {
                        "hasNextPage": len(hits) < min(results.total, 10_000),
                        "endCursor": to_base64("search", len(hits) - 1) if hits else None,
                    },
                    "facets": _search_facets(results.facets),
                    "edges": edges,
                }
            }
        }
    )


# --- Ticket buildings ----------------------------------------------------------------------


def _building_refs_of(relation: str, ids) -> dict[int, list[dict]]:
    """`_buildings_of` with each building's address (`BuildingRef`)."""
    grouped: dict[int, list[dict]] = defaultdict(list)
    rows = Building.objects.filter(**{f"{relation}__in": ids}).values_list(
        relation, "id", "code", "street", "number", "postal_code", "city"
    )
    for page_id, building_id, code, street, number, postal_code, city in rows:
        grouped[page_id].append(
            {"id": str(building_id), "code": code, "address": f"{street} {number}, {postal_code} {city}"}
        )
    return grouped


def ticket_buildings_floor(request):
    """`graphql/operations/TicketBuildings.graphql`: the buildings of the first 100
    investments and the first 100 news items the viewer sees."""
    denial = visibility.denial_for_request(request)
    investment_ids = list(
        investments.investments_visible_to(request.user, denial=denial)[:PAGE].values_list("id", flat=True)
    )
    news_ids = list(news.news_visible_to(request.user, denial=denial)[:PAGE].values_list("id", flat=True))
    of_investments = _building_refs_of("investments", investment_ids)
    of_news = _building_refs_of("news", news_ids)
    return JsonResponse(
        {
            "data": {
                "investments": {"edges": [{"node": {"buildings": of_investments[pk]}} for pk in investment_ids]},
                "news": {"edges": [{"node": {"affectedBuildings": of_news[pk]}} for pk in news_ids]},
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
    path("floor/billing-accounts", billing_accounts_floor),
    path("floor/billing-documents/<int:account_id>", billing_documents_floor),
    path("floor/surveys", surveys_floor),
    path("floor/resolutions", resolutions_floor),
    path("floor/sign-in-history", sign_in_history_floor),
    path("floor/search", search_floor),
    path("floor/ticket-buildings", ticket_buildings_floor),
]
