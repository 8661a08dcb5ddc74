"""Index notation for a linear map through a Kronecker product, which has no vec/Kronecker
Jacobian of the `render.tensor` kind: the composite indices written out.

With P m×n and Q p×q, (P ⊗ Q)₍ᵢᵣ₎₍ⱼₛ₎ = PᵢⱼQᵣₛ, where the row (i, r) is row i·p + r and the
column (j, s) is column j·q + s (indices from 0, NumPy's np.kron). So

    ∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗBᵣₛ        ∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗAᵢⱼ

and a scalar sum(C ⊙ (A ⊗ B)) has ∂/∂Aₖₗ = Σᵣ Σₛ C₍ₖᵣ₎₍ₗₛ₎Bᵣₛ (a partial contraction, no
matrix form). A term is c·G ⊙ (P ⊗ Q) (or its transpose, Pᵀ ⊗ Qᵀ) with c scalar, G an
array indexed by the composite indices (exp(A ⊗ B) by A: δᵢₖδⱼₗS₍ᵢᵣ₎₍ⱼₛ₎Bᵣₛ), and the
dependent factor read by `index_form.factor_terms` (products, transposes, sums: kron(AAᵀ, B) by
A); the printed equation ends with what the composite indices mean. `kron_index_text`
returns None for any other map (a product after the Kronecker one, (A ⊗ B)C): the caller
prints the differential.
"""

from __future__ import annotations

from .. import expr as E
from .index_form import NoIndexForm, factor_terms, render_terms
from .notation import Notation

__all__ = ["kron_index_text"]

FREE = "mnptuvaeoh"  # summation indices inside a factor (not i j k l r s)


class _Fresh:
    def __init__(self):
        self.used = 0

    def __call__(self) -> str:
        if self.used >= len(FREE):
            raise NoIndexForm
        self.used += 1
        return FREE[self.used - 1]


def _kron(f: E.Expr) -> E.Kron | None:
    """f as a Kronecker node: (P ⊗ Q)ᵀ is Pᵀ ⊗ Qᵀ."""
    if isinstance(f, E.Transpose) and isinstance(f.args[0], E.Kron):
        made = E.Kron(*(E.Transpose(a) for a in f.args[0].args))
        return made if isinstance(made, E.Kron) else None
    return f if isinstance(f, E.Kron) else None


def _split(term: E.Expr, dX: E.Expr):
    """(scalar factors, element-wise array factors, the Kron node) of a term
    c·G ⊙ (P ⊗ Q) with c and G constant, else None."""
    if _kron(term) is not None:
        return [], [], _kron(term)
    if isinstance(term, E.Mul):
        dep = [f for f in term.args if f.depends_on(dX)]
        if len(dep) == 1 and _kron(dep[0]) is not None:
            rest = [f for f in term.args if f is not dep[0]]
            scalars = [f for f in rest if f.shape.is_scalar]
            arrays = [f for f in rest if not f.shape.is_scalar and not isinstance(f, E.Ones)]
            if any(f.shape != term.shape for f in arrays):  # broadcast: not entry by entry
                return None
            return scalars, arrays, _kron(dep[0])
    return None


def _one(dim_is_one: bool, name: str) -> str | None:
    return None if dim_is_one else name


def _kron_terms(L: E.Expr, dX: E.Expr):
    """(terms of ∂L₍ᵢᵣ₎₍ⱼₛ₎/∂Xₖₗ, P's shape, Q's shape) for L = Σ cₜ·(Pₜ ⊗ Qₜ), one factor
    of each linear in dX and the others constant; None otherwise."""
    parts = [_split(t, dX) for t in (L.args if isinstance(L, E.Add) else (L,))]
    if not parts or any(p is None for p in parts):
        return None
    shapes = {(k.args[0].shape, k.args[1].shape) for _, _, k in parts}
    if len(shapes) != 1:
        return None
    (pshape, qshape), fresh, out = next(iter(shapes)), _Fresh(), []
    i, j = _one(pshape.rows == 1, "i"), _one(pshape.cols == 1, "j")
    r, s = _one(qshape.rows == 1, "r"), _one(qshape.cols == 1, "s")
    for scalars, arrays, k in parts:
        P, Q = k.args
        if P.depends_on(dX) == Q.depends_on(dX):
            return None
        dep, rest, inner, outer = (
            (P, Q, (i, j), (r, s)) if P.depends_on(dX) else (Q, P, (r, s), (i, j))
        )
        try:
            terms = factor_terms(dep, *inner, dX, fresh)
        except NoIndexForm:
            return None
        for t in terms:
            t.coeff.extend(scalars)
            if not isinstance(rest, E.Ones):
                t.factors.append((rest, *outer))
            if arrays:  # G ⊙ (P ⊗ Q): G indexed by the composite indices
                t.factors.insert(0, (E.Mul(*arrays), _pair(i, r), _pair(j, s)))
        out.extend(terms)
    return out, pshape, qshape


def _rename(t, old: str, new: str) -> None:
    def r(a):
        if isinstance(a, tuple):
            return tuple(r(x) for x in a)
        return new if a == old else a

    t.deltas = [(r(a), r(b)) for a, b in t.deltas]
    t.factors = [(m, r(a), r(b)) for m, a, b in t.factors]


def _contract(t) -> None:
    """Σₘ …δₘₖ… → … with m = k, composite indices included; unused sums dropped."""
    changed = True
    while changed:
        changed = False
        for d, (a, b) in enumerate(t.deltas):
            old, new = (a, b) if a in t.bound else (b, a) if b in t.bound else (None, None)
            if old is not None and old != new:
                del t.deltas[d]
                t.bound.remove(old)
                _rename(t, old, new)
                changed = True
                break

    def mentions(m, x):
        return m == x or isinstance(x, tuple) and m in x

    t.bound = [m for m in t.bound if any(mentions(m, x) for _, a, b in t.factors for x in (a, b))]


def _pair(a, b) -> str | tuple | None:
    """The composite index (a, b), or the one present where a dimension is 1."""
    if a is None or b is None:
        return a if b is None else b
    return (a, b)


def _scalar_terms(L: E.Expr, dX: E.Expr):
    """sum(G ⊙ K) with K a Kronecker map: Σ over the composite indices, contracted."""
    scalars = []
    if isinstance(L, E.Mul):
        scalars = [f for f in L.args if not f.depends_on(dX)]
        dep = [f for f in L.args if f.depends_on(dX)]
        if len(dep) != 1:
            return None
        L = dep[0]
    if not isinstance(L, E.Sum) or not isinstance(L.args[0], E.Mul):
        return None
    inner = L.args[0]
    dep = [f for f in inner.args if f.depends_on(dX)]
    if len(dep) != 1 or any(f.shape.is_scalar for f in inner.args):
        return None
    found = _kron_terms(dep[0], dX)
    if found is None:
        return None
    terms, pshape, qshape = found
    G = E.Mul(*(f for f in inner.args if f is not dep[0]))
    if G.shape != dep[0].shape:  # broadcast: not entry by entry
        return None
    row = _pair(_one(pshape.rows == 1, "i"), _one(qshape.rows == 1, "r"))
    col = _pair(_one(pshape.cols == 1, "j"), _one(qshape.cols == 1, "s"))
    for t in terms:
        t.coeff.extend(scalars)
        t.factors.insert(0, (G, row, col))
        t.bound.extend(x for x in "irjs" if any(x == y or x in y for y in (row, col) if y))
        t.deltas = [(a, b) for a, b in t.deltas]
    return terms, pshape, qshape


def _hoisted(terms: list) -> bool:
    """Is a factor under a sum (a composite index holding a summed one) in every term? The
    printer takes a factor common to all terms out, which it must not do with this one."""
    if len(terms) < 2:
        return False

    def summed(t):
        return {
            (m, a, b)
            for m, a, b in t.factors
            if any(isinstance(x, tuple) and set(x) & set(t.bound) for x in (a, b))
        }

    return bool(set.intersection(*(summed(t) for t in terms)))


def _flat(index) -> str | None:
    """A composite index as printed text before the subscript: (i, r) → "(ir)"."""
    if isinstance(index, tuple):
        return "(" + "".join(index) + ")"
    return index


def _legend(terms: list, qshape, n: Notation) -> str:
    """What the composite indices mean: (i, r) = i·p + r for a row, from the factors."""
    parts: list = []
    for _, a, b in (f for t in terms for f in t.factors):
        for index, dim in ((a, qshape.rows), (b, qshape.cols)):
            if isinstance(index, tuple):
                say = f"({index[0]}, {index[1]}) = {index[0]}{n.times}{dim} + {index[1]}"
                if say not in parts:
                    parts.append(say)
    if not parts:
        return ""
    return n.gap + n.paren(", ".join(parts))


def kron_index_text(L: E.Expr, dX: E.Expr, y: str, x: str, n: Notation, taken: set) -> str | None:
    """The equation ∂(y)₍ᵢᵣ₎₍ⱼₛ₎/∂xₖₗ = … (∂(y)/∂xₖₗ for a scalar y) with its legend of the
    composite indices, or None where the map is not a Kronecker one."""
    scalar = L.shape.is_scalar
    found = _scalar_terms(L, dX) if scalar else _kron_terms(L, dX)
    if found is None:
        return None
    terms, pshape, qshape = found
    for t in terms:
        _contract(t)
    if scalar and _hoisted(terms):  # render_terms would take a factor out of its sums
        return None
    row = _pair(_one(pshape.rows == 1, "i"), _one(qshape.rows == 1, "r"))
    col = _pair(_one(pshape.cols == 1, "j"), _one(qshape.cols == 1, "s"))
    legend = _legend(terms if scalar else [_Row(row, col)], qshape, n)
    for t in terms:
        t.factors = [(m, _flat(a), _flat(b)) for m, a, b in t.factors]
        t.deltas = [(_flat(a), _flat(b)) for a, b in t.deltas]
    body, where = render_terms(terms, n, taken)
    said = n.where + ", ".join(f"{a} = {b}" for a, b in where) if where else ""
    rows_cols = "" if scalar else (_flat(row) or "") + (_flat(col) or "")
    return f"{n.index_form(y, x, rows_cols, 'kl')} = {body}{legend}{said}"


class _Row:
    """The left side's composite indices, read by `_legend` like a term's factors."""

    def __init__(self, row, col):
        self.factors = [(None, row, col)]
