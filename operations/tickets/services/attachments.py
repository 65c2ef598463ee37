"""Photos of tickets and comments: checking and cleaning uploads before any transaction
(`photos_process`), storing the files around a service's transaction so a refusal leaves
none behind (`with_photo_files`), attaching them to a ticket, and sweeping files no row
names (`ticket_photo_files_sweep`, a periodic task)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError, raise_if_any
from operations.residents import throttling

from ..errors import TicketErrorCode
from ..models import Ticket, TicketComment, TicketPhoto, photo_file_name
from ..photos import PhotoError, ProcessedPhoto, process_photo
from ._common import (
    _rate_limited,
    _refuse,
)

T = TypeVar("T")


def _photos_per_ticket() -> int:
    return getattr(settings, "TICKET_PHOTOS_MAX_PER_TICKET", 20)


def photos_process(uploads: Sequence[UploadedFile], *, by: AbstractBaseUser | None = None) -> list[ProcessedPhoto]:
    """Check and clean uploaded photos before anything is written (Pillow work is slow, so
    it happens outside any transaction). Every refused photo is reported, with its
    position: `photos.0`, `photos.2`. Decoding costs CPU and memory, so one person (`by`)
    may send at most TICKET_PHOTOS_PER_USER_PER_HOUR photos an hour."""
    if by is not None and uploads:
        if not throttling.hourly_count_allows(
            "tickets:photos:user", str(by.pk), settings.TICKET_PHOTOS_PER_USER_PER_HOUR, amount=len(uploads)
        ):
            raise _rate_limited()
    processed, problems = [], []
    for index, upload in enumerate(uploads):
        try:
            processed.append(process_photo(upload))
        except PhotoError as error:
            problems.append(ServiceError(TicketErrorCode(error.code.value), error.message, f"photos.{index}"))
    raise_if_any(problems)
    return processed


@dataclass(frozen=True)
class StoredPhoto:
    photo: ProcessedPhoto
    name: str
    thumbnail_name: str

    def delete(self) -> None:
        default_storage.delete(self.name)
        default_storage.delete(self.thumbnail_name)


def _store(photo: ProcessedPhoto) -> StoredPhoto:
    name = default_storage.save(photo_file_name(None, f"photo.{photo.extension}"), ContentFile(photo.content))
    thumbnail = default_storage.save(photo_file_name(None, "thumbnail.jpg"), ContentFile(photo.thumbnail))
    return StoredPhoto(photo, name, thumbnail)


def with_photo_files(service: Callable[..., T]) -> Callable[..., T]:
    """Write the service's `photos` to storage before its transaction, and delete them if
    the service refuses or fails: a refused report leaves no files behind."""

    @functools.wraps(service)
    def wrapper(*, photos: Sequence[ProcessedPhoto] = (), **kwargs: object) -> T:
        stored: list[StoredPhoto] = []
        try:
            stored.extend(_store(photo) for photo in photos)
            return service(photos=stored, **kwargs)
        except BaseException:
            for files in stored:
                files.delete()
            raise

    return wrapper


def photos_attach(
    ticket: Ticket,
    stored: Sequence[StoredPhoto],
    by: AbstractBaseUser | None,
    *,
    comment: TicketComment | None = None,
    internal: bool = False,
) -> None:
    if not stored:
        return
    if ticket.photos.count() + len(stored) > _photos_per_ticket():
        raise _refuse(
            TicketErrorCode.PHOTO_COUNT,
            gettext("A ticket holds at most %(limit)d photos.") % {"limit": _photos_per_ticket()},
            "photos",
        )
    TicketPhoto.objects.bulk_create(
        TicketPhoto(
            ticket=ticket,
            comment=comment,
            uploaded_by=by,
            is_internal=internal,
            file=files.name,
            content_type=files.photo.content_type,
            width=files.photo.width,
            height=files.photo.height,
            size=len(files.photo.content),
            thumbnail=files.thumbnail_name,
            thumbnail_width=files.photo.thumbnail_width,
            thumbnail_height=files.photo.thumbnail_height,
        )
        for files in stored
    )


def ticket_photo_files_sweep(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete photo files no TicketPhoto names: those of tickets deleted since, and those
    stored for a change that an outer transaction then rolled back (a service cleans up
    after its own refusals). Files younger than `older_than` may belong to an upload
    still in progress and are left alone. Returns how many files were deleted."""
    folder = "ticket-photos"
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    stored = {f"{folder}/{name}" for name in names}
    # Every name the table holds (two short strings a photo; no IN list of thousands).
    referenced = set()
    for file, thumbnail in TicketPhoto.objects.values_list("file", "thumbnail").iterator():
        referenced.update((file, thumbnail))
    deleted = 0
    for name in sorted(stored - referenced):
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted
