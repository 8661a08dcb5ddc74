"""NumPy's broadcasting for values of order ≤ 2, in matcalc's rows × cols shapes.

NumPy aligns shapes on the right: a vector (n,) added to a matrix (m, n) is added to every
row, a keepdims column (m, 1) to every column, a scalar everywhere. matcalc keeps a value's
NumPy order (`ndim`: 0 scalar, 1 vector, 2 matrix) beside its shape while it builds, since
a column n×1 is a vector (n,) or a matrix (n, 1) depending on where it came from, and
writes the broadcast in matrix notation with the ones column 1:

    vector b (n,) into (m, n)  ->  1bᵀ        row r (1, n) into (m, n)  ->  1r
    column c (m, 1) into (m, n) -> c1ᵀ        a scalar stays a scalar (scalar expansion)

so the derivative rules need nothing new (the gradient by b of `XW + 1bᵀ` is a column sum,
`1ᵀG`). Shapes NumPy rejects are reported by the caller, naming both operands.
"""

from __future__ import annotations

from . import expr as E
from .shapes import Shape
from .unify import Dims

__all__ = ["broadcast", "expand", "numpy_dims"]


def numpy_dims(shape: tuple, ndim: int, dims: Dims) -> list:
    """The NumPy shape of a rows × cols value of order `ndim` (a row-shaped vector, as a
    transposed vector is in matcalc, is its columns)."""
    if ndim == 0:
        return []
    if ndim == 1:
        return [shape[1]] if dims.find(shape[0]) == 1 else [shape[0]]
    return [shape[0], shape[1]]


def broadcast(dims: Dims, operands: list) -> tuple | None:
    """(shape, ndim) of NumPy's broadcast of `operands` [(shape, ndim), …], unifying the
    dimensions that must agree; None where NumPy would refuse. A vector result is a column,
    or a row when every vector operand is a row (`x.T + y.T` stays as it was)."""
    shapes = [numpy_dims(s, k, dims) for s, k in operands]
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) < -axis:
                continue
            d = s[axis]
            if dims.find(d) == 1:
                continue
            if size == 1:
                size = d
            elif not dims.unify(size, d):
                return None
        out.append(size)
    if ndim == 0:
        return (1, 1), 0
    if ndim == 1:
        rows = [s for s, k in operands if k >= 1 and not dims.is_scalar(s)]
        if rows and all(dims.find(s[0]) == 1 for s in rows):
            return (1, out[0]), 1
        return (out[0], 1), 1
    return (out[0], out[1]), 2


def expand(e: E.Expr, ndim: int, target: Shape) -> E.Expr:
    """`e` (of NumPy order `ndim`) broadcast to `target`, in matrix notation (module doc)."""
    s = e.shape
    if s.is_scalar or s == target:
        return e
    if ndim == 1 or s.is_row:  # a vector lies along the last axis
        row = e if s.is_row else E.Transpose(e)
        if target.is_column:
            return E.Transpose(row)
        if target.is_row:
            return row
        return E.MatMul(E.Ones(Shape(target.rows, 1)), row)
    if s.is_column:  # an (m, 1) matrix: along the columns
        return E.MatMul(e, E.Ones(Shape(1, target.cols)))
    return e
