"""Printing derivatives that are linear maps between matrices (order 3 and 4 tensors).

d Y = Σ cₜ Aₜ dX Bₜ is shown as ∂vec(Y)/∂vec(X) = Σ cₜ (Bₜᵀ ⊗ Aₜ) — the Kronecker form
(Magnus–Neudecker, column-major vec) — where every term has that shape; otherwise in
index notation term by term (∂Yᵢⱼ/∂Xₖₗ = Aᵢₖ Bₗⱼ, … ), and as the differential itself
when a term has neither form. Never an error: the map is always evaluable numerically.
"""
from __future__ import annotations

from .. import expr as E
from ..readoff import kronecker_term
from .text import latex, text


def _terms(L):
    return L.args if isinstance(L, E.Add) else (L,)


def _split(term, dX):
    """c · A · dX · B  →  (c, A, transposed?, B), an element-wise column coefficient a
    folded into A as diag(a); None for any other term."""
    k = kronecker_term(term, dX)
    if k is None:
        return None
    if k.arrays and not (k.core.shape.is_column and all(a.shape.is_column for a in k.arrays)):
        return None
    A = k.A
    if k.arrays:
        scale = E.Diag(E.Mul(*k.arrays))
        A = scale if A is None else E.MatMul(scale, A)
    return (E.Mul(*k.scalars) if k.scalars else E.Const(1)), A, k.transposed, k.B


def _scaled(c, body, show):
    if E.is_const(c, 1):
        return body
    if E.is_const(c, -1):
        return "−" + body
    return f"{show(c)} {body}" if not isinstance(c, E.Add) else f"({show(c)}) {body}"


def _render(d, show, kron, sub, delta):
    var = d.wrt[0]
    dX = E.Differential(var)
    L = d.differential
    parts = [_split(t, dX) for t in _terms(L)]
    vname = var.name
    if all(p is not None and not p[2] for p in parts):
        pieces = []
        for c, A, _, B in parts:
            left = show(E.Transpose(B)) if B is not None else "I"
            right = show(A) if A is not None else "I"
            pieces.append(_scaled(c, f"{left} {kron} {right}", show))
        return f"∂vec({show(d.expression)})/∂vec({vname}) = " + " + ".join(pieces)
    if all(p is not None for p in parts):
        pieces = []
        for c, A, transposed, B in parts:
            k, l = ("l", "k") if transposed else ("k", "l")
            a = _indexed(A, show, sub("i" + k)) if A is not None else delta("i" + k)
            b = _indexed(B, show, sub(l + "j")) if B is not None else delta(l + "j")
            pieces.append(_scaled(c, f"{a}{b}", show))
        return f"∂({show(d.expression)}){sub('ij')}/∂{vname}{sub('kl')} = " + " + ".join(pieces)
    return f"d({show(d.expression)}) = {show(L)}"


def _indexed(M, show, index):
    body = show(M)
    return (body if isinstance(M, E.Var) else f"({body})") + index


SUB = str.maketrans("ijkl", "ᵢⱼₖₗ")


def linear_map_text(d) -> str:
    return _render(d, text, "⊗", lambda s: s.translate(SUB), lambda s: "δ" + s.translate(SUB))


def linear_map_latex(d) -> str:
    return _render(d, latex, "\\otimes", lambda s: "_{" + s + "}", lambda s: "\\delta_{" + s + "}")
