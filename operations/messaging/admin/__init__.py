"""The messages section of the Wagtail admin: `viewsets` (the menu, message templates and
the read-only delivery log, registered by `wagtail_hooks.py`; other apps add their items
to the menu through `MESSAGES_MENU_HOOK`, as broadcasts do), `views` (the delivery log's
filters and the template guard) and `forms`. Every change goes through `services`."""
