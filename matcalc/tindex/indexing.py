"""Indexing in the any-order language: integer indices (negative allowed) and slices with
constant ends, as NumPy reads them — a view of the operand (matcalc/tindex/nodes.py) where
a slice starts at 0, a product with a constant shift matrix where it does not."""

from __future__ import annotations

from ..errors import ShapeError, UnsupportedError
from .nodes import Node, make
from .ops import LETTERS, at, einsum, shape_text, view

__all__ = ["index"]


def index(a: Node, entries: tuple) -> Node:
    """a[entries]: integers (negative allowed) and slices with constant ends; missing
    trailing entries take the axis whole."""
    if len(entries) > a.ndim:
        raise ShapeError(
            f"too many indices ({len(entries)}) for a value of shape {shape_text(a.shape)}",
            expected=f"at most {a.ndim}",
        )
    out, shape, shifts = [], [], []
    for k in range(a.ndim):
        e = entries[k] if k < len(entries) else (None, None)
        dim = a.shape[k]
        if isinstance(e, int):
            if isinstance(dim, int) and not -dim <= e < dim:
                raise ShapeError(
                    f"index {e} is out of range for an axis of size {dim}",
                    expected=f"an index from {-dim} to {dim - 1}",
                )
            out.append(e % dim if isinstance(dim, int) else e)
            continue
        start, stop = e
        start, stop = _ends(start, stop, dim)
        out.append(at(len(shape)))
        if start:  # a[s:t]: the axis kept whole here, cut by a shift matrix below
            shifts.append((len(shape), start, stop))
            shape.append(dim)
        else:
            shape.append(dim if stop is None else stop)
    node = view(a, tuple(out), tuple(shape))
    for position, start, stop in shifts:
        node = _shifted(node, position, start, stop)
    return node


def _ends(start, stop, dim) -> tuple:
    """A slice's (start, stop) with negative ends resolved (an int dimension), stop None
    for the whole axis; a slice of no entries or one that needs a symbolic size is an
    error."""
    if isinstance(dim, int):
        start = 0 if start is None else start % dim if start < 0 else min(start, dim)
        stop = dim if stop is None else stop % dim if stop < 0 else min(stop, dim)
        if stop <= start:
            raise ShapeError(f"the slice {start}:{stop} has no entries", expected="start < stop")
        return start, (None if stop == dim and start == 0 else stop)
    start = start or 0
    if start < 0 or (stop is not None and stop < 0) or (start and stop is None):
        raise UnsupportedError(
            f"a slice {start or ''}:{'' if stop is None else stop} of an axis of symbolic "
            f"size {dim} (its length would be {dim} minus a number)",
            expected="a slice with non-negative ends, and an end where it does not start at 0",
        )
    if stop is not None and stop <= start:
        raise ShapeError(f"the slice {start}:{stop} has no entries", expected="start < stop")
    return start, stop


def _shifted(node: Node, position: int, start: int, stop: int) -> Node:
    """node[..., start:stop, ...] on axis `position`: an einsum with the constant
    (stop − start) × n matrix whose row i is the unit row at i + start."""
    select = make("shift", start, (), (stop - start, node.shape[position]))
    term = LETTERS[: node.ndim]
    letter = term[position]
    out = term[:position] + "Z" + term[position + 1 :]
    return einsum((term, "Z" + letter), out, [node, select], ("slice", position, start, stop))
