from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("ballots/<int:pk>/", views.ballot_scan, name="ballot_scan"),
]
