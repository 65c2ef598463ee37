from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.core.views import graphql_view, serve_rendition

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view checks collection restrictions (ancestors included).
    path("documents/", include(wagtaildocs_urls)),
    # Image files are only ever served through this view, which checks the image's collection.
    path("images/<int:rendition_id>/<str:filename>", serve_rendition, name="image_rendition"),
    path("graphql", graphql_view, name="graphql"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("", include(wagtail_urls))]
