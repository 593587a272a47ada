"""HTML mail bodies to plain text, safely.

nh3 (the ammonia sanitiser) first drops scripts, styles and every attribute that
could fetch anything; the standard library's HTML parser then keeps only the text.
Nothing is rendered and no remote content is ever requested.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}
_KEEP_TAGS = _BLOCKS | {"a", "b", "i", "em", "strong", "span", "ul", "ol", "td", "th", "tbody", "thead", "font", "u"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


# Budgets checked by one linear scan before the sanitiser runs: nesting depth makes
# html5ever and HTMLParser super-linear (100 000 nested <div>s never finished).
MAX_HTML_CHARS = 8_000_000
MAX_HTML_TAGS = 200_000
MAX_HTML_DEPTH = 500
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


def within_budget(html: str) -> bool:
    if len(html) > MAX_HTML_CHARS:
        return False
    depth = 0
    for tags, match in enumerate(_TAG.finditer(html), 1):
        if tags > MAX_HTML_TAGS:
            return False
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            if depth > MAX_HTML_DEPTH:
                return False
    return True


def plain_strip(html: str) -> str:
    """The linear fallback for hostile HTML: tags and scripts dropped, entities decoded."""
    import html as html_module

    html = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html[:MAX_HTML_CHARS])
    text = html_module.unescape(re.sub(r"<[^>]*>", " ", html))
    return re.sub(r"[ \t]+", " ", text).strip()


def html_to_text(html: str) -> str:
    import nh3

    if not within_budget(html):
        return plain_strip(html)
    cleaned = nh3.clean(html, tags=_KEEP_TAGS, attributes={}, url_schemes=set(), strip_comments=True)
    collector = _TextCollector()
    collector.feed(cleaned)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
