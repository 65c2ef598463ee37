"""The contractor directory ("znajdź wykonawcę"): firms grouped by trade.

A Trade is a snippet (plumber, electrician, lift service...); each ContractorPage is a
firm. Contractor user accounts are linked to their firm through ContractorStaff, which
is what later lets a contractor see the tickets assigned to the firm.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.core.models import SectionPage
from cms.preview.pages import PortalPreviewMixin


@register_snippet
class Trade(index.Indexed, models.Model):
    """A kind of work contractors do (hydraulik, elektryk, konserwator dźwigów...)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")

    def __str__(self) -> str:
        return self.name


class ContractorIndexPage(PortalPreviewMixin, SectionPage):
    """The directory of contractors."""

    subpage_types = ["contractors.ContractorPage"]

    class Meta:
        verbose_name = _("contractor directory")


class ContractorPage(PortalPreviewMixin, Page):
    """A contractor firm in the directory."""

    template = "page.html"

    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="contractors")
    services = models.TextField(_("services"), blank=True, help_text=_("What the firm does, one service per line."))
    area_served = models.CharField(_("area served"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=250, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("trade"),
        FieldPanel("services"),
        FieldPanel("area_served"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("website"), FieldPanel("opening_hours")],
            heading=_("Contact"),
        ),
        FieldPanel("notes"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("services"),
        index.SearchField("area_served"),
        index.SearchField("notes"),
        index.RelatedFields("trade", [index.SearchField("name")]),
        index.FilterField("trade_id"),
    ]
    parent_page_types = ["contractors.ContractorIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")


class ContractorStaff(models.Model):
    """A user account that works for a contractor firm."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contractor_staff")
    firm = models.ForeignKey(ContractorPage, on_delete=models.CASCADE, related_name="staff")
    is_manager = models.BooleanField(_("manager"), default=False)

    class Meta:
        verbose_name = _("contractor's worker")
        verbose_name_plural = _("contractors' workers")

    def __str__(self) -> str:
        return f"{self.user} ({self.firm})"
