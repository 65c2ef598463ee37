"""Demo data for the cooperative hub: a believable Polish housing cooperative.

`data` holds the texts and lists (firms, news, documents, people), `media` makes small
real images and PDFs, and `builder` writes everything through the hub's services and
Wagtail's page API. The `load_demo_data` management command is the way in.
"""
