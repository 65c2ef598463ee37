from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("documents/<int:pk>/pdf/", views.document_download, name="document_download"),
]
