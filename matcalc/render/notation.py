"""`Notation`: the tokens a linear map is printed with (Unicode or LaTeX), shared by the
Kronecker/vec form (`render.tensor`) and the index form (`render.index_form`)."""

from __future__ import annotations

from collections.abc import Callable

from .. import expr as E
from ..records import Record

__all__ = ["Notation"]


class Notation(Record):
    __slots__ = (
        "show",
        "kron",  # (Bᵀ, A) → Bᵀ ⊗ A, in the current notation
        "minus",
        "sub",  # index subscript: ij → ᵢⱼ or _{ij}
        "delta",  # Kronecker delta with its indices
        "paren",
        "vec_form",  # (Y, X) → ∂vec(Y)/∂vec(X)
        "index_form",  # (Y, X, Y's indices, X's indices) → ∂Yᵢⱼ/∂Xₖₗ
        "differential",  # Y → d(Y)
        "indexable",  # a name made ready for a subscript
        "sigma",  # a summation over an index
        "where",
        "times",  # a product of numbers in an index legend: i·p + r
        "gap",  # the space before a legend
    )

    def __init__(
        self,
        show: Callable[[E.Expr], str],
        kron: Callable[[str, str], str],
        minus: str,
        sub: Callable[[str], str],
        delta: Callable[[str], str],
        paren: Callable[[str], str],
        vec_form: Callable[[str, str], str],
        index_form: Callable[..., str],
        differential: Callable[[str], str],
        indexable: Callable[[str], str],
        sigma: Callable[[str], str] = lambda m: "Σ" + m,
        where: str = ", where ",
        times: str = "·",
        gap: str = "  ",
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "show", show)
        _set(self, "kron", kron)
        _set(self, "minus", minus)
        _set(self, "sub", sub)
        _set(self, "delta", delta)
        _set(self, "paren", paren)
        _set(self, "vec_form", vec_form)
        _set(self, "index_form", index_form)
        _set(self, "differential", differential)
        _set(self, "indexable", indexable)
        _set(self, "sigma", sigma)
        _set(self, "where", where)
        _set(self, "times", times)
        _set(self, "gap", gap)

    def _key(self) -> tuple:
        return (
            self.show,
            self.kron,
            self.minus,
            self.sub,
            self.delta,
            self.paren,
            self.vec_form,
            self.index_form,
            self.differential,
            self.indexable,
            self.sigma,
            self.where,
            self.times,
            self.gap,
        )
