"""The document directory: Wagtail documents with a category, year and building.

Documents live in Wagtail collections; a collection's view restriction covers it and all
its sub-collections, and applies to listings, search and the download URL alike.
DocumentIndexPage is the directory's place in the page tree (for menus and the portal).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.search import index

from cms.core.models import SectionPage
from cms.preview.pages import PortalPreviewMixin


def current_year() -> int:
    return timezone.localdate().year


class CooperativeDocument(AbstractDocument):
    """A downloadable document: statutes, regulations, forms, minutes, reports."""

    class Category(models.TextChoices):
        STATUTE = "statute", _("statute")
        REGULATIONS = "regulations", _("regulations")
        FORM = "form", _("form")
        MINUTES = "minutes", _("minutes and resolutions")
        FINANCIAL = "financial", _("financial report")
        TECHNICAL = "technical", _("technical documentation")
        OTHER = "other", _("other")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    year = models.PositiveSmallIntegerField(_("year"), default=current_year)
    description = models.TextField(_("description"), blank=True)
    building = models.ForeignKey(
        "residents.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        help_text=_("The building the document concerns, if one. Who may download it is set on its collection."),
    )

    admin_form_fields = Document.admin_form_fields + ("category", "year", "description", "building")
    search_fields = AbstractDocument.search_fields + [
        index.SearchField("description"),
        index.FilterField("category"),
        index.FilterField("year"),
    ]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class DocumentIndexPage(PortalPreviewMixin, SectionPage):
    """The directory of documents as a page in the site tree."""

    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("document directory")
