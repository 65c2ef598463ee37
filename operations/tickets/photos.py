"""Photos attached to tickets: check, clean and re-encode an upload before it is stored.

A pure processing module (no models, no storage): `process_photo` takes the uploaded
bytes and returns a `ProcessedPhoto` with the cleaned photo and its thumbnail, or raises
`PhotoError(code, message)` with a code of `PhotoErrorCode` and a short message for the
resident.

Decisions:
- Accepted: JPEG (also the multi-picture JPEGs, MPO, that some phones write; only the
  main picture is kept), PNG and WebP (of animated PNG and WebP only the first frame).
  The type is sniffed from the bytes by Pillow with an allow-list of decoders; the file
  name and the declared content type are ignored. GIF, BMP, TIFF, AVIF, SVG and the rest
  are refused with PHOTO_FORMAT. HEIC is refused too (Pillow cannot decode it without the
  pillow-heif plugin); the message says so and names the formats to use instead.
- Output: a JPEG (quality 85, progressive, optimized), or a PNG when the picture really
  has transparent pixels (an alpha channel that is fully opaque is dropped, and the photo
  becomes a JPEG). The thumbnail is always a JPEG that fits 400×400, keeps the aspect
  ratio and has transparency flattened onto white.
- Nothing of the original file survives but its pixels: the output is written from a
  fresh image, so it carries no EXIF (GPS position, camera, time), XMP, IPTC, comments,
  ICC profile or trailing bytes. The EXIF orientation is applied first, so the photo is
  upright. Colours are converted to sRGB with the embedded ICC profile (e.g. Display P3
  from phones, CMYK JPEGs) before the profile is dropped; palette and greyscale pictures
  have their profile dropped without conversion, and a profile that littleCMS cannot use
  is ignored.
- Anything larger than TICKET_PHOTO_MAX_SIDE on its long side is scaled down; JPEGs are
  decoded at a reduced scale when they are at least twice too big (libjpeg's DCT scaling),
  which keeps memory low.

Limits, from Django settings with the defaults below:
- TICKET_PHOTO_MAX_BYTES: bytes of the upload. At most max_bytes + 1 bytes are read.
- TICKET_PHOTO_MAX_PIXELS: width × height of the picture. Checked from the header, before
  any pixel is decoded, so a decompression bomb (a small file declaring a huge picture)
  costs nothing. Pillow's own global limit (`Image.MAX_IMAGE_PIXELS`, left unchanged)
  also applies: its DecompressionBombError and DecompressionBombWarning are turned into
  PHOTO_TOO_BIG, so a max_pixels above Pillow's limit is capped by it.
- TICKET_PHOTO_MAX_SIDE: long side of the stored photo.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from .errors import PhotoErrorCode

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 2560

THUMBNAIL_SIZE = 400
THUMBNAIL_CONTENT_TYPE = "image/jpeg"
THUMBNAIL_EXTENSION = "jpg"
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80

# Pillow decoders tried on an upload, in this order. MPO is what the JPEG decoder returns
# for multi-picture JPEGs; it is a JPEG.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})

# Major brands of the ISO base media file format that mean a HEIC/HEIF picture.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"heif"})

_READ_CHUNK = 1024 * 1024

_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoError(Exception):
    """An upload refused as a ticket photo; `message` is translated and meant for the user."""

    def __init__(self, code: PhotoErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = str(message)


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    content: bytes
    content_type: str  # "image/jpeg" or "image/png"
    extension: str  # "jpg" or "png", without the dot
    width: int
    height: int
    thumbnail: bytes  # always a JPEG (THUMBNAIL_CONTENT_TYPE)
    thumbnail_width: int
    thumbnail_height: int
    source_format: str  # what the upload really was: "JPEG", "PNG" or "WEBP"


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def process_photo(
    upload: _Readable | bytes,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    max_side: int | None = None,
) -> ProcessedPhoto:
    """Check an uploaded photo and return it cleaned, re-encoded and with a thumbnail.

    `upload` is bytes or a binary file-like object (a Django UploadedFile, an open file);
    its name and content type are not looked at. Limits left as None come from settings.
    Raises PhotoError.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "TICKET_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    if max_pixels is None:
        max_pixels = getattr(settings, "TICKET_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    if max_side is None:
        max_side = getattr(settings, "TICKET_PHOTO_MAX_SIDE", DEFAULT_MAX_SIDE)

    data = _read_at_most(upload, max_bytes)
    if not data:
        raise _unreadable()

    with warnings.catch_warnings():
        # Pillow warns (rather than raises) between MAX_IMAGE_PIXELS and twice that.
        # catch_warnings changes process-wide state, so it is held only while Pillow reads.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        source = _open(data, max_pixels)
        try:
            image, orientation = _decode(source, max_pixels, max_side)
        except BaseException:
            source.close()
            raise
    source_format = "JPEG" if source.format in _JPEG_FORMATS else str(source.format)

    # Closing the source frees its pixels, so it stays open until the fresh copy is made.
    with source:
        image = _to_srgb(image, source.mode, source.info.get("icc_profile"))
        if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
            image = image.convert("RGB")
        if image.width > max_side or image.height > max_side:
            image = image.resize(_fit(image.size, max_side), Image.Resampling.LANCZOS)
        if orientation in _ORIENTATION_TRANSPOSE:
            image = image.transpose(_ORIENTATION_TRANSPOSE[orientation])
        # A fresh image: no info dict, no EXIF, no XMP, no ICC profile from the original.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        del image

    buffer = io.BytesIO()
    if clean.mode == "RGBA":
        clean.save(buffer, "PNG")
        content_type, extension = "image/png", "png"
    else:
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"

    thumbnail = _thumbnail(clean)
    thumbnail_buffer = io.BytesIO()
    thumbnail.save(thumbnail_buffer, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)

    return ProcessedPhoto(
        content=buffer.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
        thumbnail=thumbnail_buffer.getvalue(),
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
        source_format=source_format,
    )


# --- Steps ------------------------------------------------------------------------------


def _read_at_most(upload: _Readable | bytes, max_bytes: int) -> bytes:
    """The upload's bytes, refusing more than max_bytes without reading more than max_bytes + 1."""
    if isinstance(upload, bytes | bytearray | memoryview):
        if len(upload) > max_bytes:
            raise _too_large(max_bytes)
        return bytes(upload)

    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_large(max_bytes)
    seek = getattr(upload, "seek", None)
    if seek is not None:
        try:
            seek(0)
        except (OSError, ValueError):  # not seekable: read from where it stands
            pass

    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = upload.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if remaining <= 0:
        raise _too_large(max_bytes)
    return b"".join(chunks)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Identify the picture from its header, refusing what is not accepted or too big; no pixel is decoded."""
    try:
        source = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big(max_pixels) from None
    except UnidentifiedImageError:
        raise _not_accepted(data) from None
    except Exception as exc:  # a parser choking on untrusted bytes
        logger.info("Photo refused: %s while opening", type(exc).__name__)
        raise _unreadable() from None
    width, height = source.size
    if width * height > max_pixels:
        source.close()
        raise _too_big(max_pixels)
    return source


def _decode(source: Image.Image, max_pixels: int, max_side: int) -> tuple[Image.Image, int]:
    """Decode the pixels (JPEGs at a reduced scale when much too big); return them and the EXIF orientation.

    The image returned is the source itself when its mode is RGB, RGBA or CMYK, else a converted copy.
    """
    try:
        if source.format in _JPEG_FORMATS:
            # The box is square, so the target does not depend on the orientation.
            source.draft(None, _fit(source.size, max_side))
        source.load()
        try:
            orientation = int(source.getexif().get(ExifTags.Base.Orientation, 1))
        except Exception:  # broken EXIF does not make a broken photo: keep it as it is
            orientation = 1
        image = source if source.mode in ("RGB", "RGBA", "CMYK") else _normalise_mode(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big(max_pixels) from None
    except Exception as exc:  # truncated data, bad checksums, broken streams
        logger.info("Photo refused: %s while decoding %s", type(exc).__name__, source.format)
        raise _unreadable() from None
    return image, orientation


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the picture has an alpha channel or a transparent colour."""
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale to 8 bits
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("LA", "La", "PA", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _to_srgb(image: Image.Image, source_mode: str, icc_profile: bytes | None) -> Image.Image:
    """Convert RGB, RGBA or CMYK pixels to sRGB with the embedded profile; end in RGB or RGBA."""
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    if icc_profile and image.mode == source_mode:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=output_mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            logger.info("Photo colour profile ignored: %s", exc)
        else:
            if converted is not None:
                return converted
    return image if image.mode == output_mode else image.convert(output_mode)


def _thumbnail(image: Image.Image) -> Image.Image:
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    if thumbnail.mode == "RGBA":
        flat = Image.new("RGB", thumbnail.size, (255, 255, 255))
        flat.paste(thumbnail, mask=thumbnail.getchannel("A"))
        return flat
    return thumbnail


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    if width <= max_side and height <= max_side:
        return size
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


# --- Errors -----------------------------------------------------------------------------


def _too_large(max_bytes: int) -> PhotoError:
    return PhotoError(
        PhotoErrorCode.PHOTO_TOO_LARGE,
        gettext("This photo is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)},
    )


def _too_big(max_pixels: int) -> PhotoError:
    megapixels = max_pixels / 1_000_000
    shown = int(megapixels) if megapixels.is_integer() else round(megapixels, 1)
    return PhotoError(
        PhotoErrorCode.PHOTO_TOO_BIG,
        gettext("This picture is too big: more than %(megapixels)s megapixels.") % {"megapixels": number_format(shown)},
    )


def _unreadable() -> PhotoError:
    return PhotoError(
        PhotoErrorCode.PHOTO_UNREADABLE,
        gettext("This photo cannot be read. The file may be damaged or incomplete."),
    )


def _not_accepted(data: bytes) -> PhotoError:
    """Pillow found no accepted format: a damaged JPEG/PNG/WebP, a HEIC photo, or something else."""
    if (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return _unreadable()
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return PhotoError(
            PhotoErrorCode.PHOTO_FORMAT,
            gettext("HEIC photos are not accepted. Please send the photo as JPEG, PNG or WebP."),
        )
    return PhotoError(PhotoErrorCode.PHOTO_FORMAT, gettext("This file is not a JPEG, PNG or WebP photo."))
