"""Investments: planned, ongoing and finished works (thermal modernisation, a new lift...)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.models import SectionPage
from cms.preview.pages import PortalPreviewMixin


class InvestmentIndexPage(PortalPreviewMixin, SectionPage):
    """The list of investments."""

    subpage_types = ["investments.InvestmentPage"]

    class Meta:
        verbose_name = _("investment index")


class InvestmentPage(PortalPreviewMixin, Page):
    """One investment with its status, budget, schedule, progress and gallery."""

    template = "page.html"

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        FINISHED = "finished", _("finished")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (PLN)"), max_digits=12, decimal_places=2, null=True, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    buildings = ParentalManyToManyField(
        "residents.Building", verbose_name=_("buildings affected"), blank=True, related_name="investments"
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("lead image"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("status"), FieldPanel("progress")]),
        FieldPanel("summary"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("budget"), FieldPanel("start_date"), FieldPanel("end_date")])],
            heading=_("Budget and schedule"),
        ),
        FieldPanel("buildings", widget=forms.CheckboxSelectMultiple),
        InlinePanel("gallery_images", label=_("Gallery")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("status"),
    ]
    parent_page_types = ["investments.InvestmentIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("investment")
        verbose_name_plural = _("investments")


class InvestmentGalleryImage(Orderable):
    """A photo in an investment's gallery."""

    page = ParentalKey(InvestmentPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]
