"""The rules of diagonals and all-ones vectors (the tutorial's `1ᵀdiag(x) = xᵀ`, …), tried
first. `pairs` applies a match to neighbouring factors of a matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from .. import expr as E
from .engine import rewrite

__all__ = [
    "diag_diag",
    "diag_diag_cancels",
    "diag_ones",
    "diag_scalar",
    "diag_vector",
    "ones_diag",
    "ones_dot",
    "pairs",
    "row_diag",
]


def pairs(node: E.Expr, match: Callable) -> E.Expr | None:
    """Apply `match(left, right)` to neighbours of a matrix product; splice the first hit."""
    fs = node.args
    for i in range(len(fs) - 1):
        hit = match(fs[i], fs[i + 1])
        if hit is not None:
            return E.MatMul(*fs[:i], hit, *fs[i + 2 :])
    return None


def _ones_row(x):
    return isinstance(x, E.Ones) and x.shape.is_row


def _ones_column(x):
    return isinstance(x, E.Ones) and x.shape.is_column


@rewrite("ones-diag")
def ones_diag(node: E.Expr) -> E.Expr | None:
    """1ᵀ diag(a) → aᵀ. Shrinks: two factors become one."""
    if isinstance(node, E.MatMul):
        return pairs(
            node,
            lambda a, b: E.Transpose(b.args[0]) if _ones_row(a) and isinstance(b, E.Diag) else None,
        )


@rewrite("diag-ones")
def diag_ones(node: E.Expr) -> E.Expr | None:
    """diag(a) 1 → a. Shrinks: two factors become one."""
    if isinstance(node, E.MatMul):
        return pairs(
            node, lambda a, b: a.args[0] if isinstance(a, E.Diag) and _ones_column(b) else None
        )


def _exponents(e: E.Expr) -> dict:
    out: dict = {}
    for f in e.args if isinstance(e, E.Mul) else (e,):
        base, k = E.power_parts(f)
        if not isinstance(base, E.Const):
            out[base] = out.get(base, Fraction(0)) + k
    return out


def _cancels(a: E.Expr, b: E.Expr) -> bool:
    """Some factor of a cancels against one of b in a ⊙ b (s⁻¹ with s)."""
    ea, eb = _exponents(a), _exponents(b)
    return any(k + eb[base] == 0 for base, k in ea.items() if base in eb)


@rewrite("diag-diag-cancels")
def diag_diag_cancels(node: E.Expr) -> E.Expr | None:
    """diag(1 ⊘ s) diag(s ⊙ t) → diag(t): a product of diagonals whose entries cancel, a
    step of its own so the cancellation is seen. Shrinks: one diag and the cancelled
    factors go."""
    if isinstance(node, E.MatMul):
        return pairs(
            node,
            lambda a, b: (
                E.Diag(E.Mul(a.args[0], b.args[0]))
                if isinstance(a, E.Diag)
                and isinstance(b, E.Diag)
                and _cancels(a.args[0], b.args[0])
                else None
            ),
        )


@rewrite("diag-diag")
def diag_diag(node: E.Expr) -> E.Expr | None:
    """diag(a) diag(b) → diag(a ⊗ b). Shrinks: one diag fewer."""
    if isinstance(node, E.MatMul):
        return pairs(
            node,
            lambda a, b: (
                E.Diag(E.Mul(a.args[0], b.args[0]))
                if isinstance(a, E.Diag) and isinstance(b, E.Diag)
                else None
            ),
        )


@rewrite("diag-vector")
def diag_vector(node: E.Expr) -> E.Expr | None:
    """diag(a) b → a ⊗ b for a column b. Shrinks: the diag disappears."""
    if isinstance(node, E.MatMul):
        return pairs(
            node,
            lambda a, b: (
                E.Mul(a.args[0], b)
                if isinstance(a, E.Diag) and b.shape.is_column and not isinstance(b, E.Ones)
                else None
            ),
        )


@rewrite("row-diag")
def row_diag(node: E.Expr) -> E.Expr | None:
    """bᵀ diag(a) → (a ⊗ b)ᵀ for a row bᵀ. Shrinks: the diag disappears."""
    if isinstance(node, E.MatMul):
        return pairs(
            node,
            lambda a, b: (
                E.Transpose(E.Mul(b.args[0], E.Transpose(a)))
                if isinstance(b, E.Diag) and a.shape.is_row and not isinstance(a, E.Ones)
                else None
            ),
        )


@rewrite("ones-dot")
def ones_dot(node: E.Expr) -> E.Expr | None:
    """1ᵀ a → sum(a) and aᵀ 1 → sum(a). Shrinks: a product becomes a reduction."""
    if isinstance(node, E.MatMul):

        def match(a, b):
            if _ones_row(a) and b.shape.is_column and not isinstance(b, E.Ones):
                return E.Sum(b)
            if a.shape.is_row and _ones_column(b) and not isinstance(a, E.Ones):
                return E.Sum(E.Transpose(a))
            return None

        return pairs(node, match)


@rewrite("diag-scalar")
def diag_scalar(node: E.Expr) -> E.Expr | None:
    """diag(c a) → c diag(a) for a constant c. Shrinks: the sign or number is written in
    front, as −diag(σ ⊙ (1 − σ)), where it combines with the other constants."""
    if isinstance(node, E.Diag) and isinstance(node.args[0], E.Mul):
        c, rest = E.split_coefficient(node.args[0])
        if c != 1 and rest.shape == node.args[0].shape:
            return E.Mul(E.Const(c), E.Diag(rest))
    return None
