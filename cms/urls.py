import re

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.core.access_views import wagtail_sign_in
from cms.core.portal_views import portal_file, portal_index
from cms.core.views import graphql_operations_manifest, graphql_view, serve_image_file

# Addresses the portal never answers: the hub's own and its files, with or without the
# slash (so that /admin still redirects to /admin/).
_HUB_PREFIXES = "(?:{})(?:/|$)".format(
    "|".join(
        re.escape(prefix.strip("/"))
        for prefix in (
            "admin", "billing", "documents", "graphql", "messages", "surveys", "tickets", "strony", "portal",
            settings.MEDIA_URL, settings.STATIC_URL,
        )
    )
)  # fmt: skip

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view checks collection restrictions (ancestors included).
    path("documents/", include(wagtaildocs_urls)),
    # Image files are only ever served through this view, which checks the image's collection.
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<folder>images|original_images)/(?P<name>[^/]+)$",
        serve_image_file,
        name="image_file",
    ),
    path("graphql", graphql_view, name="graphql"),
    # {"<operation name>": "<sha256>"}: what a frontend sends to run a persisted operation.
    path("graphql/operations.json", graphql_operations_manifest, name="graphql_operations"),
    path("messages/", include("operations.messaging.urls")),
    # Ticket photos are private; this view applies the ticket's visibility.
    path("tickets/", include("operations.tickets.urls")),
    path("billing/", include("operations.billing.urls")),  # documents (PDF), to their account's viewers
    path("surveys/", include("operations.surveys.urls")),  # ballot scans, to staff who record paper votes
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [
    # Wagtail's server-rendered pages (its preview, password forms and restrictions, as
    # shipped), under their own prefix: the site root belongs to the resident portal.
    # Its own sign-in form, though, would be a way round the hub's sign-in limits.
    path("strony/_util/login/", wagtail_sign_in, name="wagtailcore_login"),
    path("strony/", include(wagtail_urls)),
    re_path(r"^portal/(?P<path>.+)$", portal_file, name="portal_file"),
    # Every other address is one of the portal's screens or a page it shows; the hub's own
    # prefixes (files above all) answer 404 as they did.
    re_path(rf"^(?!{_HUB_PREFIXES})(?P<path>.*)$", portal_index, name="portal"),
]
