"""Section "Derivatives of vector element-wise binary operators" and element-wise functions.

∂(w + x)/∂w = I, ∂(w − x)/∂x = −I, ∂(w ⊗ x)/∂w = diag(x), ∂(w ⊘ x)/∂x = diag(−w ⊘ x²),
f(u) element-wise: diag(f'(u)); max(a, b): (a ≥ b) on a, (b > a) on b.
"""

from __future__ import annotations

from .. import expr as E
from .. import primitives
from . import rule
from .expansion import expand, times
from .scalar import power_rule

__all__ = ["d_add", "d_compare", "d_func", "d_max", "d_mul", "d_pow"]


@rule(E.Add, "sum rule")
def d_add(node: E.Expr) -> list:
    """d(u + v) = du + dv (a scalar term expands: dz·1)."""
    return [(t, lambda d: expand(d, node)) for t in node.args]


@rule(E.Mul, "product rule")
def d_mul(node: E.Expr) -> list:
    """d(u ⊗ v) = v ⊗ du + u ⊗ dv."""

    def others(i):
        return E.Mul(*(f for j, f in enumerate(node.args) if j != i))

    return [(f, lambda d, i=i: times(others(i), d, node)) for i, f in enumerate(node.args)]


@rule(E.Pow, "power rule")
def d_pow(node: E.Expr) -> list:
    """d uᵏ = k uᵏ⁻¹ ⊗ du;  d uᵛ = uᵛ ⊗ log(u) ⊗ dv for a variable exponent."""
    u, k = node.args
    return [
        (u, lambda d: times(power_rule(u, k), d, node)),
        (k, lambda d: times(E.Mul(node, E.Func("log", u)), d, node)),
    ]


@rule(E.Func, "element-wise function (chain rule)")
def d_func(node: E.Expr) -> list:
    """d f(u, v) = ∂f/∂u ⊗ du + ∂f/∂v ⊗ dv, the partials from the primitive's record; a
    reduction's record gives its local linear map instead."""
    p = primitives.func(node.name)
    if p.kind in ("reduction", "rowwise"):
        return p.linear(node)
    args = node.operands
    return [
        (u, lambda d, partial=partial: times(partial(*args), d, node))
        for u, partial in zip(args, p.partials)
    ]


@rule(E.Max, "max rule (ReLU)")
def d_max(node: E.Expr) -> list:
    """d max(a, b) = (a ≥ b) ⊗ da + (b > a) ⊗ db; so d max(0, z) = (z > 0) ⊗ dz."""
    a, b = node.args
    return [
        (a, lambda d: times(E.Compare(">=", a, b), d, node)),
        (b, lambda d: times(E.Compare(">", b, a), d, node)),
    ]


@rule(E.Compare, "step (flat almost everywhere)")
def d_compare(node: E.Expr) -> list:
    """d (a > b) = 0 wherever it is differentiable."""
    return []
