"""Ticket photos are decoded and re-encoded: metadata goes, bombs and impostors are refused.

Every image is made with Pillow (tests/factories/pictures.py); the bombs are real, valid files that would decode
to hundreds of megabytes.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageFile

from operations.tickets import photos, services, tasks
from operations.tickets.errors import PhotoErrorCode
from operations.tickets.models import TicketPhoto
from operations.tickets.photos import PhotoError, process_photo
from tests.factories import tickets as tf
from tests.factories.pictures import (
    CountingReader,
    declared_size,
    encode,
    gps_byte_patterns,
    gps_exif,
    jpeg_declaring,
    noisy,
    png_bomb,
    two_halves,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are compared in English, their source language (Polish is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Records every attempt to decode pixels (ImageFile.load), and lets none happen."""
    calls = []

    def refuse_load(self):
        calls.append(self.size)
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_load)
    return calls


def refused(upload, **limits) -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        process_photo(upload, **limits)
    return caught.value


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- Metadata is gone -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_with_gps_exif_comes_back_without_it(fmt):
    original = encode(noisy((120, 90)), fmt, exif=gps_exif())
    # The test photo really carries the position, in bytes and as Pillow reads it.
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert any(pattern in original for pattern in gps_byte_patterns())

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    cleaned = opened(result.content)
    assert cleaned.format == "JPEG"
    assert len(cleaned.getexif()) == 0
    assert not cleaned.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in cleaned.info
    for pattern in gps_byte_patterns():
        assert pattern not in result.content
        assert pattern not in result.thumbnail
    assert b"Exif" not in result.content
    assert b"PhoneCorp" not in result.content
    assert len(opened(result.thumbnail).getexif()) == 0


def test_xmp_icc_profile_comments_and_trailing_bytes_are_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>52,13.625N</exif:GPSLatitude></x:xmpmeta>'
    original = encode(noisy((80, 60)), "JPEG", icc_profile=srgb, xmp=xmp, comment=b"taken at Flat 12")
    original += b"<script>alert('polyglot')</script>"
    assert opened(original).info.get("icc_profile")

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    cleaned = opened(result.content)
    for key in ("icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "exif"):
        assert key not in cleaned.info
    for secret in (b"GPSLatitude", b"Flat 12", b"<script>", b"xmpmeta"):
        assert secret not in result.content


# --- Orientation, size, thumbnails ------------------------------------------------------


def test_exif_orientation_is_applied_so_the_photo_is_upright():
    # Stored 120 wide × 80 high, red on top; orientation 6 means "turn 90° clockwise to view".
    original = encode(two_halves((120, 80)), "JPEG", exif=gps_exif(orientation=6), quality=95)

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    assert (result.width, result.height) == (80, 120)
    cleaned = opened(result.content)
    assert cleaned.size == (80, 120)
    assert cleaned.getexif().get(ExifTags.Base.Orientation) is None  # nothing left to turn it again
    # Turned clockwise, the red top is now the right half.
    right, left = cleaned.getpixel((70, 60)), cleaned.getpixel((10, 60))
    assert right[0] > 200 and right[2] < 60
    assert left[2] > 200 and left[0] < 60
    thumbnail = opened(result.thumbnail)
    assert thumbnail.height > thumbnail.width


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((3000, 1500), 1000, (1000, 500)),  # decoded at half scale, then resized
        ((4000, 2000), 1000, (1000, 500)),  # decoded at a quarter
        ((1500, 3000), 1000, (500, 1000)),
        ((900, 600), 1000, (900, 600)),  # small enough: kept
    ],
)
def test_photos_larger_than_the_max_side_are_scaled_down(size, max_side, expected):
    original = encode(two_halves(size), "JPEG")

    result = process_photo(original, max_bytes=10_000_000, max_pixels=40_000_000, max_side=max_side)

    assert (result.width, result.height) == expected
    assert opened(result.content).size == expected
    assert result.content_type == "image/jpeg" and result.extension == "jpg"


@pytest.mark.parametrize(
    ("size", "expected"),
    [((1000, 500), (400, 200)), ((300, 900), (133, 400)), ((200, 100), (200, 100))],
)
def test_thumbnail_is_a_jpeg_that_fits_400_and_keeps_the_aspect_ratio(size, expected):
    result = process_photo(encode(noisy(size), "PNG"), max_bytes=10_000_000, max_pixels=10_000_000)

    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == expected == (result.thumbnail_width, result.thumbnail_height)
    assert max(thumbnail.size) <= photos.THUMBNAIL_SIZE


def test_default_max_side_is_2560(settings):
    if hasattr(settings, "TICKET_PHOTO_MAX_SIDE"):
        del settings.TICKET_PHOTO_MAX_SIDE
    result = process_photo(encode(Image.new("RGB", (3000, 600), "gray"), "JPEG"))
    assert (result.width, result.height) == (2560, 512)


# --- Formats ----------------------------------------------------------------------------


def test_png_with_transparency_stays_a_png_with_its_alpha():
    image = Image.new("RGBA", (200, 100), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 100))  # left half fully transparent
    original = encode(image, "PNG")

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    assert result.content_type == "image/png" and result.extension == "png"
    cleaned = opened(result.content)
    assert cleaned.format == "PNG" and cleaned.mode == "RGBA"
    assert cleaned.getpixel((10, 50))[3] == 0
    assert cleaned.getpixel((150, 50)) == (0, 128, 0, 255)
    # The thumbnail is a JPEG with the transparent part on white.
    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "JPEG" and thumbnail.mode == "RGB"
    assert min(thumbnail.getpixel((20, 40))) > 240


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Image.new("RGBA", (50, 40), (10, 20, 30, 255)), id="opaque-rgba"),
        pytest.param(lambda: Image.new("L", (50, 40), 90), id="greyscale"),
        pytest.param(lambda: Image.new("RGB", (50, 40), "red").convert("P"), id="palette"),
        pytest.param(lambda: Image.new("1", (50, 40), 1), id="bilevel"),
    ],
)
def test_pngs_without_real_transparency_become_jpegs(make):
    result = process_photo(encode(make(), "PNG"), max_bytes=10_000_000, max_pixels=10_000_000)

    assert result.content_type == "image/jpeg"
    assert opened(result.content).mode == "RGB"


def test_palette_png_with_a_transparent_colour_keeps_its_transparency():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.paste(1, (20, 0, 40, 40))
    original = encode(image, "PNG", transparency=0)

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    cleaned = opened(result.content)
    assert result.content_type == "image/png" and cleaned.mode == "RGBA"
    assert cleaned.getpixel((5, 5))[3] == 0
    assert cleaned.getpixel((30, 5)) == (200, 0, 0, 255)


def test_sixteen_bit_greyscale_png_keeps_its_brightness():
    original = encode(Image.new("I;16", (30, 30), 40000), "PNG")
    assert opened(original).mode == "I;16"

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    red, green, blue = opened(result.content).getpixel((15, 15))
    assert 150 <= red <= 162 and abs(red - green) <= 2 and abs(red - blue) <= 2


def test_cmyk_jpeg_becomes_an_rgb_jpeg():
    original = encode(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG")
    assert opened(original).mode == "CMYK"

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    red, green, blue = opened(result.content).getpixel((20, 20))
    assert red > 230 and green < 30 and blue < 30


def test_webp_is_accepted_and_stored_as_jpeg():
    result = process_photo(encode(noisy((60, 40)), "WEBP"), max_bytes=10_000_000, max_pixels=10_000_000)
    assert result.source_format == "WEBP"
    assert result.content_type == "image/jpeg" and opened(result.content).size == (60, 40)


def test_multi_picture_jpeg_from_a_phone_is_accepted_with_its_main_picture():
    main, extra = two_halves((64, 48)), Image.new("RGB", (32, 24), "blue")
    original = encode(main, "MPO", save_all=True, append_images=[extra])
    assert Image.open(io.BytesIO(original)).format == "MPO"

    result = process_photo(original, max_bytes=10_000_000, max_pixels=10_000_000)

    assert result.source_format == "JPEG"
    assert (result.width, result.height) == (64, 48)
    assert opened(result.content).format == "JPEG"


def test_the_type_is_sniffed_from_the_bytes_not_the_name():
    png = encode(noisy((30, 20)), "PNG")
    upload = SimpleUploadedFile("IMG_0001.jpg", png, content_type="image/jpeg")

    result = process_photo(upload, max_bytes=10_000_000, max_pixels=10_000_000)

    assert result.source_format == "PNG"
    assert result.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"Dear administrator,\nthe tap in flat 12 is leaking again.\n" * 20),
        ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.webp", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        ("photo.jpg", b"PK\x03\x04" + bytes(200)),
    ],
    ids=["text", "svg", "pdf", "zip"],
)
def test_a_renamed_non_image_is_refused(name, content):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    error = refused(upload, max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_FORMAT
    assert error.message == "This file is not a JPEG, PNG or WebP photo."


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    upload = SimpleUploadedFile("photo.jpg", encode(noisy((30, 20)), fmt), content_type="image/jpeg")

    error = refused(upload, max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_FORMAT


def test_heic_is_refused_with_a_message_that_says_so():
    heic_start = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + bytes(64)

    error = refused(heic_start, max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_FORMAT
    assert "HEIC" in error.message


# --- Damaged files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "keep"),
    [("JPEG", 0.5), ("JPEG", 0.95), ("PNG", 0.5), ("WEBP", 0.5), ("JPEG", 20 / 10_000)],
    ids=["jpeg-half", "jpeg-nearly-all", "png-half", "webp-half", "jpeg-header-only"],
)
def test_a_truncated_photo_is_unreadable(fmt, keep):
    whole = encode(noisy((200, 150)), fmt)
    cut = whole[: max(20, int(len(whole) * keep))]

    error = refused(cut, max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_UNREADABLE


def test_a_png_with_a_corrupt_chunk_is_unreadable():
    data = bytearray(encode(noisy((60, 60)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # the checksum no longer matches

    error = refused(bytes(data), max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_UNREADABLE


def test_an_empty_file_is_unreadable():
    assert refused(b"", max_bytes=1000, max_pixels=1000).code == PhotoErrorCode.PHOTO_UNREADABLE


# --- Decompression bombs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "max_pixels"),
    [
        # Above our limit (40 MP), below Pillow's: our own check refuses it.
        pytest.param(png_bomb(8000, 6000), 40_000_000, id="png-48MP"),
        # Above Pillow's warning limit: refused even when max_pixels is set higher.
        pytest.param(png_bomb(10_000, 10_000), 10**9, id="png-100MP-pillow-warning"),
        # Above Pillow's error limit.
        pytest.param(png_bomb(20_000, 20_000), 10**9, id="png-400MP-pillow-error"),
        # A JPEG whose header lies about its size.
        pytest.param(jpeg_declaring(8000, 8000), 40_000_000, id="jpeg-header-64MP"),
        pytest.param(jpeg_declaring(60_000, 60_000), 10**10, id="jpeg-header-3600MP"),
    ],
)
def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded(data, max_pixels, no_pixel_decoding):
    assert len(data) < 200_000  # tiny file ...
    width, height = declared_size(data)
    assert width * height >= 48_000_000  # ... huge picture

    error = refused(data, max_bytes=10_000_000, max_pixels=max_pixels)

    assert error.code == PhotoErrorCode.PHOTO_TOO_BIG
    assert "megapixels" in error.message
    assert no_pixel_decoding == []


def test_pillow_global_pixel_limit_is_left_alone():
    before = Image.MAX_IMAGE_PIXELS
    refused(png_bomb(10_000, 10_000), max_bytes=10_000_000, max_pixels=10**9)
    process_photo(encode(noisy((20, 20)), "PNG"), max_bytes=10_000_000, max_pixels=10_000_000)
    assert Image.MAX_IMAGE_PIXELS == before


def test_a_photo_just_under_the_pixel_limit_is_accepted():
    original = encode(Image.new("RGB", (100, 100), "gray"), "JPEG")
    assert process_photo(original, max_bytes=10_000_000, max_pixels=10_000).width == 100
    assert refused(original, max_bytes=10_000_000, max_pixels=9_999).code == PhotoErrorCode.PHOTO_TOO_BIG


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_refusing_a_bomb_keeps_memory_low(tmp_path):
    """In a fresh interpreter, refusing a bomb that decodes to 81 MB raises the peak memory by little."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(9000, 9000))  # 81 MP of 1 byte each once decoded
    script = textwrap.dedent(
        f"""
        import resource
        from django.conf import settings
        settings.configure(USE_I18N=False)
        from operations.tickets.photos import PhotoError, process_photo
        data = open({str(bomb)!r}, "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            process_photo(data, max_bytes=10_000_000, max_pixels=40_000_000)
        except PhotoError as error:
            print(error.code)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(after - before)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    code, grown_kib = run.stdout.split()
    assert code == "PHOTO_TOO_BIG"
    assert int(grown_kib) < 20 * 1024  # KiB on Linux; decoding would take about 80 MB


# --- Size in bytes ----------------------------------------------------------------------


def test_an_upload_over_max_bytes_is_refused_without_reading_it_all():
    upload = CountingReader(encode(noisy((400, 300)), "PNG"))  # about 360 kB, and no size given
    assert len(upload._stream.getvalue()) > 100_000

    error = refused(upload, max_bytes=50_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_TOO_LARGE
    assert upload.bytes_read <= 50_001
    assert "KB" in error.message or "kB" in error.message


def test_a_declared_size_over_max_bytes_is_refused_without_reading_anything():
    upload = CountingReader(b"x" * 10, size=20_000_000)

    error = refused(upload, max_bytes=10_000_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_TOO_LARGE
    assert upload.bytes_read == 0


def test_a_declared_size_is_not_trusted():
    upload = CountingReader(encode(noisy((400, 300)), "PNG"), size=1_000)

    error = refused(upload, max_bytes=50_000, max_pixels=10_000_000)

    assert error.code == PhotoErrorCode.PHOTO_TOO_LARGE
    assert upload.bytes_read <= 50_001


def test_the_byte_limit_is_inclusive():
    original = encode(noisy((60, 40)), "JPEG")
    assert process_photo(CountingReader(original), max_bytes=len(original), max_pixels=10_000).width == 60
    error = refused(CountingReader(original), max_bytes=len(original) - 1, max_pixels=10_000)
    assert error.code == PhotoErrorCode.PHOTO_TOO_LARGE


def test_a_django_upload_is_read_from_the_start():
    upload = SimpleUploadedFile("leak.jpg", encode(noisy((60, 40)), "JPEG"), content_type="image/jpeg")
    upload.read()  # e.g. a form already looked at it

    assert process_photo(upload, max_bytes=10_000_000, max_pixels=10_000_000).width == 60


# --- Settings ---------------------------------------------------------------------------


def test_limits_come_from_settings(settings):
    original = encode(noisy((200, 100)), "PNG")
    settings.TICKET_PHOTO_MAX_BYTES = 1_000
    assert refused(original).code == PhotoErrorCode.PHOTO_TOO_LARGE

    settings.TICKET_PHOTO_MAX_BYTES = 10_000_000
    settings.TICKET_PHOTO_MAX_PIXELS = 19_999
    assert refused(original).code == PhotoErrorCode.PHOTO_TOO_BIG

    settings.TICKET_PHOTO_MAX_PIXELS = 20_000
    settings.TICKET_PHOTO_MAX_SIDE = 50
    assert (process_photo(original).width, process_photo(original).height) == (50, 25)


def test_defaults_apply_when_the_settings_are_missing(settings):
    for name in ("TICKET_PHOTO_MAX_BYTES", "TICKET_PHOTO_MAX_PIXELS", "TICKET_PHOTO_MAX_SIDE"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert photos.DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    assert photos.DEFAULT_MAX_PIXELS == 40_000_000
    assert photos.DEFAULT_MAX_SIDE == 2560

    assert refused(png_bomb(8000, 6000)).code == PhotoErrorCode.PHOTO_TOO_BIG
    over = CountingReader(b"\xff" * (photos.DEFAULT_MAX_BYTES + 10))
    assert refused(over).code == PhotoErrorCode.PHOTO_TOO_LARGE
    assert over.bytes_read == photos.DEFAULT_MAX_BYTES + 1


# --- Files nobody names -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_old_photo_files_no_ticket_names_and_keeps_the_rest():
    cast = tf.build_cast(with_firms=False)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, "JPEG")
    ticket = tf.report(cast.reporter, category=cast.category, unit=cast.unit, photos=services.photos_process([buffer]))
    kept = TicketPhoto.objects.get(ticket=ticket)
    orphan_old = default_storage.save("ticket-photos/orphan-old.jpg", ContentFile(b"x"))
    orphan_new = default_storage.save("ticket-photos/orphan-new.jpg", ContentFile(b"x"))
    two_days_ago = time.time() - 2 * 86400
    for name in (orphan_old, kept.file.name, kept.thumbnail.name):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))

    assert tasks.ticket_photo_files_sweep.delay().result == 1
    assert not default_storage.exists(orphan_old)
    assert default_storage.exists(orphan_new)  # may be an upload still in progress
    assert default_storage.exists(kept.file.name) and default_storage.exists(kept.thumbnail.name)
    assert services.ticket_photo_files_sweep() == 0
