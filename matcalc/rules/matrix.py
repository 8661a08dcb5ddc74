"""Beyond the tutorial: matrix functions, from the Matrix Cookbook (Petersen & Pedersen §2).

d Xᵀ = (dX)ᵀ, d tr(X) = tr(dX), d det(X) = det(X) tr(X⁻¹dX), d X⁻¹ = −X⁻¹ dX X⁻¹,
d diag(v) = diag(dv), d diag(M) = diag(dM) (M's diagonal), d softmax(u) = (diag(s) − s sᵀ) du, literals component-wise.
"""

from __future__ import annotations

from .. import expr as E
from . import rule

__all__ = [
    "d_block",
    "d_det",
    "d_diag",
    "d_diagonal",
    "d_inv",
    "d_kron",
    "d_softmax",
    "d_trace",
    "d_transpose",
]


@rule(E.Transpose, "transpose")
def d_transpose(node: E.Expr) -> list:
    """d(Xᵀ) = (dX)ᵀ."""
    return [(node.args[0], lambda d: E.Transpose(d))]


@rule(E.Trace, "trace")
def d_trace(node: E.Expr) -> list:
    """d tr(X) = tr(dX)."""
    return [(node.args[0], lambda d: E.Trace(d))]


@rule(E.Det, "determinant (Jacobi's formula)")
def d_det(node: E.Expr) -> list:
    """d det(X) = det(X) tr(X⁻¹ dX)."""
    x = node.args[0]
    return [(x, lambda d: E.Mul(node, E.Trace(E.MatMul(E.Inv(x), d))))]


@rule(E.Inv, "inverse")
def d_inv(node: E.Expr) -> list:
    """d X⁻¹ = −X⁻¹ dX X⁻¹."""
    return [(node.args[0], lambda d: E.neg(E.MatMul(node, d, node)))]


@rule(E.Diag, "diag")
def d_diag(node: E.Expr) -> list:
    """d diag(v) = diag(dv)."""
    return [(node.args[0], lambda d: E.Diag(d))]


@rule(E.Diagonal, "diagonal")
def d_diagonal(node: E.Expr) -> list:
    """d diag(M) = diag(dM): the diagonal of a square matrix is linear in it."""
    return [(node.args[0], lambda d: E.Diagonal(d))]


@rule(E.Softmax, "softmax")
def d_softmax(node: E.Expr) -> list:
    """d softmax(u) = (diag(s) − s sᵀ) du with s = softmax(u)."""
    s = node
    jac = E.sub(E.Diag(s), E.MatMul(s, E.Transpose(s)))
    return [(node.args[0], lambda d: E.MatMul(jac, d))]


@rule(E.Kron, "Kronecker product")
def d_kron(node: E.Expr) -> list:
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB (bilinear)."""
    a, b = node.args
    return [(a, lambda d: E.Kron(d, b)), (b, lambda d: E.Kron(a, d))]


@rule(E.Block, "stacking (component-wise)")
def d_block(node: E.Expr) -> list:
    """d [f₁, f₂] = [df₁, df₂]: each component differentiated on its own."""
    rows = node.rows
    out = []
    for i, row in enumerate(rows):
        for j, entry in enumerate(row):

            def linear(d, i=i, j=j):
                return E.Block(
                    tuple(
                        tuple(d if (a, b) == (i, j) else E.Zero(x.shape) for b, x in enumerate(r))
                        for a, r in enumerate(rows)
                    )
                )

            out.append((entry, linear))
    return out
