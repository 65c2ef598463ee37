"""The messages section of the Wagtail admin: `viewsets` (the menu, broadcasts, message
templates and the read-only delivery log, registered by `wagtail_hooks.py`), `views`
(preview, send, cancel, report, a broadcast from a news item), `forms` and `exports`
(progress in words, the delivery log as CSV). Every change goes through `services`."""
