"""Section "Vector sum reduction" / "scalar expansion": a scalar operand of an element-wise
operator acts as the vector z1, so its contribution to an n-vector's differential is
`dz · 1` (∂(x + z)/∂z = 1, a column of ones; ∂(x ⊗ z)/∂z = x)."""

from __future__ import annotations

from .. import expr as E

__all__ = ["expand", "times"]


def expand(contribution: E.Expr, node: E.Expr) -> E.Expr:
    """Give a contribution the node's shape: a scalar contribution to an array node is z1."""
    if contribution.shape == node.shape:
        return contribution
    return E.Mul(contribution, E.Ones(node.shape))


def times(partial: E.Expr, d: E.Expr, node: E.Expr) -> E.Expr:
    """partial ⊗ d, expanded to the node's shape (the element-wise chain rule's product)."""
    return expand(E.Mul(partial, d), node)
