"""The residents section of the Wagtail admin: `views` (saving through the services,
membership decisions), `viewsets` (menus and listings) and `forms` (the throttled admin
login and the decision forms). wagtail_hooks.py only registers `ResidentsViewSetGroup`."""
