"""Screenshots rendered with Pillow for OCR tests and bench/: known text, several fonts
and sizes, a chat-bubble layout and a dark theme."""

from __future__ import annotations

import io

from app.assets import resource_path

FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Oblique.ttf")


def _font(name: str, size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    return ImageFont.truetype(str(resource_path("fonts", name)), size)


def chat_screenshot(
    lines: list[tuple[bool, str]], *, dark: bool = False, font: str = FONTS[0], size: int = 30
) -> bytes:
    """A phone chat screen (1080 px wide): incoming bubbles left, outgoing right. PNG bytes."""
    from PIL import Image, ImageDraw

    width, height = 1080, 200 + 130 * len(lines)
    bg, fg = ((17, 27, 33), (233, 237, 239)) if dark else ((236, 229, 221), (17, 17, 17))
    bubble_in, bubble_out = ((32, 44, 51), (0, 92, 75)) if dark else ((255, 255, 255), (217, 253, 211))
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    face = _font(font, size)
    draw.rectangle((0, 0, width, 110), fill=(32, 44, 51) if dark else (0, 128, 105))
    draw.text((40, 35), "Gerald Whitmore", font=_font(FONTS[1], 36), fill=(255, 255, 255))
    y = 150
    for outgoing, text in lines:
        box = draw.textbbox((0, 0), text, font=face)
        w = box[2] - box[0] + 60
        x = width - w - 30 if outgoing else 30
        draw.rounded_rectangle((x, y, x + w, y + size + 50), 22, fill=bubble_out if outgoing else bubble_in)
        draw.text((x + 30, y + 22), text, font=face, fill=fg)
        y += 130
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def letter_photo(lines: list[str], *, font: str = FONTS[2], size: int = 26) -> bytes:
    """A page of plain text, like a photographed letter. JPEG bytes."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1240, 120 + 60 * len(lines)), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    face = _font(font, size)
    for i, line in enumerate(lines):
        draw.text((80, 60 + 60 * i), line, font=face, fill=(30, 30, 30))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()
