"""HTTP entry points that are not Wagtail's own: the GraphQL endpoint and image files."""

from __future__ import annotations

import dataclasses
import json
import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_safe
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLRequestData
from wagtail.images import get_image_model

from cms.core.graphql import persisted, response_cache
from cms.core.graphql.errors import BAD_USER_INPUT
from cms.core.graphql.execution import json_strings
from cms.core.visibility import collection_is_visible


def csrf_rejects(request) -> bool:
    """Whether Django's CSRF check refuses `request` (the same check its middleware runs)."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


NO_JSON_BODY = object()
TOO_DEEP = object()


def _json_payload(request):
    """The decoded JSON body of a POST (for a multipart upload, its `operations` part), or
    NO_JSON_BODY when there is none or it does not parse (strawberry answers unparsable
    JSON with 400 itself; the view refuses a multipart upload without JSON operations)."""
    if request.method != "POST":
        return NO_JSON_BODY
    try:
        if request.content_type == "application/json":
            return json.loads(request.body or b"{}")
        if request.content_type == "multipart/form-data" and request.POST.get("operations"):
            return json.loads(request.POST["operations"])
    except ValueError:
        pass
    except RecursionError:  # JSON nested thousands deep; strawberry would fail on it too
        return TOO_DEEP
    return NO_JSON_BODY


def _upload_map_is_valid(request, operations) -> bool:
    """Whether a multipart request's `map` names only null placeholders that exist in its
    `operations` (the GraphQL multipart request spec), one per file, for at most
    GRAPHQL_MAX_UPLOAD_FILES files. Strawberry follows the paths blindly (a path into a
    string or past a list would be a server error), and one file named in many places
    would be decoded many times."""
    if request.content_type != "multipart/form-data":
        return True
    try:
        upload_map = json.loads(request.POST.get("map") or "{}")
    except (ValueError, RecursionError):
        return False
    if not isinstance(upload_map, dict) or not isinstance(operations, dict):
        return False
    if len(upload_map) > settings.GRAPHQL_MAX_UPLOAD_FILES:
        return False
    for paths in upload_map.values():
        if not isinstance(paths, list) or len(paths) != 1 or not isinstance(paths[0], str):
            return False
        for path in paths:
            target = operations
            for part in path.split("."):
                if isinstance(target, dict) and part in target:
                    target = target[part]
                elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                    target = target[int(part)]
                else:
                    return False
            if target is not None:
                return False
    return True


def _upload_too_large(request) -> bool:
    """A multipart request larger than GRAPHQL_MAX_UPLOAD_BYTES, told by its declared
    length before any of it is read (Django's own body limit leaves files out)."""
    if request.content_type != "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.GRAPHQL_MAX_UPLOAD_BYTES


def _contains_nul(value) -> bool:
    """NUL anywhere in the operation or its variables, raw or as a GraphQL `\\u0000` escape.

    No text this hub stores may hold NUL and PostgreSQL refuses it in any query, so it is
    refused once here rather than in every resolver.
    """
    return any("\x00" in text or "\\u0000" in text for text in json_strings(value))


def _refusal(message: str, code: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status=status)


class HubGraphQLView(GraphQLView):
    """The one GraphQL endpoint.

    CSRF matters only where a browser adds credentials by itself: a request carrying the
    session cookie must pass Django's CSRF check. Bearer-token and cookie-less requests
    (mobile apps, kiosks) have no ambient authority to forge. The session sign-in
    mutation checks CSRF itself, so a login cannot be forged either.
    """

    def dispatch(self, request, *args, **kwargs):
        if _upload_too_large(request):
            limit = settings.GRAPHQL_MAX_UPLOAD_BYTES // (1024 * 1024)
            return _refusal(f"The request is larger than {limit} MB.", "PAYLOAD_TOO_LARGE", status=413)
        payload = _json_payload(request)
        if payload is TOO_DEEP:
            return _refusal("The request body is nested too deeply.", "BAD_REQUEST", status=400)
        if payload is not NO_JSON_BODY and not isinstance(payload, dict):
            # A bare string, number or batch: strawberry would fail on it with a server error.
            return _refusal("The request body must be a JSON object.", "BAD_REQUEST", status=400)
        if request.content_type == "multipart/form-data" and payload is NO_JSON_BODY:
            return _refusal("The multipart operations part is not JSON.", "BAD_REQUEST", status=400)
        if not _upload_map_is_valid(request, payload):
            return _refusal("The multipart map does not fit the operation.", "BAD_REQUEST", status=400)
        if _contains_nul(payload) or _contains_nul(dict(request.GET.lists())):
            return _refusal("Text may not contain the NUL character.", BAD_USER_INPUT)
        if (
            request.method == "POST"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not getattr(request, "auth_via_token", False)
        ):
            if csrf_rejects(request):
                return HttpResponseForbidden("CSRF check failed.")
        try:
            if isinstance(payload, dict):
                # A persisted operation is looked up as the request its text would be: the
                # response cache keys by the text, so both share one answer.
                payload = persisted.resolve_payload(payload)
            shared = response_cache.lookup(request, payload)
            if shared.body is not None:
                response = shared.response()
            else:
                response = super().dispatch(request, *args, **kwargs)
                shared.keep(response)
        except persisted.Refused as refusal:
            return _refusal(refusal.message, refusal.code, status=refusal.status)
        # Answers depend on who asks: never let a shared cache hand one viewer's to another.
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return response

    def parse_http_body(self, request):
        # What strawberry runs is what it parsed here (a GET's parameters, a JSON body, a
        # multipart `operations`), so the allow-list is applied to exactly that.
        data = super().parse_http_body(request)
        if isinstance(data, list):
            return [self._resolved(item) for item in data]
        return self._resolved(data)

    @staticmethod
    def _resolved(data: GraphQLRequestData) -> GraphQLRequestData:
        query, extensions = persisted.resolve(data.query, data.extensions)
        if query is data.query and extensions is data.extensions:
            return data
        return dataclasses.replace(data, query=query, extensions=extensions)

    def should_render_graphql_ide(self, request) -> bool:
        # A persisted GET has no `query` and a browser's fetch accepts */*: it is an
        # operation, not a visit to GraphiQL.
        return super().should_render_graphql_ide(request) and not request.query_params.get("extensions")

    def render_graphql_ide(self, request):
        # The hub's own page, on the hub's static files: strawberry's loads GraphiQL from a
        # CDN and stays blank offline.
        return render(request, "graphiql/graphiql.html")


def _build_graphql_view():
    # Named in the settings, as Django names the root URLconf: the schema assembles every
    # app, and the endpoint's machinery here must not depend on them.
    schema = import_string(settings.GRAPHQL_SCHEMA)
    return csrf_exempt(
        HubGraphQLView.as_view(
            schema=schema,
            graphql_ide="graphiql" if settings.DEBUG else None,
            # Ticket photos. The size of a multipart request is limited in dispatch; each
            # photo is checked by operations.tickets.photos. A browser sending the session
            # cookie passes the CSRF check first (a multipart POST is a "simple" request).
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
@condition(etag_func=lambda request: persisted.allow_list().etag)
def graphql_operations_manifest(request):
    """`{"<operation name>": "<sha256 of its file>"}` for every persisted operation, so that
    a frontend without a build step can send operations by hash. The same for everyone;
    it changes only when the server is deployed with other files."""
    response = HttpResponse(persisted.allow_list().manifest_json, content_type="application/json")
    patch_cache_control(response, public=True, max_age=60)
    return response


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
