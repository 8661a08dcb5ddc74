"""The untyped syntax tree the parser produces (before shapes are known).

`parse.parse_query(text)` returns a `Query`: the inline shape declarations and the
expression as `Syntax` nodes. Shapes are inferred afterwards by `build`; the parser
knows nothing of shapes or derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["Declaration", "Keyword", "Position", "Query", "Syntax", "number"]


@dataclass(frozen=True)
class Position:
    """Where a piece of the query starts: 1-based line and column, and its end column."""

    line: int
    column: int
    end_column: int | None = None


@dataclass(frozen=True)
class Syntax:
    """One node of the syntax tree.

    kind      value                      children
    ------    -------------------------  ---------------------------------------
    "number"  Fraction (exact)           ()
    "name"    str                        ()
    "binary"  "+" "-" "*" "/" "@" "^"    (left, right)   ("⊗"→"*", "⊘"→"/", "·"→"@", "**"→"^")
    "compare" ">" ">=" "<" "<="          (left, right)
    "neg"     None                       (operand,)
    "transpose" None or "mT"             (operand,)      (".T" and "ᵀ"; ".mT": "mT")
    "call"    function name (lowercase)  (arg, ...)      (the name is checked later, by `build`)
    "list"    None                       (item, ...)     ("[a, b]"; items may be lists: a matrix)
    "string"  str (without its quotes)   ()              (einsum's subscripts "ij,jk->ik")
    "index"   (entry, ...)               (operand,)      (x[0], X[:, 1:3]: an entry is an int
                                                          or a slice (start, stop), ints or None)

    A call's keyword arguments (`axis=1`, `keepdims=True`) are in `keywords`, as `Keyword`s
    whose values are already plain Python (an int, a tuple of ints, a bool).
    """

    kind: str
    value: object = None
    children: tuple = ()
    pos: Position | None = field(default=None, compare=False)
    keywords: tuple = ()


@dataclass(frozen=True)
class Keyword:
    """`axis=1` in a call: the keyword, its value (int, tuple of ints or bool) and where
    the keyword is written."""

    name: str
    value: object
    pos: Position | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Declaration:
    """`w, x: vector(n)` — names and a shape spec as written ("scalar", "vector(n)",
    "matrix(m, n)", "symmetric(n)", "vector", "matrix"), with the spec's position."""

    names: tuple[str, ...]
    spec: str
    pos: Position | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Query:
    declarations: tuple[Declaration, ...]
    body: Syntax
    text: str = ""


def number(value: Fraction | int, pos: Position | None = None) -> Syntax:
    return Syntax("number", Fraction(value), (), pos)
