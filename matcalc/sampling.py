"""Where a derivative can be sampled: the random points the numeric comparisons of `check`
and `verify` draw, from the domain facts of an expression (positive arguments, invertible
matrices, bounded arguments, kinks and edges), which come from the primitive registry
(`matcalc.primitives.sampling`, re-exported here). (`matcalc.testing` draws points from
shape declarations, for tests and benchmarks that have no Expr.)"""

from __future__ import annotations

import math

import numpy as np

from . import expr as E
from .primitives.sampling import (
    domain_gaps,
    kink_arguments,
    needs_invertible,
    needs_positive,
    radius,
)

__all__ = [
    "domain_gaps",
    "draw_value",
    "kink_arguments",
    "needs_invertible",
    "needs_positive",
    "nodes_of",
    "radius",
    "symbol_point",
]


def nodes_of(*roots: E.Expr) -> list:
    """Every node under the roots, once, in walk order."""
    seen = []
    ids = set()
    for r in roots:
        for n in E.walk(r):
            if n not in ids:
                ids.add(n)
                seen.append(n)
    return seen


def draw_value(
    var: E.Var,
    sizes: dict,
    rng: np.random.Generator,
    positive: bool,
    invertible: bool,
    bound: float = math.inf,
) -> np.ndarray:
    """A random value of `var` with one decimal, in ±[0.2, 2] (positive when `positive`),
    or in ±[0.1, 0.9]·bound when `bound` is finite (`radius`: arcsin, log1p), on its set
    (symmetric, on the simplex), diagonally dominant where `invertible`."""
    r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))
    if getattr(var, "structure", None) == "rowsimplex":  # positive rows summing to 1
        a = rng.integers(1, 10, size=(r, c)) / 10.0
        return a / a.sum(axis=1, keepdims=True)
    if getattr(var, "structure", None) == "simplex":  # positive, summing to 1
        units = 10 * ((r + 9) // 10)
        cuts = np.sort(rng.choice(np.arange(1, units), size=r - 1, replace=False))
        return (np.diff(np.concatenate([[0], cuts, [units]])) / units).reshape(r, 1)
    if math.isfinite(bound):
        a = rng.integers(1, 10, size=(r, c)) / 10.0 * bound
    else:
        a = rng.integers(2, 21, size=(r, c)) / 10.0
    if not positive:
        a = a * rng.choice([-1.0, 1.0], size=(r, c))
    if var.symmetric:
        a = np.triu(a) + np.triu(a, 1).T
    if invertible and r == c and r > 1:
        a = a + 2.0 * r * np.eye(r)  # strictly diagonally dominant: det > 0
    return a


def symbol_point(
    env: dict, rng: np.random.Generator, positive: bool, invertible: bool, bound: float = math.inf
) -> dict:
    """Random values for every SymPy symbol of `env` (Var -> Matrix of symbols): each
    variable drawn in ±[0.3, 1.7] (±[0.1, 0.9]·bound when `bound` is finite) on its set
    (symmetric, on the simplex), positive or diagonally dominant where the domain asks."""
    values: dict = {}
    for var, m in env.items():
        if not isinstance(var, E.Var):
            continue
        low, high = (0.1 * bound, 0.9 * bound) if math.isfinite(bound) else (0.3, 1.7)
        a = rng.uniform(low, high, (m.rows, m.cols))
        if var.structure == "simplex":
            a = a / a.sum()
        elif var.structure == "rowsimplex":
            a = a / a.sum(axis=1, keepdims=True)
        elif not positive:
            a = a * rng.choice([-1.0, 1.0], a.shape)
        if var.symmetric:
            a = np.triu(a) + np.triu(a, 1).T
        if invertible and m.rows == m.cols and m.rows > 1:
            a = a + 2.0 * m.rows * np.eye(m.rows)
        values.update({m[i, j]: a[i, j] for i in range(m.rows) for j in range(m.cols)})
    return values
