"""The SymPy cross-check: expand the expression and the derivative into components at
concrete sizes (distinct sizes per dimension, so transposition errors show), let SymPy
differentiate the components itself, and prove the two Jacobians equal entry by entry.

Both sides are compared as `evaluate` returns them, moved to one order (output indices,
then the variable's), whatever the layout. A variable's entries are independent symbols
when SymPy differentiates; a symmetric matrix or a simplex vector is then put on its set
(X_ji := X_ij, the last entry := 1 − the others), so the derivative checked is the
unconstrained gradient at a structured point, as the README states. Each entry is proved
symbolically (the difference is 0 once expanded) or else compared at random points of the
domain with 40 digits (positive where log or roots need it, invertible where det or inv
occur, away from points where the function is undefined), then proved by `cancel` or
`simplify` if a proof budget allows (matcalc.check_entries; the Report counts both kinds).
Sizes, entries and time are bounded by matcalc.limits, checked before anything is expanded.
SymPy is imported here only, lazily: a query that does not check does not pay for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import expr as E
from .budget import Deadline
from .check_components import on_set as on_set_of
from .check_components import size, to_sympy
from .check_components import symbols as entry_symbols
from .check_entries import (
    ATOL,
    POINTS,
    PROOF_SECONDS,
    RTOL,
    TRIES,
    Atoms,
    CheckFailed,
    agree_numerically,
    prove_all_cheaply,
    prove_within_budget,
)
from .derived import DerivativeLike
from .errors import LimitError, MatcalcError
from .limits import CHECK_MAX_DET_DIM, CHECK_MAX_DIM, CHECK_MAX_ENTRIES, CHECK_SECONDS
from .sampling import needs_invertible, needs_positive, radius
from .shapes import DimProduct, Shape
from .shapes import size as dim_size

__all__ = ["ATOL", "POINTS", "RTOL", "SIZES", "TRIES", "CheckFailed", "Report", "check"]

SIZES = (3, 2, 4, 5, 6, 7)


@dataclass
class Report:
    sizes: dict
    entries: int
    proved: int
    numeric: int

    def __str__(self):
        dims = ", ".join(f"{k}={v}" for k, v in self.sizes.items()) or "scalars"
        how = f"{self.proved} proved symbolically"
        if self.numeric:
            how += f", {self.numeric} equal at random points of the domain"
        return f"SymPy check passed at {dims}: {self.entries} entries, {how}"


# ---------------------------------------------------------------- sizes and limits
def _roots(d) -> list:
    return [r for r in (d.expression, d.function, d.result, d.differential) if r is not None]


def _sizes(d, n: int) -> dict:
    """A size for every symbolic dimension of any node (a variable may cancel and leave its
    dimension behind, in 1 or n): n first, then 3, 2, 4, … ."""
    dims: list = []
    root = d.function if d.function is not None else d.expression
    shapes = [v.shape for v in E.walk(root) if isinstance(v, E.Var)] + [v.shape for v in d.wrt]
    for root in _roots(d):
        for node in E.walk(root):
            shapes.append(node.shape)
            if isinstance(node, E.DimSize):
                shapes.append(Shape(node.dim, 1))
    for s in shapes:
        for dim in (s.rows, s.cols):
            if isinstance(dim, DimProduct):  # kron's m·p: sized by its factors, below
                dims.extend(f for f in dim.factors if isinstance(f, str) and f not in dims)
            elif isinstance(dim, str) and dim not in dims:
                dims.append(dim)
            elif isinstance(dim, int) and dim > CHECK_MAX_DIM:
                raise LimitError(
                    f"the SymPy check expands sizes up to {CHECK_MAX_DIM} "
                    f"(limits.CHECK_MAX_DIM); this expression has a dimension of "
                    f"size {dim}"
                )
    pool = [n] + [s for s in SIZES if s != n]
    sizes = {dim: pool[i % len(pool)] for i, dim in enumerate(dims)}
    square = {
        node.args[0].shape.rows
        for r in _roots(d)
        for node in E.walk(r)
        if isinstance(node, (E.Det, E.Inv))
    }
    if any(sizes.get(dim, 0) > CHECK_MAX_DET_DIM for dim in square):
        dims = [x for x in dims if x in square] + [x for x in dims if x not in square]
        sizes = {dim: pool[i % len(pool)] for i, dim in enumerate(dims)}
    for r in _roots(d):  # indexing: an axis at least as long as its indices need
        for node in E.walk(r):
            if isinstance(node, E.Unit) and isinstance(node.n, str):
                if node.needs > CHECK_MAX_DIM:
                    raise LimitError(
                        f"the SymPy check expands sizes up to {CHECK_MAX_DIM} "
                        f"(limits.CHECK_MAX_DIM); index {node.slice_text()} needs "
                        f"{node.n} ≥ {node.needs}"
                    )
                sizes[node.n] = max(sizes[node.n], node.needs)
    for s in shapes:
        for dim in (s.rows, s.cols):
            if isinstance(dim, DimProduct):
                sizes[dim] = dim_size(dim, sizes)
    return sizes


def _count(shape, sizes) -> int:
    return size(shape.rows, sizes) * size(shape.cols, sizes)


def _limits(d, sizes):
    """Refuse, before expanding anything, what the check would not finish."""
    out_entries = _count(d.expression.shape, sizes)
    var_entries = sum(_count(v.shape, sizes) for v in d.wrt)
    if out_entries * var_entries > CHECK_MAX_ENTRIES:
        raise LimitError(
            f"the SymPy check would compare {out_entries * var_entries} entries "
            f"at {_sizes_text(sizes)}; its limit is {CHECK_MAX_ENTRIES} "
            "(limits.CHECK_MAX_ENTRIES): check at a smaller n"
        )
    for root in _roots(d):
        for node in E.walk(root):
            if (
                isinstance(node, (E.Det, E.Inv))
                and size(node.args[0].shape.rows, sizes) > CHECK_MAX_DET_DIM
            ):
                raise LimitError(
                    f"the SymPy check expands det and inv of matrices up to "
                    f"{CHECK_MAX_DET_DIM}×{CHECK_MAX_DET_DIM} (limits."
                    f"CHECK_MAX_DET_DIM); at {_sizes_text(sizes)} one is "
                    f"{size(node.args[0].shape.rows, sizes)}×"
                    f"{size(node.args[0].shape.rows, sizes)}: check at a smaller n"
                )


def _sizes_text(sizes) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "scalars"


def _output_first(flat: list, out_np: tuple, var_np: tuple, denominator: bool) -> list:
    """`evaluate`'s array (flat, row-major) in output-then-variable order."""
    if not denominator or not out_np or not var_np:
        return flat
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    arr = arr.reshape(var_np + out_np)
    k = len(var_np)
    return list(arr.transpose(tuple(range(k, k + len(out_np))) + tuple(range(k))).reshape(-1))


def _ours(d, env, sizes, sp, clock, memo) -> list:
    """Our derivative, entry by entry, as `evaluate` returns it, in output-major order."""
    out_np = d.expression.shape.numpy(sizes)
    denominator = d.layout.variable_first
    if len(d.wrt) > 1:
        if d.result is not None:
            flat = list(to_sympy(d.result, env, sizes, sp, clock, memo))
            return _output_first(flat, out_np, (len(d.wrt),), denominator)
        parts = [_ours(p, env, sizes, sp, clock, memo) for p in d.parts]
        return [p[i] for i in range(len(parts[0])) for p in parts]
    var = d.wrt[0]
    var_np = var.shape.numpy(sizes)
    if d.result is not None:
        flat = list(to_sympy(d.result, env, sizes, sp, clock, memo))
        return _output_first(flat, out_np, var_np, denominator)
    # a linear map: its coefficients, with the differential as symbols (output-major)
    dvar = E.Differential(var)
    dsym = entry_symbols(var, sizes, sp, differential=True)
    applied = list(to_sympy(d.differential, {**env, dvar: dsym}, sizes, sp, clock, memo))
    return [sp.diff(entry, s) for entry in applied for s in dsym]


def _reference(d, env, sizes, sp, clock, memo) -> list:
    """SymPy's own component-wise derivative, flat, output-major (numerator) order."""
    if d.function is not None:  # a Hessian: SymPy's second derivatives of f
        f = to_sympy(d.function, env, sizes, sp, clock, memo)[0, 0]
        xs = [s for v in d.wrt for s in list(env[v])]  # one matrix, or a list of scalars
        return [sp.diff(f, a, b) for a in xs for b in xs]
    f = list(to_sympy(d.expression, env, sizes, sp, clock, memo))
    xs = [s for v in d.wrt for s in list(env[v])]
    return [sp.diff(fi, x) for fi in f for x in xs]


# ---------------------------------------------------------------- points of the domain
def _domain(d) -> tuple[bool, bool, float]:
    """(positive, invertible, bound), from the registered domains (matcalc.primitives):
    log and roots need positive entries, det and inv an invertible matrix (and logdet a
    positive determinant), arcsin and log1p values within the bound of 0."""
    nodes = [n for r in _roots(d) for n in E.walk(r)]
    return needs_positive(nodes), needs_invertible(nodes), radius(nodes)


# ---------------------------------------------------------------- the check
def check(d: DerivativeLike, n: int = 3, seed: int = 0) -> Report:
    """Compare `d` with SymPy's component-wise derivative at sizes n, 3, 2, 4, …; raise
    CheckFailed at a difference, LimitError past the limits, MatcalcError for a bad n."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise MatcalcError(f"check(n=…) needs a whole number of at least 1, not {n!r}")
    if n > CHECK_MAX_DIM:
        raise LimitError(
            f"the SymPy check expands sizes up to {CHECK_MAX_DIM} (limits.CHECK_MAX_DIM), not n={n}"
        )
    sizes = _sizes(d, int(n))
    _limits(d, sizes)
    import sympy as sp

    clock = Deadline(
        CHECK_SECONDS,
        lambda: LimitError(
            f"the SymPy check took longer than {CHECK_SECONDS} s (limits.CHECK_SECONDS): "
            "check at a smaller n"
        ),
    )
    variables: dict = {}
    for root in _roots(d):
        variables.update({v.name: v for v in E.walk(root) if isinstance(v, E.Var)})
    variables.update({v.name: v for v in d.wrt})
    env = {v: entry_symbols(v, sizes, sp) for v in variables.values()}
    memo: dict = {}  # every node's components, once for the three expansions
    ours = _ours(d, env, sizes, sp, clock, memo)
    theirs = _reference(d, env, sizes, sp, clock, memo)
    if len(ours) != len(theirs):
        raise CheckFailed(f"the derivative has {len(ours)} entries where SymPy has {len(theirs)}")
    on_set = on_set_of(env, sp)
    root = d.function if d.function is not None else d.expression
    function = [f.xreplace(on_set) for f in to_sympy(root, env, sizes, sp, clock, memo)]
    symbols = sorted({s for m in env.values() for s in m.free_symbols}, key=str)
    clock()
    # entries are SymPy objects or Python numbers built from the DAG, never text:
    # strict=True converts only those and refuses a string outright
    pairs = [
        (sp.sympify(a, strict=True).xreplace(on_set), sp.sympify(b, strict=True).xreplace(on_set))
        for a, b in zip(ours, theirs)
    ]
    zero = prove_all_cheaply([a - b for a, b in pairs], sp, Atoms(sp), clock)
    pending = [(i, a, b) for i, ((a, b), z) in enumerate(zip(pairs, zero)) if not z]
    proved = len(pairs) - len(pending)
    rng = np.random.default_rng(seed)
    agree_numerically(pending, function, env, symbols, sizes, sp, rng, _domain(d), clock)
    left = clock.seconds - (time.monotonic() - clock.start)  # the proofs never overrun it
    later = prove_within_budget(pending, sp, min(PROOF_SECONDS, left))
    return Report(sizes, len(ours), proved + later, len(pending) - later)
