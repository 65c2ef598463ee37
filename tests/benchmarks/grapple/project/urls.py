import floor
from django.urls import include, path

urlpatterns = [
    path("floor/news", floor.news_floor),
    path("", include("grapple.urls")),
]
