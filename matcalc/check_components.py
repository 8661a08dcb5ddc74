"""SymPy components: every node of an expression DAG as a SymPy Matrix at concrete sizes
(scalars 1×1), with each primitive lowered through its registry record. `check` compares
a derivative's components with SymPy's own; `verify` proves claims with them. SymPy is
passed in (imported lazily by the callers), never imported here at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from . import expr as E
from . import primitives
from .errors import MatcalcError
from .primitives.catalog import REGISTRY
from .primitives.lowering import sympy_namespace

__all__ = ["on_set", "size", "symbols", "to_sympy"]


def _kron(sp: ModuleType, a, b):
    """A ⊗ B of two SymPy matrices: the blocks aᵢⱼ B."""
    p, q = b.shape
    return sp.Matrix(a.rows * p, a.cols * q, lambda i, j: a[i // p, j // q] * b[i % p, j % q])


def size(dim: str | int, sizes: dict) -> int:
    return dim if isinstance(dim, int) else sizes[dim]


def symbols(var: E.Var, sizes: dict, sp: ModuleType, differential: bool = False) -> object:
    """Independent real symbols for every entry (structure is imposed afterwards); a
    differential's are Dummy symbols, which no variable's name can clash with."""
    r, c = size(var.shape.rows, sizes), size(var.shape.cols, sizes)
    make = sp.Dummy if differential else sp.Symbol
    return sp.Matrix(r, c, lambda i, j: make(f"{var.name}_{i}_{j}", real=True))


def on_set(env: dict, sp: ModuleType) -> dict:
    """The substitution that puts structured variables on their set: a symmetric matrix's
    entries below the diagonal are those above it; a simplex vector's last entry (each row's
    of a rowsimplex matrix) is one
    minus the others."""
    point: dict = {}
    for var, m in env.items():
        if not isinstance(var, E.Var):
            continue
        if var.symmetric:
            for i in range(m.rows):
                for j in range(i):
                    point[m[i, j]] = m[j, i]
        elif var.structure == "rowsimplex":  # each row's last entry: one minus the others
            for i in range(m.rows):
                point[m[i, m.cols - 1]] = 1 - sum(m[i, j] for j in range(m.cols - 1))
        elif var.structure == "simplex":
            point[m[m.rows - 1, 0]] = 1 - sum(m[i, 0] for i in range(m.rows - 1))
    return point


def to_sympy(
    root: E.Expr,
    env: dict,
    sizes: dict,
    sp: ModuleType,
    clock: Callable[[], None] | None = None,
    memo: dict | None = None,
) -> object:  # a sympy.Matrix
    """Every node as a SymPy Matrix (scalars 1×1), once per node of the DAG; with `memo`
    (a dict kept between calls at the same env and sizes) once per node across the calls."""
    val: dict = dict(env) if memo is None else memo
    val.update(env)

    def dim(d):
        return size(d, sizes)

    def ew(a, b, f):
        if a.shape == (1, 1) and b.shape != (1, 1):
            return b.applyfunc(lambda y: f(a[0, 0], y))
        if b.shape == (1, 1) and a.shape != (1, 1):
            return a.applyfunc(lambda x: f(x, b[0, 0]))
        return sp.Matrix(a.rows, a.cols, lambda i, j: f(a[i, j], b[i, j]))

    xp = sympy_namespace(sp)  # the primitives' lowerings, run with SymPy

    def apply(node, a, r, c):
        p = primitives.get(node.name)
        lower = p.lowering("sympy")
        if p.kind == "reduction":
            return sp.Matrix([[lower(xp, *a)]])
        if p.kind == "rowwise":  # the whole matrix at once (softmax of each row, …)
            return lower(xp, *a)
        return sp.Matrix(
            r, c, lambda i, j: lower(xp, *(m[0, 0] if m.shape == (1, 1) else m[i, j] for m in a))
        )

    for node in E.walk(root):
        if node in val:
            continue
        if clock is not None:
            clock()
        a = [val[c] for c in node.children]
        r, c = dim(node.shape.rows), dim(node.shape.cols)
        match node:
            case E.Const():
                v = sp.Matrix([[sp.Rational(node.value.numerator, node.value.denominator)]])
            case E.DimSize():
                v = sp.Matrix([[dim(node.dim)]])
            case E.Zero():
                v = sp.zeros(r, c)
            case E.Ones():
                v = sp.ones(r, c)
            case E.Identity():
                v = sp.eye(r)
            case E.Kron():
                v = _kron(sp, a[0], a[1])
            case E.Unit():  # indexing: columns of the identity
                v = sp.eye(r)[:, node.columns()]
            case E.Add():
                v = a[0]
                for x in a[1:]:
                    v = ew(v, x, lambda p, q: p + q)
            case E.Mul():
                v = a[0]
                for x in a[1:]:
                    v = ew(v, x, lambda p, q: p * q)
            case E.Pow():
                v = ew(a[0], a[1], lambda p, q: p**q)
            case E.Func():
                v = apply(node, a, r, c)
            case E.Max():
                v = ew(a[0], a[1], lambda p, q: sp.Max(p, q))
            case E.Compare():
                op = E.Compare.OPERATORS[node.op]
                v = ew(a[0], a[1], lambda p, q, op=op: sp.Piecewise((1, op(p, q)), (0, True)))
            case E.MatMul():
                v = a[0]
                for x in a[1:]:
                    v = v * x
            case E.Transpose():
                v = a[0].T
            case E.Sum() | E.Trace() | E.Det() | E.Inv() | E.Norm():  # the registry's
                v = REGISTRY.by_node[type(node)].lower(xp, a[0])
                v = v if isinstance(v, sp.MatrixBase) else sp.Matrix([[v]])
            case E.Diag():
                v = sp.diag(*a[0])
            case E.Diagonal():
                v = sp.Matrix([a[0][i, i] for i in range(a[0].rows)])
            case E.Softmax():
                e = a[0].applyfunc(sp.exp)
                v = e / sum(e)
            case E.LogSumExp():
                v = sp.Matrix([[sp.log(sum(a[0].applyfunc(sp.exp)))]])
            case E.Block():
                it = iter(a)
                v = sp.Matrix(sp.BlockMatrix([[next(it) for _ in row] for row in node.rows]))
            case _:
                raise MatcalcError(f"the check cannot expand {type(node).__name__}")
        val[node] = v
    return val[root]
