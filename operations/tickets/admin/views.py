"""Views of the tickets admin ("Zgłoszenia"): the filtered list and its CSV, one ticket with
its history and the dispatcher's quick actions, the statistics, and category deletion.

Reading needs `tickets.view_ticket` (dispatchers, administrators, the board); the quick
actions need `tickets.dispatch_ticket`, and every change goes through the services
(`ticket_assign`, `ticket_transition`, `ticket_comment_add`, `ticket_deadline_change`),
whose refusals are shown on the form that asked. Nothing here writes a ticket itself.
Which quick actions a dispatcher is offered is `policy.actions_open`, the rules the
services enforce, so a form is shown exactly when the service would accept it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.admin.widgets.button import Button

from cms.core.admin.exports import csv_lines, csv_response, csv_time
from cms.core.admin.views import add_service_errors, local_time, person_label
from cms.core.exceptions import ServiceError, service_errors

from .. import policy, selectors, services
from ..models import Ticket, TicketComment, TicketEvent, TicketPhoto
from ..selectors.figures import ticket_statistics
from ..workflow import Actor
from .forms import (
    AssignForm,
    CommentForm,
    DeadlineForm,
    StatisticsPeriodForm,
    TransitionForm,
    target_label,
)

S = Ticket.Status

# URL namespaces of the viewsets (wagtail_hooks.py). "tickets" itself is the namespace of
# the public photo URLs (urls.py), hence another one for the admin.
TICKETS = "tickets-admin"
CATEGORIES = "ticket-categories"
STATISTICS = "ticket-statistics"

CSV_DATE_TIME = "%d.%m.%Y %H:%M"


def ticket_url(name: str, ticket_or_pk) -> str:
    pk = getattr(ticket_or_pk, "pk", ticket_or_pk)
    return reverse(f"{TICKETS}:{name}", args=[quote(pk)])


def field_label(name: str) -> str:
    return capfirst(Ticket._meta.get_field(name).verbose_name)


def place_of(ticket: Ticket, common_area: str | None = None) -> str:
    """Where the fault is: A/12 for a unit, or the building's common area (`common_area`:
    the translated pattern, when read outside the request)."""
    if ticket.unit_id:
        return f"{ticket.building.code}/{ticket.unit.number}"
    return (common_area or gettext("%(building)s, common area")) % {"building": ticket.building.code}


def duration_text(value: timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)d min") % {"minutes": minutes}


# --- The list and its CSV ----------------------------------------------------------------------

# ZG/2026/12, zg/12, 2026/12 or 12: the number residents quote on the phone.
REFERENCE = re.compile(r"^\s*(?:zg\s*/\s*)?(?:\d{4}\s*/\s*)?(\d{1,18})\s*$", re.IGNORECASE)


class TicketIndexView(generic.IndexView):
    """Every ticket, newest first, with the dispatchers' filters; `?export=csv` downloads
    the same filtered list."""

    any_permission_required = ["view"]  # not "change" alone: the list holds personal data
    FORMATS = (SpreadsheetExportMixin.FORMAT_CSV,)
    search_fields = ["title", "description"]

    def get_base_queryset(self):
        return Ticket.objects.select_related("category", "building", "unit", "contractor", "worker").defer(
            "description", "rating_comment"
        )

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        # Tickets reported in the same second, or with the same deadline, keep one order.
        return queryset.order_by(*queryset.query.order_by, "-pk")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        condition = Q(title__icontains=query) | Q(description__icontains=query)
        if match := REFERENCE.match(query):
            condition |= Q(pk=int(match.group(1)))
        return queryset.filter(condition)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(Button(gettext("Download CSV"), url=self.csv_export_url, icon_name="download", priority=100))
        return buttons

    def get_filename(self):
        return f"tickets-{timezone.localdate():%Y-%m-%d}"

    def write_csv_response(self, queryset):
        return csv_response(ticket_csv_lines(queryset), f"{self.get_filename()}.csv")


def ticket_csv_lines(tickets):
    """The tickets as CSV lines: semicolons and a BOM, as Polish spreadsheets expect, no
    cell that a spreadsheet would run as a formula, dates as dd.mm.yyyy hh:mm local time.

    Contact details stay out: the file leaves the system, the list of faults need not
    carry residents' phone numbers with it.
    """
    # Everything translated now, in the viewer's language: the rows are written while the
    # response streams, after the view has returned.
    header = [
        gettext("Reference"),
        field_label("title"),
        field_label("category"),
        field_label("building"),
        gettext("Address"),
        gettext("Place"),
        field_label("location"),
        field_label("status"),
        field_label("source"),
        field_label("contractor"),
        field_label("worker"),
        field_label("created_at"),
        field_label("due_at"),
        gettext("Overdue"),
        field_label("done_at"),
        field_label("closed_at"),
    ]
    header = [str(label) for label in header]
    common_area = gettext("%(building)s, common area")
    zone = timezone.get_current_timezone()  # the viewer's, while the view runs
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    sources = {value: str(label) for value, label in Ticket.Source.choices}
    yes = gettext("yes")

    def when(moment) -> str:
        return csv_time(moment, zone, CSV_DATE_TIME)

    def rows():
        for ticket in tickets.iterator(chunk_size=2000):
            yield [
                ticket.reference,
                ticket.title,
                ticket.category.name,
                ticket.building.code,
                ticket.building.address,
                place_of(ticket, common_area),
                ticket.location,
                statuses.get(ticket.status, ticket.status),
                sources.get(ticket.source, ticket.source),
                ticket.contractor.title if ticket.contractor_id else "",
                person_label(ticket.worker),
                when(ticket.created_at),
                when(ticket.due_at),
                yes if ticket.is_overdue else "",
                when(ticket.done_at),
                when(ticket.closed_at),
            ]

    return csv_lines(header, rows())


# --- One ticket ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    value: object
    key: str = ""


class TicketInspectView(generic.InspectView):
    """All about one ticket: facts, contact, history, comments and photos; the quick actions
    for dispatchers."""

    any_permission_required = ["view"]
    template_name = "tickets/admin/inspect.html"
    header_icon = "warning"
    page_title = capfirst(Ticket._meta.verbose_name)

    # `?firms=all` on the ticket's page: the assign form offers firms of every trade.
    EVERY_TRADE = "all"

    @cached_property
    def every_trade(self) -> bool:
        return self.request.GET.get("firms") == self.EVERY_TRADE

    def firms_link(self, form) -> dict | None:
        """The link between the category's firms and every firm, when there is a choice."""
        if form is None or form.trade is None:
            return None
        url = ticket_url("inspect", self.object)
        if form.narrowed:
            return {
                "url": f"{url}?{urlencode({'firms': self.EVERY_TRADE})}#ticket-assign",
                "label": gettext("Show firms of every trade"),
            }
        if self.every_trade:
            return {
                "url": f"{url}#ticket-assign",
                "label": gettext("Show only firms of the trade “%(trade)s”") % {"trade": form.trade.name},
            }
        return None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Ticket.objects.select_related(
                "category__trade",
                "building",
                "unit",
                "reporter",
                "recorded_by",
                "responsible",
                "contractor",
                "worker",
            ),
            pk=self.pk,
        )

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return f"{self.object.reference} {self.object.title}"

    @cached_property
    def can_dispatch(self) -> bool:
        return selectors.can_dispatch(self.request.user)

    @cached_property
    def roles(self) -> set[Actor]:
        return selectors.actor_roles(self.object, self.request.user) if self.can_dispatch else set()

    @cached_property
    def actions(self) -> policy.TicketActions:
        return policy.actions_open(self.object, self.roles)

    def get_facts(self) -> list[Fact]:
        ticket = self.object
        category = ticket.category
        facts = [
            Fact(gettext("Reference"), ticket.reference, "reference"),
            Fact(field_label("title"), ticket.title, "title"),
            Fact(field_label("category"), f"{category.name} ({category.get_urgency_display()})", "category"),
            Fact(field_label("status"), ticket.get_status_display(), "status"),
            Fact(field_label("building"), str(ticket.building), "building"),
            Fact(gettext("Place"), place_of(ticket), "place"),
        ]
        if ticket.location:
            facts.append(Fact(field_label("location"), ticket.location, "location"))
        if ticket.latitude is not None:
            facts.append(Fact(gettext("Position"), f"{ticket.latitude}, {ticket.longitude}", "position"))
        if ticket.preferred_date:
            facts.append(
                Fact(
                    field_label("preferred_date"),
                    f"{date_format(ticket.preferred_date, 'd.m.Y')}, {ticket.get_preferred_window_display()}",
                    "preferred_date",
                )
            )
        facts += [
            Fact(
                field_label("entry_permitted"),
                gettext("yes") if ticket.entry_permitted else gettext("no"),
                "entry_permitted",
            ),
            Fact(field_label("source"), ticket.get_source_display(), "source"),
            Fact(field_label("responsible"), person_label(ticket.responsible) or "–", "responsible"),
            Fact(field_label("contractor"), ticket.contractor.title if ticket.contractor_id else "–", "contractor"),
            Fact(field_label("worker"), person_label(ticket.worker) or "–", "worker"),
            Fact(field_label("created_at"), local_time(ticket.created_at), "created_at"),
            Fact(field_label("response_due_at"), local_time(ticket.response_due_at), "response_due_at"),
            Fact(field_label("due_at"), local_time(ticket.due_at), "due_at"),
        ]
        moments = ("first_response_at", "response_overdue_at", "assigned_at", "contractor_accepted_at", "done_at")
        for name in (*moments, "overdue_at", "closed_at"):
            if moment := getattr(ticket, name):
                facts.append(Fact(field_label(name), local_time(moment), name))
        if ticket.rating:
            rating = f"{ticket.rating}/5 {ticket.rating_comment}".strip()
            facts.append(Fact(field_label("rating"), rating, "rating"))
        if ticket.reopened_count:
            facts.append(Fact(field_label("reopened_count"), ticket.reopened_count, "reopened_count"))
        return facts

    def get_summary(self) -> list[Fact]:
        """What a dispatcher needs before acting, at the top of the page beside the status:
        the deadline, the place, the category and the firm (all of them among the facts
        further down as well)."""
        ticket = self.object
        return [
            Fact(field_label("due_at"), local_time(ticket.due_at) or "–", "due_at"),
            Fact(gettext("Place"), place_of(ticket), "place"),
            Fact(field_label("category"), ticket.category.name, "category"),
            Fact(field_label("contractor"), ticket.contractor.title if ticket.contractor_id else "–", "contractor"),
        ]

    def get_contact(self) -> list[Fact]:
        """Personal data: only for staff who may read tickets (tickets.view_ticket)."""
        ticket = self.object
        if not selectors.is_ticket_staff(self.request.user):
            return []
        contact = []
        if ticket.reporter_id:
            reporter = ticket.reporter
            contact.append(Fact(field_label("reporter"), person_label(reporter), "reporter"))
            if reporter.email:
                contact.append(Fact(gettext("Reporter's e-mail"), reporter.email, "reporter_email"))
        for name in ("contact_name", "contact_phone", "contact_email"):
            if value := getattr(ticket, name):
                contact.append(Fact(field_label(name), value, name))
        if ticket.recorded_by_id:
            contact.append(Fact(field_label("recorded_by"), person_label(ticket.recorded_by), "recorded_by"))
        return contact

    def get_history(self) -> list[dict]:
        labels = dict(Ticket.Status.choices)
        events = TicketEvent.objects.filter(ticket=self.object).select_related("actor").order_by("at", "pk")
        return [
            {
                "at": local_time(event.at),
                "kind": event.get_kind_display(),
                "from_status": labels.get(event.from_status, ""),
                "to_status": labels.get(event.to_status, ""),
                "actor": person_label(event.actor) if event.actor_id else gettext("system"),
                "note": event.note,
            }
            for event in events
        ]

    def get_action_forms(self) -> dict:
        if not self.can_dispatch:
            return {}
        ticket = self.object
        actions = self.actions
        forms = {}
        if actions.assign:
            forms["assign_form"] = AssignForm(ticket=ticket, every_trade=self.every_trade)
        if actions.transition_to:
            forms["transition_form"] = TransitionForm(targets=actions.transition_to, from_status=ticket.status)
        # The form offers internal notes and public comments: for those who may write both.
        if actions.comment_internal:
            forms["comment_form"] = CommentForm()
        if actions.change_deadline:
            forms["deadline_form"] = DeadlineForm(ticket=ticket)
        return forms

    def get_context_data(self, **kwargs):
        forms = self.get_action_forms()
        # A refused action shows its own form again, with what was typed and why.
        forms.update({key: value for key, value in kwargs.items() if key.endswith("_form")})
        context = super().get_context_data(**kwargs)
        ticket = self.object
        user = self.request.user
        comments = selectors.comments_visible_to(ticket, user).select_related("author").order_by("created_at", "pk")
        photos = selectors.photos_visible_to(user).filter(ticket=ticket).order_by("created_at", "pk")
        media = None
        for form in forms.values():
            media = form.media if media is None else media + form.media
        context.update(
            ticket=ticket,
            labels={
                "description": field_label("description"),
                "comments": capfirst(TicketComment._meta.verbose_name_plural),
                "photos": capfirst(TicketPhoto._meta.verbose_name_plural),
            },
            summary=self.get_summary(),
            facts=self.get_facts(),
            description=ticket.description,
            overdue=ticket.is_overdue,
            contact=self.get_contact(),
            history=self.get_history(),
            comments=[
                {
                    "at": local_time(comment.created_at),
                    "author": person_label(comment.author) if comment.author_id else "",
                    "internal": comment.is_internal,
                    "body": comment.body,
                }
                for comment in comments
            ],
            photos=[
                {
                    "url": reverse("tickets:photo", args=[photo.pk]),
                    "thumbnail_url": reverse("tickets:photo_thumbnail", args=[photo.pk]),
                    "width": photo.thumbnail_width,
                    "height": photo.thumbnail_height,
                    "internal": photo.is_internal,
                    "at": local_time(photo.created_at),
                }
                for photo in photos
            ],
            can_dispatch=self.can_dispatch,
            firms_link=self.firms_link(forms.get("assign_form")),
            every_trade=self.every_trade,  # the firms link was followed: the assign form is unfolded
            media=media,
            index_url=reverse(f"{TICKETS}:index"),
            **forms,
        )
        for name in ("assign", "transition", "comment", "deadline"):
            context[f"{name}_url"] = ticket_url(name, ticket)
        return context


class TicketActionView(TicketInspectView):
    """A quick action: POST only, by dispatchers (tickets.dispatch_ticket). Success goes
    back to the ticket with a message; a refusal shows the ticket again with the form's
    errors, and the ticket is unchanged."""

    http_method_names = ["post"]
    form_key = ""
    # Service error fields that the form names otherwise.
    field_names: dict[str, str] = {}

    def make_form(self, data):
        raise NotImplementedError

    def redisplay(self, form) -> None:
        """Make a refused form fit to be shown again."""

    def act(self, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if not self.can_dispatch:
            return HttpResponseForbidden(gettext("You may read this ticket but not change it."))
        form = self.make_form(request.POST)
        problem = gettext("The ticket has not been changed: correct the form below.")
        if form.is_valid():
            try:
                success = self.act(form)
            except ServiceError as error:
                add_service_errors(form, error, self.field_names)
                problem = service_errors(error)[0].message
            else:
                messages.success(request, success)
                return redirect(ticket_url("inspect", self.object))
        messages.error(request, problem)
        self.redisplay(form)
        return self.render_to_response(self.get_context_data(**{self.form_key: form}))


class TicketAssignView(TicketActionView):
    form_key = "assign_form"

    def make_form(self, data):
        # Any live firm is accepted; shown again after a refusal, the form offers them all.
        return AssignForm(data, ticket=self.object, every_trade=True)

    def act(self, form) -> str:
        data = form.cleaned_data
        ticket = services.ticket_assign(
            ticket=self.object,
            actor=self.request.user,
            contractor=data["contractor"],
            worker=data.get("worker"),
            note=data.get("note", ""),
        )
        # The firm's name is not at the end: "Hydro-Tech s.c." would end in two full stops.
        return gettext("%(contractor)s now has ticket %(reference)s.") % {
            "reference": ticket.reference,
            "contractor": data["contractor"].title,
        }


class TicketTransitionView(TicketActionView):
    form_key = "transition_form"
    field_names = {"status": "to_status"}

    def make_form(self, data):
        # Any status is accepted here: the service, not the form, decides what is allowed.
        return TransitionForm(data, targets=list(S.values))

    def redisplay(self, form) -> None:
        form.fields["to_status"].choices = [
            (status, target_label(self.object.status, status)) for status in self.actions.transition_to
        ]

    def act(self, form) -> str:
        ticket = services.ticket_transition(
            ticket=self.object,
            actor=self.request.user,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data.get("note", ""),
        )
        return gettext("Ticket %(reference)s is now “%(status)s”.") % {
            "reference": ticket.reference,
            "status": ticket.get_status_display(),
        }


class TicketCommentView(TicketActionView):
    form_key = "comment_form"
    field_names = {"internal": "visibility"}

    def make_form(self, data):
        return CommentForm(data)

    def act(self, form) -> str:
        services.ticket_comment_add(
            ticket=self.object, author=self.request.user, body=form.cleaned_data["body"], internal=form.internal
        )
        if form.internal:
            return gettext("Internal note added to %(reference)s.") % {"reference": self.object.reference}
        return gettext("Comment added to %(reference)s; the reporter has been told.") % {
            "reference": self.object.reference
        }


class TicketDeadlineView(TicketActionView):
    form_key = "deadline_form"

    def make_form(self, data):
        return DeadlineForm(data, ticket=self.object)

    def act(self, form) -> str:
        ticket = services.ticket_deadline_change(
            ticket=self.object,
            actor=self.request.user,
            due_at=form.cleaned_data["due_at"],
            reason=form.cleaned_data["reason"],
        )
        return gettext("Deadline of %(reference)s moved to %(due)s.") % {
            "reference": ticket.reference,
            "due": local_time(ticket.due_at),
        }


# --- Categories ------------------------------------------------------------------------------------


class CategoryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("default_contractor", "default_responsible")
            .annotate(ticket_count=Count("tickets"))
        )

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "name", "pk")


class CategoryDeleteView(generic.DeleteView):
    """A category with tickets stays (they need it): it can be withdrawn from residents instead."""

    def dispatch(self, request, *args, **kwargs):
        if self.object.tickets.exists():
            messages.error(
                request,
                gettext(
                    "Category '%(category)s' has tickets and cannot be deleted. "
                    "Untick “offered to residents” to stop new reports in it."
                )
                % {"category": self.object},
            )
            return redirect(self.get_edit_url() or reverse(f"{CATEGORIES}:index"))
        return super().dispatch(request, *args, **kwargs)

    def get_edit_url(self):
        if self.edit_url_name and self.user_has_permission("change"):
            return reverse(self.edit_url_name, args=[quote(self.object.pk)])
        return None


# --- Statistics -------------------------------------------------------------------------------------


FIGURES = [
    ("reported", pgettext_lazy("ticket statistics", "Reported")),
    ("handed_to_contractors", pgettext_lazy("ticket statistics", "Handed to contractors")),
    ("done", pgettext_lazy("ticket statistics", "Done")),
    ("not_done", pgettext_lazy("ticket statistics", "Not done")),
    ("rejected", pgettext_lazy("ticket statistics", "Rejected")),
    ("overdue", pgettext_lazy("ticket statistics", "Overdue")),
    ("avg_first_response", pgettext_lazy("ticket statistics", "Average first response")),
    ("avg_resolution", pgettext_lazy("ticket statistics", "Average resolution")),
]


def _figure_cells(figures) -> list[str]:
    cells = []
    for name, _label in FIGURES:
        value = getattr(figures, name)
        cells.append(duration_text(value) if name.startswith("avg_") else value)
    return cells


class TicketStatisticsView(WagtailAdminTemplateMixin, TemplateView):
    """Counts and mean times of the tickets reported in a period, today's work, and where
    faults cluster (selectors.figures.ticket_statistics); for tickets.view_ticket_statistics."""

    page_title = _("Ticket statistics")
    header_icon = "table"
    template_name = "tickets/admin/statistics.html"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_read_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatisticsPeriodForm(self.request.GET or None)
        context.update(form=form, media=form.media, figure_labels=[str(label) for _name, label in FIGURES])
        if not form.is_valid():
            return context
        # The cooperative's days, whatever zone the viewer's profile sets: the dashboard
        # and the tickets list count the same days, so their numbers and links agree.
        zone = timezone.get_default_timezone()
        start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
        since = datetime.combine(start, time.min, tzinfo=zone) if start else None
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None
        stats = ticket_statistics(since=since, until=until)
        period = {}
        if start:
            period["created_at_from"] = start.isoformat()
        if end:
            period["created_at_to"] = end.isoformat()
        index_url = reverse(f"{TICKETS}:index")

        def rows(breakdowns, parameter):
            return [
                {
                    "label": item.label,
                    "url": f"{index_url}?{urlencode({parameter: item.key, **period})}" if item.key else "",
                    "cells": _figure_cells(item.figures),
                }
                for item in breakdowns
            ]

        context.update(
            stats=stats,
            summary=[
                {"label": str(label), "today": today, "period": in_period}
                for (_name, label), today, in_period in zip(
                    FIGURES, _figure_cells(stats.today), _figure_cells(stats.period), strict=True
                )
            ],
            by_category=rows(stats.by_category, "category"),
            by_building=rows(stats.by_building, "building"),
            by_contractor=rows(stats.by_contractor, "contractor"),
            clusters=[
                {
                    "building": cluster.building_label,
                    "category": cluster.category_label,
                    "count": cluster.count,
                    "url": f"{index_url}?"
                    + urlencode({"building": cluster.building_id, "category": cluster.category_id, **period}),
                }
                for cluster in stats.clusters
            ],
        )
        return context
