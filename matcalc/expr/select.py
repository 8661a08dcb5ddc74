"""Unit vectors and selection matrices: the constants that indexing with integers lowers to.

`Unit(n, k)` is eₖ, column k of the n×n identity (NumPy's `np.eye(n)[:, k]`, k counted
from 0 as NumPy counts; a negative k counts from the end, so e₋₁ is the last column).
`Unit(n, k, length)` is the n×length block of columns k … k+length−1 of the identity
(`np.eye(n)[:, k:k+length]`), printed `I[:, k:k+length]`. With them

    x[k] = eₖᵀx      X[k] = Xᵀeₖ (row k, a vector)      X[:, k] = X eₖ      X[i, j] = eᵢᵀX eⱼ
    x[a:b] = I[:, a:b]ᵀx                                X[:, a:b] = X I[:, a:b]

so indexing differentiates as the linear map it is: ∂x[k]/∂x = eₖᵀ, the unit row.
"""

from __future__ import annotations

from ..errors import MatcalcError
from ..shapes import Shape
from .core import Const, Expr, _node

__all__ = ["Unit"]


class Unit(Expr):
    """eₖ (length 1) or the columns k … k+length−1 of the n×n identity."""

    category = 2

    def __new__(cls, n, start: int, length: int = 1):
        if length < 1:
            raise MatcalcError("an empty selection", expected="a slice of at least one entry")
        if isinstance(n, int):
            first = start + n if start < 0 else start
            if first < 0 or first + length > n:
                raise MatcalcError(
                    f"index {start if length == 1 else f'{start}:{start + length}'} is out "
                    f"of range for an axis of length {n}",
                    expected=f"indices from {-n} to {n - 1}",
                )
            start = first
            if n == 1:
                return Const(1)
        elif start < 0 < start + length:
            raise MatcalcError(
                "a slice that wraps past the end", expected="a slice inside the axis"
            )
        return _node(cls, (n, start, length), Shape(n, length), "e")

    n = property(lambda self: self.args[0])
    start = property(lambda self: self.args[1])
    length = property(lambda self: self.args[2])

    @property
    def needs(self) -> int:
        """The shortest axis this selection fits: k + length, or −k from the end."""
        return self.start + self.length if self.start >= 0 else -self.start

    def columns(self) -> slice:
        """The columns of the identity this selects, as a Python slice."""
        stop = self.start + self.length
        return slice(self.start, None if stop == 0 else stop)

    def columns_text(self) -> str:
        """The slice of `columns` as code: `2:3`, `-1:`."""
        stop = self.start + self.length
        return f"{self.start}:{'' if stop == 0 else stop}"

    def slice_text(self) -> str:
        """`k` for eₖ, `a:b` for a block (as NumPy writes the slice)."""
        if self.length == 1:
            return str(self.start)
        stop = self.start + self.length
        return f"{self.start}:{'' if stop == 0 else stop}"
