"""The surveys section of the Wagtail admin ("Ankiety i głosowania"): `viewsets` (the menu
and URLs, registered by `wagtail_hooks.py`), `forms` (the survey builder and the
resolution's forms), `views` (results and their exports, a resolution's page with its
actions, the protocol) and `situation` (the situation centre's panel). Every change of a
resolution goes through `services`; the builder's rules are `services.builder`."""
