"""The site's root page and the cooperative's contact card.

HomePage is the root under which news, documents, investments and the contractor
directory live. CooperativeContact is a Wagtail site setting: the card a frontend shows
in its footer and on the "contact" screen, including emergency numbers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.preview.pages import PortalPreviewMixin


class HomePage(PortalPreviewMixin, Page):
    """The root of a cooperative's site."""

    template = "page.html"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count_per_parent = 1
    subpage_types = [
        "news.NewsIndexPage",
        "documents.DocumentIndexPage",
        "investments.InvestmentIndexPage",
        "contractors.ContractorIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")


@register_setting(icon="group")
class CooperativeContact(BaseSiteSetting, ClusterableModel):
    """The cooperative's contact card: office, opening hours, departments, emergencies, bank."""

    name = models.CharField(_("name"), max_length=200, default="Spółdzielnia Mieszkaniowa")
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    office_hours = models.TextField(
        _("office hours"), blank=True, help_text=_("One line per day, e.g. 'pon. 10:00–18:00'.")
    )
    phone = models.CharField(_("main phone"), max_length=30, blank=True)
    email = models.EmailField(_("main e-mail"), blank=True)
    emergency_gas = models.CharField(_("gas emergency"), max_length=30, blank=True, default="992")
    emergency_water = models.CharField(_("water and sewage emergency"), max_length=30, blank=True)
    emergency_lifts = models.CharField(_("lift emergency"), max_length=30, blank=True)
    emergency_electricity = models.CharField(_("electricity emergency"), max_length=30, blank=True, default="991")
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    bank_account = models.CharField(
        _("bank account (IBAN)"),
        max_length=40,
        blank=True,
        help_text=_("General account; each unit also has its own individual account number."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("street"), FieldPanel("postal_code"), FieldPanel("city")],
            heading=_("Office"),
        ),
        FieldPanel("office_hours"),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email")], heading=_("Contact")),
        InlinePanel("departments", label=_("Departments")),
        MultiFieldPanel(
            [
                FieldPanel("emergency_gas"),
                FieldPanel("emergency_water"),
                FieldPanel("emergency_lifts"),
                FieldPanel("emergency_electricity"),
            ],
            heading=_("Emergency numbers"),
        ),
        MultiFieldPanel([FieldPanel("bank_name"), FieldPanel("bank_account")], heading=_("Bank details")),
    ]

    class Meta:
        verbose_name = _("cooperative contact card")


class Department(Orderable):
    """A department of the office residents may call or write to (accounts, technical...)."""

    contact = ParentalKey(CooperativeContact, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)

    panels = [FieldPanel("name"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("hours")]

    class Meta(Orderable.Meta):
        verbose_name = _("department")
