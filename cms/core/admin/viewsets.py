"""Pieces that the apps' Wagtail admin viewsets share."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path


class ReadOnlyViewSetMixin:
    """A ModelViewSet whose objects are only listed and read (a log, a queue to work
    through): no add, edit, copy, delete, history or usage links, whatever the
    permissions, and only the listing's URLs (and the inspect view's, when enabled)."""

    copy_view_enabled = False
    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspect_view_enabled:
            patterns.append(path("inspect/<int:pk>/", self.inspect_view, name="inspect"))
        return patterns


class AllPermissionsInGroupEditor:
    """Offer every permission of the model in Wagtail's group editor, "view" included
    (Wagtail leaves "view" out when a viewset has no inspect view)."""

    def get_permissions_to_register(self):
        return Permission.objects.filter(content_type=ContentType.objects.get_for_model(self.model))
