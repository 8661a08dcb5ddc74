"""The SymPy check of an `IndexDerivative`: every variable's entries are symbols at small
distinct sizes (n, 3, 2, 4, …; an index or a slice in the query gets an axis long enough),
the function is expanded into components from the nodes (matcalc/tindex/numeric.py, exact),
SymPy differentiates each component itself, and the derivative's terms are expanded the
same way (np.einsum over object arrays). Entries that are not identical are compared at
random points (entries in [0.5, 1.5]). Limits: matcalc.limits' CHECK_*.
"""

from __future__ import annotations

import numpy as np

from ..budget import Deadline
from ..check import SIZES, CheckFailed, Report
from ..errors import LimitError, MatcalcError
from ..limits import CHECK_MAX_DIM, CHECK_MAX_ENTRIES, CHECK_SECONDS
from .contract import contract
from .like import IndexDerivativeLike
from .numeric import Values, _postorder

__all__ = ["check", "check_sizes"]

POINTS = 3
TRIES = 30
RTOL, ATOL = 1e-7, 1e-9


def check_sizes(d: IndexDerivativeLike, n: int) -> dict:
    """A size for every dimension: n, 3, 2, 4, … in order of first appearance, each at
    least as long as the indices and slices of the query need."""
    dims: list = []
    for var in d.built.variables.values():
        dims += [x for x in var.shape if isinstance(x, str) and x not in dims]
    for x in d.ix.dims.values():
        if isinstance(x, str) and x not in dims:
            dims.append(x)
    pool = [n] + [s for s in SIZES if s != n]
    sizes = {dim: pool[k % len(pool)] for k, dim in enumerate(dims)}
    for node in _postorder(d.built.root):
        if node.op == "einsum" and isinstance(node.data[2], tuple) and node.data[2][0] == "slice":
            dim = node.args[0].shape[node.data[2][1]]
            if isinstance(dim, str):
                sizes[dim] = max(sizes[dim], node.data[2][3])
        if node.op != "view":
            continue
        for e, dim in zip(node.data, node.args[0].shape):
            if not isinstance(dim, str):
                continue
            need = (e + 1 if e >= 0 else -e) if isinstance(e, int) else node.shape[e[1]]
            if isinstance(need, int):
                sizes[dim] = max(sizes[dim], need)
    for dim, s in sizes.items():
        if s > CHECK_MAX_DIM:
            raise LimitError(
                f"the SymPy check expands sizes up to {CHECK_MAX_DIM} (limits.CHECK_MAX_DIM); "
                f"{dim} needs {s}"
            )
    return sizes


def check(d: IndexDerivativeLike, n: int = 3, seed: int = 0) -> Report:
    """Compare `d` with SymPy's component-wise derivative; CheckFailed at a difference."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise MatcalcError(f"check(n=…) needs a whole number of at least 1, not {n!r}")
    if n > CHECK_MAX_DIM:
        raise LimitError(f"the SymPy check expands sizes up to {CHECK_MAX_DIM}, not n={n}")
    import sympy as sp

    sizes = check_sizes(d, int(n))
    shape = tuple(x if isinstance(x, int) else sizes[x] for x in d.shape)
    entries = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if entries > CHECK_MAX_ENTRIES:
        raise LimitError(
            f"the SymPy check would expand {entries} entries (limits.CHECK_MAX_ENTRIES is "
            f"{CHECK_MAX_ENTRIES}): check at a smaller n"
        )
    clock = Deadline(
        CHECK_SECONDS,
        lambda: LimitError(
            f"the SymPy check took longer than {CHECK_SECONDS} s: check at a smaller n"
        ),
    )
    env, symbols = {}, []
    for name, var in d.built.variables.items():
        vshape = tuple(x if isinstance(x, int) else sizes[x] for x in var.shape)
        cells = np.empty(vshape, dtype=object)
        for index in np.ndindex(vshape):
            cells[index] = sp.Symbol(f"{name}_" + "_".join(map(str, index)), real=True)
        env[name] = cells
        symbols += list(cells.flat)
    exact = Values(env, sizes, exact=True)
    function = np.asarray(exact(d.built.root), dtype=object)
    wrt = env[d.var.data]
    clock()
    if d.hessian:
        first = np.empty(wrt.shape, dtype=object)
        for index in np.ndindex(wrt.shape):
            first[index] = sp.diff(
                function.item() if function.shape == () else function, wrt[index]
            )
        outer = first
    else:
        outer = function
    theirs = np.empty(outer.shape + wrt.shape, dtype=object)
    for o in np.ndindex(outer.shape):
        clock()
        for v in np.ndindex(wrt.shape):
            theirs[o + v] = sp.diff(outer[o], wrt[v])
    ours = np.asarray(
        contract(d.terms, d.out_idx + d.var_idx, d.ix.dims, Values(env, sizes, exact=True)),
        dtype=object,
    )
    if ours.shape != theirs.shape:
        raise CheckFailed(f"the derivative has shape {ours.shape} where SymPy's has {theirs.shape}")
    proved, pending = 0, []
    for index in np.ndindex(ours.shape):
        a, b = sp.sympify(ours[index], strict=True), sp.sympify(theirs[index], strict=True)
        if sp.expand(a - b) == 0 if _small(a, b) else a - b == 0:
            proved += 1
        else:
            pending.append((index, a, b))
    clock()
    rng = np.random.default_rng(seed)
    if pending:
        _compare_at_points(pending, symbols, rng, clock, sp)
    return Report(sizes, entries, proved, len(pending))


def _compare_at_points(pending: list, symbols: list, rng, clock, sp) -> None:
    """The entries SymPy did not prove equal, compared at random points with every entry in
    [0.2, 0.8] (inside every registered domain: logs, roots, arcsin); a point where an
    entry is not finite is skipped for that entry, and each entry needs POINTS finite ones."""
    left = sp.lambdify(symbols, [a for _, a, _ in pending], "numpy", cse=True)
    right = sp.lambdify(symbols, [b for _, _, b in pending], "numpy", cse=True)
    good = np.zeros(len(pending), dtype=int)
    for _ in range(TRIES):
        if np.all(good >= POINTS):
            return
        clock()
        point = rng.uniform(0.2, 0.8, len(symbols))
        with np.errstate(all="ignore"):
            got = np.asarray(left(*point), dtype=float)
            want = np.asarray(right(*point), dtype=float)
        finite = np.isfinite(got) & np.isfinite(want)
        bad = finite & ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
        if np.any(bad):
            k = int(np.argmax(bad))
            raise CheckFailed(
                f"entry {pending[k][0]} differs from SymPy's: {got[k]} against {want[k]} "
                "at a random point"
            )
        good += finite
    if np.any(good < POINTS):
        k = int(np.argmin(good))
        raise CheckFailed(f"entry {pending[k][0]} could not be compared at finite points")


def _small(a, b) -> bool:
    return a.count_ops() + b.count_ops() < 60
