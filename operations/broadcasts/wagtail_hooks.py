"""Broadcasts in the Wagtail admin: only the hooks that plug them in.

The viewset, views and forms live in `admin/`; the viewset's menu item joins messaging's
"Messages" menu. Broadcasts are previewed, sent, cancelled and reported on by
`admin/views.py`; publishing an outage alert offers to broadcast it. Those who send
broadcasts see on the admin's first page (the situation centre) which are being sent and
which failed (`admin/dashboard.py`).
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button

from .admin import views
from .admin.dashboard import add_broadcast_situation_panel
from .admin.viewsets import BroadcastViewSet


@hooks.register("register_admin_viewset")
def register_broadcast_viewset():
    return BroadcastViewSet()


# The situation centre on the admin's first page: broadcasts being sent and those that failed.
hooks.register("construct_homepage_panels", add_broadcast_situation_panel)


@hooks.register("register_log_actions")
def register_broadcast_log_actions(actions):
    actions.register_action(views.LOG_SENT, _("Send broadcast"), _("Broadcast sent or scheduled"))
    actions.register_action(views.LOG_CANCELLED, _("Cancel broadcast"), _("Broadcast cancelled"))


# --- Outage alerts: offer a broadcast ------------------------------------------------------------


@hooks.register("after_publish_page")
def offer_broadcast_of_published_alert(request, page):
    url = views.broadcast_news_button_url(page, request.user)
    if url is None:
        return
    messages.info(
        request,
        gettext("Outage alert '%(title)s' is published. Tell the residents it concerns by e-mail and in the app?")
        % {"title": page.title},
        buttons=[messages.button(url, gettext("Broadcast this alert"))],
    )


@hooks.register("register_page_listing_more_buttons")
def broadcast_button_in_page_listing(page, user, next_url=None):
    url = views.broadcast_news_button_url(page, user)
    if url is not None:
        yield Button(gettext("Broadcast to residents"), url=url, icon_name="mail", priority=60)


@hooks.register("register_page_header_buttons")
def broadcast_button_in_page_header(page, user, view_name=None, next_url=None):
    url = views.broadcast_news_button_url(page, user)
    if url is not None:
        yield Button(gettext("Broadcast to residents"), url=url, icon_name="mail", priority=60)
