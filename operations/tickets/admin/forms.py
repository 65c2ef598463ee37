"""Forms of the tickets admin: the list's filters, the quick actions on one ticket, the
statistics period and the category form.

The quick-action forms only collect what a dispatcher typed; whether the change is allowed
(the workflow, a worker of that firm, a reason) is the services' decision, and their
refusals are put back on these forms next to the field they concern.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField
from wagtail.admin.filters import DateRangePickerWidget, FilteredModelChoiceField, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from cms.contractors.models import ContractorPage
from cms.core.admin.views import person_label
from operations.residents.models import Building
from operations.residents.roles import StaffRole, staff_group_name

from .. import selectors
from ..models import Category, Ticket, TicketComment
from ..selectors import situation

User = get_user_model()


def label_of(model, name: str) -> str:
    """A field's verbose name as a label (lazy: translated when shown)."""
    return capfirst(model._meta.get_field(name).verbose_name)


# --- The list's filters ----------------------------------------------------------------------

# The days a ticket's dates may be asked about: the midnight of any of them, and of the day
# after it (the statistics' period ends there), is a moment both databases store in any time
# zone. Year 1 or 9999 was a 500 (an OverflowError turning the day into a stored moment).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def storable_days() -> list:
    return [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class CooperativeDaysField(DateRangeField):
    """From one day to another, both whole, in the cooperative's time zone
    (settings.TIME_ZONE). django-filter reads them in the viewer's zone, which Wagtail sets
    from the staff member's profile: the situation centre counts Warsaw days and links
    here with them, so for a viewer in another zone its numbers and these lists disagreed
    (tests/security/test_dashboard_review_lists.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields:
            field.validators.extend(storable_days())

    def compress(self, data_list):
        if not data_list:
            return None
        start, stop = data_list
        zone = timezone.get_default_timezone()
        return slice(
            datetime.combine(start, time.min, tzinfo=zone) if start else None,
            datetime.combine(stop, time.max, tzinfo=zone) if stop else None,
        )


class CooperativeDaysFilter(django_filters.DateFromToRangeFilter):
    field_class = CooperativeDaysField


class PersonChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _streets() -> list[tuple[str, str]]:
    streets = Building.objects.order_by("street").values_list("street", flat=True).distinct()
    return [(street, street) for street in streets]


def _workers():
    """People who work for a firm or have worked on a ticket (one may have left the firm)."""
    assigned = Ticket.objects.filter(worker__isnull=False).values("worker_id")
    return User.objects.filter(Q(contractor_staff__isnull=False) | Q(pk__in=assigned)).order_by(
        "last_name", "first_name", "username"
    )


SITUATION_CHOICES = [
    ("reported_today", _("Reported today")),
    ("open", _("Open")),
    ("awaiting_assignment", _("Awaiting assignment")),
    ("past_response", _("No response in time")),
    ("overdue", _("Overdue")),
    ("due_today", _("Due today")),
]

# A resident's rating of the work, 1 to 5 (given when confirming it, `services.ticket_rate`).
RATINGS = [(str(value), str(value)) for value in range(1, 6)]


class TicketFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=label_of(Ticket, "status"), choices=Ticket.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.ModelChoiceFilter(label=label_of(Ticket, "category"), queryset=Category.objects.all())
    building = django_filters.ModelChoiceFilter(
        label=label_of(Ticket, "building"), queryset=Building.objects.order_by("code")
    )
    street = django_filters.ChoiceFilter(
        label=label_of(Building, "street"), field_name="building__street", choices=_streets, empty_label=_("All")
    )
    contractor = django_filters.ModelChoiceFilter(
        label=label_of(Ticket, "contractor"), queryset=ContractorPage.objects.order_by("title")
    )
    worker = PersonFilter(label=label_of(Ticket, "worker"), queryset=_workers())
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        method="filter_overdue",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    source = django_filters.ChoiceFilter(
        label=label_of(Ticket, "source"), choices=Ticket.Source.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    # Whole days of the cooperative, as every figure of the situation centre counts them.
    created_at = CooperativeDaysFilter(label=label_of(Ticket, "created_at"), widget=DateRangePickerWidget)
    # Every value ticked lists the rated tickets: the situation centre's mean rating links so.
    rating = django_filters.MultipleChoiceFilter(
        label=label_of(Ticket, "rating"), choices=RATINGS, widget=forms.CheckboxSelectMultiple
    )
    # The situation centre's figures (selectors.situation): a number on the dashboard
    # links here and lists exactly the tickets it counted.
    now = django_filters.ChoiceFilter(
        label=_("Now"),
        choices=SITUATION_CHOICES,
        method="filter_now",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Ticket
        fields = [
            "status", "category", "building", "street", "contractor", "worker", "overdue", "source",
            "created_at", "rating", "now",
        ]  # fmt: skip

    def filter_now(self, queryset, name, value):
        if value in situation.CONDITIONS:
            return queryset.filter(situation.situation_condition(value))
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(selectors.overdue_condition())
        if value == "no":
            return queryset.exclude(selectors.overdue_condition())
        return queryset


# --- Quick actions on one ticket ---------------------------------------------------------------


class WorkerChoiceField(FilteredModelChoiceField):
    """Workers of live firms; the browser shows only those of the firm chosen above."""

    def label_from_instance(self, obj):
        return f"{person_label(obj)} ({obj.contractor_staff.firm.title})"

    def get_filter_value(self, obj):
        return [obj.contractor_staff.firm_id]


class AssignForm(forms.Form):
    """Hand the ticket to a firm. The firms offered are those of the category's trade
    (`Category.trade`), with the firm the ticket has now and the category's default firm;
    `every_trade` offers every live firm, those of the category's trade first. Either way
    any live firm is accepted (the view links to the longer list, and the service decides)."""

    contractor = forms.ModelChoiceField(
        label=label_of(Ticket, "contractor"),
        queryset=ContractorPage.objects.live().select_related("trade").order_by("title"),
    )
    worker = WorkerChoiceField(
        label=label_of(Ticket, "worker"),
        queryset=User.objects.filter(contractor_staff__firm__live=True, is_active=True)
        .select_related("contractor_staff__firm")
        .order_by("last_name", "first_name", "username"),
        required=False,
        filter_field="id_assign-contractor",
        filter_accessor="contractor_staff",
        help_text=_("Optional: one of the firm's people."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)

    def __init__(self, *args, ticket: Ticket, every_trade: bool = False, **kwargs):
        kwargs.setdefault("prefix", "assign")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("contractor", ticket.contractor_id or ticket.category.default_contractor_id)
        initial.setdefault("worker", ticket.worker_id)
        super().__init__(*args, **kwargs)
        self.trade = ticket.category.trade
        # Whether firms of other trades are left out of the list (the view then links to them).
        self.narrowed = False
        self._offer_firms({ticket.contractor_id, ticket.category.default_contractor_id}, every_trade)

    def _offer_firms(self, keep: set[int | None], every_trade: bool) -> None:
        field = self.fields["contractor"]
        firms = list(field.queryset)
        trade = self.trade
        of_trade = [firm for firm in firms if trade is not None and firm.trade_id == trade.pk]
        if not of_trade:  # no trade, or no live firm of it: every firm alike
            return
        others = [firm for firm in firms if firm.trade_id != trade.pk]

        def choice(firm: ContractorPage, *, with_trade: bool = False) -> tuple[int, str]:
            return firm.pk, f"{firm.title} ({firm.trade.name})" if with_trade else firm.title

        blank = ("", field.empty_label)
        field.help_text = gettext("The category's trade is “%(trade)s”: its firms are listed first.") % {
            "trade": trade.name
        }
        if every_trade:
            groups = [(trade.name, [choice(firm) for firm in of_trade])]
            if others:
                groups.append((gettext("Other trades"), [choice(firm, with_trade=True) for firm in others]))
            field.choices = [blank, *groups]
            return
        kept = [firm for firm in others if firm.pk in keep]
        field.choices = [blank, *(choice(firm) for firm in of_trade), *(choice(firm, with_trade=True) for firm in kept)]
        self.narrowed = len(kept) < len(others)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text=_("The reporter reads it. Needed when rejecting, pausing, finishing or taking back a ticket."),
    )

    def __init__(self, *args, targets: list[str], from_status: str | None = None, **kwargs):
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(status, target_label(from_status, status)) for status in targets]


def target_label(from_status: str | None, to_status: str) -> str:
    """A status offered as a change: its name, or what the change does where the name alone
    misleads (an assigned ticket becoming "accepted" is taken back from its firm)."""
    if (from_status, to_status) == (Ticket.Status.ASSIGNED, Ticket.Status.ACCEPTED):
        return gettext("accepted (taken back from the contractor)")
    return Ticket.Status(to_status).label


class CommentForm(forms.Form):
    PUBLIC, INTERNAL = "public", "internal"

    body = forms.CharField(
        label=label_of(TicketComment, "body"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    visibility = forms.ChoiceField(
        label=_("Who reads it"),
        choices=[
            (INTERNAL, _("Internal note: staff and the assigned contractor")),
            (PUBLIC, _("Public: the reporter reads it too")),
        ],
        initial=INTERNAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)

    @property
    def internal(self) -> bool:
        return self.cleaned_data["visibility"] == self.INTERNAL


class DeadlineForm(forms.Form):
    due_at = forms.DateTimeField(label=_("New deadline"), widget=AdminDateTimeInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("prefix", "deadline")
        kwargs.setdefault("initial", {}).setdefault("due_at", timezone.localtime(ticket.due_at))
        super().__init__(*args, **kwargs)


# --- Statistics ----------------------------------------------------------------------------------


class StatisticsPeriodForm(forms.Form):
    """Tickets reported from one day to another (both included, local days); no start: all."""

    DEFAULT_DAYS = 30

    # Days a moment can be made of (`storable_days`): the view turns them into midnights.
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=AdminDateInput, validators=storable_days()
    )
    date_to = forms.DateField(label=_("Reported to"), required=False, widget=AdminDateInput, validators=storable_days())

    def __init__(self, data=None, *args, **kwargs):
        if not data or not ({"date_from", "date_to"} & set(data)):
            today = timezone.localdate()
            data = {
                "date_from": (today - timedelta(days=self.DEFAULT_DAYS - 1)).isoformat(),
                "date_to": today.isoformat(),
            }
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        # Without an end the period runs until now.
        if start and start > (end or timezone.localdate()):
            raise forms.ValidationError(_("The period must not end before it starts."))
        return cleaned


# --- Categories ----------------------------------------------------------------------------------


class CategoryForm(WagtailAdminModelForm):
    """The responsible staff member is chosen among dispatchers and administrators, not
    among every resident with an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("default_responsible")
        if field is not None:
            groups = [staff_group_name(StaffRole.DISPATCHER), staff_group_name(StaffRole.ADMINISTRATOR)]
            current = self.instance.default_responsible_id
            field.queryset = (
                User.objects.filter(Q(groups__name__in=groups, is_active=True) | Q(pk=current))
                .distinct()
                .order_by("last_name", "first_name", "username")
            )
            field.label_from_instance = person_label
