"""Section "Vector sum reduction" and the dot product: sum, mean (a scaled sum), norms,
logsumexp, and the bilinear matrix product (w·x = wᵀx gives xᵀ and wᵀ)."""

from __future__ import annotations

from .. import expr as E
from . import rule

__all__ = ["d_logsumexp", "d_matmul", "d_norm", "d_sum"]


@rule(E.Sum, "sum reduction")
def d_sum(node: E.Expr) -> list:
    """d sum(u) = sum(du) = 1ᵀ du."""
    u = node.args[0]
    return [(u, lambda d: E.Sum(d))]


@rule(E.MatMul, "product rule (matrix product)")
def d_matmul(node: E.Expr) -> list:
    """d(A B) = dA B + A dB; for vectors d(w·x) = xᵀdw + wᵀdx."""
    fs = node.args
    return [(f, lambda d, i=i: E.MatMul(*fs[:i], d, *fs[i + 1 :])) for i, f in enumerate(fs)]


@rule(E.Norm, "norm rule")
def d_norm(node: E.Expr) -> list:
    """d‖u‖ = uᵀdu / ‖u‖ (Frobenius: sum(U ⊗ dU) / ‖U‖)."""
    u = node.args[0]
    inv = E.Pow(node, E.Const(-1))
    if u.shape.is_column:
        return [(u, lambda d: E.Mul(inv, E.MatMul(E.Transpose(u), d)))]
    return [(u, lambda d: E.Mul(inv, E.Sum(E.Mul(u, d))))]


@rule(E.LogSumExp, "logsumexp rule")
def d_logsumexp(node: E.Expr) -> list:
    """d logsumexp(u) = softmax(u)ᵀ du."""
    u = node.args[0]
    if u.shape.is_column:
        return [(u, lambda d: E.MatMul(E.Transpose(E.Softmax(u)), d))]
    weights = E.Mul(E.Func("exp", E.sub(u, node)))
    return [(u, lambda d: E.Sum(E.Mul(weights, d)))]
