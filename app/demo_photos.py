"""Photos for the demo vault, drawn with Pillow: lit surfaces, shapes, blur and sensor
noise, so an exhibit page shows something that reads as a photo of the thing the entry
describes (a cabinet panel with a gap, a tiled backsplash with one cracked tile, a water
stain under a sink), never noise alone. Deterministic: the same bytes every build."""

from __future__ import annotations

import io
import random
from typing import Any

SIZE = (1024, 768)


def _lit(base: tuple[int, int, int], size: tuple[int, int] = SIZE, strength: float = 0.35) -> Any:
    """A surface in ``base`` colour lit from the top left (a soft diagonal gradient)."""
    from PIL import Image, ImageChops

    w, h = size
    big = Image.linear_gradient("L").resize((w * 2, h * 2)).rotate(-35, resample=Image.Resampling.BICUBIC)
    ramp = big.crop((w // 2, h // 2, w // 2 + w, h // 2 + h))  # the middle: no empty corners
    light = ramp.point(lambda v: int(255 - v * strength))
    surface = Image.new("RGB", size, base)
    return ImageChops.multiply(surface, Image.merge("RGB", (light, light, light)))


def _finish(img: Any, seed: int) -> bytes:
    """Lens softness, a vignette and sensor noise, then JPEG as a phone would save it."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    img = img.filter(ImageFilter.GaussianBlur(1.2))
    w, h = img.size
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((-w * 0.25, -h * 0.3, w * 1.25, h * 1.3), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(120))
    img = Image.composite(img, ImageChops.multiply(img, Image.new("RGB", img.size, (150, 150, 150))), mask)
    random.seed(seed)
    noise = Image.effect_noise(img.size, 14).convert("RGB")
    img = Image.blend(img, ImageChops.overlay(img, noise), 0.25)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=84, optimize=True)
    return out.getvalue()


def fridge_panel_gap() -> bytes:
    """A white cabinet run, the fridge's end panel, and a thin dark gap between them."""
    from PIL import ImageDraw

    img = _lit((236, 233, 226))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 600, 1024, 768), fill=(120, 92, 64))  # wooden floor
    for x in range(0, 1024, 90):
        d.line((x, 600, x - 40, 768), fill=(104, 80, 56), width=2)
    d.rectangle((80, 40, 470, 600), fill=(244, 242, 238), outline=(200, 198, 192), width=3)  # cabinet doors
    d.rectangle((110, 70, 440, 300), outline=(214, 212, 206), width=3)
    d.rectangle((110, 330, 440, 570), outline=(214, 212, 206), width=3)
    d.rectangle((420, 180, 428, 240), fill=(150, 150, 156))  # handle
    d.rectangle((486, 20, 560, 600), fill=(232, 230, 224), outline=(196, 194, 188), width=2)  # end panel
    d.rectangle((471, 20, 485, 600), fill=(236, 233, 226))
    d.line((478, 40, 479, 590), fill=(40, 38, 36), width=2)  # the 1 mm gap
    d.rectangle((560, 10, 1000, 600), fill=(198, 200, 204), outline=(170, 172, 176), width=3)  # steel fridge
    d.rectangle((600, 120, 612, 360), fill=(150, 152, 158))
    d.ellipse((470, 300, 500, 330), outline=(214, 60, 50), width=3)  # the owner's marker circle
    return _finish(img, 11)


def backsplash_tiles(photo: int) -> bytes:
    """Subway tiles with grout lines under a counter; one tile carries a hairline crack."""
    from PIL import ImageDraw

    rng = random.Random(100 + photo)
    img = _lit((228, 226, 218), strength=0.25)
    d = ImageDraw.Draw(img)
    tile_w, tile_h = (150, 75) if photo == 1 else (210, 105)
    for row, y in enumerate(range(0, 640, tile_h)):
        offset = (tile_w // 2) * (row % 2)
        for x in range(-offset, 1024, tile_w):
            shade = rng.randint(-8, 8)
            d.rectangle(
                (x + 3, y + 3, x + tile_w - 3, y + tile_h - 3),
                fill=(240 + shade // 2, 240 + shade // 2, 234 + shade // 2),
            )
            d.line((x + 8, y + 8, x + tile_w - 12, y + 8), fill=(252, 252, 250), width=2)  # glaze highlight
    d.rectangle((0, 640, 1024, 768), fill=(70, 72, 78))  # dark stone counter
    d.line((0, 640, 1024, 640), fill=(40, 40, 44), width=4)
    cx, cy = (520, 300) if photo == 1 else (480, 330)
    points = [(cx, cy)]
    for _ in range(9):  # the hairline crack
        cx, cy = cx + rng.randint(8, 16), cy + rng.randint(-5, 7)
        points.append((cx, cy))
    d.line(points, fill=(96, 92, 88), width=2)
    return _finish(img, 20 + photo)


def water_damage() -> bytes:
    """The cabinet under a bathroom sink: a drain pipe and a brown water stain with tide marks."""
    from PIL import Image, ImageDraw, ImageFilter

    img = _lit((214, 206, 190), strength=0.45)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1024, 70), fill=(248, 248, 246))  # sink underside
    d.rectangle((470, 60, 530, 420), fill=(232, 232, 236), outline=(180, 180, 186), width=3)  # drain pipe
    d.arc((420, 380, 580, 520), 0, 180, fill=(200, 200, 206), width=40)
    d.rectangle((0, 560, 1024, 768), fill=(168, 150, 120))  # cabinet floor
    stain = Image.new("L", img.size, 0)
    s = ImageDraw.Draw(stain)
    for i, r in enumerate((300, 240, 180, 120)):  # tide marks, darker towards the centre
        s.ellipse((520 - r * 1.6, 640 - r * 0.45, 520 + r * 1.6, 640 + r * 0.45), fill=70 + i * 40)
    stain = stain.filter(ImageFilter.GaussianBlur(14))
    img = Image.composite(Image.new("RGB", img.size, (96, 70, 40)), img, stain)
    d = ImageDraw.Draw(img)
    for x, y in ((440, 470), (600, 500), (520, 540)):  # drips on the board
        d.ellipse((x, y, x + 10, y + 14), fill=(110, 84, 52))
    return _finish(img, 31)
