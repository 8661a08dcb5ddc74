"""The syntax tree back as text, for error messages that name an operand as it was written."""
from __future__ import annotations


def syntax_text(node) -> str:
    k = node.kind
    if k == "number":
        v = node.value
        return str(v.numerator) if v.denominator == 1 else str(float(v))
    if k == "name":
        return node.value
    if k == "neg":
        return "-" + _wrap(node.children[0])
    if k == "transpose":
        return _wrap(node.children[0]) + "ᵀ"
    if k in ("binary", "compare"):
        a, b = node.children
        return f"{_wrap(a)} {node.value} {_wrap(b)}"
    if k == "call":
        return f"{node.value}({', '.join(syntax_text(c) for c in node.children)})"
    if k == "list":
        return "[" + ", ".join(syntax_text(c) for c in node.children) + "]"
    return "?"


def _wrap(node) -> str:
    s = syntax_text(node)
    return f"({s})" if node.kind in ("binary", "compare", "neg") else s
