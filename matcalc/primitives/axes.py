"""The primitives of NumPy's axis keywords: the row-wise functions the axis calls build
(`softmax(X, axis=1)` is softmax_rows(X); axis=0 is the same of Xᵀ, transposed), and the
composites log_softmax, var and std (over all entries, or a vector, without `axis`).

A row-wise function's local linear map, with S = softmax_rows(X) and 1 the ones column:
  d softmax_rows(X)   = S ⊙ dX − (S ⊙ ((S ⊙ dX) 1 1ᵀ))   (δᵢₖ Sᵢⱼ(δⱼₗ − Sᵢₗ) by index)
  d logsumexp_rows(X) = (S ⊙ dX) 1
  d max_rows(X)       = ((X ≥ max_rows(X) 1ᵀ) ⊙ dX) 1      (almost everywhere; min alike)
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from ..shapes import Shape
from . import Domain, arrays, composite, rowwise, scalar  # noqa: F401  (registered first)

__all__ = ["ones_column", "ones_row", "row_sums", "variance"]


def ones_column(n: str | int) -> E.Expr:
    return E.Ones(Shape(n, 1))


def ones_row(n: str | int) -> E.Expr:
    return E.Ones(Shape(1, n))


def row_sums(m: E.Expr) -> E.Expr:
    """M 1: the column of M's row sums (NumPy's m.sum(axis=1))."""
    return E.MatMul(m, ones_column(m.shape.cols))


def _column(shape: Shape) -> Shape:
    return Shape(shape.rows, 1)


def _softmax_linear(node):
    s = node

    def linear(d):
        p = E.Mul(s, d)
        spread = E.MatMul(p, ones_column(s.shape.cols), ones_row(s.shape.cols))
        return E.sub(p, E.Mul(s, spread))

    return [(node.arg, linear)]


def _lse_linear(node):
    s = E.Func("softmax_rows", node.arg)
    return [(node.arg, lambda d: row_sums(E.Mul(s, d)))]


def _top_linear(op):
    def linear_of(node):
        u = node.arg
        spread = E.MatMul(node, ones_row(u.shape.cols))
        at_top = E.Compare(">=", u, spread) if op == "max" else E.Compare(">=", spread, u)
        return [(u, lambda d: row_sums(E.Mul(at_top, d)))]

    return linear_of


def _symbolic(u) -> bool:
    """A SymPy matrix (the check's exact lowering), not an array or a traced value."""
    return hasattr(u, "row") and hasattr(u, "applyfunc")


def _exact(row_wise, stable):
    """The exact lowering: row by row on a SymPy matrix, else the stable numeric form."""

    def lower(xp, u):
        if not _symbolic(u):
            return stable(xp, u)
        return row_wise(xp, u)

    return lower


def _rows(u, f):
    """A column of f(row) for each row of a SymPy matrix."""
    return type(u)(u.rows, 1, lambda i, j: f(list(u.row(i))))


def _softmax_rows_exact(xp, u):
    e = xp.exp(u)
    return type(e)(e.rows, e.cols, lambda i, j: e[i, j] / sum(e.row(i)))


def _softmax_stable(xp, u):
    e = xp.exp(u - xp.amax(u, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def _lse_stable(xp, u):
    m = xp.amax(u, axis=1, keepdims=True)
    return m + xp.log(xp.sum(xp.exp(u - m), axis=1, keepdims=True))


def _max_stable(xp, u):
    return xp.amax(u, axis=1, keepdims=True)


def _min_stable(xp, u):
    return xp.amin(u, axis=1, keepdims=True)


def _row_tie_gap(u):
    """How far each row's top two entries are from a tie (where the row max is kinked)."""
    import numpy as np  # here, not at import: the CLI's start does not load NumPy

    u = np.atleast_2d(np.asarray(u, dtype=float))
    if u.shape[1] < 2:
        return np.full(u.shape, np.inf)
    top = np.sort(u, axis=1)
    gap = (top[:, -1] - top[:, -2]).min()
    low = (top[:, 1] - top[:, 0]).min()
    return np.full(u.shape, min(gap, low))


rowwise(
    "softmax_rows",
    result=lambda s: s,
    linear=_softmax_linear,
    lower=_exact(_softmax_rows_exact, _softmax_stable),
    stable=_softmax_stable,
    unicode="softmax({0}, axis=1)",
    latex=r"\operatorname{softmax}_{\mathrm{rows}}",
    doc="softmax of each row: softmax(X, axis=1)",
    example="softmax(X, axis=1)",
    letters=("S", "P"),
)
rowwise(
    "logsumexp_rows",
    result=_column,
    linear=_lse_linear,
    lower=_exact(lambda xp, u: _rows(u, lambda r: xp.log(sum(xp.exp(x) for x in r))), _lse_stable),
    stable=_lse_stable,
    unicode="logsumexp({0}, axis=1)",
    latex=r"\operatorname{logsumexp}_{\mathrm{rows}}",
    doc="log-sum-exp of each row: logsumexp(X, axis=1)",
    example="logsumexp(X, axis=1)",
)
rowwise(
    "max_rows",
    result=_column,
    linear=_top_linear("max"),
    lower=_exact(lambda xp, u: _rows(u, lambda r: xp.max(type(u)(r))), _max_stable),
    stable=_max_stable,
    unicode="max({0}, axis=1)",
    latex=r"\max_{\mathrm{rows}}",
    domain=Domain(distance=_row_tie_gap),
    doc="the largest entry of each row: max(X, axis=1)",
    example="max(X, axis=1)",
)
rowwise(
    "min_rows",
    result=_column,
    linear=_top_linear("min"),
    lower=_exact(lambda xp, u: _rows(u, lambda r: xp.amin(type(u)(r))), _min_stable),
    stable=_min_stable,
    unicode="min({0}, axis=1)",
    latex=r"\min_{\mathrm{rows}}",
    domain=Domain(distance=_row_tie_gap),
    doc="the smallest entry of each row: min(X, axis=1)",
    example="min(X, axis=1)",
)


# ---------------------------------------------------------------- composites (no axis)
def _mean(a):
    return E.Mul(
        E.Sum(a), E.Pow(E.Mul(E.DimSize(a.shape.rows), E.DimSize(a.shape.cols)), E.Const(-1))
    )


def variance(a: E.Expr) -> E.Expr:
    """The (population) variance of all entries: mean((a − mean(a))²), NumPy's np.var."""
    return _mean(E.Pow(E.sub(a, _mean(a)), E.Const(2)))


def _log_softmax(a):
    if not a.shape.is_column:
        from ..errors import ShapeError

        raise ShapeError(
            f"log_softmax needs a vector (or an axis: log_softmax(X, axis=1)); {a} is {a.shape}"
        )
    return E.sub(a, E.LogSumExp(a))


composite(
    "log_softmax",
    build=_log_softmax,
    shape="vector",
    doc="log(softmax(u)) = u − logsumexp(u), computed stably; log_softmax(X, axis=1) by rows",
    example="log_softmax(x)",
)
composite(
    "var",
    build=variance,
    shape="reduce",
    doc="the variance of the entries, mean((u − mean(u))²) (np.var); var(X, axis=0) by columns",
    example="var(x)",
)
composite(
    "std",
    build=lambda a: E.Pow(variance(a), E.Const(Fraction(1, 2))),
    shape="reduce",
    domain=Domain(low=0.0),
    doc="the standard deviation √var(u) (np.std); std(X, axis=0) by columns",
    example="std(x)",
)
