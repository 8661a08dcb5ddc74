"""Indexing and slicing with constant integers, NumPy's meaning, for values of order ≤ 2:

    x[k]  a scalar  = eₖᵀx            x[a:b]   a vector  = I[:, a:b]ᵀx
    X[k]  row k, a vector = Xᵀeₖ      X[:, k]  column k  = X eₖ
    X[i, j]  a scalar = eᵢᵀX eⱼ       X[a:b, :], X[:, a:b]: matrices

with eₖ the unit column (NumPy's index k, from 0; negative from the end) and I[:, a:b] the
columns a … b−1 of the identity (`expr.Unit`). A slice's length must be known: both ends
given (`x[1:3]`, `x[-3:-1]`, `x[-2:]`) or an axis of integer size (`x[1:]` of a vector(5));
no step. Out-of-range indices of an axis of integer size are errors at the index; an axis of
symbolic size n takes any index, and is then at least that long wherever it is evaluated.
"""

from __future__ import annotations

from . import expr as E
from .builder_like import BuilderLike
from .errors import MatcalcError, ShapeError
from .syntax import Syntax

__all__ = ["construct", "infer"]

_FULL = (None, None)


def _entries(builder: BuilderLike, node: Syntax, order: int) -> list:
    entries = list(node.value)
    if order == 0:
        raise builder.error(
            node,
            f"{_source(node.children[0])} is a scalar: it has no axes to index",
            ShapeError,
            expected="a vector or a matrix before [ ]",
        )
    if len(entries) > order:
        what = "a vector (1 axis)" if order == 1 else "a matrix (2 axes)"
        raise builder.error(
            node,
            f"too many indices: {_source(node.children[0])} is {what}, indexed with {len(entries)}",
            ShapeError,
            expected=f"at most {order} ind{'ex' if order == 1 else 'ices'}",
        )
    return entries + [_FULL] * (order - len(entries))


def _source(node: Syntax) -> str:
    from .render.syntax_text import syntax_text

    s = syntax_text(node)
    return s if len(s) <= 40 else s[:39] + "…"


def _length(builder: BuilderLike, node: Syntax, entry: tuple, dim) -> object:
    """A slice's length: a number, or `dim` for the whole axis."""
    start, stop = entry
    size = builder.dims.find(dim) if builder is not None else dim
    if isinstance(size, int):
        first, last, step = slice(start, stop).indices(size)
        if last - first < 1:
            raise builder.error(
                node, f"the slice is empty for an axis of length {size}", ShapeError
            )
        return last - first
    if start is None and stop is None:
        return dim
    first = 0 if start is None else start
    if stop is None and first < 0:
        return -first
    if stop is None or (first < 0) != (stop < 0):
        raise builder.error(
            node,
            "this slice's length depends on the axis' symbolic length",
            ShapeError,
            expected="both ends of one sign (x[1:3], x[-3:-1], x[-2:]) or a declared size",
        )
    if stop - first < 1:
        raise builder.error(node, "the slice is empty", ShapeError, expected="start < stop")
    return stop - first


def infer(builder: BuilderLike, node: Syntax, depth: int) -> tuple:
    """Pass 1: (shape, order) of `x[...]`."""
    operand = node.children[0]
    shape = builder.infer(operand, depth + 1)
    order = builder.ndim(operand)
    entries = _entries(builder, node, order)
    if order == 1:
        axes = [shape[0] if builder.is_column(shape) else shape[1]]
    else:
        axes = [shape[0], shape[1]]
    dims = []
    for entry, dim in zip(entries, axes):
        size = builder.dims.find(dim)
        if isinstance(entry, int):
            if isinstance(size, int) and not -size <= entry < size:
                raise builder.error(
                    node,
                    f"index {entry} is out of range for an axis of length {size}",
                    ShapeError,
                    expected=f"indices from {-size} to {size - 1}",
                )
        else:
            dims.append(_length(builder, node, entry, dim))
    if not dims:
        return (1, 1), 0
    if len(dims) == 1:
        return (dims[0], 1), 1
    return (dims[0], dims[1]), 2


def _selection(n, entry) -> E.Expr | None:
    """The columns of the identity an entry selects (None: the whole axis)."""
    if isinstance(entry, int):
        return E.Unit(n, entry)
    if entry == _FULL:
        return None
    start, stop = entry
    if isinstance(n, int):
        first, last, _ = slice(start, stop).indices(n)
        return None if (first, last) == (0, n) else E.Unit(n, first, last - first)
    first = 0 if start is None else start
    return E.Unit(n, first, (-first if stop is None else stop - first))


def _pick(block: E.Block, order: int, entries: list) -> E.Expr:
    """Indexing a literal of scalars picks its entries: [a, b][1] is b."""
    rows = block.rows if order == 2 else tuple((r[0],) for r in block.rows)
    entries = entries if order == 2 else [entries[0], 0]
    for axis, entry in enumerate(entries):
        n = len(rows) if axis == 0 else len(rows[0])
        if isinstance(entry, int):
            E.Unit(n, entry)  # the range check
            picked = [entry]
        else:
            picked = list(range(n))[slice(*entry)]
        rows = (
            tuple(rows[i] for i in picked)
            if axis == 0
            else tuple(tuple(r[j] for j in picked) for r in rows)
        )
    if isinstance(entries[0], int) and order == 2 and not isinstance(entries[1], int):
        rows = tuple((e,) for e in rows[0])  # a row of a literal: a vector
    return E.Block(rows)


def construct(builder: BuilderLike, node: Syntax, variables: dict) -> E.Expr:
    """Pass 2: `x[...]` as products with unit vectors and selections (module docstring)."""
    operand = node.children[0]
    a = builder.construct(operand, variables)
    order = builder.ndim(operand)
    entries = _entries(builder, node, order)
    try:
        if isinstance(a, E.Block) and all(e.shape.is_scalar for r in a.rows for e in r):
            return _pick(a, order, entries)
        value = _select(a, order, entries)
        if isinstance(a, (E.Ones, E.Zero)):  # ones(n)[1] is 1: a part of a constant array
            return type(a)(value.shape)
        return value
    except MatcalcError as err:
        raise err.located(builder.text, node.pos) from None


def _select(a: E.Expr, order: int, entries: list) -> E.Expr:
    """The products with unit vectors and selections that index `a` (module docstring)."""
    if order == 1:
        column = E.Transpose(a) if a.shape.is_row else a
        pick = _selection(column.shape.rows, entries[0])
        return column if pick is None else E.MatMul(E.Transpose(pick), column)
    rows, cols = (_selection(n, e) for n, e in zip((a.shape.rows, a.shape.cols), entries))
    factors = ([E.Transpose(rows)] if rows is not None else []) + [a]
    factors += [cols] if cols is not None else []
    value = E.MatMul(*factors) if len(factors) > 1 else a
    if isinstance(entries[0], int) and not isinstance(entries[1], int):
        value = E.Transpose(value)  # a row of X, as NumPy's 1-D vector: a column
    return value
