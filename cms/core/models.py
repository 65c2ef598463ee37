"""Abstract page types the content apps share, and the version of the shared content."""

from django.db import models
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


class ContentVersion(models.Model):
    """One number that changes whenever anything the shared API answers show changes.

    Pages, restrictions, collections, documents, images, the site's contact card, the
    buildings content names: saving or deleting any of them adds one, in the same
    transaction (`cms.core.content_version`). The GraphQL response cache keys its shared
    entries by this number, so a change is seen by the next request, and a change rolled
    back never was. A single row; kept in the database, not the cache, so that a cache
    flushed or unreachable at the wrong moment cannot bring an old answer back.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("content version")

    def __str__(self) -> str:
        return str(self.value)
