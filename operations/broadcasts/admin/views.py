"""Views of the broadcasts admin: composing, previewing, sending and reporting broadcasts,
and a draft from a published news item.

Drafts are saved through `services.broadcast_draft_save`, sending and cancelling through
`services.broadcast_schedule` and `services.broadcast_cancel`; nothing here writes a
broadcast, message or delivery itself (a Wagtail history entry aside). Which buttons and
screens a member of staff gets is the policy's answer (`policy.broadcast_actions_open`,
`policy.broadcast_edit_refusal`, `policy.may_broadcast_news`, and messaging's
`may_read_delivery_log`). The summaries the views show (reach per channel, progress) are
read through selectors, and turned into words and CSV rows in exports.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.log_actions import log

from cms.core.admin.exports import csv_response
from cms.core.admin.views import ServiceFormMixin, local_time
from cms.core.exceptions import ServiceError
from cms.core.portal_links import page_portal_url
from cms.news.models import NewsPage
from operations.messaging import policy as messaging_policy
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery
from operations.messaging.rendering import sms_length

from .. import policy, selectors, services
from ..models import Broadcast
from ..selectors import broadcast_reach, progress_by_broadcast, sample_messages
from .exports import delivery_csv_lines, describe_progress
from .forms import ConfirmForm

User = get_user_model()

# URL namespace of the broadcasts viewset (viewsets.BroadcastViewSet.name).
BROADCASTS = "broadcasts"
# Wagtail history actions. Named when broadcasts were part of messaging, and stored in
# every history entry since, so the names stay.
LOG_SENT = "messaging.broadcast_send"
LOG_CANCELLED = "messaging.broadcast_cancel"
FAILED_PER_PAGE = 50


def broadcast_url(name: str, broadcast_or_pk) -> str:
    pk = getattr(broadcast_or_pk, "pk", broadcast_or_pk)
    return reverse(f"{BROADCASTS}:{name}", args=[quote(pk)])


# --- Listing, create and edit --------------------------------------------------------------------


class BroadcastIndexView(generic.IndexView):
    # Wagtail's "Add %(model_name)s" puts the name in the nominative: "Dodaj rozsyłka".
    add_item_label = _("Add broadcast")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("news_page")

    def get_table(self, object_list):
        broadcasts = list(object_list)
        progress = progress_by_broadcast(broadcast.pk for broadcast in broadcasts)
        for broadcast in broadcasts:
            broadcast.progress_summary = describe_progress(progress.get(broadcast.pk))
        return super().get_table(broadcasts)

    def get_edit_url(self, instance):
        if policy.broadcast_edit_refusal(instance) is None:
            return super().get_edit_url(instance)
        return None

    def get_inspect_url(self, instance):
        # The title of a broadcast that can no longer be edited leads to its report.
        return broadcast_url("report", instance)

    def get_list_more_buttons(self, instance):
        buttons = []
        if edit_url := self.get_edit_url(instance):
            buttons.append(MenuItem(gettext("Edit"), url=edit_url, icon_name="edit", priority=10))
        if policy.broadcast_edit_refusal(instance) is None:
            buttons.append(
                MenuItem(
                    gettext("Preview and send"), url=broadcast_url("preview", instance), icon_name="view", priority=20
                )
            )
        buttons.append(
            MenuItem(gettext("Report"), url=broadcast_url("report", instance), icon_name="table", priority=30)
        )
        return buttons


class ServiceSaveMixin(ServiceFormMixin):
    """Save the draft through `services.broadcast_draft_save`; its refusals become form errors."""

    def save_instance(self):
        data = self.form.cleaned_data
        broadcast = services.broadcast_draft_save(
            broadcast=self.form.instance,
            user=self.request.user,
            estates=data.get("estates"),
            buildings=data.get("buildings"),
            units=data.get("units"),
        )
        log(broadcast, self.log_action, user=self.request.user)
        return broadcast

    def get_success_url(self):
        return broadcast_url("preview", self.object)

    def get_success_message(self, *args):
        return gettext("Broadcast '%(title)s' saved. Check who it reaches, then send it.") % {"title": self.object}


class BroadcastCreateView(ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"


class BroadcastEditView(ServiceSaveMixin, generic.EditView):
    log_action = "wagtail.edit"
    template_name = "broadcasts/admin/broadcast_edit.html"

    def dispatch(self, request, *args, **kwargs):
        broadcast = get_object_or_404(Broadcast, pk=kwargs["pk"])
        if policy.broadcast_edit_refusal(broadcast):
            messages.warning(request, gettext("This broadcast has been sent or cancelled; it cannot be changed."))
            return redirect(broadcast_url("report", broadcast))
        return super().dispatch(request, *args, **kwargs)

    # Broadcasts are never deleted: cancelling stops one and keeps its record.
    can_delete = False

    def get_header_more_buttons(self):
        return [
            Button(
                gettext("Preview and send"), url=broadcast_url("preview", self.object), icon_name="view", priority=10
            ),
            Button(gettext("Report"), url=broadcast_url("report", self.object), icon_name="table", priority=20),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.status == Broadcast.Status.SCHEDULED:
            context["scheduled_warning"] = gettext(
                "This broadcast is scheduled for %(when)s; what you save now is what will be sent."
            ) % {"when": local_time(self.object.send_at)}
        return context


# --- One broadcast: preview, send, cancel, report ------------------------------------------------


class BroadcastObjectMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    model = Broadcast
    any_permission_required = ["add", "change", "view"]
    header_icon = "mail"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Broadcast.objects.select_related("news_page", "created_by"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BROADCASTS}:index"), "label": capfirst(Broadcast._meta.verbose_name_plural)},
            {"url": "", "label": f"{self.get_page_title()}: {self.object}"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        broadcast = self.object
        actions = policy.broadcast_actions_open(self.request.user, broadcast)
        context.update(
            broadcast=broadcast,
            send_at=local_time(broadcast.send_at),
            can_edit=actions.edit,
            can_send=actions.send,
            can_cancel=actions.cancel,
            can_export=actions.export,
            edit_url=broadcast_url("edit", broadcast),
            preview_url=broadcast_url("preview", broadcast),
            send_url=broadcast_url("send", broadcast),
            cancel_url=broadcast_url("cancel", broadcast),
            report_url=broadcast_url("report", broadcast),
            csv_url=broadcast_url("deliveries_csv", broadcast),
            news_page_edit_url=(
                reverse("wagtailadmin_pages:edit", args=[broadcast.news_page_id]) if broadcast.news_page_id else ""
            ),
        )
        return context


class BroadcastPreviewView(BroadcastObjectMixin, TemplateView):
    """Who the broadcast reaches on each channel, and what one of them will read."""

    page_title = _("Preview")
    template_name = "broadcasts/admin/preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        broadcast = self.object
        reach = broadcast_reach(broadcast)
        sample = User.objects.filter(pk=reach.sample_id).first() if reach.sample_id else self.request.user
        context.update(
            reach=reach,
            sample=sample,
            samples=sample_messages(broadcast, sample),
            problems=services.broadcast_problems(broadcast) if policy.broadcast_edit_refusal(broadcast) is None else [],
            template_sms_length=sms_length(broadcast.sms_text).describe() if broadcast.sms_text else "",
            sends_later=bool(broadcast.send_at and broadcast.send_at > timezone.now()),
        )
        return context


class BroadcastActionView(BroadcastObjectMixin, View):
    """A POST that changes a broadcast's state through a service; GET shows the preview."""

    permission_required = "send"
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(broadcast_url("preview", self.object))

    def act(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.act()
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(broadcast_url("preview", self.object))
        messages.success(request, message)
        return redirect(broadcast_url("report", self.object))


class BroadcastSendView(BroadcastActionView):
    def act(self) -> str:
        broadcast = services.broadcast_schedule(
            broadcast=self.object, user=self.request.user, send_at=self.object.send_at
        )
        log(broadcast, LOG_SENT, user=self.request.user)
        if broadcast.send_at > timezone.now():
            return gettext("Broadcast '%(title)s' will be sent on %(when)s.") % {
                "title": broadcast,
                "when": local_time(broadcast.send_at),
            }
        return gettext("Broadcast '%(title)s' is being sent.") % {"title": broadcast}


class BroadcastCancelView(BroadcastActionView):
    def act(self) -> str:
        broadcast = services.broadcast_cancel(broadcast=self.object, user=self.request.user)
        log(broadcast, LOG_CANCELLED, user=self.request.user)
        return gettext("Broadcast '%(title)s' cancelled; nothing more will be sent.") % {"title": broadcast}


@dataclass(frozen=True)
class ChannelProgress:
    channel: Channel
    counts: dict[str, int]
    total: int
    done_percent: int


class BroadcastReportView(BroadcastObjectMixin, TemplateView):
    """Deliveries per channel and state, with the failures and their reasons."""

    page_title = _("Report")
    template_name = "broadcasts/admin/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        broadcast = self.object
        progress = selectors.broadcast_progress(broadcast)
        channels = []
        for channel in Channel:
            if channel.value not in progress and channel.value not in broadcast.channels:
                continue
            counts = progress.get(channel.value) or {state.value: 0 for state in Delivery.State}
            total = sum(counts.values())
            pending = counts[Delivery.State.QUEUED] + counts[Delivery.State.SENDING]
            done = round(100 * (total - pending) / total) if total else 0
            channels.append(ChannelProgress(channel, counts, total, done))
        # Who failed, with their addresses, is the delivery log's to show: counts are for all.
        may_see_deliveries = messaging_policy.may_read_delivery_log(self.request.user)
        failures = selectors.broadcast_failures_visible_to(self.request.user, broadcast)
        page = Paginator(failures, FAILED_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            channels=channels,
            states=list(Delivery.State),
            failures=page,
            may_see_deliveries=may_see_deliveries,
            queued_at=local_time(broadcast.queued_at),
            finished_at=local_time(broadcast.finished_at),
            refresh=broadcast.status == Broadcast.Status.SENDING,
        )
        return context


class BroadcastDeliveriesCsvView(BroadcastObjectMixin, View):
    """Every delivery of a broadcast as CSV (semicolons and a BOM, as Polish spreadsheets expect)."""

    def get(self, request, *args, **kwargs):
        if not messaging_policy.may_read_delivery_log(request.user):
            return HttpResponseForbidden(gettext("You may not see the delivery log."))
        return csv_response(delivery_csv_lines(self.object), f"broadcast-{self.object.pk}-deliveries.csv")


# --- A broadcast from a published alert ------------------------------------------------------------

_TEMPLATE_SYNTAX = re.compile(r"\{%|%\}|\{\{|\}\}|\{#|#\}")
_TEMPLATE_TAGS = {
    "{%": "openblock",
    "%}": "closeblock",
    "{{": "openvariable",
    "}}": "closevariable",
    "{#": "opencomment",
    "#}": "closecomment",
}


def literal_text(text: str, limit: int | None = None) -> str:
    """`text` as a message template that prints it as it is (a page title is not a template)."""

    def escape(raw: str) -> str:
        return _TEMPLATE_SYNTAX.sub(lambda m: "{% templatetag " + _TEMPLATE_TAGS[m.group()] + " %}", raw)

    raw = text if limit is None else text[:limit]
    escaped = escape(raw)
    while limit is not None and len(escaped) > limit:
        raw = raw[:-10]
        escaped = escape(raw)
    return escaped


def news_broadcast_draft(*, page: NewsPage, request) -> Broadcast:
    """A draft announcing `page` to its readers in its affected buildings, by e-mail and app."""
    buildings = list(page.affected_buildings.all())
    kind = MessageKind.OUTAGE_ALERT if page.kind == NewsPage.Kind.OUTAGE else MessageKind.ANNOUNCEMENT
    broadcast = Broadcast(
        title=page.title[:200],
        kind=kind,
        subject=literal_text(page.title, 200),
        body=literal_text((page.lead or "").strip() or page.title),
        link=page_portal_url(page),
        everyone=not buildings,
        channels=[Channel.EMAIL.value, Channel.PUSH.value],
        news_page=page,
        created_by=request.user,
    )
    return services.broadcast_draft_save(broadcast=broadcast, user=request.user, buildings=buildings)


class BroadcastFromNewsView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm, then create a draft broadcast of a published news item and open it."""

    model = Broadcast
    permission_required = "add"
    form_class = ConfirmForm
    template_name = "broadcasts/admin/from_news.html"
    page_title = _("Broadcast a news item")
    header_icon = "mail"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(NewsPage, pk=kwargs["page_id"])

    def dispatch(self, request, *args, **kwargs):
        # The item's lead is copied into the draft: only someone who may read or edit it may.
        if not policy.may_broadcast_news(request.user, self.page):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.is_live:
            return self.refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.is_live:
            return self.refuse()
        return super().post(request, *args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.page.live and not self.page.expired

    def refuse(self):
        messages.error(self.request, gettext("Only a published news item can be broadcast."))
        return redirect("wagtailadmin_pages:edit", self.page.pk)

    def get_page_subtitle(self):
        return self.page.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BROADCASTS}:index"), "label": capfirst(Broadcast._meta.verbose_name_plural)},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        existing = Broadcast.objects.filter(news_page=self.page).order_by("-created_at")
        context.update(
            page=self.page,
            buildings=list(self.page.affected_buildings.all()),
            existing=[(broadcast, broadcast_url("preview", broadcast)) for broadcast in existing],
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        try:
            broadcast = news_broadcast_draft(page=self.page, request=self.request)
        except ServiceError as error:
            messages.error(self.request, error.message)
            return redirect("wagtailadmin_pages:edit", self.page.pk)
        log(broadcast, "wagtail.create", user=self.request.user)
        messages.success(
            self.request,
            gettext("Draft broadcast of '%(title)s' created. Check the text and audience, then send it.")
            % {"title": self.page.title},
        )
        return redirect(broadcast_url("edit", broadcast))


def broadcast_news_button_url(page, user) -> str | None:
    """Where "broadcast this" leads for a live outage alert, if `user` may add broadcasts."""
    if not isinstance(page, NewsPage) or page.kind != NewsPage.Kind.OUTAGE or not page.live:
        return None
    if not policy.may_broadcast_news(user, page):
        return None
    return reverse(f"{BROADCASTS}:from_news", args=[page.pk])
