"""Product photos drawn with Pillow (nothing is downloaded): a patterned backdrop and the product's name."""

import io
import random
import textwrap

from PIL import Image, ImageDraw, ImageFont

PALETTES = [
    ((122, 62, 32), (233, 196, 106)),   # sogan batik
    ((11, 110, 79), (244, 180, 0)),     # Banten green and gold
    ((36, 59, 107), (214, 226, 240)),   # indigo
    ((150, 40, 45), (247, 220, 190)),   # marun
    ((60, 90, 60), (220, 232, 200)),    # daun
    ((70, 70, 80), (230, 230, 235)),    # electronics grey
]


def draw_product_photo(name: str, *, seed: int, size: int = 640) -> bytes:
    rng = random.Random(seed)
    dark, light = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", (size, size), light)
    draw = ImageDraw.Draw(image)
    step = rng.choice([80, 100, 120])
    for y in range(-step, size + step, step):  # kawung-like ellipses, offset every other row
        for x in range(-step, size + step, step):
            dx = step // 2 if (y // step) % 2 else 0
            r = step // 3
            draw.ellipse([x + dx - r, y - r // 2, x + dx + r, y + r // 2], outline=dark, width=4)
    draw.rounded_rectangle([40, size // 2 - 130, size - 40, size // 2 + 130], radius=28, fill=(255, 255, 255))
    font = ImageFont.load_default(size=44)
    lines = textwrap.wrap(name, width=17)[:3]
    y = size // 2 - 29 * len(lines)
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, fill=dark, font=font)
        y += 58
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def draw_document(kind: str, owner_name: str, nik: str, *, pdf: bool = False) -> bytes:
    """A clearly fake identity document for the demo queue: a PNG card, or a one-page PDF."""
    title = {"ktp": "KARTU TANDA PENDUDUK (CONTOH)", "nib": "NOMOR INDUK BERUSAHA (CONTOH)",
             "npwp": "NPWP (CONTOH)"}[kind]
    if pdf:
        from fpdf import FPDF

        document = FPDF(format="A4")
        document.add_page()
        document.set_font("Helvetica", "B", 14)
        document.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        document.set_font("Helvetica", "", 11)
        document.multi_cell(0, 7, f"Nama: {owner_name}\nNIK: {nik}\nDokumen demo Plaza Banten, bukan dokumen asli.")
        return bytes(document.output())
    image = Image.new("RGB", (856, 540), (205, 225, 245) if kind == "ktp" else (245, 235, 200))
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), title, fill=(20, 40, 90), font=ImageFont.load_default(size=34))
    body = ImageFont.load_default(size=28)
    for row, line in enumerate([f"NIK   : {nik}", f"Nama  : {owner_name}", "Dokumen demo, bukan dokumen asli"]):
        draw.text((30, 140 + row * 60), line, fill=(30, 30, 30), font=body)
    draw.rectangle([640, 140, 820, 380], outline=(90, 90, 90), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
