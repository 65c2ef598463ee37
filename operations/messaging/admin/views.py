"""Views of the messaging admin: the delivery log's listing and filters, and the guard on
message templates. Who sees what is the policy's answer (`policy.may_read_ticket_messages`,
`policy.may_edit_template`); Wagtail's permissions let staff into the screens at all.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views import generic

from .. import policy
from ..kinds import Channel, MessageKind
from ..models import Delivery

# --- Delivery log ------------------------------------------------------------------------------------


def _broadcasts(request):
    """The broadcasts to filter the log by, reached through the deliveries' foreign key:
    messaging imports nothing of the broadcasts app."""
    return Delivery._meta.get_field("broadcast").related_model.objects.order_by("-created_at")


class DeliveryFilterSet(WagtailFilterSet):
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=Delivery.State.choices)
    broadcast = django_filters.ModelChoiceFilter(label=_("Broadcast"), queryset=_broadcasts)
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = Delivery
        fields = ["channel", "state", "broadcast", "created_at"]


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        deliveries = super().get_base_queryset().select_related("message__recipient", "broadcast")
        if not policy.may_read_ticket_messages(self.request.user):
            deliveries = deliveries.exclude(message__kind=MessageKind.TICKET_UPDATE)
        return deliveries


# --- Message templates -------------------------------------------------------------------------------


class TicketTemplatesGuard:
    """Edit and delete views of message templates: a ticket template only for ticket staff."""

    def get_object(self, queryset=None):
        template = super().get_object(queryset)
        if not policy.may_edit_template(self.request.user, template):
            raise PermissionDenied
        return template


class MessageTemplateEditView(TicketTemplatesGuard, generic.EditView):
    pass


class MessageTemplateDeleteView(TicketTemplatesGuard, generic.DeleteView):
    pass
