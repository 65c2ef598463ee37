"""Registers the directory search's screen in the Wagtail admin: "Search index" in the
Settings menu (admin/views.py), and its permission in the group editor, so that an
administrator can grant `manage_search_index` to a group of staff."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from wagtail import hooks

from .admin.views import SearchIndexViewSet


@hooks.register("register_admin_viewset")
def register_search_index_viewset():
    return SearchIndexViewSet()


@hooks.register("register_permissions")
def register_search_index_permission():
    return Permission.objects.filter(content_type__app_label="directory_search", codename="manage_search_index")
