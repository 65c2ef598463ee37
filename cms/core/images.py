"""The image sizes the API serves: an allow-list, never arbitrary filter strings, and how a
list reads them cheaply.

A client asks for a named size; every size maps to one Wagtail filter spec. Listing the
specs up front lets a list read every rendition it may need at once.

A list of images (`image_queryset()`, used for every image relation the API prefetches)
reads, right after its images, the stored renditions of all of them in one query, as
plain rows (file name, width, height): no rendition model instance, no per-image lookup,
no cache write. `rendition_of(image, spec)` then answers from those rows, building the
URL the way `rendition.url` does (the rendition file field's storage), so the URLs are
the ones Wagtail gives. A rendition that does not exist yet (an image uploaded while the
broker was away, a size added later: the cold path) is made by Wagtail as before: at once
with `image.create_rendition` when the list's rows show it missing, through
`image.get_rendition` (which looks for it first) for a size the list did not read.
"""

from __future__ import annotations

import enum
from functools import cache
from urllib.parse import urljoin

from django.core.files.storage import FileSystemStorage
from django.db.models.query import ModelIterable
from django.utils.encoding import filepath_to_uri
from django.utils.functional import empty
from wagtail.images.models import Filter


class ImageSize(enum.Enum):
    THUMBNAIL = "fill-160x160-c100"
    CARD = "fill-640x400-c100"
    MEDIUM = "max-800x800"
    LARGE = "max-1600x1600"


# Widths offered in `srcset` for responsive images.
SRCSET_SPECS = ("width-400", "width-800", "width-1200")

ALL_FILTER_SPECS = tuple(size.value for size in ImageSize) + SRCSET_SPECS

# Parsed once: Wagtail's Filter keeps its parsed operations on the instance.
_FILTERS = {spec: Filter(spec=spec) for spec in ALL_FILTER_SPECS}


@cache
def _varies_with_focal_point(spec: str) -> bool:
    """Whether the spec's stored renditions depend on the image's focal point (fill
    crops do): then a rendition is the right one only if its `focal_point_key` is the
    image's current key, as Wagtail checks."""
    return any(getattr(operation, "vary_fields", ()) for operation in _FILTERS[spec].operations)


def _focal_point_key(image, spec: str) -> str:
    return _FILTERS[spec].get_cache_key(image) if _varies_with_focal_point(spec) else ""


@cache
def _rendition_storage():
    """The storage of renditions' files: what `rendition.url` asks for the URL."""
    from wagtail.images import get_image_model

    return get_image_model().get_rendition_model()._meta.get_field("file").storage


# Per base URL: whether joining a plain relative path to it is plain concatenation.
_plain_bases: dict[str, bool] = {}


def _is_plain(path: str) -> bool:
    """No empty, `.` or `..` segment: nothing `urljoin` would resolve or drop."""
    return all(segment not in ("", ".", "..") for segment in path.split("/"))


def stored_file_url(name: str) -> str:
    """`rendition.url` for the rendition file `name`, without a model instance.

    On the file system storage (media served by the hub, `MEDIA_URL`), the URL is the
    base URL joined with the quoted name, as `FileSystemStorage.url` does; joining a
    plain path to a plain base is concatenation, which costs a tenth of `urljoin`. Any
    other storage, or a name or base URL that is not plain, asks the storage itself."""
    storage = _rendition_storage()
    concrete = getattr(storage, "_wrapped", storage)  # `default_storage` is a lazy object
    if concrete is not empty and type(concrete).url is FileSystemStorage.url:
        base = concrete.base_url
        if base is not None:
            path = filepath_to_uri(name).lstrip("/")
            plain_base = _plain_bases.get(base)
            if plain_base is None:
                plain_base = _plain_bases[base] = urljoin(base, "a/b") == base + "a/b"
            if plain_base and _is_plain(path):
                return base + path
    return storage.url(name)


# Attributes a batch leaves on each image: the specs it read, and what it found per spec
# as [(focal point key, file name, width, height)]; then the answers per spec.
_READ = "_hub_rendition_specs"
_ROWS = "_hub_rendition_rows"
_ANSWERS = "_hub_renditions"


def read_renditions(images, specs=ALL_FILTER_SPECS) -> None:
    """Read the stored renditions of `specs` for all `images` in one query, as rows."""
    images = [image for image in images if image is not None]
    if not images:
        return
    if not specs:  # no size asked for: nothing to read
        for image in images:
            setattr(image, _READ, ())
        return
    from wagtail.images import get_image_model

    by_id: dict[int, list] = {}
    for image in images:
        setattr(image, _READ, specs)
        setattr(image, _ROWS, {})
        by_id.setdefault(image.pk, []).append(image)
    rows = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(image_id__in=list(by_id), filter_spec__in=specs)
        .order_by()
        .values_list("image_id", "filter_spec", "focal_point_key", "file", "width", "height")
    )
    for image_id, spec, key, name, width, height in rows:
        for image in by_id[image_id]:
            getattr(image, _ROWS).setdefault(spec, []).append((key, name, width, height))


def rendition_of(image, spec: str) -> tuple[str, int, int]:
    """The URL, width and height of `image` at `spec`: from the rows its list read when
    there is one, else (a rendition not made yet, a spec not read) through Wagtail, which
    finds or creates it."""
    answers = image.__dict__.setdefault(_ANSWERS, {})
    found = answers.get(spec)
    if found is not None:
        return found
    read = spec in getattr(image, _READ, ())
    if read:
        key = _focal_point_key(image, spec)
        for stored_key, name, width, height in getattr(image, _ROWS).get(spec, ()):
            if stored_key == key:
                found = (stored_file_url(name), width, height)
                break
    if found is None:
        # Read and not there: make it (Wagtail's get_or_create, safe against a concurrent
        # request making the same one). Not read: let Wagtail find it or make it.
        rendition = image.create_rendition(_FILTERS[spec]) if read else image.get_rendition(spec)
        found = (rendition_url(rendition), rendition.width, rendition.height)
    answers[spec] = found
    return found


def rendition_url(rendition) -> str:
    """The rendition's media URL; `cms.core.views.serve_image_file` answers it after checking access."""
    return rendition.url


def srcset(image) -> str:
    # Wagtail never enlarges: a `width-1200` of an 800-pixel original is 800 wide, like
    # its `width-800`. One candidate per width (HTML forbids two with the same descriptor),
    # the smaller spec's file.
    candidates: dict[int, str] = {}
    for spec in SRCSET_SPECS:
        url, width, _height = rendition_of(image, spec)
        candidates.setdefault(width, url)
    return ", ".join(f"{url} {width}w" for width, url in candidates.items())


class _ImagesWithRenditions(ModelIterable):
    """Images, then the stored renditions of `specs` for all of them in one query."""

    specs: tuple[str, ...] = ALL_FILTER_SPECS

    def __iter__(self):
        images = list(super().__iter__())
        read_renditions(images, self.specs)
        yield from images


@cache
def _iterable_reading(specs: tuple[str, ...]) -> type[_ImagesWithRenditions]:
    return type("ImagesWithRenditions", (_ImagesWithRenditions,), {"specs": specs})


def image_queryset(specs=ALL_FILTER_SPECS):
    """Images with their collection; when the queryset is evaluated (a prefetch of an image
    relation included), the stored renditions of `specs` (by default every allowed size)
    are read for all of its images in one query."""
    from wagtail.images import get_image_model

    queryset = get_image_model().objects.select_related("collection")
    queryset._iterable_class = _iterable_reading(tuple(sorted(set(specs) & set(ALL_FILTER_SPECS))))
    return queryset
