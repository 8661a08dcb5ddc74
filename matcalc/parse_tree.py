"""The parse tree (Lark's) -> `syntax.Query`: the transformer `parse.parse_query` runs,
the shape keywords a declaration may use, and the checks of literals written in the
query (number lengths, dimensions, keyword arguments' values) that it makes on the way.
"""

from __future__ import annotations

import re
from fractions import Fraction

from . import limits
from .parse_errors import OPERATOR_VALUE, SHAPES_PHRASE
from .syntax import Declaration, Keyword, Position, Query, Syntax

TYPE_CHECKING = False  # (not typing's: its import costs the cold start)
if TYPE_CHECKING:  # Lark's, or parse_fast's (which does not import Lark: issue 11)
    from lark import Token

__all__ = ["SHAPE_ARITY", "Fail", "ToSyntax"]

#: Longest number literal, in digits (mantissa digits plus |exponent|).
MAX_NUMBER_DIGITS = limits.MAX_CONSTANT_DIGITS

# Shape keyword -> the numbers of dimension arguments it may take.
SHAPE_ARITY = {
    "scalar": (0,),
    "vector": (0, 1),
    "matrix": (0, 2),
    "symmetric": (0, 1),
    "simplex": (0, 1),
    "rowsimplex": (0, 2),
    "tensor": (3, 4, 5, 6, 7, 8),  # order >= 3 (matcalc/tensor_query.py)
}
_SHAPE_FORMS = {
    "scalar": "scalar",
    "vector": "vector or vector(n)",
    "matrix": "matrix or matrix(m, n)",
    "symmetric": "symmetric or symmetric(n)",
    "simplex": "simplex or simplex(n)",
    "rowsimplex": "rowsimplex or rowsimplex(m, n)",
    "tensor": "tensor(h, n, d) (3 to 8 dimensions)",
}


# --------------------------------------------------------------------------------------
# Parse tree -> Syntax


class Fail(Exception):
    """Raised inside the transformer; turned into a ParseError by `parse_query`."""

    def __init__(self, message, line, column, width=1, expected=None):
        super().__init__(message)
        self.args_ = (message, line, column, width, expected)


def _token_position(token: Token) -> Position:
    return Position(token.line, token.column, token.end_column)


def _fraction(token: Token) -> Fraction:
    text = str(token)
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(ch.isdigit() for ch in mantissa) + (abs(int(exponent)) if exponent else 0)
    if digits > MAX_NUMBER_DIGITS:
        raise Fail(
            f"number too long or too large (more than {MAX_NUMBER_DIGITS} digits)",
            token.line,
            token.column,
            len(text),
            f"a number with at most {MAX_NUMBER_DIGITS} digits",
        )
    return Fraction(text)


class ToSyntax:
    """Parse tree -> `Syntax` / `Declaration` / `Query`: one method per node name, called
    with the node's `meta` (its place) and its children, bottom-up; by `parse_fast` as it
    reduces, or by Lark's non-recursive transformer over Lark's tree (`parse`), so long
    operator chains cannot exhaust the Python stack here."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")

    def _span(self, meta) -> Position:
        if meta.end_line == meta.line:
            return Position(meta.line, meta.column, meta.end_column)
        return Position(meta.line, meta.column, len(self.lines[meta.line - 1]) + 1)

    # -- atoms --------------------------------------------------------------------
    def number(self, meta, token):
        return Syntax("number", _fraction(token), (), _token_position(token))

    def name(self, meta, token):
        return Syntax("name", str(token), (), _token_position(token))

    def string(self, meta, token):
        return Syntax("string", str(token)[1:-1], (), _token_position(token))

    def call(self, meta, name, *args):
        positional = tuple(a for a in args if isinstance(a, Syntax))
        keywords = tuple(a for a in args if isinstance(a, Keyword))
        seen = set()
        for i, a in enumerate(args):
            if isinstance(a, Syntax) and any(isinstance(b, Keyword) for b in args[:i]):
                raise Fail(
                    "a positional argument after a keyword argument",
                    a.pos.line,
                    a.pos.column,
                    1,
                    "positional arguments first, then keyword=value",
                )
            if isinstance(a, Keyword):
                if a.name in seen:
                    raise Fail(
                        f"the keyword argument {a.name} is given twice",
                        a.pos.line,
                        a.pos.column,
                        len(a.name),
                        "each keyword once",
                    )
                seen.add(a.name)
        return Syntax("call", str(name).lower(), positional, self._span(meta), keywords)

    def keyword(self, meta, name, equal, value):
        return Keyword(str(name), _keyword_value(value), _token_position(name))

    def keyword_tuple(self, meta, name, equal, *values):
        return Keyword(
            str(name), tuple(_keyword_value(v, False) for v in values), _token_position(name)
        )

    def list_literal(self, meta, *items):
        return Syntax("list", None, tuple(items), self._span(meta))

    # -- operators -----------------------------------------------------------------
    def _binary(self, meta, left, op, right):
        return Syntax("binary", OPERATOR_VALUE[op.type], (left, right), _token_position(op))

    add = sub = mul = div = matmul = pow = _binary

    def _compare(self, meta, left, op, right):
        return Syntax("compare", OPERATOR_VALUE[op.type], (left, right), _token_position(op))

    gt = ge = lt = le = _compare

    def neg(self, meta, op, operand):
        return Syntax("neg", None, (operand,), self._span(meta))

    def transpose(self, meta, operand, op):
        kind = "mT" if op.type == "DOT_MT" else None
        return Syntax("transpose", kind, (operand,), self._span(meta))

    # -- indexing ---------------------------------------------------------------------
    def index(self, meta, operand, *subscripts):
        return Syntax("index", tuple(subscripts), (operand,), self._span(meta))

    def _index_value(self, node: Syntax) -> int:
        """An index or a slice's end as written: an integer literal, maybe negative."""
        pos = node.pos
        written = self.lines[pos.line - 1][pos.column - 1 : pos.end_column - 1] if pos else ""
        if not re.fullmatch(r"-?\s*[0-9]+", written):  # not 0.0, 1e2 (NumPy refuses them)
            return _index_value(Syntax("name", written, (), pos))
        return _index_value(node)

    def at(self, meta, value):
        return self._index_value(value)

    def slice_all(self, meta):
        return (None, None)

    def slice_from(self, meta, start):
        return (self._index_value(start), None)

    def slice_to(self, meta, stop):
        return (None, self._index_value(stop))

    def slice_range(self, meta, start, stop):
        return (self._index_value(start), self._index_value(stop))

    # -- declarations ----------------------------------------------------------------
    def shape(self, meta, keyword, *dims):
        word = str(keyword).lower()
        if word not in SHAPE_ARITY:
            raise Fail("bad declaration", keyword.line, keyword.column, len(keyword), SHAPES_PHRASE)
        if len(dims) not in SHAPE_ARITY[word]:
            pos = self._span(meta)
            raise Fail(
                "bad declaration",
                pos.line,
                pos.column,
                (pos.end_column or pos.column + 1) - pos.column,
                _SHAPE_FORMS[word],
            )
        written = []
        for dim in dims:
            if dim.type == "NUMBER":
                if not re.fullmatch(r"[0-9]+", dim) or int(dim) == 0:
                    raise Fail(
                        "bad declaration",
                        dim.line,
                        dim.column,
                        len(dim),
                        "a dimension that is a name or a positive integer",
                    )
                written.append(str(int(dim)))
            else:
                written.append(str(dim))
        spec = word + (f"({','.join(written)})" if written else "")
        return spec, self._span(meta)

    def declaration(self, meta, *children):
        *names, (spec, pos) = children
        return Declaration(tuple(str(n) for n in names), spec, pos), names

    def query(self, meta, *children):
        *declared, body = children
        seen = set()
        for _, names in declared:
            for name in names:
                if str(name) in seen:
                    raise Fail(
                        f"bad declaration: '{name}' is declared twice",
                        name.line,
                        name.column,
                        len(name),
                        "each name declared once",
                    )
                seen.add(str(name))
        return Query(tuple(d for d, _ in declared), body, self.text)


def _integer(node: Syntax) -> int | None:
    """A constant integer written as one (`1`, `-1`), else None."""
    sign, inner = 1, node
    if inner.kind == "neg":
        sign, inner = -1, inner.children[0]
    if inner.kind == "number" and inner.value.denominator == 1:
        return sign * int(inner.value)
    return None


def _not_an_integer(node: Syntax, message: str, expected: str) -> Fail:
    """A located failure under the whole of `node`."""
    pos = node.pos or Position(1, 1)
    width = max(1, (pos.end_column or pos.column + 1) - pos.column)
    return Fail(message, pos.line, pos.column, width, expected)


def _index_value(node: Syntax) -> int:
    """An index or a slice's end: a constant integer (`0`, `-1`)."""
    value = _integer(node)
    if value is None:
        raise _not_an_integer(
            node,
            "an index must be a constant integer",
            "an integer such as 0 or -1, or a slice 1:3 of them",
        )
    return value


_KEYWORD_VALUE = "an integer, a tuple of integers (0, 1), True or False"


def _keyword_value(node: Syntax, flags: bool = True):
    """A keyword argument's value as Python: an integer (`1`, `-1`), or True/False."""
    if node.kind == "name" and flags and node.value in ("True", "False"):
        return node.value == "True"
    value = _integer(node)
    if value is None:
        raise _not_an_integer(
            node,
            "a keyword argument's value must be an integer, a tuple of integers, True or False",
            _KEYWORD_VALUE,
        )
    return value
