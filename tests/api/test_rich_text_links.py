"""A public item's rich text must not give away what its links point to when the reader
may not see the target: not a restricted page's address, a document's file name, an
image's file or alt text."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from operations.residents import services
from tests.factories import content as f

pytestmark = pytest.mark.django_db

QUERY = '{ page(urlPath: "/aktualnosci/publiczny/") { ... on NewsItem { body } } }'


@pytest.fixture
def linked(site_tree):
    estate = services.estate_create(name="Zielone", slug="zielone")
    group = services.audience_group(estate=estate)
    secret_page = f.make_news(site_tree.news, title="Tajny", slug="tajny-protokol")
    f.restrict_page(secret_page, groups=[group])
    board = f.make_collection("Zarząd")
    f.restrict_collection(board, groups=[group])
    document = f.make_document(title="Protokół", collection=board)
    image = f.make_image(collection=board, description="Plan ewakuacji piwnic")
    body = (
        f'<p><a linktype="page" id="{secret_page.pk}">protokół zarządu</a>, '
        f'<a linktype="document" id="{document.pk}">pobierz</a></p>'
        f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="Plan ewakuacji piwnic"/>'
    )
    f.make_news(site_tree.news, title="Publiczny", slug="publiczny", body=body)
    member = User.objects.create_user("czlonek")
    member.groups.add(group)
    return {"page": secret_page, "document": document, "image": image, "member": member}


def _body(gql):
    return gql.data(QUERY)["page"]["body"]


def test_anonymous_reader_gets_the_words_but_not_the_targets(gql, linked):
    body = _body(gql)
    assert "protokół zarządu" in body and "pobierz" in body
    assert "tajny-protokol" not in body
    assert linked["document"].file.name.rsplit("/", 1)[-1] not in body and "/documents/" not in body
    assert "Plan ewakuacji" not in body and "/media/" not in body


def test_a_reader_who_may_see_them_gets_working_links(gql, linked):
    body = _body(gql.login(linked["member"]))
    assert "/aktualnosci/tajny-protokol/" in body
    assert f"/documents/{linked['document'].pk}/" in body
    assert "/media/images/" in body
