"""The untyped syntax tree the parser produces (before shapes are known).

`parse.parse_query(text)` returns a `Query`: the inline shape declarations and the
expression as `Syntax` nodes. Shapes are inferred afterwards by `build`; the parser
knows nothing of shapes or derivatives.
"""

from __future__ import annotations

from fractions import Fraction

from .records import Record

__all__ = ["Declaration", "Keyword", "Position", "Query", "Syntax", "number"]

_set = object.__setattr__  # (a record's __init__ sets its fields past its __setattr__)


class Position(Record):
    """Where a piece of the query starts: 1-based line and column, and its end column."""

    __slots__ = ("line", "column", "end_column")
    line: int
    column: int
    end_column: int | None

    def __init__(self, line: int, column: int, end_column: int | None = None) -> None:
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "end_column", end_column)

    def _key(self) -> tuple:
        return (self.line, self.column, self.end_column)


class Syntax(Record):
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

    __slots__ = ("kind", "value", "children", "pos", "keywords")
    kind: str
    value: object
    children: tuple
    pos: Position | None  # not compared
    keywords: tuple

    def __init__(
        self,
        kind: str,
        value: object = None,
        children: tuple = (),
        pos: Position | None = None,
        keywords: tuple = (),
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "value", value)
        _set(self, "children", children)
        _set(self, "pos", pos)
        _set(self, "keywords", keywords)

    def _key(self) -> tuple:
        return (self.kind, self.value, self.children, self.keywords)


class Keyword(Record):
    """`axis=1` in a call: the keyword, its value (int, tuple of ints or bool) and where
    the keyword is written."""

    __slots__ = ("name", "value", "pos")
    name: str
    value: object
    pos: Position | None  # not compared

    def __init__(self, name: str, value: object, pos: Position | None = None) -> None:
        _set(self, "name", name)
        _set(self, "value", value)
        _set(self, "pos", pos)

    def _key(self) -> tuple:
        return (self.name, self.value)


class Declaration(Record):
    """`w, x: vector(n)` — names and a shape spec as written ("scalar", "vector(n)",
    "matrix(m, n)", "symmetric(n)", "vector", "matrix"), with the spec's position."""

    __slots__ = ("names", "spec", "pos")
    names: tuple[str, ...]
    spec: str
    pos: Position | None  # not compared

    def __init__(self, names: tuple[str, ...], spec: str, pos: Position | None = None) -> None:
        _set(self, "names", names)
        _set(self, "spec", spec)
        _set(self, "pos", pos)

    def _key(self) -> tuple:
        return (self.names, self.spec)


class Query(Record):
    __slots__ = ("declarations", "body", "text")
    declarations: tuple[Declaration, ...]
    body: Syntax
    text: str

    def __init__(self, declarations: tuple[Declaration, ...], body: Syntax, text: str = "") -> None:
        _set(self, "declarations", declarations)
        _set(self, "body", body)
        _set(self, "text", text)

    def _key(self) -> tuple:
        return (self.declarations, self.body, self.text)


def number(value: Fraction | int, pos: Position | None = None) -> Syntax:
    return Syntax("number", Fraction(value), (), pos)
