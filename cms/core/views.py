"""HTTP entry points that are not Wagtail's own: the GraphQL endpoint and image files."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from strawberry.django.views import GraphQLView
from wagtail.images import get_image_model

from cms.core.visibility import collection_is_visible


def csrf_rejects(request) -> bool:
    """Whether Django's CSRF check refuses `request` (the same check its middleware runs)."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


class HubGraphQLView(GraphQLView):
    """The one GraphQL endpoint.

    CSRF matters only where a browser adds credentials by itself: a request carrying the
    session cookie must pass Django's CSRF check. Bearer-token and cookie-less requests
    (mobile apps, kiosks) have no ambient authority to forge. The session sign-in
    mutation checks CSRF itself, so a login cannot be forged either.
    """

    def dispatch(self, request, *args, **kwargs):
        if (
            request.method == "POST"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not getattr(request, "auth_via_token", False)
        ):
            if csrf_rejects(request):
                return HttpResponseForbidden("CSRF check failed.")
        return super().dispatch(request, *args, **kwargs)


def _build_graphql_view():
    from cms.schema import schema

    return csrf_exempt(
        HubGraphQLView.as_view(
            schema=schema,
            graphql_ide="graphiql" if settings.DEBUG else None,
            multipart_uploads_enabled=True,
        )
    )


_graphql_view = None


def graphql_view(request, *args, **kwargs):
    # Built on first use so that importing the URLconf does not import every app's schema.
    global _graphql_view
    if _graphql_view is None:
        _graphql_view = _build_graphql_view()
    return _graphql_view(request, *args, **kwargs)


@require_safe
def serve_rendition(request, rendition_id: int, filename: str):
    """Serve an image rendition to whoever may see the image's collection.

    Media files are never exposed directly; a restricted collection's images are refused
    here exactly as its documents are refused by Wagtail's document view.
    """
    rendition_model = get_image_model().get_rendition_model()
    rendition = get_object_or_404(rendition_model.objects.select_related("image__collection"), pk=rendition_id)
    if filename != rendition.file.name.rsplit("/", 1)[-1]:
        raise Http404
    if not collection_is_visible(rendition.image.collection, request.user):
        raise Http404
    content_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
    response = FileResponse(rendition.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
