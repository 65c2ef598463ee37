"""The messages section of the Wagtail admin ("Wiadomości"): only the hook that plugs it in.

The viewsets, views and forms live in `admin/`. Other apps add items to the section's
menu through `admin.viewsets.MESSAGES_MENU_HOOK` (the broadcasts app adds its own).
"""

from __future__ import annotations

from wagtail import hooks

from .admin.viewsets import MessagingViewSetGroup


@hooks.register("register_admin_viewset")
def register_messaging_viewsets():
    return MessagingViewSetGroup()
