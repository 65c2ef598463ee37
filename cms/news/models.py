"""News: announcements and outage alerts (komunikaty, przerwy w dostawie).

NewsPage lives under a NewsIndexPage. Who may read an item is its Wagtail view
restriction (the "Privacy" control in the editor; audience groups per building, estate
and role are offered there). `affected_buildings` says what an outage touches, not who
may read about it.
"""

from django import forms
from django.db import models
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager, PageQuerySet
from wagtail.search import index

from cms.core.models import SectionPage
from cms.preview.pages import PortalPreviewMixin


class NewsIndexPage(PortalPreviewMixin, SectionPage):
    """The list of news; its children are NewsPage items."""

    subpage_types = ["news.NewsPage"]

    class Meta:
        verbose_name = _("news index")


class NewsPageQuerySet(PageQuerySet):
    def current_alerts(self, now=None):
        """Outage alerts valid now; an expired alert drops out."""
        now = now or timezone.now()
        return self.filter(kind=NewsPage.Kind.OUTAGE).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=now),
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
        )


class NewsPage(PortalPreviewMixin, Page):
    """One announcement or outage alert."""

    template = "page.html"

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("announcement")
        OUTAGE = "outage", _("outage alert")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normal")
        IMPORTANT = "important", _("important")
        URGENT = "urgent", _("urgent")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    date = models.DateField(_("date"), default=timezone.localdate)
    lead = models.TextField(_("lead"), blank=True, help_text=_("One or two sentences shown in lists."))
    body = RichTextField(_("body"), blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    affected_buildings = ParentalManyToManyField(
        "residents.Building",
        verbose_name=_("affected buildings"),
        blank=True,
        related_name="news",
        help_text=_("Buildings an outage or announcement concerns. Who may read it is set under Privacy."),
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(
        _("valid until"), null=True, blank=True, help_text=_("An alert leaves the current alerts list after this.")
    )

    objects = PageManager.from_queryset(NewsPageQuerySet)()

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("priority"), FieldPanel("date")]),
        FieldPanel("lead"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("affected_buildings", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
            ],
            heading=_("Scope and validity"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("date"),
    ]

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    @property
    def is_current_alert(self) -> bool:
        now = timezone.now()
        return (
            self.kind == self.Kind.OUTAGE
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_until is None or self.valid_until > now)
        )


def next_alert_boundary(now):
    """The next moment after `now` at which an outage alert starts or stops being current."""
    outages = NewsPage.objects.filter(kind=NewsPage.Kind.OUTAGE)
    moments = outages.aggregate(
        starts=Min("valid_from", filter=Q(valid_from__gt=now)),
        ends=Min("valid_until", filter=Q(valid_until__gt=now)),
    )
    return min((moment for moment in moments.values() if moment is not None), default=None)
