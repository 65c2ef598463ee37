"""Pieces that Wagtail admin viewsets of several apps share."""

from __future__ import annotations


class ReadOnlyViewSetMixin:
    """A ModelViewSet whose objects are only listed and read (a log, a queue to work
    through): no add, edit, delete, history or usage links, whatever the permissions."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )
