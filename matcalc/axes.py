"""NumPy's axis keywords and the array constants, for values of order ≤ 2.

`sum`, `mean`, `max`, `min`, `logsumexp`, `norm`, `var`, `std` take `axis=` (0, 1, -1, -2
or a tuple of them) and `keepdims=True`; `softmax` and `log_softmax` take `axis=`. With
NumPy's meaning: `sum(X, axis=0)` sums each column (a vector as long as X is wide),
`softmax(X, axis=1)` is the softmax of each row. In matrix notation, with 1 the ones column:

    sum(X, axis=1) = X1      sum(X, axis=0) = Xᵀ1      keepdims=True, axis=0: 1ᵀX
    mean: the sum over the axis' length; norm(X, axis=1) = √((X ⊙ X)1); var, std likewise
    max, min, logsumexp, softmax along axis 1: the row-wise primitives
    (matcalc.primitives.axes); along axis 0: the same of Xᵀ (transposed back for keepdims)

Without `axis` every function keeps its meaning (all entries; softmax of a vector).
Constants: `eye(n)`, `ones(n)`, `ones(m, n)`, `zeros(n)`, `zeros(m, n)` (a dimension name
declared in a shape, or a positive integer), and `I`, the identity whose size the
expression decides (an undeclared name `I`).
"""

from __future__ import annotations

from fractions import Fraction

from . import expr as E
from .errors import MatcalcError, ShapeError
from .primitives.axes import ones_row, row_sums
from .shapes import Shape
from .syntax import Syntax

__all__ = [
    "AXIS_FUNCTIONS",
    "CONSTANT_CALLS",
    "IDENTITY",
    "Axes",
    "constant",
    "axes_of",
    "build_axis_call",
    "constant_dims",
    "result_dims",
    "uses_axes",
]

AXIS_FUNCTIONS = frozenset(
    {"sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax", "norm", "var", "std"}
)
SHAPE_KEEPING = frozenset({"softmax", "log_softmax"})  # no keepdims: the shape stays
CONSTANT_CALLS = frozenset({"eye", "ones", "zeros"})
IDENTITY = "I"


class Axes:
    """The axes a call reduces over (non-negative, of an argument of order `ndim`)."""

    def __init__(self, reduced: frozenset, keepdims: bool, ndim: int):
        self.reduced, self.keepdims, self.ndim = reduced, keepdims, ndim

    @property
    def full(self) -> bool:
        return len(self.reduced) == self.ndim


def uses_axes(node: Syntax) -> bool:
    """A call that takes the axis route: keywords, or one-argument max/min (NumPy's
    full reduction; with two arguments they stay element-wise)."""
    if node.kind != "call" or node.value not in AXIS_FUNCTIONS:
        return False
    if node.keywords:
        return True
    return node.value in ("max", "min") and len(node.children) == 1


def _fail(text, where, message, expected=None, cls=MatcalcError):
    return cls(message, expected=expected).located(text, where.pos)


def axes_of(node: Syntax, ndim: int, text: str) -> Axes:
    """The call's axis and keepdims, checked against NumPy's rules (errors at the keyword)."""
    allowed = {"axis"} if node.value in SHAPE_KEEPING else {"axis", "keepdims"}
    axis, keepdims = None, False
    for k in node.keywords:
        if k.name not in allowed:
            raise _fail(
                text,
                k,
                f"{node.value} takes no keyword argument {k.name!r}",
                " or ".join(f"{a}=" for a in sorted(allowed)),
            )
        if k.name == "keepdims":
            if not isinstance(k.value, bool):
                raise _fail(text, k, "keepdims is True or False", "keepdims=True")
            keepdims = k.value
        else:
            if isinstance(k.value, bool):
                raise _fail(text, k, "axis is an integer or a tuple of integers", "axis=0")
            axis = k.value
    if len(node.children) != 1:
        raise _fail(
            text,
            node,
            f"{node.value} with an axis takes one array argument, got {len(node.children)}",
        )
    if axis is None:
        return Axes(frozenset(range(ndim)), keepdims, ndim)
    wanted = axis if isinstance(axis, tuple) else (axis,)
    where = next(k for k in node.keywords if k.name == "axis")
    out = set()
    for a in wanted:
        if not -ndim <= a < ndim:
            raise _fail(
                text,
                where,
                f"axis {a} is out of bounds for an array of order {ndim} "
                f"({'a scalar' if ndim == 0 else 'a vector' if ndim == 1 else 'a matrix'})",
                f"an axis from {-ndim} to {ndim - 1}" if ndim else "no axis",
                ShapeError,
            )
        if a % ndim in out:
            raise _fail(text, where, f"axis {a} is repeated", "each axis once", ShapeError)
        out.add(a % ndim)
    return Axes(frozenset(out), keepdims, ndim)


def result_dims(name: str, np_dims: list, axes: Axes) -> list:
    """The NumPy shape of the result, from the argument's."""
    if name in SHAPE_KEEPING:
        return list(np_dims)
    if axes.keepdims:
        return [1 if i in axes.reduced else d for i, d in enumerate(np_dims)]
    return [d for i, d in enumerate(np_dims) if i not in axes.reduced]


def constant_dims(node: Syntax, dimensions: set, text: str) -> list:
    """The dimensions of eye(n), ones(m, n), zeros(n): declared dimension names or positive
    integers."""
    arity = (1,) if node.value == "eye" else (1, 2)
    if len(node.children) not in arity or node.keywords:
        told = " or ".join(str(a) for a in arity)
        raise _fail(text, node, f"{node.value} takes {told} dimension(s), as {node.value}(n)")
    out = []
    for c in node.children:
        if c.kind == "number" and c.value.denominator == 1 and c.value > 0:
            out.append(int(c.value))
        elif c.kind == "name" and c.value in dimensions:
            out.append(c.value)
        else:
            raise _fail(
                text,
                c,
                f"the dimensions of {node.value} are names declared in a shape or positive "
                "integers",
                "a dimension such as n in x: vector(n), or a positive integer",
                ShapeError,
            )
    return out


def constant(name: str, dims: list) -> E.Expr:
    if name == "eye":
        return E.Identity(dims[0])
    shape = Shape(dims[0], 1) if len(dims) == 1 else Shape(dims[0], dims[1])
    return E.Ones(shape) if name == "ones" else E.Zero(shape)


# ---------------------------------------------------------------- building the value
def _per_length(e: E.Expr, n) -> E.Expr:
    return E.Mul(e, E.Pow(E.DimSize(n), E.Const(-1)))


def _mean_rows(m: E.Expr) -> E.Expr:
    return _per_length(row_sums(m), m.shape.cols)


def _var_rows(m: E.Expr) -> E.Expr:
    centred = E.sub(m, E.MatMul(_mean_rows(m), ones_row(m.shape.cols)))
    return _mean_rows(E.Pow(centred, E.Const(2)))


def _sqrt(e: E.Expr) -> E.Expr:
    return E.Pow(e, E.Const(Fraction(1, 2)))


ROW_REDUCTIONS = {
    "sum": row_sums,
    "mean": _mean_rows,
    "max": lambda m: E.Func("max_rows", m),
    "min": lambda m: E.Func("min_rows", m),
    "logsumexp": lambda m: E.Func("logsumexp_rows", m),
    "norm": lambda m: _sqrt(row_sums(E.Pow(m, E.Const(2)))),
    "var": _var_rows,
    "std": lambda m: _sqrt(_var_rows(m)),
}


def _ones_top(m: E.Expr) -> E.Expr:
    return E.Transpose(E.Ones(Shape(m.shape.rows, 1)))


def _mean_columns(m: E.Expr) -> E.Expr:
    """1ᵀM/m: the row of M's column means (keepdims=True, axis=0)."""
    return _per_length(E.MatMul(_ones_top(m), m), m.shape.rows)


def _var_columns(m: E.Expr) -> E.Expr:
    centred = E.sub(m, E.MatMul(E.Ones(Shape(m.shape.rows, 1)), _mean_columns(m)))
    return _mean_columns(E.Pow(centred, E.Const(2)))


COLUMN_REDUCTIONS = {  # the linear family along axis 0, as rows 1ᵀ…, without transposing M
    "sum": lambda m: E.MatMul(_ones_top(m), m),
    "mean": _mean_columns,
    "norm": lambda m: _sqrt(E.MatMul(_ones_top(m), E.Pow(m, E.Const(2)))),
    "var": _var_columns,
    "std": lambda m: _sqrt(_var_columns(m)),
}


def _full(name: str, e: E.Expr) -> E.Expr:
    """The reduction over all entries."""
    if name in ("max", "min"):  # the top of a vector's one row; a matrix's rows' tops
        row = E.Transpose(e) if e.shape.is_column else e
        top = ROW_REDUCTIONS[name](row)
        return top if top.shape.is_scalar else ROW_REDUCTIONS[name](E.Transpose(top))
    from .functions import FUNCTIONS  # the registry's builders: sum, mean, norm, var, …

    return FUNCTIONS[name][2](e)


def _shape_keeping(name: str, e: E.Expr, axes: Axes) -> E.Expr:
    if axes.ndim <= 1 or axes.full:
        if e.shape.is_row:
            return E.Transpose(_shape_keeping(name, E.Transpose(e), axes))
        if name == "softmax":
            if e.shape.is_column:
                return E.Softmax(e)
            ex = E.Func("exp", e)
            return E.Mul(ex, E.Pow(E.Sum(ex), E.Const(-1)))
        return E.sub(e, E.LogSumExp(e))
    m = e if 1 in axes.reduced else E.Transpose(e)
    if name == "softmax":
        out = E.Func("softmax_rows", m)
    else:
        out = E.sub(m, E.MatMul(E.Func("logsumexp_rows", m), ones_row(m.shape.cols)))
    return out if 1 in axes.reduced else E.Transpose(out)


def build_axis_call(name: str, e: E.Expr, axes: Axes) -> E.Expr:
    """The value of `name(e, axis=…, keepdims=…)` in matrix notation (module docstring)."""
    if name in SHAPE_KEEPING:
        return _shape_keeping(name, e, axes)
    if axes.ndim == 0:
        return e if name not in ("var", "std") else E.Const(0)
    if axes.full:
        return _full(name, e)
    if 0 in axes.reduced and name in COLUMN_REDUCTIONS:
        row = COLUMN_REDUCTIONS[name](e)
        return row if axes.keepdims else E.Transpose(row)
    m = e if 1 in axes.reduced else E.Transpose(e)
    column = ROW_REDUCTIONS[name](m)
    return E.Transpose(column) if axes.keepdims and 0 in axes.reduced else column
