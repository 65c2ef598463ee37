"""A list's images read their stored renditions in one query and answer sizes from those
rows, with the URLs, widths and heights Wagtail gives; what is not stored yet is made by
Wagtail, as before (cms/core/images.py)."""

from __future__ import annotations

import io

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model

from cms.core.images import (
    ALL_FILTER_SPECS,
    SRCSET_SPECS,
    ImageSize,
    image_queryset,
    rendition_of,
    srcset,
    stored_file_url,
)
from tests.factories import content as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """An uploaded image with every size rendered, as the upload's task does after commit."""

    def uploaded(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return f.make_image(**kwargs)

    return uploaded


def _renditions(image):
    return get_image_model().get_rendition_model().objects.filter(image_id=image.pk)


def _fresh(image):
    return image_queryset().get(pk=image.pk)


def test_answers_are_wagtails_own(upload):
    image = upload()
    assert _renditions(image).count() == len(ALL_FILTER_SPECS)
    listed = _fresh(image)
    for spec in ALL_FILTER_SPECS:
        rendition = get_image_model().objects.get(pk=image.pk).get_rendition(spec)
        assert rendition_of(listed, spec) == (rendition.url, rendition.width, rendition.height)
    by_width = {}
    for spec in SRCSET_SPECS:
        by_width.setdefault(image.get_rendition(spec).width, image.get_rendition(spec).url)
    assert srcset(listed) == ", ".join(f"{url} {width}w" for width, url in by_width.items())


def test_a_list_reads_every_size_of_every_image_in_one_query(upload):
    created = [upload() for _ in range(3)]
    with CaptureQueriesContext(connection) as few:
        listed = list(image_queryset().filter(pk__in=[i.pk for i in created]))
    created += [upload() for _ in range(7)]
    with CaptureQueriesContext(connection) as many:
        listed = list(image_queryset().filter(pk__in=[i.pk for i in created]))
        for image in listed:
            for spec in ALL_FILTER_SPECS:
                rendition_of(image, spec)
            srcset(image)
    assert len(many.captured_queries) == len(few.captured_queries) == 2  # images, then renditions


def test_a_size_not_rendered_yet_is_made_on_first_read():
    image = f.make_image()  # the upload's task has not run (no commit in this test)
    assert not _renditions(image).exists()
    listed = _fresh(image)
    url, width, height = rendition_of(listed, ImageSize.MEDIUM.value)
    stored = _renditions(image).get(filter_spec=ImageSize.MEDIUM.value)
    assert (url, width, height) == (stored.url, stored.width, stored.height) == (stored.url, 320, 200)
    # Read from the rows next time, the same answer.
    assert rendition_of(_fresh(image), ImageSize.MEDIUM.value) == (url, width, height)


def test_a_crop_made_for_an_old_focal_point_is_not_used(upload):
    image = upload()
    old = rendition_of(_fresh(image), ImageSize.CARD.value)
    image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = 10, 10, 20, 20
    image.save()
    new = rendition_of(_fresh(image), ImageSize.CARD.value)
    assert new != old
    assert _renditions(image).filter(filter_spec=ImageSize.CARD.value).count() == 2
    assert new[0] == get_image_model().objects.get(pk=image.pk).get_rendition(ImageSize.CARD.value).url
    # Sizes that do not crop do not depend on the focal point.
    assert rendition_of(_fresh(image), ImageSize.MEDIUM.value)[0].endswith(".max-800x800.jpg")


def test_an_image_outside_a_list_still_answers(upload):
    image = upload()
    plain = get_image_model().objects.get(pk=image.pk)
    assert rendition_of(plain, ImageSize.LARGE.value)[0] == image.get_rendition(ImageSize.LARGE.value).url


@pytest.mark.parametrize(
    "name",
    [
        "images/zdjecie-1.fill-640x400-c100.jpg",
        "images/zażółć gęślą jaźń.max-800x800.jpg",
        "images/a b?c#d%41.jpg",
        "images/x:y;z=1&w.jpg",
        "/images/leading.jpg",
        "images//double.jpg",
        "images/./dot.jpg",
        "images/../up.jpg",
    ],
)
@pytest.mark.parametrize("media_url", ["/media/", "https://cdn.example.com/m/", "/a/../m/", "//cdn.example.com/"])
def test_file_urls_are_the_storages_own(settings, name, media_url):
    settings.MEDIA_URL = media_url
    storage = get_image_model().get_rendition_model()._meta.get_field("file").storage
    assert stored_file_url(name) == storage.url(name)


# --- Through the API: the sizes a query asks for, read in one query -------------------------------

_LIST = "{ news(first: 10) { edges { node { title leadImage { %s } } } } }"
_WITH_SIZE = "query($size: ImageSize!) { news(first: 10) { edges { node { title leadImage { %s } } } } }"
_FRAGMENT = _LIST + " fragment sizes on Image { rendition(size: MEDIUM) { url } }"


@pytest.mark.parametrize(
    ("query", "variables", "specs"),
    [
        (_LIST % "alt", {}, set()),
        (_LIST % "rendition { url }", {}, {ImageSize.CARD.value}),
        (_LIST % "thumb: rendition(size: THUMBNAIL) { url } srcset", {}, {ImageSize.THUMBNAIL.value, *SRCSET_SPECS}),
        (_WITH_SIZE % "rendition(size: $size) { url width height }", {"size": "LARGE"}, {ImageSize.LARGE.value}),
        (_FRAGMENT % "...sizes", {}, {ImageSize.MEDIUM.value}),
    ],
)
def test_a_list_reads_the_sizes_its_query_asks_for(gql, site_tree, upload, query, variables, specs):
    for _ in range(3):
        f.make_news(site_tree.news, image=upload())
    with CaptureQueriesContext(connection) as captured:
        data = gql.data(query, variables)
    reads = [q["sql"] for q in captured.captured_queries if "wagtailimages_rendition" in q["sql"]]
    # One query when sizes are asked for, none otherwise; nothing rendered (all were stored).
    assert len(reads) == (1 if specs else 0), reads
    assert {spec for spec in ALL_FILTER_SPECS if reads and f"'{spec}'" in reads[0]} == specs
    for edge in data["news"]["edges"]:
        for value in edge["node"]["leadImage"].values():
            if isinstance(value, dict):
                assert value["url"].startswith("/media/images/")


def test_srcset_names_each_width_once(django_capture_on_commit_callbacks):
    """Wagtail never enlarges, so every size of a small original has its width: HTML
    forbids two candidates with the same width descriptor."""
    small = f.make_image()  # 320 px wide, narrower than every size
    assert srcset(small) == f"{rendition_of(small, SRCSET_SPECS[0])[0]} 320w"

    wide = get_image_model()(
        title="Elewacja",
        file=ImageFile(io.BytesIO(f.make_jpeg(width=1000, height=600)), name="elewacja.jpg"),
        collection=f.root_collection(),
    )
    wide.save()
    widths = [candidate.rsplit(" ", 1)[1] for candidate in srcset(wide).split(", ")]
    assert widths == sorted(set(widths), key=widths.index)
    assert widths[-1] == "1000w"
