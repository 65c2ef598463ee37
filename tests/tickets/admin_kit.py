"""What the tickets admin tests share (`test_tickets_admin*.py`): the admin's addresses,
a signed-in test client, tickets reported by the cast, and reading what a page showed
(flashed messages, the listed tickets, a form) and what a ticket holds now."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from operations.messaging.models import Message
from operations.tickets.models import Ticket
from tests.factories import tickets as tf

S = Ticket.Status
LIST = "/admin/tickets/"
STATISTICS = "/admin/ticket-statistics/"
CATEGORIES = "/admin/ticket-categories/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def report(cast, **fields) -> Ticket:
    fields.setdefault("category", cast.category)
    if "building" not in fields:
        fields.setdefault("unit", cast.unit)
    return tf.report(cast.reporter, **fields)


def in_polish(message: str, **values) -> str:
    with translation.override("pl"):
        text = gettext(message)
    return text % values if values else text


def flashed(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


def listed(response) -> list[int]:
    return [ticket.pk for ticket in response.context["object_list"]]


def form_html(response, form_id: str):
    return BeautifulSoup(response.content.decode(), "html.parser").find("form", id=form_id)


def about(ticket: Ticket):
    return Message.objects.filter(dedupe_key__startswith=f"ticket:{ticket.pk}:")


def snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.contractor_id,
        ticket.worker_id,
        ticket.due_at,
        ticket.events.count(),
        ticket.comments.count(),
        about(ticket).count(),
    )


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("usterka.jpg", buffer.getvalue(), content_type="image/jpeg")
