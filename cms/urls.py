import re

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.core.views import graphql_view, serve_image_file

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
    path("messages/", include("operations.messaging.urls")),
    # Ticket photos are private; this view applies the ticket's visibility.
    path("tickets/", include("operations.tickets.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("", include(wagtail_urls))]
