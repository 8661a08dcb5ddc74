"""The linear-algebra nodes: matrix products, transposes, sums, traces, determinants,
inverses, diagonals, norms, softmax, log-sum-exp and literal blocks.
"""

from __future__ import annotations

from ..errors import MatcalcError, ShapeError
from ..shapes import SCALAR, Shape
from .algebra import Add, Func, Mul, Pow
from .core import (
    Const,
    DimSize,
    Expr,
    Identity,
    Ones,
    Var,
    Zero,
    _mismatch,
    _node,
    is_zero,
)

__all__ = [
    "Block",
    "Det",
    "Diag",
    "Diagonal",
    "Inv",
    "LogSumExp",
    "MatMul",
    "Norm",
    "Softmax",
    "Sum",
    "Trace",
    "Transpose",
    "transpose_held",
]


# ---------------------------------------------------------------- linear algebra
class MatMul(Expr):
    """Matrix product A B (a chain, flattened); 1×1 factors are pulled out as scalars."""

    category = 5

    def __new__(cls, *factors: Expr):
        flat = []
        for f in factors:
            flat.extend(f.args if isinstance(f, MatMul) else (f,))
        for left, right in zip(flat, flat[1:]):
            if left.shape.cols != right.shape.rows:
                raise _mismatch(
                    "@ needs the columns of the left to match the rows of the right", left, right
                )
        shape = Shape(flat[0].shape.rows, flat[-1].shape.cols)
        if any(is_zero(f) for f in flat):
            return Zero(shape)
        scalars, chain = [], []
        for f in flat:
            if f.shape.is_scalar:
                scalars.append(f)
                continue
            if isinstance(f, Mul) and any(g.shape.is_scalar for g in f.args):
                scalars.extend(g for g in f.args if g.shape.is_scalar)
                f = Mul(*(g for g in f.args if not g.shape.is_scalar))
            if isinstance(f, MatMul):
                chain.extend(f.args)
            elif not isinstance(f, Identity):
                chain.append(f)
        chain = _fold_ones(chain, scalars)
        if not chain:
            core = Identity(shape.rows) if shape.rows == shape.cols else Ones(shape)
            core = Const(1) if shape.is_scalar else core
        elif len(chain) == 1:
            core = chain[0]
        else:
            core = _node(cls, tuple(chain), shape, "@")
        if core.shape != shape:  # e.g. (n×1)(1×1) with the scalar pulled out
            raise _mismatch("@", *flat)
        return Mul(*scalars, core) if scalars else core


def _fold_ones(chain: list, scalars: list) -> list:
    """Products of ones in a chain: 1ᵀ1 = n, a chain that is just 1 1ᵀ is the ones matrix
    (inside a longer chain 1 1ᵀ stays, for the rewrites of 1ᵀ·), and Y1 = 1 for a declared
    rowsimplex Y (its rows sum to 1)."""
    out: list = []
    for f in chain:
        prev = out[-1] if out else None
        if isinstance(f, Ones) and isinstance(prev, Ones) and prev.shape.cols != 1:
            out.pop()
            scalars.append(DimSize(prev.shape.cols))
            f = Ones(Shape(prev.shape.rows, f.shape.cols))
        elif isinstance(f, Ones) and isinstance(prev, Var) and prev.structure == "rowsimplex":
            out.pop()
            f = Ones(Shape(prev.shape.rows, f.shape.cols))
        if f.shape.is_scalar:
            scalars.append(f)
        else:
            out.append(f)
    if len(out) == 2 and all(isinstance(f, Ones) for f in out):  # the whole chain is 1 1ᵀ
        out = [Ones(Shape(out[0].shape.rows, out[1].shape.cols))]
    return out


class Transpose(Expr):
    """Aᵀ, pushed through sums, products and scalars so that transposes sit on leaves."""

    category = 3

    def __new__(cls, a: Expr):
        s = a.shape
        if s.is_scalar or isinstance(a, (Identity, Diag)) or (isinstance(a, Var) and a.symmetric):
            return a
        if isinstance(a, Transpose):
            return a.args[0]
        if isinstance(a, Zero):
            return Zero(s.T)
        if isinstance(a, Ones):
            return Ones(s.T)
        if isinstance(a, Add):
            return Add(*(Transpose(t) for t in a.args))
        if isinstance(a, MatMul):
            return MatMul(*(Transpose(f) for f in reversed(a.args)))
        if isinstance(a, Mul) and any(f.shape.is_scalar for f in a.args):
            return Mul(*(f if f.shape.is_scalar else Transpose(f) for f in a.args))
        if isinstance(a, Inv) and Transpose(a.args[0]) is a.args[0]:
            return a  # the inverse of a symmetric matrix
        if isinstance(a, Block):
            return Block(tuple(zip(*a.rows)), transpose_entries=True)
        return _node(cls, (a,), s.T, "T")


def transpose_held(a: Expr) -> Expr:
    """(a)ᵀ kept over a sum, as a presented form writes it ((Ax − b)ᵀ); the constructor
    pushes a transpose to the leaves, and a rebuild of the node does so again."""
    if not isinstance(a, Add):
        return Transpose(a)
    return _node(Transpose, (a,), a.shape.T, "T")


class Sum(Expr):
    """The sum of all elements (the tutorial's sum reduction)."""

    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return a
        if isinstance(a, Zero):
            return Const(0)
        if isinstance(a, Ones):
            return Mul(DimSize(a.shape.rows), DimSize(a.shape.cols))
        if isinstance(a, Mul) and any(f.shape.is_scalar for f in a.args):
            return Mul(
                *(f for f in a.args if f.shape.is_scalar),
                Sum(Mul(*(f for f in a.args if not f.shape.is_scalar))),
            )
        return _node(cls, (a,), SCALAR, "sum")


def _square(what: str, a: Expr):
    if a.shape.rows != a.shape.cols:
        raise _mismatch(f"{what} needs a square matrix", a)


class Trace(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("trace", a)
        if a.shape.is_scalar:
            return a
        if isinstance(a, Identity):
            return DimSize(a.n)
        if isinstance(a, Zero):
            return Const(0)
        return _node(cls, (a,), SCALAR, "tr")


class Det(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("det", a)
        if a.shape.is_scalar:
            return a
        if isinstance(a, Identity):
            return Const(1)
        return _node(cls, (a,), SCALAR, "det")


class Inv(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("inv", a)
        if a.shape.is_scalar:
            return Pow(a, Const(-1))
        if isinstance(a, Inv):
            return a.args[0]
        if isinstance(a, Zero):
            raise MatcalcError("division by zero: the inverse of a zero matrix")
        if isinstance(a, Identity):
            return a
        if isinstance(a, Transpose):  # (Xᵀ)⁻¹ is written X⁻ᵀ
            return Transpose(Inv(a.args[0]))
        return _node(cls, (a,), a.shape, "inv")


class Diag(Expr):
    """diag(v): the diagonal matrix with the vector v on its diagonal."""

    category = 3

    def __new__(cls, v: Expr):
        if v.shape.is_scalar:
            return v
        if v.shape.is_matrix and v.shape.is_square:
            return Diagonal(v)  # diag(M) of a matrix: its diagonal
        if not v.shape.is_column:
            raise _mismatch("diag needs a column vector", v)
        if isinstance(v, Ones):
            return Identity(v.shape.rows)
        if isinstance(v, Zero):
            return Zero(Shape(v.shape.rows, v.shape.rows))
        return _node(cls, (v,), Shape(v.shape.rows, v.shape.rows), "diag")


class Diagonal(Expr):
    """diag(M) of a square matrix: the column of its diagonal entries (NumPy's np.diag of
    a 2-D array); the adjoint of v ↦ diag(v), so gradients through diag(x) read off as it."""

    category = 3

    def __new__(cls, m: Expr):
        if m.shape.is_scalar:
            return m
        _square("diag", m)
        column = Shape(m.shape.rows, 1)
        if isinstance(m, Diag):
            return m.args[0]
        if isinstance(m, (Identity, Ones)):
            return Ones(column)
        if isinstance(m, Zero):
            return Zero(column)
        if isinstance(m, Transpose):
            return Diagonal(m.args[0])
        return _node(cls, (m,), column, "diagonal")


class Norm(Expr):
    """‖a‖: the Euclidean norm of a vector, the Frobenius norm of a matrix."""

    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return Func("abs", a)
        return _node(cls, (a,), SCALAR, "norm")


class Softmax(Expr):
    category = 3

    def __new__(cls, a: Expr):
        if not a.shape.is_column:
            raise _mismatch("softmax needs a column vector", a)
        return _node(cls, (a,), a.shape, "softmax")


class LogSumExp(Expr):
    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return a
        return _node(cls, (a,), SCALAR, "logsumexp")


class Block(Expr):
    """A literal array of scalars [[a, b], [c, d]]; a single column is a vector [a, b].
    Entries may also be equal-height columns in one row, or equal-width rows in one column."""

    category = 3

    def __new__(cls, rows: tuple, transpose_entries: bool = False):
        rows = tuple(tuple(Transpose(e) if transpose_entries else e for e in r) for r in rows)
        if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
            raise ShapeError("a matrix literal needs rows of one length")
        entries = [e for r in rows for e in r]
        if all(e.shape.is_scalar for e in entries):
            shape = Shape(len(rows), len(rows[0]))
            if shape.is_scalar:
                return rows[0][0]
        elif len(rows) == 1 and all(
            e.shape.cols == 1 and e.shape.rows == entries[0].shape.rows for e in entries
        ):
            shape = Shape(entries[0].shape.rows, len(entries))
        elif len(rows[0]) == 1 and all(
            e.shape.rows == 1 and e.shape.cols == entries[0].shape.cols for e in entries
        ):
            shape = Shape(len(rows), entries[0].shape.cols)
        else:
            raise _mismatch(
                "a literal stacks scalars, or columns of one height side by side,"
                " or rows of one width",
                *entries,
            )
        if all(is_zero(e) for e in entries):
            return Zero(shape)
        flat = tuple(entries)
        node = _node(cls, (len(rows), len(rows[0])) + flat, shape, "[]")
        return node

    @property
    def rows(self) -> tuple:
        r, c = self.args[0], self.args[1]
        flat = self.args[2:]
        return tuple(tuple(flat[i * c : (i + 1) * c]) for i in range(r))
