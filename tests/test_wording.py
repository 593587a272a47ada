"""Sentences Casefile prints, in the app, the CLI and the dossier, count in words: "1 entry",
"2 pages" (app.words.plural), never "page(s)" or "1 entries"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.words import plural

ROOT = Path(__file__).resolve().parent.parent
_PARENTHESISED_PLURAL = re.compile(r"[a-z]\(s\)")


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """Every string literal but docstrings and other bare-expression strings (comments in code)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare
    ]


@pytest.mark.parametrize("room", ["app", "ui"])
def test_no_parenthesised_plurals_in_what_casefile_says(room: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:60]!r}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for line, text in _string_constants(path)
        if _PARENTHESISED_PLURAL.search(text.replace("http(s)", "https"))
    ]
    assert not found, "use app.words.plural:\n" + "\n".join(found)


def test_plural_agrees() -> None:
    assert [plural(n, "entry") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(1, "page") == "1 page" and plural(3, "page") == "3 pages"
    assert plural(2, "status change") == "2 status changes" and plural(2, "reply") == "2 replies"
