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


def html_to_text(html: str) -> str:
    import nh3

    cleaned = nh3.clean(html, tags=_KEEP_TAGS, attributes={}, url_schemes=set(), strip_comments=True)
    collector = _TextCollector()
    collector.feed(cleaned)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
