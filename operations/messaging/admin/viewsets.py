"""The messages section's viewsets: message templates (plain models whose `clean` checks
the texts) and the read-only delivery log, in the "Messages" menu. Other apps put their
own items in that menu by naming `MESSAGES_MENU_HOOK` as their viewset's `menu_hook`
(broadcasts do), so messaging imports none of them."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.admin.views import local_time, person_label
from cms.core.admin.viewsets import AllPermissionsInGroupEditor, ReadOnlyViewSetMixin

from ..models import Delivery, MessageTemplate
from . import views
from .forms import MessageTemplateForm

# The hook of the "Messages" menu: a viewset whose `menu_hook` names it is one of its items.
MESSAGES_MENU_HOOK = "register_messages_menu_item"


def _when(field: str):
    return lambda obj: local_time(getattr(obj, field))


class MessageTemplateViewSet(AllPermissionsInGroupEditor, ModelViewSet):
    model = MessageTemplate
    name = "message-templates"
    edit_view_class = views.MessageTemplateEditView
    delete_view_class = views.MessageTemplateDeleteView
    icon = "doc-full"
    menu_label = _("Message templates")
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "key",
        Column("language", label=_("Language"), accessor="get_language_display", sort_key="language"),
        "name",
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        UpdatedAtColumn(),
    ]
    list_filter = ["language", "kind"]
    search_fields = ["key", "name", "subject"]
    ordering = ["key", "language"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("key"), FieldPanel("language")]),
            FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
            FieldPanel("subject"),
            FieldPanel("body_text"),
            FieldPanel("body_html"),
            FieldPanel("sms_text"),
        ],
        base_form_class=MessageTemplateForm,
    )


class DeliveryViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    """The delivery log: a filtered listing, nothing to add, edit or delete."""

    model = Delivery
    name = "deliveries"
    icon = "list-ul"
    menu_label = _("Delivery log")
    index_view_class = views.DeliveryIndexView
    filterset_class = views.DeliveryFilterSet
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    search_fields = ["address"]
    list_display = [
        Column("created_at", label=_("Created"), accessor=_when("created_at"), sort_key="created_at"),
        Column(
            "recipient",
            label=_("Recipient"),
            accessor=lambda d: person_label(d.message.recipient),
        ),
        Column("channel", label=_("Channel"), accessor="get_channel_display"),
        Column("address", label=_("Address"), accessor="shown_address"),
        Column("state", label=_("State"), accessor="get_state_display"),
        Column("attempts", label=_("Attempts")),
        Column("sent_at", label=_("Sent at"), accessor=_when("sent_at"), sort_key="sent_at"),
        Column("subject", label=_("Message"), accessor="message.subject"),
        Column("error", label=_("Reason")),
    ]

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Delivery), codename="view_delivery"
        )


class MessagingViewSetGroup(ViewSetGroup):
    menu_label = _("Messages")
    menu_icon = "mail"
    menu_order = 260
    submenu_hook = MESSAGES_MENU_HOOK
    items = (MessageTemplateViewSet, DeliveryViewSet)
