"""HTTP entry points that are not Wagtail's own: the GraphQL endpoint and image files."""

from __future__ import annotations

import json
import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from strawberry.django.views import GraphQLView
from wagtail.images import get_image_model

from cms.core.visibility import collection_is_visible


def csrf_rejects(request) -> bool:
    """Whether Django's CSRF check refuses `request` (the same check its middleware runs)."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


def _json_body_is_not_an_object(request) -> bool:
    """A JSON body that parses but is not an object (a bare string, a number, a batch).

    Strawberry expects an object and would fail with a server error on anything else;
    unparsable JSON it already answers with 400 itself.
    """
    if request.method != "POST" or request.content_type != "application/json":
        return False
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return False
    return not isinstance(payload, dict)


class HubGraphQLView(GraphQLView):
    """The one GraphQL endpoint.

    CSRF matters only where a browser adds credentials by itself: a request carrying the
    session cookie must pass Django's CSRF check. Bearer-token and cookie-less requests
    (mobile apps, kiosks) have no ambient authority to forge. The session sign-in
    mutation checks CSRF itself, so a login cannot be forged either.
    """

    def dispatch(self, request, *args, **kwargs):
        if _json_body_is_not_an_object(request):
            error = {"message": "The request body must be a JSON object.", "extensions": {"code": "BAD_REQUEST"}}
            return JsonResponse({"errors": [error]}, status=400)
        if (
            request.method == "POST"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not getattr(request, "auth_via_token", False)
        ):
            if csrf_rejects(request):
                return HttpResponseForbidden("CSRF check failed.")
        response = super().dispatch(request, *args, **kwargs)
        # Answers depend on who asks: never let a shared cache hand one viewer's to another.
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return response


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


@csrf_exempt  # the view applies its own CSRF rule (see HubGraphQLView)
def graphql_view(request, *args, **kwargs):
    # Built on first use so that importing the URLconf does not import every app's schema.
    global _graphql_view
    if _graphql_view is None:
        _graphql_view = _build_graphql_view()
    return _graphql_view(request, *args, **kwargs)


@require_safe
def serve_image_file(request, folder: str, name: str):
    """Serve an image file (an original or a rendition) to whoever may see its collection.

    This is the only way image files leave the server: media are never exposed by the web
    server directly, so an image in a restricted collection is refused here exactly as a
    document in it is refused by Wagtail's document view. Refusals are 404s, so that the
    existence of restricted files is not disclosed.
    """
    image_model = get_image_model()
    stored_name = f"{folder}/{name}"
    if folder == "images":
        owner = (
            image_model.get_rendition_model()
            .objects.filter(file=stored_name)
            .select_related("image__collection")
            .first()
        )
        image = owner.image if owner else None
    else:
        owner = image = image_model.objects.filter(file=stored_name).select_related("collection").first()
    if owner is None or not collection_is_visible(image.collection, request.user):
        raise Http404
    content_type = mimetypes.guess_type(stored_name)[0] or "application/octet-stream"
    response = FileResponse(owner.file.open("rb"), content_type=content_type)
    # Public images may be cached by shared caches, but only briefly: an editor may restrict
    # the collection later, and a CDN must not go on serving it for long after that.
    restricted = image.collection.get_view_restrictions().exists()
    response["Cache-Control"] = "private, max-age=3600" if restricted else "public, max-age=600"
    return response
