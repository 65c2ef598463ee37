"""The directory search in the Wagtail admin: the "Search index" screen (views.py),
registered by `search/wagtail_hooks.py`."""
