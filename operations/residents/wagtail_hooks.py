"""The residents section of the Wagtail admin ("Mieszkańcy"); the views, viewsets and
forms are in admin/, and every save goes through the services."""

from wagtail import hooks

from .admin.dashboard import add_residents_panels
from .admin.viewsets import ResidentsViewSetGroup


@hooks.register("register_admin_viewset")
def register_residents_viewsets():
    return ResidentsViewSetGroup()


# The situation centre on the admin's first page: requests awaiting verification (for
# those who decide on them) and the portal's adoption by building (for all staff).
hooks.register("construct_homepage_panels", add_residents_panels)
