"""The broadcasts admin: `viewsets` (the broadcasts viewset, an item of messaging's
"Messages" menu, registered by `wagtail_hooks.py`), `views` (preview, send, cancel,
report, a broadcast from a news item), `forms` and `exports` (progress in words, the
deliveries as CSV). Every change goes through `services`."""
