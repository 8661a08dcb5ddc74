"""Where a derivative can be sampled: the domain facts of an expression (positive
arguments, invertible matrices, kinks) and the random points the numeric comparisons of
`check` and `verify` draw from them. (`matcalc.testing` draws points from shape
declarations, for tests and benchmarks that have no Expr.)"""
from __future__ import annotations

import numpy as np

from . import expr as E

__all__ = [
    "draw_value",
    "kink_arguments",
    "needs_invertible",
    "needs_positive",
    "nodes_of",
    "symbol_point",
]


def nodes_of(*roots) -> list:
    """Every node under the roots, once, in walk order."""
    seen = []
    ids = set()
    for r in roots:
        for n in E.walk(r):
            if n not in ids:
                ids.add(n)
                seen.append(n)
    return seen


def needs_positive(nodes) -> bool:
    """log, sqrt and other non-integer or symbolic powers need positive arguments
    (how sample values are chosen, here and in the tests)."""
    for n in nodes:
        if isinstance(n, E.Func) and n.name == "log":
            return True
        if isinstance(n, E.Pow) and not (isinstance(n.args[1], E.Const)
                                         and n.args[1].value.denominator == 1):
            return True
    return False


def needs_invertible(nodes) -> bool:
    """det and inv need an invertible matrix."""
    return any(isinstance(n, (E.Det, E.Inv)) for n in nodes)


def kink_arguments(nodes) -> list:
    """The expressions whose zero is a kink (max, comparisons, abs, sign)."""
    out = []
    for n in nodes:
        if isinstance(n, (E.Compare, E.Max)):
            a, b = n.children
            out.append(E.sub(a, b))
        elif isinstance(n, E.Func) and n.name in ("abs", "sign"):
            out.append(n.arg)
    return out


def draw_value(var: E.Var, sizes: dict, rng, positive: bool, invertible: bool) -> np.ndarray:
    """A random value of `var` with one decimal, in ±[0.2, 2] (positive when `positive`),
    on its set (symmetric, on the simplex), diagonally dominant where `invertible`."""
    r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))
    if getattr(var, "structure", None) == "simplex":     # positive, summing to 1
        units = 10 * ((r + 9) // 10)
        cuts = np.sort(rng.choice(np.arange(1, units), size=r - 1, replace=False))
        return (np.diff(np.concatenate([[0], cuts, [units]])) / units).reshape(r, 1)
    a = rng.integers(2, 21, size=(r, c)) / 10.0
    if not positive:
        a = a * rng.choice([-1.0, 1.0], size=(r, c))
    if var.symmetric:
        a = np.triu(a) + np.triu(a, 1).T
    if invertible and r == c and r > 1:
        a = a + 2.0 * r * np.eye(r)        # strictly diagonally dominant: det > 0
    return a


def symbol_point(env: dict, rng, positive: bool, invertible: bool) -> dict:
    """Random values for every SymPy symbol of `env` (Var -> Matrix of symbols): each
    variable drawn in ±[0.3, 1.7] on its set (symmetric, on the simplex), positive or
    diagonally dominant where the domain asks."""
    values: dict = {}
    for var, m in env.items():
        if not isinstance(var, E.Var):
            continue
        a = rng.uniform(0.3, 1.7, (m.rows, m.cols))
        if var.structure == "simplex":
            a = a / a.sum()
        elif not positive:
            a = a * rng.choice([-1.0, 1.0], a.shape)
        if var.symmetric:
            a = np.triu(a) + np.triu(a, 1).T
        if invertible and m.rows == m.cols and m.rows > 1:
            a = a + 2.0 * m.rows * np.eye(m.rows)
        values.update({m[i, j]: a[i, j] for i in range(m.rows) for j in range(m.cols)})
    return values
