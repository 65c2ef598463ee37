from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("email/<str:token>/", views.email_preferences, name="email_preferences"),
]
