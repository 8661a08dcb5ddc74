"""Derivatives by a structured variable — a symmetric matrix, a simplex vector — and the
one convention matcalc keeps for them (README, "Layouts").

The derivative by a symmetric X (or a simplex y) is the unconstrained gradient: X's entries
are treated as independent, and the result is evaluated at a symmetric X (y on the
simplex), as the Matrix Cookbook's main formulas and matrixcalculus.org do. `evaluate`
and `check` compute exactly that. Such a gradient depends on how the expression extends
off the set (tr(XB) and tr(XᵀB) agree on symmetric X, their gradients Bᵀ and B do not), but
only by a direction normal to the set: an antisymmetric matrix for X, a multiple of 1 for
y. `verify` therefore accepts a claim that differs from matcalc's form by such a direction
alone, comparing the parts that the set fixes: (G + Gᵀ)/2, and G with its mean along the
y axis removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .shapes import Shape

if TYPE_CHECKING:  # for annotations only
    from .expr import Var

__all__ = ["projection"]


def projection(var: Var, due: Shape, layout: str) -> tuple[Callable, str] | None:
    """(function on 2-D arrays, the note that says what it does), or None when `var` has no
    structure or the derivative's shape does not carry it. The function works on NumPy
    arrays and on SymPy matrices alike."""
    if var.symmetric and due == var.shape:
        return _symmetric_part, (
            f"{var.name} is symmetric: a derivative by it is fixed up to "
            "an antisymmetric matrix, and compared as (G + Gᵀ)/2"
        )
    if var.structure == "rowsimplex" and due == var.shape:
        return (lambda m: _centred(m, 1)), (
            f"{var.name}'s rows are on the simplex: a derivative by it is fixed up to "
            f"c1ᵀ (a constant per row), and compared with each row's mean removed"
        )
    if var.structure == "simplex":
        axis = 0 if layout == "denominator" or due.cols == 1 else 1
        one = "1" if axis == 0 else "1ᵀ"
        return (lambda m: _centred(m, axis)), (
            f"{var.name} is on the simplex: a derivative by it is fixed up to a multiple of "
            f"{one}, and compared with its mean along {var.name} removed"
        )
    return None


def _symmetric_part(m):
    return (m + m.T) / 2


def _centred(m, axis: int):
    """m with the mean along `axis` removed: m (I − 11ᵀ/n) for axis 1, (I − 11ᵀ/n) m for 0."""
    n = m.shape[axis]
    if hasattr(m, "applyfunc"):  # a SymPy Matrix
        import sympy as sp

        p = sp.eye(n) - sp.ones(n, n) / n
    else:
        import numpy as np

        p = np.eye(n) - np.full((n, n), 1.0 / n)
    return m @ p if axis == 1 else p @ m
