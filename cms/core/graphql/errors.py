"""Typed errors that mutations return next to the field a frontend should mark.

Every mutation payload carries `errors: [<Domain>Error!]!` (empty on success) and the
changed object (null on failure). Each domain declares its own code enum, so clients can
switch on codes without parsing messages; `message` is translated for the viewer.
"""

from __future__ import annotations

import strawberry


@strawberry.interface(description="A problem with the input that the user can fix.")
class UserError:
    field: str | None = strawberry.field(description="Input field the error belongs to; null for the whole form.")
    message: str = strawberry.field(description="Human-readable message in the viewer's language.")


class ServiceError(Exception):
    """Raised by services for input they refuse; mutations turn it into a typed error.

    `code` is the value of the domain's code enum; `field` names the input field.
    """

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
