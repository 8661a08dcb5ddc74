"""Index notation for a linear map through a Kronecker product, which has no vec/Kronecker
Jacobian of the `render.tensor` kind: the composite indices written out.

With P m×n and Q p×q, (P ⊗ Q)₍ᵢᵣ₎₍ⱼₛ₎ = PᵢⱼQᵣₛ, where the row (i, r) is row i·p + r and the
column (j, s) is column j·q + s (indices from 0, NumPy's np.kron). So

    ∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗBᵣₛ        ∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗAᵢⱼ

and a scalar sum(C ⊙ (A ⊗ B)) has ∂/∂Aₖₗ = Σᵣ Σₛ C₍ₖᵣ₎₍ₗₛ₎Bᵣₛ (a partial contraction, no
matrix form). A term is c·G ⊙ (P ⊗ Q) (or its transpose, Pᵀ ⊗ Qᵀ) with c scalar, G an
array indexed by the composite indices (exp(A ⊗ B) by A: δᵢₖδⱼₗS₍ᵢᵣ₎₍ⱼₛ₎Bᵣₛ), and the
dependent factor read by `index_form.factor_terms` (products, transposes, sums: kron(AAᵀ, B) by
A); the printed equation ends with what the composite indices mean.

A product around the Kronecker one, L(P ⊗ Q)R, sums its composite rows against L and its
columns against R, and the output's row (column) is then a plain index:

    ∂((A ⊗ B)C)₍ᵢᵣ₎ⱼ/∂Aₖₗ = Σₛ δᵢₖBᵣₛC₍ₗₛ₎ⱼ        ∂(sum((A ⊗ B)C))/∂Aₖₗ = Σₛ Σᵣ Σⱼ BᵣₛC₍ₗₛ₎ⱼ

(by C it is the Kronecker form of render.tensor, I ⊗ A ⊗ B). `kron_index_text` returns
None for any other map (both factors depending on the variable, kron(A, Aᵀ)): the caller
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
    """(scalar factors, element-wise array factors, the Kron node, left, right) of a term
    c·G ⊙ (P ⊗ Q) or c·L(P ⊗ Q)R (L, R constant products or None) with c and G constant,
    else None."""
    scalars: list = []
    arrays: list = []
    core = term
    if isinstance(term, E.Mul):
        dep = [f for f in term.args if f.depends_on(dX)]
        if len(dep) != 1:
            return None
        rest = [f for f in term.args if f is not dep[0]]
        scalars = [f for f in rest if f.shape.is_scalar]
        arrays = [f for f in rest if not f.shape.is_scalar and not isinstance(f, E.Ones)]
        if any(f.shape != term.shape for f in arrays):  # broadcast: not entry by entry
            return None
        core = dep[0]
    left = right = None
    if isinstance(core, E.MatMul):  # a product around the Kronecker one
        dep = [p for p, f in enumerate(core.args) if f.depends_on(dX)]
        if len(dep) != 1:
            return None
        p, fs = dep[0], core.args
        left = E.MatMul(*fs[:p]) if p else None
        right = E.MatMul(*fs[p + 1 :]) if p + 1 < len(fs) else None
        core = fs[p]
    k = _kron(core)
    return None if k is None else (scalars, arrays, k, left, right)


class _Pair(tuple):
    """A composite index (a, b) = a·dim + b, dim the length of b's axis (the legend's)."""

    dim: object

    def __new__(cls, items, dim):
        made = super().__new__(cls, items)
        made.dim = dim
        return made


def _one(dim_is_one: bool, name: str) -> str | None:
    return None if dim_is_one else name


def _summands(L: E.Expr, dX: E.Expr) -> list:
    """The terms of L, a sum multiplied entry by entry distributed over (G ⊙ (K₁ + K₂) is
    G ⊙ K₁ + G ⊙ K₂)."""
    if isinstance(L, E.Add):
        return [t for a in L.args for t in _summands(a, dX)]
    if isinstance(L, E.Mul):
        dep = [f for f in L.args if f.depends_on(dX)]
        if len(dep) == 1 and isinstance(dep[0], E.Add) and dep[0].shape == L.shape:
            rest = [f for f in L.args if f is not dep[0]]
            return [E.Mul(*rest, t) for t in _summands(dep[0], dX)]
    return [L]


def _kron_terms(L: E.Expr, dX: E.Expr):
    """(terms of ∂L₍ᵢᵣ₎₍ⱼₛ₎/∂Xₖₗ, the output's row and column index) for L = Σ cₜ·Lₜ(Pₜ ⊗ Qₜ)Rₜ,
    one factor of each Kronecker product linear in dX and the rest constant; a product on
    the left (right) sums the Kronecker rows (columns) and the output's row (column) index is
    a plain i (j). None for any other map."""
    parts = [_split(t, dX) for t in _summands(L, dX)]
    if not parts or any(p is None for p in parts):
        return None
    shapes = {
        (k.args[0].shape, k.args[1].shape, left is None, right is None)
        for _, _, k, left, right in parts
    }
    if len(shapes) != 1:
        return None
    (pshape, qshape, bare_rows, bare_cols), fresh, out = next(iter(shapes)), _Fresh(), []
    i = _one(pshape.rows == 1, "i" if bare_rows else fresh())
    j = _one(pshape.cols == 1, "j" if bare_cols else fresh())
    r, s = _one(qshape.rows == 1, "r"), _one(qshape.cols == 1, "s")
    rows, cols = _pair(i, r, qshape.rows), _pair(j, s, qshape.cols)
    row = rows if bare_rows else _one(L.shape.rows == 1, "i")
    col = cols if bare_cols else _one(L.shape.cols == 1, "j")
    for scalars, arrays, k, left, right in parts:
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
            if arrays:  # G ⊙ (P ⊗ Q), G ⊙ L(P ⊗ Q)R: G indexed like the output
                t.factors.insert(0, (E.Mul(*arrays), row, col))
            for side, factor in ((left, (left, row, rows)), (right, (right, cols, col))):
                if side is None:
                    continue
                if not isinstance(side, E.Ones):
                    t.factors.append(factor)
                summed = (i, r) if side is left else (j, s)
                t.bound.extend(x for x in summed if x is not None)
        out.extend(terms)
    return out, row, col


def _rename(t, old: str, new: str) -> None:
    def r(a):
        if isinstance(a, _Pair):
            return _Pair((r(x) for x in a), a.dim)
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


def _pair(a, b, dim) -> str | tuple | None:
    """The composite index (a, b) (b's axis of length dim), or the one present where a
    dimension is 1."""
    if a is None or b is None:
        return a if b is None else b
    return _Pair((a, b), dim)


def _scalar_terms(L: E.Expr, dX: E.Expr):
    """c·sum(M) with M a Kronecker map (G ⊙ K, or products around K): its terms, with the
    output's indices summed."""
    scalars = []
    if isinstance(L, E.Mul):
        scalars = [f for f in L.args if not f.depends_on(dX)]
        dep = [f for f in L.args if f.depends_on(dX)]
        if len(dep) != 1:
            return None
        L = dep[0]
    if not isinstance(L, E.Sum):
        return None
    found = _kron_terms(L.args[0], dX)
    if found is None:
        return None
    terms, row, col = found
    summed = [x for y in (row, col) if y for x in (y if isinstance(y, tuple) else (y,))]
    for t in terms:
        t.coeff.extend(scalars)
        t.bound.extend(summed)
    return terms, None, None


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


def _apart(terms: list) -> None:
    """Each term's summed indices renamed to letters no other term uses (Σₘ AᵢₘF₍ₘₗ₎ⱼ −
    3Σₙ DᵢₙF₍ₙₗ₎ⱼ), so no factor under a sum is common to the terms."""
    used = {x for t in terms for _, a, b in t.factors for y in (a, b) if y for x in y}
    used |= {x for t in terms for d in t.deltas for y in d if y for x in y}
    spare = [c for c in FREE if c not in used]
    for t in terms[1:]:
        for old in list(t.bound):
            if not spare:
                return
            new = spare.pop(0)
            _rename(t, old, new)
            t.bound[t.bound.index(old)] = new


def _flat(index) -> str | None:
    """A composite index as printed text before the subscript: (i, r) → "(ir)"."""
    if isinstance(index, tuple):
        return "(" + "".join(index) + ")"
    return index


def _legend(factors: list, n: Notation) -> str:
    """What the composite indices mean: (i, r) = i·p + r, from the factors in order."""
    parts: list = []
    for _, a, b in factors:
        for index in (a, b):
            if isinstance(index, _Pair):
                say = f"({index[0]}, {index[1]}) = {index[0]}{n.times}{index.dim} + {index[1]}"
                if say not in parts:
                    parts.append(say)
    if not parts:
        return ""
    return n.gap + n.paren(", ".join(parts))


def kron_index_text(L: E.Expr, dX: E.Expr, y: str, x: str, n: Notation, taken: set) -> str | None:
    """The equation ∂(y)₍ᵢᵣ₎₍ⱼₛ₎/∂xₖₗ = … (∂(y)/∂xₖₗ for a scalar y; a plain i or j where a
    product sums the Kronecker rows or columns) with its legend of the composite indices,
    or None where the map is not a Kronecker one."""
    found = (_scalar_terms(L, dX) if L.shape.is_scalar else None) or _kron_terms(L, dX)
    if found is None:
        return None
    terms, row, col = found
    for t in terms:
        _contract(t)
    if _hoisted(terms):  # render_terms would take a factor out of its sums: sum apart
        _apart(terms)
        if _hoisted(terms):
            return None
    legend = _legend([(None, row, col)] + [f for t in terms for f in t.factors], n)
    for t in terms:
        t.factors = [(m, _flat(a), _flat(b)) for m, a, b in t.factors]
        t.deltas = [(_flat(a), _flat(b)) for a, b in t.deltas]
    body, where = render_terms(terms, n, taken)
    said = n.where + ", ".join(f"{a} = {b}" for a, b in where) if where else ""
    rows_cols = (_flat(row) or "") + (_flat(col) or "")
    kl = "".join(k for k, m in zip("kl", (dX.shape.rows, dX.shape.cols)) if m != 1)  # ∂xₖ
    return f"{n.index_form(y, x, rows_cols, kl)} = {body}{legend}{said}"
