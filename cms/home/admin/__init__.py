"""The site-wide part of the Wagtail admin: the editors' panel on the situation centre and
the list of pages it links to."""
