# ruff: noqa: E501  (long Polish sentences and raw PDF bytes read better unbroken)
"""Small real files for the demo: JPEG pictures drawn with Pillow and one-page PDFs.

The pictures are a colour gradient with a block of flats and a caption; the PDFs are
written by hand (a few hundred bytes of valid PDF 1.4 with real, searchable Polish text
in the standard Helvetica font), so no PDF library is needed.
"""

from __future__ import annotations

import io
import textwrap
import zlib
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


@lru_cache(maxsize=4)
def _font(size: int):
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def picture_jpeg(
    caption: str,
    top: tuple[int, int, int],
    bottom: tuple[int, int, int],
    *,
    size: tuple[int, int] = (800, 450),
    seed: int = 0,
) -> bytes:
    """A JPEG: a vertical gradient, a block of flats with lit windows, and a caption."""
    width, height = size
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(image)

    # A block of flats: the body, a roof line and a grid of windows, some lit.
    bx0, by0 = int(width * 0.12) + (seed % 5) * 20, int(height * 0.25)
    bx1, by1 = bx0 + int(width * 0.45), int(height * 0.82)
    draw.rectangle((bx0, by0, bx1, by1), fill=(225, 222, 210), outline=(90, 90, 90), width=2)
    draw.rectangle((bx0 - 6, by0 - 10, bx1 + 6, by0), fill=(110, 100, 95))
    cols, rows = 8, 6
    cell_w, cell_h = (bx1 - bx0) / cols, (by1 - by0) / rows
    for r in range(rows):
        for c in range(cols):
            lit = (r * 7 + c * 3 + seed) % 5 == 0
            x0 = bx0 + c * cell_w + cell_w * 0.22
            y0 = by0 + r * cell_h + cell_h * 0.2
            draw.rectangle(
                (x0, y0, x0 + cell_w * 0.56, y0 + cell_h * 0.55),
                fill=(250, 215, 110) if lit else (120, 140, 160),
            )
    # Ground and a tree.
    draw.rectangle((0, by1, width, height), fill=(95, 130, 80))
    tx = bx1 + int(width * 0.14)
    draw.rectangle((tx - 6, by1 - 60, tx + 6, by1), fill=(100, 70, 40))
    draw.ellipse((tx - 45, by1 - 150, tx + 45, by1 - 50), fill=(50, 120, 60))

    # Caption band.
    font = _font(max(16, width // 32))
    lines = textwrap.wrap(caption, width=44)[:2]
    band_h = 14 + 34 * len(lines)
    draw.rectangle((0, height - band_h, width, height), fill=(20, 30, 40))
    for i, line in enumerate(lines):
        draw.text((20, height - band_h + 8 + i * 34), line, fill=(255, 255, 255), font=font)

    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()


def fault_photo_jpeg(caption: str, scene: str, *, size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG "phone photo" for a ticket: a tiled wall with the fault (`scene`: leak, valve
    or radiator) and a caption band."""
    width, height = size
    image = Image.new("RGB", size, (214, 210, 200))
    draw = ImageDraw.Draw(image)
    floor_y = int(height * 0.78)
    if scene == "valve":  # a basement: bare concrete, a grey floor
        wall, grout = (150, 148, 140), (128, 126, 120)
    else:  # tiles in a kitchen or a bathroom
        wall, grout = (232, 236, 238), (190, 196, 200)
    draw.rectangle((0, 0, width, floor_y), fill=wall)
    step = 48
    for x in range(0, width, step):
        draw.line((x, 0, x, floor_y), fill=grout, width=2)
    for y in range(0, floor_y, step):
        draw.line((0, y, width, y), fill=grout, width=2)
    draw.rectangle((0, floor_y, width, height), fill=(120, 104, 90) if scene != "valve" else (105, 105, 100))

    pipe_x = int(width * 0.38)
    if scene in {"leak", "valve"}:
        metal = (176, 180, 186) if scene == "leak" else (112, 96, 82)
        joint_y = int(height * 0.42)
        if scene == "leak":  # a damp stain on the wall behind the pipe
            draw.ellipse((pipe_x - 90, joint_y - 30, pipe_x + 110, joint_y + 150), fill=(200, 192, 168))
        draw.rectangle((pipe_x - 14, 0, pipe_x + 14, floor_y - 30), fill=metal, outline=(70, 70, 70), width=2)
        if scene == "valve":  # a rusty valve with its handle
            draw.ellipse(
                (pipe_x - 40, joint_y - 40, pipe_x + 40, joint_y + 40), fill=(150, 78, 40), outline=(60, 40, 30)
            )
            draw.rectangle((pipe_x + 30, joint_y - 8, pipe_x + 120, joint_y + 8), fill=(180, 30, 30))
        else:  # a brass fitting
            draw.rectangle((pipe_x - 22, joint_y - 12, pipe_x + 22, joint_y + 12), fill=(200, 170, 60))
        for i in range(6):  # drops falling from the joint
            y = joint_y + 30 + i * 38
            if y < floor_y:
                draw.ellipse((pipe_x - 5, y, pipe_x + 5, y + 14), fill=(60, 130, 210))
        draw.ellipse((pipe_x - 150, floor_y - 6, pipe_x + 170, floor_y + 34), fill=(80, 120, 160))  # the puddle
    else:  # a radiator under a window sill, with a new thermostatic valve head
        rx0, ry0, rx1, ry1 = int(width * 0.18), int(height * 0.38), int(width * 0.78), int(height * 0.72)
        draw.rectangle((rx0 - 30, ry0 - 40, rx1 + 30, ry0 - 24), fill=(245, 245, 245), outline=(170, 170, 170))
        for x in range(rx0, rx1, 22):
            draw.rounded_rectangle((x, ry0, x + 18, ry1), radius=6, fill=(250, 250, 250), outline=(180, 180, 180))
        draw.rectangle((rx1, ry0 + 16, rx1 + 26, ry0 + 30), fill=(200, 200, 200))
        draw.rounded_rectangle(
            (rx1 + 26, ry0 - 4, rx1 + 58, ry0 + 52), radius=10, fill=(255, 255, 255), outline=(150, 150, 150)
        )
        draw.text((rx1 + 34, ry0 + 10), "5", fill=(90, 90, 90), font=_font(18))

    font = _font(max(16, width // 30))
    band_h = 44
    draw.rectangle((0, height - band_h, width, height), fill=(20, 30, 40))
    draw.text((16, height - band_h + 10), caption, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------

# Text is encoded in Windows-1250; the Polish letters that WinAnsiEncoding lacks are mapped
# to their glyph names, so viewers draw and extract them correctly.
_CP1250_DIFFERENCES = {
    0x8C: "Sacute",
    0x8F: "Zacute",
    0x9C: "sacute",
    0x9F: "zacute",
    0xA3: "Lslash",
    0xA5: "Aogonek",
    0xAF: "Zdotaccent",
    0xB3: "lslash",
    0xB9: "aogonek",
    0xBF: "zdotaccent",
    0xC6: "Cacute",
    0xCA: "Eogonek",
    0xD1: "Nacute",
    0xE6: "cacute",
    0xEA: "eogonek",
    0xF1: "nacute",
}


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1250", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def document_pdf(title: str, paragraphs: tuple[str, ...] | list[str], *, footer: str = "") -> bytes:
    """A one-page A4 PDF with a title, wrapped paragraphs and a footer line."""
    lines: list[tuple[str, int]] = []  # (text, font size)
    for part in textwrap.wrap(title, width=60):
        lines.append((part, 16))
    lines.append(("", 11))
    for paragraph in paragraphs:
        for part in textwrap.wrap(paragraph, width=90) or [""]:
            lines.append((part, 11))
        lines.append(("", 11))

    content = [b"BT", b"/F1 16 Tf", b"56 780 Td"]
    previous_size = 0
    for text, size in lines:
        if previous_size:
            content.append(f"0 -{int(max(size, previous_size) * 1.45)} Td".encode())
        content.append(f"/F1 {size} Tf".encode())
        content.append(_pdf_string(text) + b" Tj")
        previous_size = size
    content.append(b"ET")
    if footer:
        content += [b"BT", b"/F1 8 Tf", b"56 40 Td", _pdf_string(footer) + b" Tj", b"ET"]
    stream = zlib.compress(b"\n".join(content))

    differences = " ".join(f"{code} /{name}" for code, name in sorted(_CP1250_DIFFERENCES.items()))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 6 0 R >>",
        f"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [{differences}] >>".encode(),
        # Metadata strings are not in the font's encoding: UTF-16 with a byte-order mark.
        b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> /Producer (demo data) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()
