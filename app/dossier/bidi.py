"""Right-to-left text (Arabic, Hebrew) on the dossier's pages.

reportlab wraps a paragraph in logical order; its own right-to-left support
needs ``rlbidi``, which is not on PyPI. So a paragraph that holds Arabic or
Hebrew letters is a ``Para`` with HarfBuzz shaping on (reportlab's
``style.shaping`` through ``uharfbuzz``): every word is shaped by HarfBuzz, which
joins Arabic letters into their contextual forms and puts a right-to-left
word's glyphs in visual order. Wrapping and page splits stay in logical order;
only when a line is drawn are its words put in visual order, by the rules of
the Unicode bidirectional algorithm applied to whole words (levels 0–2, rule L2).
A paragraph most of whose letters are right-to-left is set flush right.

The text layer: each glyph is written in visual order with a ToUnicode entry
for its letter (``text.py`` maps Arabic presentation forms back to the plain
letters), so PDF readers, which put right-to-left runs back into logical order
as they extract text, return the words as they were typed (pdftotext does).

Text without right-to-left letters never comes here: it takes reportlab's
plain path, unshaped, at its usual speed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Arabic Extended, presentation forms.
RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_TOKENS = re.compile(r"\S+|\s+")


def needs_bidi(text: str) -> bool:
    return RTL_CHARS.search(text) is not None


@cache
def _strong(ch: str) -> str:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return "R"
    if kind in ("L", "EN", "AN"):  # numbers read left to right inside either direction
        return "L"
    return ""


def direction_of(text: str) -> str:
    """'R', 'L' or '' (neutral: spaces, punctuation) for one word."""
    found = ""
    for ch in text:
        kind = _strong(ch)
        if kind == "R":
            return "R"
        found = found or kind
    return found


def base_is_rtl(text: str) -> bool:
    """The paragraph's direction. Unicode's rule P2 takes its first strong letter;
    but the dossier's lines are English frames around what the user typed
    ("הצעת מחיר [written later: recorded 3 days after]"), so a paragraph is set
    right to left only when most of its letters are right-to-left."""
    rtl = ltr = 0
    for ch in text:
        kind = _strong(ch)
        if kind == "R":
            rtl += 1
        elif kind == "L" and ch.isalpha():
            ltr += 1
    return rtl > ltr


def visual_order(directions: list[str], rtl_base: bool, with_levels: bool = False) -> Any:
    """Indices of a line's tokens in display order, from their directions
    (and, ``with_levels``, each token's embedding level)."""
    base = 1 if rtl_base else 0
    levels: list[int] = []
    for index, kind in enumerate(directions):
        if kind == "R":
            levels.append(1)
        elif kind == "L":
            levels.append(2 if base else 0)
        else:  # a neutral takes the direction around it when both sides agree (rule N1)
            before = next((d for d in reversed(directions[:index]) if d), "")
            after = next((d for d in directions[index + 1 :] if d), "")
            levels.append((1 if before == "R" else 2 if base else 0) if before and before == after else base)
    order = list(range(len(directions)))
    for level in range(max(levels, default=0), 0, -1):  # rule L2
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = order[index:end][::-1]
                index = end
            else:
                index += 1
    return (order, levels) if with_levels else order


def _shape_runs(word: Any, *args: Any, **kwargs: Any) -> Any:
    """reportlab's shapeFragWord, one font at a time. reportlab shapes a word
    with the font of its first piece, so a word in two fonts (an emoji in Symbola
    beside Chinese in Droid) looks the other font's glyphs up in the wrong tables
    and fails (KeyError). Each same-font run is shaped on its own and rejoined."""
    from reportlab.pdfbase.ttfonts import ShapedFragWord

    if isinstance(word, ShapedFragWord):
        return word
    if len(word) == 2 and isinstance(word[1][1], str) and not hasattr(word[1][0], "cbDefn"):
        return _shape_cached(word, *args, **kwargs)
    return _shape_pieces(word, *args, **kwargs)


_SHAPED: dict[tuple[str, float, str], tuple[float, str] | None] = {}
SHAPE_CACHE_SIZE = 50_000  # words; a dossier's titles and names recur on many pages


def _shape_cached(word: Any, *args: Any, **kwargs: Any) -> Any:
    """A one-piece word, shaped once per (font, size, text): the same title is in the
    contents, the chronology and the entry, and the front is laid out twice."""
    from reportlab.pdfbase.ttfonts import makeShapedFragWord

    frag, text = word[1]
    key = (frag.fontName, frag.fontSize, text)
    if key not in _SHAPED:
        shaped = _shape_pieces(word, *args, **kwargs)
        if len(_SHAPED) >= SHAPE_CACHE_SIZE:
            _SHAPED.clear()
        _SHAPED[key] = None if shaped is word or len(shaped) != 2 else (shaped[0], shaped[1][1])
        return shaped
    known = _SHAPED[key]
    if known is None:
        return word
    return makeShapedFragWord(word)([known[0], (frag, known[1])])


def _shape_pieces(word: Any, *args: Any, **kwargs: Any) -> Any:
    from reportlab.pdfbase.ttfonts import makeShapedFragWord

    runs: list[list[Any]] = []  # same font, same direction
    last_key: tuple[str, str] | None = None
    for frag, text in word[1:]:
        font = getattr(frag, "fontName", "")
        if hasattr(frag, "cbDefn") or not isinstance(text, str):
            runs.append([(frag, text)])
            last_key = None
            continue
        for piece in _direction_runs(text):
            key = (font, direction_of(piece) or (last_key[1] if last_key else ""))
            if runs and key == last_key:
                runs[-1].append((frag, piece))
            else:
                runs.append([(frag, piece)])
            last_key = key
    if len(runs) <= 1:
        return _reportlab_shape(word, *args, **kwargs)
    pieces: list[Any] = []
    width = 0.0
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for run in runs:
        measured = sum(stringWidth(text, f.fontName, f.fontSize) for f, text in run if not hasattr(f, "cbDefn"))
        shaped = _reportlab_shape([measured, *run], *args, **kwargs)
        width += shaped[0]
        pieces += shaped[1:]
    return makeShapedFragWord(word)([width, *pieces])


def _direction_runs(text: str) -> list[str]:
    """'عقد-الإيجار.docx' -> ['عقد-الإيجار', '.docx']: HarfBuzz shapes a buffer in
    one direction, so a word that changes direction is shaped in pieces.
    Punctuation inside a run stays in it; at a change it goes with what follows."""
    runs: list[str] = []
    start, current = 0, ""
    for index, ch in enumerate(text):
        kind = _strong(ch)
        if kind and current and kind != current:
            cut = index
            while cut > start + 1 and not _strong(text[cut - 1]):  # '.docx': the dot goes with what follows
                cut -= 1
            runs.append(text[start:cut])
            start = cut
        current = kind or current
    runs.append(text[start:])
    return runs


def _install_run_shaping() -> Any:
    from reportlab.platypus import paragraph

    original = paragraph.shapeFragWord
    paragraph.shapeFragWord = _shape_runs
    return original


_reportlab_shape = _install_run_shaping()


@lru_cache(maxsize=256)
def _shaped_style(style: ParagraphStyle, rtl_base: bool) -> ParagraphStyle:
    alignment = TA_RIGHT if rtl_base and style.alignment == TA_LEFT else style.alignment
    return ParagraphStyle(f"{style.name}-bidi", style, shaping=1, alignment=alignment)


def _plain(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


# (markup, id(style)) -> (style, cleaned text, parsed fragments): see reuse_parsing()
_PARSED: ContextVar[dict[tuple[str, int], tuple[Any, str, list[Any]]] | None] = ContextVar("parsed", default=None)


@contextmanager
def reuse_parsing(store: dict[tuple[str, int], tuple[Any, str, list[Any]]]) -> Iterator[None]:
    """Paragraphs made meanwhile (in this thread) parse their markup once per text and
    style into ``store``, and a paragraph of the same text and style gets copies of
    those fragments: a part laid out twice builds the same cells twice."""
    token = _PARSED.set(store)
    try:
        yield
    finally:
        _PARSED.reset(token)


class Para(Paragraph):
    """A Paragraph that lays out right-to-left runs (see the module's docstring)."""

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        store = _PARSED.get()
        if store is None or frags is not None or bulletText is not None or not isinstance(text, str):
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (text, id(style))
        known = store.get(key)
        if known is None:
            super()._setup(text, style, bulletText, frags, cleaner)
            if self.bulletText is None:  # the key's style is kept alive, so its id stays its own
                store[key] = (style, self.text, [f.clone() for f in self.frags])
            return
        kept_style, cleaned, parsed = known
        super()._setup(cleaned, kept_style, None, [f.clone() for f in parsed], cleaner)

    def __init__(self, text: Any, style: Any = None, *args: Any, **kwargs: Any) -> None:
        self._bidi = False
        self._rtl_base = False
        if isinstance(text, str) and style is not None and needs_bidi(text):
            self._bidi = True
            self._rtl_base = base_is_rtl(_plain(text))
            style = _shaped_style(style, self._rtl_base)
        super().__init__(text, style, *args, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # A paragraph's lines depend only on the width: a table measures its cells
        # (sections.row_height), then wraps them again to draw; the lines are kept
        # from the first time. split() drops blPara when it refuses, which resets this.
        if getattr(self, "_wrapped_width", None) == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth if "blPara" in self.__dict__ else None
        return result  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        for part in parts:
            if isinstance(part, Para):
                part._bidi, part._rtl_base = self._bidi, self._rtl_base
        return parts

    def drawPara(self, debug: int = 0) -> None:
        bl_para = getattr(self, "blPara", None)
        if not self._bidi or bl_para is None or bl_para.kind != 1:
            super().drawPara(debug)
            return
        logical = bl_para.lines
        bl_para.lines = [_reordered(line, self._rtl_base) for line in logical]
        try:
            super().drawPara(debug)
        finally:
            bl_para.lines = logical


def _reordered(line: Any, rtl_base: bool) -> Any:
    """A copy of one laid-out line (a reportlab FragLine) with its words in display order."""
    pieces: list[Any] = []
    directions: list[str] = []
    for frag in line.words:
        text = getattr(frag, "text", None)
        if not isinstance(text, str) or hasattr(frag, "cbDefn"):
            pieces.append(frag)
            directions.append("")
            continue
        for match in _TOKENS.finditer(text):
            offset = match.start()
            for run in _direction_runs(match.group()):  # 'عقد.docx': two tokens, each its own direction
                start, end = offset, offset + len(run)
                kind = direction_of(run)
                if kind == "L":  # "2024." in Arabic: the full stop belongs to the sentence, not the number
                    while end - start > 1 and not _strong(text[end - 1]):
                        end -= 1
                    while end - start > 1 and not _strong(text[start]):
                        start += 1
                for a, b, piece_kind in ((offset, start, ""), (start, end, kind), (end, offset + len(run), "")):
                    if b > a:  # a ShapedStr slice keeps its glyph positions
                        pieces.append(frag.clone(text=text[a:b]))
                        directions.append(piece_kind)
                offset += len(run)
    if "R" not in directions and not rtl_base:
        return line
    order, levels = visual_order(directions, rtl_base, with_levels=True)
    words = []
    for index in order:
        piece = pieces[index]
        if levels[index] % 2 and not directions[index] and MIRRORED.intersection(piece.text):
            piece = piece.clone(text=_mirrored(piece.text))  # "(" drawn right to left reads as ")"
        words.append(piece)
    return line.clone(words=words)


MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")
MIRRORED = frozenset("()[]{}<>«»")


def _mirrored(text: str) -> str:
    from reportlab.pdfbase.ttfonts import ShapedStr

    flipped = text.translate(MIRROR)
    if isinstance(text, ShapedStr):  # same widths: the glyph positions still hold
        return ShapedStr(flipped, shapeData=text.__shapeData__)
    return flipped
