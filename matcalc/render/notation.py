"""`Notation`: the tokens a linear map is printed with (Unicode or LaTeX), shared by the
Kronecker/vec form (`render.tensor`) and the index form (`render.index_form`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E

__all__ = ["Notation"]


@dataclass(frozen=True)
class Notation:
    show: Callable[[E.Expr], str]
    kron: Callable[[str, str], str]  # (Bᵀ, A) → Bᵀ ⊗ A, in the current notation
    minus: str
    sub: Callable[[str], str]  # index subscript: ij → ᵢⱼ or _{ij}
    delta: Callable[[str], str]  # Kronecker delta with its indices
    paren: Callable[[str], str]
    vec_form: Callable[[str, str], str]  # (Y, X) → ∂vec(Y)/∂vec(X)
    index_form: Callable[..., str]  # (Y, X, Y's indices, X's indices) → ∂Yᵢⱼ/∂Xₖₗ
    differential: Callable[[str], str]  # Y → d(Y)
    indexable: Callable[[str], str]  # a name made ready for a subscript
    sigma: Callable[[str], str] = lambda m: "Σ" + m  # a summation over an index
    where: str = ", where "
