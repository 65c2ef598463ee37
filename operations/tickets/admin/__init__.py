"""The tickets section of the Wagtail admin: `viewsets` (the menu and URLs, registered by
`wagtail_hooks.py`), `views` (the list, one ticket and its quick actions, statistics,
categories) and `forms`. Every change goes through `services`; which quick actions a
dispatcher sees is `policy.actions_open`."""
