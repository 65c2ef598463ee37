"""The benchmarks' URL conf: the floor views (`floor_views.py`) beside the product's URLs.

Used only by the benchmarks (`override_settings(ROOT_URLCONF=...)`) and the load
benchmark's settings (`load_settings.py`); the product's URL conf never includes it.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("tests.benchmarks.floor_views")),
    path("", include("cms.urls")),
]
