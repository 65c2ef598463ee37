"""Pictures made to order for the photo tests: encoded in any format, noisy (so files have a
realistic size), showing which way they were turned, with GPS metadata, decompression
bombs and headers that lie about the size, and an upload that counts what is read."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

# Seconds of latitude 37.51 and longitude 42.25 as the EXIF rationals they are written as.
LATITUDE_SECONDS = IFDRational(3751, 100)
LONGITUDE_SECONDS = IFDRational(4225, 100)


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def noisy(size: tuple[int, int], mode: str = "RGB", seed: int = 1) -> Image.Image:
    """A picture that does not compress to nothing, so files have a realistic size."""
    rng = random.Random(seed)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))


def two_halves(size: tuple[int, int]) -> Image.Image:
    """Top half red, bottom half blue: shows which way a picture was turned."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0], size[1] // 2))
    return image


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCorp"
    exif[ExifTags.Base.Model] = "Pocket 12"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)  # 0x8825
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(52, 1), IFDRational(13, 1), LATITUDE_SECONDS)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(21, 1), IFDRational(0, 1), LONGITUDE_SECONDS)
    return exif


def gps_byte_patterns() -> list[bytes]:
    """The GPS values as they sit in the raw bytes, in either byte order."""
    patterns = []
    for seconds in (LATITUDE_SECONDS, LONGITUDE_SECONDS):
        for order in (">", "<"):
            patterns.append(struct.pack(order + "LL", seconds.numerator, seconds.denominator))
    return patterns


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of width × height black pixels: tiny file, huge picture."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    rows_per_step = max(1, 4_000_000 // len(row))
    idat = []
    for start in range(0, height, rows_per_step):
        idat.append(compressor.compress(row * min(rows_per_step, height - start)))
    idat.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(idat)) + png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to declare width × height."""
    data = bytearray(encode(noisy((64, 64)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    # marker(2) length(2) precision(1) height(2) width(2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def declared_size(data: bytes) -> tuple[int, int]:
    """Width and height as the PNG or JPEG header states them (Pillow would refuse to say)."""
    if data.startswith(b"\x89PNG"):
        return struct.unpack(">II", data[16:24])
    sof = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[sof + 5 : sof + 9])
    return width, height


class CountingReader:
    """A file-like upload that counts what is read from it (and has no size to trust)."""

    def __init__(self, data: bytes, size: int | None = None):
        self._stream = io.BytesIO(data)
        self.bytes_read = 0
        if size is not None:
            self.size = size

    def read(self, n: int = -1) -> bytes:
        chunk = self._stream.read(n)
        self.bytes_read += len(chunk)
        return chunk


def jpeg(width: int = 32, height: int = 24, colour=(10, 120, 200)) -> bytes:
    """A plain JPEG of one colour."""
    return encode(Image.new("RGB", (width, height), colour), "JPEG")
