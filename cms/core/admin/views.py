"""Pieces of the admin's views that every app uses: a moment and a person as staff read
them, and a service's refusal shown on the form that asked, like any validation error."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from cms.core.exceptions import ServiceError, service_errors

DATE_TIME = "d.m.Y H:i"


def local_time(moment) -> str:
    """`moment` in the viewer's time zone as dd.mm.yyyy hh:mm; "" for none."""
    return date_format(timezone.localtime(moment), DATE_TIME) if moment else ""


def person_label(user) -> str:
    """A person's full name, or their user name when they gave none; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def add_service_errors(form, error: ServiceError, field_names: dict[str, str] | None = None) -> None:
    """Every problem of `error` on `form`: next to its field when the form has it (named
    as the service names it, or as `field_names` maps it), otherwise above the form."""
    field_names = field_names or {}
    for problem in service_errors(error):
        field = field_names.get(problem.field, problem.field)
        form.add_error(field if field in form.fields else None, problem.message)


class ServiceFormMixin:
    """For Wagtail's generic create and edit views whose `save_instance` calls a service:
    the service's refusal is shown on the form, like any validation error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as error:
            add_service_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
