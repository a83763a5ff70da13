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
