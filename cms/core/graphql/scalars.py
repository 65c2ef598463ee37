"""Scalars that refuse, while the variables are coerced, values no resolver can use.

A value refused here never reaches a resolver: the client gets BAD_USER_INPUT before
anything runs (no row written, no rate-limit quota counted), and a literal in the query
is refused by validation. Names and descriptions are strawberry's, so the schema's
contract does not change.

- `Upload`: strawberry's passes any variable value through, so a JSON string, number or
  object sent where a file belongs reached the resolvers, which read it as a file and
  failed with a server error. Only a file Django received is an upload.
- `DateTime`: a time near the ends of the calendar (year 1, year 9999 with an offset)
  parses, but cannot be converted to UTC, which every query and every stored time needs.
"""

from __future__ import annotations

import datetime

import strawberry
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from strawberry.file_uploads import Upload
from strawberry.schema.types.base_scalars import DateTimeDefinition

from cms.core.graphql.errors import bad_input


def parse_upload(value: object) -> UploadedFile:
    # The multipart view puts Django's uploaded files in place of the `map`'s placeholders;
    # anything else came from the JSON of the request itself.
    if isinstance(value, UploadedFile):
        return value
    raise bad_input(_("Send a file here, as a part of a multipart request."))


def parse_datetime(value: object) -> datetime.datetime:
    moment = DateTimeDefinition.parse_value(value)
    # Without an offset a time is the cooperative's local time, as Django stores it.
    aware = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    try:
        aware.astimezone(datetime.UTC)
    except OverflowError:
        raise bad_input(_("This date and time is out of range.")) from None
    return moment


UploadScalar = strawberry.scalar(
    name="Upload",
    description="Represents a file upload.",
    serialize=lambda value: value,
    parse_value=parse_upload,
)

DateTimeScalar = strawberry.scalar(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    serialize=DateTimeDefinition.serialize,
    parse_value=parse_datetime,
)

# For the schema's `scalar_overrides`: every argument of these types uses the checked scalar.
SCALAR_OVERRIDES = {Upload: UploadScalar, datetime.datetime: DateTimeScalar}
