"""The symbolic confirmation of a claim found equal at every point: SymPy proves it entry
by entry where that is cheap (a bonus: it never decides nor fails the verdict)."""

from __future__ import annotations

from collections.abc import Callable

from .. import expr as E
from ..budget import Deadline
from ..check_components import to_sympy
from ..limits import CHECK_MAX_DET_DIM
from ..sampling import nodes_of

SYMPY_MAX_ENTRIES = 64  # "where cheap": the symbolic confirmation's budget
SYMPY_MAX_OPS = 400
SYMPY_SECONDS = 3.0

__all__ = ["prove"]


def prove(
    claim: E.Expr,
    truth: E.Expr,
    variables: dict,
    sizes: dict,
    positive: bool,
    project: Callable | None = None,
) -> tuple[int, int]:
    """(entries proved equal by SymPy, entries in all) at `sizes`; (0, n) when too dear;
    (-1, n) when an entry differs from the truth by an exact nonzero number."""
    entries = 1
    for d in (truth.shape.rows, truth.shape.cols):
        entries *= d if isinstance(d, int) else sizes[d]
    if entries > SYMPY_MAX_ENTRIES:
        return 0, entries
    for n in nodes_of(claim, truth):
        if isinstance(n, (E.Det, E.Inv)):
            k = n.args[0].shape.rows
            if (k if isinstance(k, int) else sizes[k]) > CHECK_MAX_DET_DIM:
                return 0, entries  # a symbolic det / inverse that large is dear
    import sympy as sp

    def symbols(var):
        r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))

        def sym(i, j):
            if var.symmetric and j < i:
                i, j = j, i
            return sp.Symbol(f"{var.name}_{i}_{j}", real=True, positive=positive or None)

        m = sp.Matrix(r, c, sym)
        if getattr(var, "structure", None) == "simplex":  # the last entry makes the sum 1
            m[r - 1, 0] = 1 - sum(m[i, 0] for i in range(r - 1))
        return m

    used = [v for v in variables.values() if v in claim.free or v in truth.free]
    env = {v: symbols(v) for v in used}
    clock = Deadline(SYMPY_SECONDS, TimeoutError)
    try:
        ours, theirs = (
            to_sympy(claim, env, sizes, sp, clock),
            to_sympy(truth, env, sizes, sp, clock),
        )
        if project is not None:
            ours, theirs = project(ours), project(theirs)
    except Exception:  # noqa: BLE001  (the confirmation is a bonus: never let it decide or fail
        return 0, entries
    proved = 0
    for a, b in zip(list(ours), list(theirs)):
        if clock.expired():
            break
        diff = a - b
        if diff == 0:
            proved += 1
            continue
        if diff.is_Number:  # exact rationals that differ (1 + 1e-999 vs 1)
            return -1, entries
        if (
            diff.has(sp.Piecewise, sp.Heaviside, sp.Max, sp.Min, sp.sign, sp.Abs)
            or sp.count_ops(diff) > SYMPY_MAX_OPS
        ):
            continue
        try:
            if sp.simplify(diff) == 0:
                proved += 1
        except Exception:  # noqa: BLE001
            continue
    return proved, entries
