"""The gradient's read-off through a Kronecker product: the adjoint of dP ↦ dP ⊗ Q (and of
dQ ↦ P ⊗ dQ) applied to a cotangent C, in matrix notation where one exists.

Entry by entry, (P ⊗ Q)₍ᵢᵣ₎₍ⱼₛ₎ = PᵢⱼQᵣₛ, so the cotangent of P is Gᵢⱼ = Σᵣₛ C₍ᵢᵣ₎₍ⱼₛ₎Qᵣₛ, a
partial contraction of C against Q. It has a classical form when C is itself a product:

- C = c·1 1ᵀ (from sum(P ⊗ Q)): G = c·sum(Q)·1 1ᵀ;
- C = U ⊗ V: G = U·sum(V ⊙ Q) (so sum((U ⊗ V) ⊙ (P ⊗ Q)) = sum(U ⊙ P)·sum(V ⊙ Q));
- C = c·I with P, Q square (from tr(P ⊗ Q)): I = I ⊗ I, as above, G = c·tr(Q)·I.

Any other C (sum(C ⊙ (A ⊗ B)) with a general C) raises `NotFactorable`: the caller prints
the derivative in index notation (`render.index_kron`).
"""

from __future__ import annotations

from . import expr as E
from .errors import UnsupportedError
from .shapes import DimProduct

__all__ = ["kron_adjoint"]


def _split_scalars(c: E.Expr) -> tuple[list, E.Expr | None]:
    """(scalar factors, the one array factor) of c, or ([], None) for two array factors."""
    if not isinstance(c, E.Mul):
        return ([], c) if not c.shape.is_scalar else ([c], None)
    scalars = [f for f in c.args if f.shape.is_scalar]
    arrays = [f for f in c.args if not f.shape.is_scalar]
    if len(arrays) != 1:
        return [], None
    return scalars, arrays[0]


def _as_kron(c: E.Expr, P: E.Expr, Q: E.Expr):
    """(scalars, U, V) with c = scalars · (U ⊗ V), U shaped like P and V like Q (U, V None
    for all ones); None where c has no such form."""
    scalars, core = _split_scalars(c)
    if core is None:
        return None
    if isinstance(core, E.Ones):
        return scalars, None, None
    if isinstance(core, E.Kron):
        U, V = core.args
        if U.shape == P.shape and V.shape == Q.shape:
            return scalars, U, V
        return None
    if isinstance(core, E.Identity) and P.shape.rows == P.shape.cols:
        if Q.shape.rows == Q.shape.cols and DimProduct(P.shape.rows, Q.shape.rows) == core.n:
            return scalars, E.Identity(P.shape.rows), E.Identity(Q.shape.rows)
    return None


def _contract(scalars: list, mine: E.Expr | None, theirs: E.Expr | None, other, shape):
    """The cotangent of one factor: scalars · mine · sum(theirs ⊙ other)."""
    weight = E.Sum(other if theirs is None else E.Mul(theirs, other))
    body = E.Ones(shape) if mine is None else mine
    return E.Mul(*scalars, weight, body)


def kron_adjoint(x: E.Expr, c: E.Expr, dvar: E.Expr, error: type[UnsupportedError]) -> list:
    """Pairs (child, cotangent contribution) for x = P ⊗ Q with cotangent c; raises `error`
    (readoff.NotFactorable) where the contribution has no matrix form."""
    P, Q = x.args
    form = _as_kron(c, P, Q)
    if form is None:
        raise error(x)
    scalars, U, V = form
    out = []
    if P.depends_on(dvar):
        out.append((P, _contract(scalars, U, V, Q, P.shape)))
    if Q.depends_on(dvar):
        out.append((Q, _contract(scalars, V, U, P, Q.shape)))
    return out
