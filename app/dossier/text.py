"""Fonts, paragraph styles and safe text for the dossier.

Everything the user typed goes through ``para()``: reportlab's Paragraph reads a
small XML markup, so '<b>', '&' or '<para>' in an entry must be escaped or the
text would be reinterpreted (or the export would fail). DejaVu Sans is embedded
(subset) for Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols; runs of CJK
characters, which DejaVu lacks, switch to reportlab's standard CID fonts so they
are still in the text layer (copy, search, pdftotext) rather than lost.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

# The bundled fonts (resources/fonts) first; Debian's DejaVu only as a fallback.
FONT_DIRS = ("bundled", Path("/usr/share/fonts/truetype/dejavu"))
SANS, BOLD, ITALIC, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono"
CJK_FONT, HANGUL_FONT = "STSong-Light", "HYSMyeongJo-Medium"
MISSING = "missing"  # marks a run of characters no embedded font can draw
BODY_CHUNK = 1500  # characters per paragraph: keeps wrapping linear for huge bodies


def _font_file(name: str) -> Path:
    from app.assets import resource_path
    from app.errors import CasefileError

    for folder in FONT_DIRS:
        path = resource_path("fonts", f"{name}.ttf") if folder == "bundled" else Path(folder) / f"{name}.ttf"
        if path.exists():
            return path

    raise CasefileError(f"The font {name}.ttf is missing from resources/fonts; reinstall Casefile.")


# TrueType CJK fonts a system may have (reportlab embeds TrueType outlines only, not CFF).
CJK_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)


_PDFDOC_REFUSED = re.compile("[\x18-\x1f]")  # the only ASCII that PDFDocEncoding does not map to itself


def _pdfdoc_encoded(value: Any) -> Any:
    """reportlab's ``pdfdocEnc``, which encodes every page's content stream with a Python
    charmap codec (0.33 s of an 800-page dossier): the same bytes, taken by the ASCII codec
    when the text is ASCII that PDFDocEncoding maps to itself (a content stream always is)."""
    if isinstance(value, str):
        if value.isascii() and _PDFDOC_REFUSED.search(value) is None:
            return value.encode("ascii")
        return value.encode("extpdfdoc")
    return value


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF (emoji) written as
    UTF-16 surrogate pairs: reportlab writes five hex digits, which readers cut to
    four, so 😀 would be copied out of the PDF as U+1F60."""

    def utf16(code: int) -> str:
        text = _letters(code)
        if text == chr(code) and code <= 0xFFFF:
            return f"{code:04X}"
        return text.encode("utf-16-be", "surrogatepass").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def _letters(code: int) -> str:
    """What a glyph reads as: an Arabic presentation form (the contextual glyphs
    HarfBuzz picks, see bidi.py) as its plain letters, so that copied or searched
    text is the text that was typed, not U+FExx look-alikes. A lam-alef ligature
    is one glyph for two letters drawn right to left: its letters are listed in
    the order they are drawn (alef, lam), as readers reverse a right-to-left run
    character by character when they extract it."""
    if 0xFB00 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFC:  # with the Latin ligatures (ﬁ) of shaped lines
        import unicodedata

        letters = unicodedata.normalize("NFKC", chr(code)) or chr(code)
        return letters[::-1] if 0xFEF5 <= code <= 0xFEFC else letters
    return chr(code)


@cache
def cjk_font() -> str:
    """An embeddable CJK TrueType font if the system has one, else a standard CID
    font (not embedded: Acrobat, Preview and browsers supply the glyphs)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    for name in (CJK_FONT, HANGUL_FONT):  # the fallback for what the embedded font lacks
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    for candidate in CJK_TTF_CANDIDATES:
        if Path(candidate).exists():
            try:
                pdfmetrics.registerFont(TTFont("CasefileCJK", candidate, subfontIndex=0))
                return "CasefileCJK"
            except Exception:  # a font file reportlab cannot read: try the next
                continue
    return ""


HANGUL_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/System/Library/Fonts/Supplemental/AppleGothic.ttf",
    "C:/Windows/Fonts/malgun.ttf",
)


@cache
def hangul_font() -> str:
    """An embeddable TrueType Hangul font (Droid Sans Fallback has none), if the system has one."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for candidate in HANGUL_TTF_CANDIDATES:
        if Path(candidate).exists():
            try:
                pdfmetrics.registerFont(TTFont("CasefileHangul", candidate))
                return "CasefileHangul"
            except Exception:
                continue
    return ""


# Monochrome TrueType fonts with emoji and symbols (Debian's fonts-symbola); colour emoji
# fonts (CBDT, COLR) cannot be embedded by reportlab and would print nothing.
EMOJI_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    "/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf",
    "/usr/share/fonts/truetype/symbola/Symbola.ttf",
)


@cache
def emoji_font() -> tuple[str, frozenset[int]]:
    """(name, code points) of an embeddable emoji font, ("", empty) if the system has none."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for candidate in EMOJI_TTF_CANDIDATES:
        if Path(candidate).exists():
            try:
                font = TTFont("CasefileEmoji", candidate)
            except Exception:
                continue
            pdfmetrics.registerFont(font)
            return "CasefileEmoji", frozenset(font.face.charToGlyph)
    return "", frozenset()


def placeholder(code: int) -> str:
    """What is printed for a character no embedded font draws: an emoji by its
    name, anything else by its code point."""
    import unicodedata

    name = unicodedata.name(chr(code), "")
    if unicodedata.category(chr(code)) == "So" and name:
        return f"[emoji: {name.lower()}]"
    return f"[U+{code:04X}]"


@cache
def _cjk_covered() -> frozenset[int]:
    """Code points the embedded CJK font draws (Droid Sans Fallback has no Hangul syllables)."""
    if not cjk_font():
        return frozenset()
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(cjk_font()).face.charToGlyph)


_FONTS = threading.Lock()


def register_fonts() -> frozenset[int]:
    """Register the fonts once per process (0.35 s: reportlab parses each TrueType file); returns
    the code points DejaVu Sans covers. Safe from any thread: the export child and the layout
    helper start it on one of their own as they start (their ``_warm_up``)."""
    with _FONTS:
        return _register_fonts()


@cache
def _register_fonts() -> frozenset[int]:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFont

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see _to_unicode_cmap: a fix, same output below U+FFFF
    pdfdoc.pdfdocEnc = _pdfdoc_encoded  # see _pdfdoc_encoded: the same bytes, faster
    fonts = {name: TTFont(name, str(_font_file(name))) for name in (SANS, BOLD, ITALIC, MONO)}
    for font in fonts.values():
        pdfmetrics.registerFont(font)
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, BOLD)
    addMapping(SANS, 0, 1, ITALIC)
    addMapping(SANS, 1, 1, BOLD)
    from reportlab.graphics import shapes
    from reportlab.platypus import tables

    # Every Table sets its cells' default font when drawn, even around Paragraphs, and
    # every chart its graphics state's: DejaVu, not the unembedded Helvetica (so that
    # pdffonts lists every font of a dossier as embedded).
    tables.CellStyle.fontname = SANS
    shapes.STATE_DEFAULTS["fontName"] = SANS
    return frozenset(fonts[SANS].face.charToGlyph)


def _is_cjk(code: int) -> bool:
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FA1F
        or 0xAC00 <= code <= 0xD7AF
        or 0x1100 <= code <= 0x11FF
    )


def _is_hangul(code: int) -> bool:
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


_CONTROL = {code: " " for code in range(32) if chr(code) not in "\n\t"} | {9: "    ", 0x7F: " "}


def clean(text: str) -> str:
    """Drop control characters that have no place on paper (keep newlines; tabs become spaces)."""
    return text.replace("\r\n", "\n").translate(_CONTROL)


def markup(text: str) -> str:
    """User text as safe Paragraph markup, with CJK runs in a CJK font, emoji in
    the emoji font, and characters no font has shown by name or code point
    ("[emoji: fire]", "[U+10FFFD]"), the same in every section."""
    covered = register_fonts()
    text = clean(text)
    if covered.issuperset(map(ord, set(text))):  # the common case: no per-character work
        return escape(text).replace("\n", "<br/>")
    embedded_cjk = cjk_font()
    emoji, emoji_covered = emoji_font()
    out: list[str] = []
    run: list[str] = []
    run_font = ""
    for ch in text:
        code = ord(ch)
        font = ""
        if code not in covered and ch not in "\n":
            if code in (0xFE0E, 0xFE0F, 0x200D):  # emoji variation selectors and joiners: nothing to draw
                continue
            if code in emoji_covered:
                font = emoji
            elif not _is_cjk(code):
                # No embedded glyph: print a name rather than an empty box.
                ch, font = placeholder(code), MISSING
            else:
                embedded = embedded_cjk and code in _cjk_covered()
                if embedded:
                    font = embedded_cjk
                elif _is_hangul(code):
                    font = hangul_font() or HANGUL_FONT
                else:
                    font = CJK_FONT
        if font != run_font and run:
            out.append(_run(run, run_font))
            run = []
        run_font = font
        run.append(ch)
    if run:
        out.append(_run(run, run_font))
    return "".join(out).replace("\n", "<br/>")


def _run(chars: list[str], font: str) -> str:
    text = escape("".join(chars))
    if font == MISSING:
        return f'<font color="#777777">{text}</font>'
    return f'<font face="{font}">{text}</font>' if font else text


def para(text: str, style: Any) -> Any:
    from app.dossier.bidi import Para  # Arabic and Hebrew laid out right to left

    return Para(markup(text), style)


def body_paragraphs(text: str, style: Any) -> list[Any]:
    """A long body as many paragraphs: one per line, long lines cut into chunks,
    so a 200 KB entry wraps in linear time and splits across pages cleanly."""
    from app.dossier.bidi import Para

    result = []
    for line in clean(text).split("\n"):
        if not line.strip():
            continue
        for start in range(0, len(line), BODY_CHUNK):
            result.append(Para(markup(line[start : start + BODY_CHUNK]), style))
    return result


@cache
def styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("body", fontName=SANS, fontSize=9.5, leading=13, spaceAfter=4, splitLongWords=True)
    grey = colors.HexColor("#555555")
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10, spaceAfter=0),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10, spaceAfter=0),
        "cellindent": ParagraphStyle("cellindent", base, fontSize=8, leading=10, spaceAfter=0, leftIndent=10),
        "cellbold": ParagraphStyle("cellbold", base, fontName=BOLD, fontSize=8, leading=10, spaceAfter=0),
        "mono": ParagraphStyle("mono", base, fontName=MONO, fontSize=6.5, leading=8.5, spaceAfter=0),
        "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=11, textColor=grey),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=17, leading=22, spaceBefore=0, spaceAfter=10),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=5),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=26, leading=32, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=13, leading=18, alignment=TA_CENTER, textColor=grey),
        "quote": ParagraphStyle("quote", base, leftIndent=12, textColor=colors.HexColor("#333333")),
        "retracted": ParagraphStyle("retracted", base, textColor=colors.HexColor("#9b1c1c"), fontName=BOLD),
    }
