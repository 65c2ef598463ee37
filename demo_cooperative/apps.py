from django.apps import AppConfig


class DemoCooperativeConfig(AppConfig):
    """The demo cooperative: `manage.py load_demo_data` builds it through the hub's services
    and Wagtail's API. Nothing in the product imports it; it has no models."""

    name = "demo_cooperative"
    label = "demo_cooperative"
    verbose_name = "Demo cooperative"
