"""Registers the surveys section of the Wagtail admin; the viewsets, views and forms are
in `admin/`."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.situation import add_surveys_panel
from .admin.viewsets import NoContractorWorkersPolicy, SurveysViewSetGroup
from .models import Resolution, Survey

# Registered before the viewsets: model permissions, never for a contractor's worker.
for _model in (Survey, Resolution):
    register_permission_policy(_model, NoContractorWorkersPolicy(_model))


@hooks.register("register_admin_viewset")
def register_surveys_viewsets():
    return SurveysViewSetGroup()


# The situation centre: open surveys with their response rates, resolutions in voting,
# closed ones still within the challenge window (admin/situation.py).
hooks.register("construct_homepage_panels", add_surveys_panel)
