from django.urls import path

from . import views, webhooks

app_name = "messaging"

urlpatterns = [
    path("email/<str:token>/", views.email_preferences, name="email_preferences"),
    path("reports/smsapi/<str:secret>/", webhooks.smsapi_delivery_report, name="smsapi_delivery_report"),
]
