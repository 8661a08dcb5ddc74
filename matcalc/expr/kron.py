"""The Kronecker product A ⊗ B (NumPy's np.kron): the block matrix [Aᵢⱼ B]. With A m×n
and B p×q it is (m·p)×(n·q), its dimensions products (`shapes.DimProduct`)."""

from __future__ import annotations

from ..shapes import DimProduct, Shape
from .algebra import Mul
from .core import Expr, Zero, _node, is_zero

__all__ = ["Kron"]


class Kron(Expr):
    """A ⊗ B; a scalar factor is pulled out (c ⊗ B = cB), a zero factor makes it zero."""

    category = 5

    def __new__(cls, a: Expr, b: Expr):
        if a.shape.is_scalar or b.shape.is_scalar:
            return Mul(a, b)
        shape = Shape(
            DimProduct(a.shape.rows, b.shape.rows), DimProduct(a.shape.cols, b.shape.cols)
        )
        if is_zero(a) or is_zero(b):
            return Zero(shape)
        return _node(cls, (a, b), shape, "kron")
