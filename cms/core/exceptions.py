"""The refusal every service raises for input it will not take, whoever called it.

Domain code (services, selectors, admin forms, tasks, the demo) raises and catches
`ServiceError`; the GraphQL layer turns it into the typed errors of a payload
(`cms.core.graphql.errors.typed_errors`) and the admin into form errors. Nothing here
knows of GraphQL. Each app's codes are the enums in its `errors.py`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """Raised by services for input they refuse; mutations turn it into a typed error.

    `code` is the value of the domain's code enum; `field` names the input field.
    """

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field


class ServiceErrorList(ServiceError):
    """Several problems at once (a registration form with two bad fields); `errors` lists them."""

    def __init__(self, errors: list[ServiceError]):
        first = errors[0]
        super().__init__(first.code, first.message, first.field)
        self.errors = errors


def service_errors(error: ServiceError) -> list[ServiceError]:
    return list(getattr(error, "errors", [error]))


def raise_if_any(errors: list[ServiceError]) -> None:
    """Raise the problems found, all at once (a form marks every field), or nothing."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ServiceErrorList(errors)


def model_validate(instance, *, code: str = "INVALID", exclude=None) -> None:
    """Django's model validation (`full_clean`) as ServiceErrors with `code`, so that
    callers other than forms get field errors too."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise_if_any(
            [
                ServiceError(code, message, None if field == "__all__" else field)
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        )
