from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("photos/<int:pk>/", views.ticket_photo, name="photo"),
    path("photos/<int:pk>/thumbnail/", views.ticket_photo, {"variant": "thumbnail"}, name="photo_thumbnail"),
]
