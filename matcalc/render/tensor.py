"""Printing derivatives that are linear maps between matrices (order 3 and 4 tensors).

d Y = Σ cₜ Aₜ dX Bₜ is shown as ∂vec(Y)/∂vec(X) = Σ cₜ (Bₜᵀ ⊗ Aₜ) — the Kronecker form
(Magnus–Neudecker, column-major vec) — where every term has that shape; otherwise in
index notation term by term (∂Yᵢⱼ/∂Xₖₗ = Aᵢₖ Bₗⱼ, … ), and as the differential itself
when a term has neither form (`index_form`: element-wise coefficients, sums written out);
the differential itself where none of these apply. Never an error: the map is always evaluable numerically.
One walk (`_render`) for both targets; a `Notation` holds what differs between Unicode
text and LaTeX (the LaTeX one is complete: no `∂`, `−` or `vec(` left for a TeX engine).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import expr as E
from ..derived import DerivativeLike
from ..readoff import kronecker_term
from ..records import replace
from .index_form import index_terms, indexed, render_terms
from .index_kron import kron_index_text
from .latex_names import fold_lines
from .notation import Notation
from .styles import LatexStyle, Style
from .text import latex, text

__all__ = [
    "LATEX",
    "SUB",
    "TEXT",
    "Notation",
    "linear_map_exprs",
    "linear_map_latex",
    "linear_map_text",
]


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


def _scaled(c, body, n: Notation):
    if E.is_const(c, 1):
        return body
    if E.is_const(c, -1):
        return n.minus + body
    return f"{n.show(c)} {body}" if not isinstance(c, E.Add) else f"{n.paren(n.show(c))} {body}"


def linear_map_exprs(d: DerivativeLike) -> list:
    """The expressions `_render` prints on the right-hand side (for `render.names`)."""
    dX = E.Differential(d.wrt[0])
    parts = [_split(t, dX) for t in _terms(d.differential)]
    if all(p is not None for p in parts):
        transposed = not all(not p[2] for p in parts)
        return [
            x
            for c, A, _, B in parts
            for x in (c, A, B if transposed or B is None else E.Transpose(B))
            if x is not None
        ]
    if index_terms(d.differential, dX):  # index notation names its own factors (S = …)
        return []
    if kron_index_text(d.differential, dX, "", "", TEXT, set()) is not None:
        return []
    return [d.differential]


def _render(d, n: Notation, rhs: Callable | None = None):
    """The equation; `rhs` (default `n.show`) prints the right-hand side's expressions
    (a printer with named intermediates), the left-hand side is always printed whole."""
    var = d.wrt[0]
    dX = E.Differential(var)
    L = d.differential
    parts = [_split(t, dX) for t in _terms(L)]
    left_show, show = n.show, rhs or n.show
    n = replace(n, show=show)
    if all(p is not None and not p[2] for p in parts):
        pieces = []
        for c, A, _, B in parts:
            left = show(E.Transpose(B)) if B is not None else "I"
            right = show(A) if A is not None else "I"
            pieces.append(_scaled(c, n.kron(left, right), n))
        return f"{n.vec_form(left_show(d.expression), show(var))} = " + " + ".join(pieces)
    # an output or variable axis of length 1 has no index (a vector's ∂(Xᵀ1)ᵢ/∂Xₖₗ)
    i, j = ("" if m == 1 else x for m, x in zip((L.shape.rows, L.shape.cols), "ij"))
    kk, ll = ("" if m == 1 else x for m, x in zip((var.shape.rows, var.shape.cols), "kl"))
    lhs = n.index_form(left_show(d.expression), show(var), i + j, kk + ll)
    if all(p is not None for p in parts):
        pieces = []
        for c, A, transposed, B in parts:
            k, l = (ll, kk) if transposed else (kk, ll)
            a = _factor(A, n, i, k)
            b = _factor(B, n, l, j)
            pieces.append(_scaled(c, f"{a}{b}" or "1", n))
        return f"{lhs} = " + " + ".join(pieces)
    terms = index_terms(L, dX)
    if terms:
        taken = {v.name for v in L.free if isinstance(v, E.Var)} | {var.name}
        body, where = render_terms(terms, replace(n, show=left_show), taken)
        said = n.where + ", ".join(f"{a} = {b}" for a, b in where) if where else ""
        return f"{lhs} = {body}{said}"
    taken = {v.name for v in L.free if isinstance(v, E.Var)} | {var.name}
    kron = kron_index_text(
        L, dX, left_show(d.expression), show(var), replace(n, show=left_show), taken
    )
    if kron is not None:  # through a Kronecker product: composite indices (index_kron)
        return kron
    return f"{n.differential(left_show(d.expression))} = {show(L)}"


def _factor(M, n: Notation, a: str, b: str) -> str:
    """M indexed by a, b (an index "" where the output has no such axis); M None is the
    identity (a delta, or 1 with one index gone); a ones vector or matrix is 1."""
    if isinstance(M, E.Ones):
        return ""
    if M is None:
        return n.delta(a + b) if a and b else ""
    return indexed(M, n, a, b)


# letters, and the parentheses of a composite index ₍ᵢᵣ₎ (render.index_kron)
SUB = str.maketrans("ijklmnprstuvaeoh()", "ᵢⱼₖₗₘₙₚᵣₛₜᵤᵥₐₑₒₕ₍₎")

TEXT = Notation(
    show=text,
    kron=lambda a, b: Style().kron(a, b),
    minus="−",
    sub=lambda s: s.translate(SUB),
    delta=lambda s: "δ" + s.translate(SUB),
    paren=lambda s: f"({s})",
    vec_form=lambda y, x: f"∂vec({y})/∂vec({x})",
    index_form=lambda y, x, i="ij", k="kl": f"∂({y}){i.translate(SUB)}/∂{x}{k.translate(SUB)}",
    differential=lambda y: f"d({y})",
    indexable=lambda name: name,
    sigma=lambda m: "Σ" + m.translate(SUB) + " ",
)


def _braced(name: str) -> str:
    """`W_{1}` takes a further subscript as `{W_{1}}_{kl}`; a double subscript is an error."""
    return "{" + name + "}" if "_" in name else name


LATEX = Notation(
    show=latex,
    kron=lambda a, b: LatexStyle().kron(a, b),
    minus="-",
    sub=lambda s: "_{" + s + "}",
    delta=lambda s: "\\delta_{" + s + "}",
    paren=lambda s: f"({s})",
    vec_form=lambda y, x: (
        f"\\frac{{\\partial \\operatorname{{vec}}({y})}}{{\\partial \\operatorname{{vec}}({x})}}"
    ),
    index_form=lambda y, x, i="ij", k="kl": (  # a scalar y has no index: no _{}
        f"\\frac{{\\partial ({y}){'_{' + i + '}' if i else ''}}}{{\\partial {_braced(x)}_{{{k}}}}}"
    ),
    differential=lambda y: f"\\mathrm{{d}}({y})",
    indexable=_braced,
    sigma=lambda m: "\\sum_{" + m + "} ",
    where=",\\quad\\text{where } ",
    times=" \\cdot ",
    gap="\\quad ",
)


def linear_map_text(d: DerivativeLike, show: Callable | None = None) -> str:
    """The whole equation in Unicode; `show` prints the right-hand side's expressions."""
    return _render(d, TEXT, show)


def linear_map_latex(d: DerivativeLike, show: Callable | None = None) -> str:
    """The whole equation in LaTeX (the left side a fraction of partials)."""
    return fold_lines(_render(d, LATEX, show))
