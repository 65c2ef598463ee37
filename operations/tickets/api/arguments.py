"""Reading the API's arguments into what selectors and services take: global ids, times
without an offset, coordinates, and the uploaded photos (counted here, decoded by
`services.photos_process`). Shared by `queries.py` and `mutations.py`."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

import strawberry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext
from strawberry.file_uploads import Upload

from cms.core.exceptions import ServiceError
from cms.core.graphql.errors import bad_input
from cms.core.graphql.ids import parse_global_id

from .. import services
from ..errors import TicketErrorCode
from ..photos import ProcessedPhoto


def ticket_pk(value: strawberry.ID, field: str = "ticketId") -> int:
    return parse_global_id(value, type_name="Ticket", field=field)


def decimal(value: float | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise bad_input(gettext("Not a valid number."), field=field) from None


def uploads_counted(uploads: list[Upload] | None) -> list[Upload]:
    """The uploaded files, at most TICKET_PHOTOS_PER_REQUEST of them (not yet decoded)."""
    uploads = uploads or []
    limit = settings.TICKET_PHOTOS_PER_REQUEST
    if len(uploads) > limit:
        raise ServiceError(
            TicketErrorCode.PHOTO_COUNT,
            gettext("Send at most %(limit)d photos at a time.") % {"limit": limit},
            "photos",
        )
    return uploads


def photos(uploads: list[Upload] | None, user: AbstractBaseUser) -> list[ProcessedPhoto]:
    """Uploaded photos checked and cleaned (services.photos_process); refusals are ServiceErrors."""
    return services.photos_process(uploads_counted(uploads), by=user)


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time without an offset is the cooperative's local time (and then comparable with one that has it)."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment
