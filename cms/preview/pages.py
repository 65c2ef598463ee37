"""What page types mix in to be previewed in the resident portal (see cms.preview)."""

from __future__ import annotations

from .views import portal_preview_response


class PortalPreviewMixin:
    """Wagtail's preview of this page type shows the resident portal, not a template."""

    def serve_preview(self, request, mode_name):
        return portal_preview_response(request, self)
