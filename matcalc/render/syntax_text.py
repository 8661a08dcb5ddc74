"""The syntax tree back as text, for error messages that name an operand as it was written.

Written children first from an explicit stack, so an operand nested to the parser's depth
limit is named without deep Python recursion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only
    from ..syntax import Syntax

__all__ = ["syntax_text"]


def syntax_text(node: Syntax) -> str:
    done: dict = {}  # id(node) -> its text
    stack = [(node, False)]
    while stack:
        n, ready = stack.pop()
        if id(n) in done:
            continue
        if not ready:
            stack.append((n, True))
            stack.extend((c, False) for c in reversed(n.children or ()) if id(c) not in done)
            continue
        done[id(n)] = _one(n, [done[id(c)] for c in (n.children or ())])
    return done[id(node)]


def _one(node, kids: list[str]) -> str:
    """One node's text from its children's texts."""
    k = node.kind
    if k == "number":
        v = node.value
        return str(v.numerator) if v.denominator == 1 else str(float(v))
    if k == "name":
        return node.value
    if k == "neg":
        return "-" + _wrap(node.children[0], kids[0])
    if k == "transpose":
        return _wrap(node.children[0], kids[0]) + "ᵀ"
    if k in ("binary", "compare"):
        (a, b), (ta, tb) = node.children, kids
        return f"{_wrap(a, ta)} {node.value} {_wrap(b, tb)}"
    if k == "call":
        return f"{node.value}({', '.join(kids)})"
    if k == "list":
        return "[" + ", ".join(kids) + "]"
    if k == "index":
        return _wrap(node.children[0], kids[0]) + "[" + ", ".join(map(_entry, node.value)) + "]"
    if k == "string":
        return f'"{node.value}"'
    return "?"


def _entry(entry) -> str:
    if isinstance(entry, int):
        return str(entry)
    return ":".join("" if e is None else str(e) for e in entry)


def _wrap(node, text: str) -> str:
    return f"({text})" if node.kind in ("binary", "compare", "neg") else text
