"""The residents section of the Wagtail admin ("Mieszkańcy"); the views, viewsets and
forms are in admin/, and every save goes through the services."""

from wagtail import hooks

from .admin.viewsets import ResidentsViewSetGroup


@hooks.register("register_admin_viewset")
def register_residents_viewsets():
    return ResidentsViewSetGroup()
