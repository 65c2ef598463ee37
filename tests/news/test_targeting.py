"""An editor targets a news item at building A in the Wagtail admin's Privacy dialog;
that is stored as Wagtail's own view restriction and every path obeys it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from wagtail.models import PageViewRestriction

from cms.news.selectors import news_visible_to
from operations.residents import services
from operations.residents.roles import StaffRole
from operations.residents.services import staff_groups_ensure
from tests.factories import content as f

pytestmark = pytest.mark.django_db


def test_editor_targets_news_at_a_building(client, site_tree):
    staff_groups_ensure()
    estate = services.estate_create(name="Osiedle Zielone", slug="zielone")
    building_a = services.building_create(
        estate=estate, code="A", street="Zielona", number="1", postal_code="00-950", city="Warszawa"
    )
    group_a = services.audience_group(building=building_a)
    editor = User.objects.create_user("editor", password="x")
    services.staff_role_assign(user=editor, role=StaffRole.EDITOR)
    item = f.make_news(site_tree.news, title="Wymiana wodomierzy w budynku A")

    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_pages:set_privacy", args=[item.pk]),
        {"restriction_type": "groups", "groups": [group_a.pk]},
    )
    assert response.status_code == 200, response.content[:300]

    restriction = PageViewRestriction.objects.get(page=item)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert list(restriction.groups.all()) == [group_a]

    in_a = User.objects.create_user("in.a")
    in_a.groups.add(group_a)
    assert news_visible_to(in_a).filter(pk=item.pk).exists()
    assert not news_visible_to(User.objects.create_user("elsewhere")).filter(pk=item.pk).exists()
    assert not news_visible_to(None).filter(pk=item.pk).exists()
    # Wagtail's own page serving agrees.
    client.logout()
    assert client.get(item.url).status_code == 302  # to the sign-in page
    client.force_login(in_a)
    assert client.get(item.url).status_code == 200
