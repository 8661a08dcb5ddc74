"""The primitives that are not element-wise functions: reductions and matrix functions with
their own canonicalising node classes (their rules are in `rules/`, one per node type),
reductions on the generic node (a local linear map here), and functions built from other
primitives (relu = max(0, u), mean, dot, logdet, sqrt)."""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from . import (
    BETWEEN_ARGUMENTS,
    INVERTIBLE,
    KINK_AT_ZERO,
    POSITIVE,
    Domain,
    composite,
    reduction,
    structural,
)

__all__: list[str] = []  # the records are registered on import; nothing to import


def _column(v):
    """A vector as a column (NumPy's 1-D vector may be written transposed, x.T)."""
    return E.Transpose(v) if v.shape.is_row else v


def _kron_operands(a, b):
    """As NumPy reads kron's operands: two vectors are columns, a vector beside a matrix is
    a row (NumPy prepends the axis of length 1)."""
    if a.shape.is_vector and b.shape.is_vector:
        return _column(a), _column(b)
    return tuple(E.Transpose(v) if v.shape.is_column else v for v in (a, b))


def _mean(a):
    return E.Mul(
        E.Sum(a), E.Pow(E.Mul(E.DimSize(a.shape.rows), E.DimSize(a.shape.cols)), E.Const(-1))
    )


def _weighted(u, weights):
    """d f = weightsᵀ du (a column), sum(weights ⊗ dU) (a matrix)."""
    if u.shape.is_column:
        return [(u, lambda d: E.MatMul(E.Transpose(weights), d))]
    return [(u, lambda d: E.Sum(E.Mul(weights, d)))]


def _norm(a, p=None):
    """norm(u), norm(u, 2): Euclidean/Frobenius; norm(u, 1); norm(u, inf)."""
    if p is None or p == "2":
        return E.Norm(a)
    return E.Func("norm1" if p == "1" else "norminf", a)


def _top_gap(u):
    """How far max |u| is from a tie (and |u| from 0): where ‖u‖∞ is smooth."""
    import numpy as np  # here, not at import: the CLI's start does not load NumPy

    a = np.sort(np.abs(u).ravel())
    gap = a[-1] - a[-2] if a.size > 1 else a[-1]
    return np.full(np.shape(u), min(gap, a[0]))


def _length(u):
    """‖u‖ at every entry: the Euclidean norm is kinked only where all of u is 0."""
    import numpy as np

    return np.full(np.shape(u), np.sqrt(np.sum(np.square(u))))


# ---------------------------------------------------------------- on the generic node
reduction(
    "norm1",
    linear=lambda node: _weighted(node.arg, E.Func("sign", node.arg)),
    lower=lambda xp, u: xp.sum(xp.abs(u)),
    unicode="‖{0}‖₁",
    latex=r"\left\lVert {0} \right\rVert_1",
    domain=KINK_AT_ZERO,
    doc="the sum of the entries' absolute values (norm(u, 1))",
    example="norm1(x)",
)
reduction(
    "norminf",
    surface=False,
    linear=lambda node: _weighted(
        node.arg, E.Mul(E.Compare(">=", E.Func("abs", node.arg), node), E.Func("sign", node.arg))
    ),
    lower=lambda xp, u: xp.max(xp.abs(u)),
    unicode="‖{0}‖∞",
    latex=r"\left\lVert {0} \right\rVert_\infty",
    domain=Domain(distance=_top_gap),
    doc="the largest absolute value of the entries (norm(u, inf))",
    example="norm(x, inf)",
)

# ---------------------------------------------------------------- own node classes
structural(
    "sum",
    node=E.Sum,
    shape="reduce",
    lower=lambda xp, u: xp.sum(u),
    doc="the sum of all entries",
    example="sum(x)",
    adjoint=lambda x, c: [(x.args[0], E.Mul(c, E.Ones(x.args[0].shape)))],
)
structural(
    "norm",
    node=E.Norm,
    shape="reduce",
    lower=lambda xp, u: xp.norm(u),
    unicode="‖{0}‖",
    latex=r"\left\lVert {0} \right\rVert",
    domain=Domain(distance=_length),
    build=_norm,
    arity=(1, 2),
    parameters={1: ("1", "2", "inf")},
    doc="Euclidean norm of a vector, Frobenius norm of a matrix; norm(u, p) for "
    "p = 1, 2, inf (of the entries)",
    example="norm(x)",
)
structural(
    "logsumexp",
    node=E.LogSumExp,
    shape="reduce",
    doc="log(sum(exp(u))), computed stably",
    example="logsumexp(x)",
)
structural(
    "softmax",
    node=E.Softmax,
    shape="vector",
    doc="exp(u) / sum(exp(u)) of a vector",
    letters=("s", "p"),
    example="softmax(x)",
)
structural(
    "diag",
    node=E.Diag,
    shape="diag",
    doc="diag(v): the diagonal matrix of a vector; diag(M): the diagonal of a square matrix",
    example="diag(x)",
)
structural(
    "trace",
    node=E.Trace,
    shape="square-scalar",
    lower=lambda xp, u: xp.trace(u),
    aliases=("tr",),
    doc="the trace of a square matrix",
    example="trace(X)",
    adjoint=lambda x, c: [(x.args[0], E.Mul(c, E.Identity(x.args[0].shape.rows)))],
)
structural(
    "det",
    node=E.Det,
    shape="square-scalar",
    lower=lambda xp, u: xp.det(u),
    domain=INVERTIBLE,
    doc="the determinant",
    example="det(X)",
)
structural(
    "inv",
    node=E.Inv,
    shape="square",
    lower=lambda xp, u: xp.inv(u),
    domain=INVERTIBLE,
    doc="the inverse X⁻¹",
    example="inv(X)",
)
structural(
    "kron",
    node=E.Kron,
    build=lambda a, b: E.Kron(*_kron_operands(a, b)),
    shape="kron",
    arity=2,
    doc="kron(A, B) = A ⊗ B, the Kronecker product (NumPy's np.kron of matrices)",
    example="kron(A, B)",
)
structural(
    "transpose",
    node=E.Transpose,
    shape="transpose",
    doc="Xᵀ (also written X.T)",
    example="transpose(X)",
    adjoint=lambda x, c: [(x.args[0], E.Transpose(c))],
)

# ---------------------------------------------------------------- built from others
composite(
    "sqrt",
    build=lambda a: E.Pow(a, E.Const(Fraction(1, 2))),
    shape="elementwise",
    domain=POSITIVE,
    doc="√u = u^(1/2), entry by entry",
    example="sqrt(x)",
)
composite(
    "relu",
    build=lambda a: E.Max(E.Const(0), a),
    shape="elementwise",
    domain=BETWEEN_ARGUMENTS,
    doc="max(0, u), entry by entry",
    letters=("h", "a"),
    example="relu(x)",
)
composite(
    "max",
    build=E.Max,
    arity=2,
    shape="elementwise",
    domain=BETWEEN_ARGUMENTS,
    doc="max(a, b), entry by entry (a scalar expands)",
    example="max(x, y)",
)
composite("mean", build=_mean, shape="reduce", doc="the mean of all entries", example="mean(x)")
composite(
    "dot",
    build=lambda a, b: E.MatMul(E.Transpose(a), b),
    arity=2,
    shape="dot",
    doc="dot(w, x) = wᵀx of two vectors",
    example="dot(x, y)",
)
composite(
    "outer",
    build=lambda a, b: E.MatMul(_column(a), E.Transpose(_column(b))),
    arity=2,
    shape="outer",
    doc="outer(a, b) = a bᵀ of two vectors (NumPy's np.outer)",
    example="outer(x, y)",
)
composite(
    "logdet",
    build=lambda a: E.Func("log", E.Det(a)),
    shape="square-scalar",
    doc="log det X (det X > 0)",
    example="logdet(X)",
)
