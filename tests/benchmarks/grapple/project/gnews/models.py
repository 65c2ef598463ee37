"""The hub's news item, as a grapple project would declare it: the same fields, exposed
through grapple's `graphql_fields`."""

from django.db import models
from django.utils import timezone
from grapple.models import GraphQLBoolean, GraphQLImage, GraphQLString
from wagtail.models import Page


class NewsIndexPage(Page):
    pass


class NewsPage(Page):
    kind = models.CharField(max_length=20, default="announcement")
    priority = models.CharField(max_length=20, default="normal")
    date = models.DateField(default=timezone.localdate)
    lead = models.TextField(blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)

    graphql_fields = [
        GraphQLString("kind", required=True),
        GraphQLString("priority", required=True),
        GraphQLString("date", required=True),
        GraphQLString("lead", required=True),
        GraphQLBoolean("is_current_alert", required=True),
        GraphQLString("valid_from"),
        GraphQLString("valid_until"),
        GraphQLImage("lead_image"),
    ]

    @property
    def is_current_alert(self) -> bool:
        now = timezone.now()
        return (
            self.kind == "outage"
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_until is None or self.valid_until > now)
        )
