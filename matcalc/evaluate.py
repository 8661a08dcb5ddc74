"""Numerical evaluation of expressions with NumPy, every value a 2-D array internally
(scalar 1×1, vector n×1), once per node of the DAG.

Bounded: no array larger than limits.EVALUATE_MAX_BYTES is built (each node's size is
checked before it is computed), and a dimension with no size is an error naming it. A
symmetric or simplex variable's value must be on its set (`require_structure`): the
derivative by it is the unconstrained gradient evaluated there (README, "Layouts").
"""

from __future__ import annotations

from math import prod

import numpy as np

from . import expr as E
from . import primitives
from .errors import LimitError, MatcalcError
from .limits import EVALUATE_MAX_BYTES
from .primitives.catalog import REGISTRY
from .primitives.lowering import NUMPY
from .shapes import DimProduct, size

__all__ = [
    "const_float",
    "STRUCTURE_TOL",
    "bind",
    "dimension_sizes",
    "evaluate",
    "node_values",
    "require_bytes",
    "require_structure",
]

STRUCTURE_TOL = 1e-8  # |A − Aᵀ| and |sum(y) − 1| allowed, relative to the entries


def bind(variables: dict, values: dict) -> tuple[dict, dict]:
    """Arrays for the variables (as 2-D) and the sizes of the symbolic dimensions."""
    dims = {
        k: int(v)
        for k, v in values.items()
        if k not in variables
        and isinstance(v, (int, float, np.integer, np.floating))
        and np.isfinite(v)
        and float(v).is_integer()
    }
    arrays = {}
    for name, var in variables.items():
        if name not in values:
            raise MatcalcError(f"no value given for {name}")
        a = _real_array(name, values[name])
        s = var.shape
        want = (s.rows, s.cols)
        got = (
            a.reshape(-1, 1)
            if a.ndim == 1 and s.is_column
            else a.reshape(1, -1)
            if a.ndim == 1 and s.is_row
            else a.reshape(1, 1)
            if a.ndim == 0
            else a
        )
        if got.ndim != 2:
            raise MatcalcError(f"{name} should be {s.kind}, got an array of shape {a.shape}")
        for d, actual in zip(want, got.shape):
            if isinstance(d, int):
                if d != actual:
                    raise MatcalcError(f"{name} should be {s.kind}, got shape {a.shape}")
            elif dims.setdefault(d, actual) != actual:
                raise MatcalcError(f"{name} has {actual} where the dimension {d} is {dims[d]}")
        arrays[name] = got
    return arrays, dims


def _real_array(name: str, value) -> np.ndarray:
    """`value` as an array of float64: a number or a rectangular (nested) list/array of
    real numbers, else a MatcalcError (no nan from None, no numpy exception)."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raw = None
    if raw is None or raw.dtype.kind not in "biuf":
        raise MatcalcError(
            f"the value of {name} must be a real number or a rectangular "
            f"array of them, not {type(value).__name__}"
            + (" (ragged or not numbers)" if isinstance(value, (list, tuple)) else "")
        )
    try:
        return raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        raise MatcalcError(f"the value of {name} is beyond the float64 range") from None


def require_structure(variables: dict, arrays: dict) -> None:
    """A symmetric variable's value must be symmetric, a simplex variable's must sum to 1,
    each row of a rowsimplex variable's too:
    the derivative matcalc prints holds there (it may use Aᵀ = A or sum(y) = 1)."""
    for name, var in variables.items():
        a = arrays.get(name)
        if a is None or not isinstance(var, E.Var) or var.structure is None:
            continue
        scale = max(1.0, float(np.max(np.abs(a)))) if a.size else 1.0
        if var.symmetric and a.shape[0] == a.shape[1]:
            gap = float(np.max(np.abs(a - a.T))) if a.size else 0.0
            if not gap <= STRUCTURE_TOL * scale:
                raise MatcalcError(
                    f"{name} is declared symmetric but its value is not "
                    f"(largest |{name} − {name}ᵀ| entry: {gap:.3g})"
                )
        elif var.structure == "rowsimplex":
            sums = np.sum(a, axis=1)
            worst = float(np.max(np.abs(sums - 1.0))) if sums.size else 0.0
            if not worst <= STRUCTURE_TOL * max(scale, a.shape[1]):
                raise MatcalcError(
                    f"{name} is declared rowsimplex but a row of it sums to "
                    f"{float(sums[np.argmax(np.abs(sums - 1.0))]):.6g}, not 1"
                )
        elif var.structure == "simplex":
            total = float(np.sum(a))
            if not abs(total - 1.0) <= STRUCTURE_TOL * max(scale, a.size):
                raise MatcalcError(
                    f"{name} is declared simplex but its entries sum to {total:.6g}, not 1"
                )


def dimension_sizes(roots: list[E.Expr], dims: dict) -> dict:
    """`dims` checked to size every symbolic dimension of the nodes of `roots`."""
    missing = []
    for root in roots:
        for node in E.walk(root):
            extra = (node.dim,) if isinstance(node, E.DimSize) else ()
            for d in (node.shape.rows, node.shape.cols) + extra:
                if isinstance(d, DimProduct) and d not in dims:  # kron's m·p: its factors'
                    known = [f for f in d.factors if isinstance(f, int) or f in dims]
                    if len(known) == len(d.factors):
                        dims[d] = size(d, dims)
                if isinstance(d, str) and d not in dims and d not in missing:
                    missing.append(d)
    if missing:
        names = ", ".join(missing)
        raise MatcalcError(
            f"no size for the dimension{'s' * (len(missing) > 1)} {names}: "
            f"give a value for a variable of that size, or {missing[0]}=…"
        )
    return dims


def require_bytes(np_shape: tuple, what: str = "the result") -> None:
    """LimitError if an array of float64 of this shape would pass EVALUATE_MAX_BYTES."""
    need = 8 * prod(int(k) for k in np_shape)
    if need > EVALUATE_MAX_BYTES:
        raise LimitError(
            f"{what} would be an array of shape {tuple(np_shape)} "
            f"({need / 2**30:.3g} GiB); evaluate builds at most "
            f"{EVALUATE_MAX_BYTES / 2**30:.3g} GiB (limits.EVALUATE_MAX_BYTES)"
        )


def const_float(value: object) -> float:
    """An exact constant as a float64; LimitError past the float range (1e999)."""
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(value.numerator))) - len(str(value.denominator))
        raise LimitError(
            f"the constant of about 10^{digits} is beyond the float64 range "
            "(about 1.8e308) that numeric evaluation uses"
        ) from None


def _apply(name, *args):
    """A registered function's value: the primitive's lowering run with NumPy."""
    return primitives.get(name).lowering("numpy")(NUMPY, *args)


def evaluate(root: E.Expr, arrays: dict, dims: dict, extra: dict | None = None) -> np.ndarray:
    """The value of `root` as a 2-D array; `extra` gives values for further leaves
    (e.g. a differential) or for nodes already computed."""
    return node_values(root, arrays, dims, extra)[root]


def node_values(root: E.Expr, arrays: dict, dims: dict, extra: dict | None = None) -> dict:
    """The value of every node of `root`'s DAG (as `evaluate` computes them)."""
    val: dict = dict(extra or {})
    for node in E.walk(root):
        if node in val:
            continue
        a = [val[c] for c in node.children]
        try:
            r, c = (size(d, dims) for d in (node.shape.rows, node.shape.cols))
        except KeyError as err:
            raise MatcalcError(str(err.args[0])) from None
        require_bytes((r, c), "a step of the evaluation")
        match node:
            case E.Var():
                v = arrays[node.name]
            case E.Const():
                v = np.full((1, 1), const_float(node.value))
            case E.DimSize():
                if node.dim not in dims:
                    raise MatcalcError(f"no value for the dimension {node.dim}")
                v = np.full((1, 1), float(size(node.dim, dims)))
            case E.Zero():
                v = np.zeros((r, c))
            case E.Ones():
                v = np.ones((r, c))
            case E.Identity():
                v = np.eye(r)
            case E.Kron():
                v = np.kron(a[0], a[1])
            case E.Unit():  # indexing: columns of the identity
                if r < node.needs:
                    raise MatcalcError(
                        f"index {node.slice_text()} is out of range: {node.n} is {r}",
                        expected=f"{node.n} of at least {node.needs}",
                    )
                v = np.eye(r)[:, node.columns()]
            case E.Add():
                v = sum(a[1:], a[0])
            case E.Mul():
                v = a[0]
                for x in a[1:]:
                    v = v * x
            case E.Pow():
                base, k = a
                if isinstance(node.args[1], E.Const) and node.args[1].value.denominator == 1:
                    v = (
                        base ** int(node.args[1].value)
                        if node.args[1].value > 0
                        else 1.0 / base ** int(-node.args[1].value)
                    )
                else:
                    v = base**k
            case E.Func():
                v = np.asarray(_apply(node.name, *a), dtype=float)
            case E.Max():
                v = np.maximum(a[0], a[1])
            case E.Compare():
                v = np.asarray(E.Compare.OPERATORS[node.op](a[0], a[1])).astype(float)
            case E.MatMul():
                v = a[0]
                for x in a[1:]:
                    v = v @ x
            case E.Transpose():
                v = a[0].T
            case E.Sum() | E.Trace() | E.Det() | E.Inv() | E.Norm():  # the registry's
                v = np.asarray(REGISTRY.by_node[type(node)].lower(NUMPY, a[0]), dtype=float)
            case E.Diag():
                v = np.diag(a[0][:, 0])
            case E.Diagonal():
                v = np.diag(a[0]).reshape(-1, 1)
            case E.Softmax():
                e = np.exp(a[0] - a[0].max())
                v = e / e.sum()
            case E.LogSumExp():
                m = a[0].max()
                v = np.full((1, 1), m + np.log(np.exp(a[0] - m).sum()))
            case E.Block():
                rows = node.rows
                k = iter(a)
                v = np.block([[next(k) for _ in row] for row in rows])
            case _:
                raise MatcalcError(f"cannot evaluate {type(node).__name__}")
        val[node] = np.broadcast_to(v, (r, c)) if v.shape != (r, c) else v
    return val
