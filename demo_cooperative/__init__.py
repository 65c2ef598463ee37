"""The demo cooperative: a believable Polish housing cooperative to click through and test
against. A Django app of its own (no models): no product module imports it, and it
depends on the content and operations apps, never the other way round.

`data` holds the texts and lists (firms, news, documents, people), `media` makes small
real images and PDFs, and `builder` writes everything through the hub's services and
Wagtail's page API. The `load_demo_data` management command is the way in.
"""
