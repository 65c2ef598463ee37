"""Abstract page types the content apps share."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class SectionPage(Page):
    """A section of the site directly under the home page (news, documents...).

    It has a title and an introduction; its items come from the API's lists.
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        # Wagtail names a default template for every concrete subclass; sections share one.
        return "page.html"
