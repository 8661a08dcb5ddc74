"""Index (Einstein) notation, with the summations explicit, for a linear map dY = L(dX) that
has no Kronecker form: element-wise coefficients, products on both sides, transposes and
ones, e.g. the row-wise softmax's ∂Sᵢⱼ/∂Xₖₗ = δᵢₖSᵢⱼ(δⱼₗ − Sᵢₗ), where S = softmax(X, axis=1).

Each term of ∂Yᵢⱼ/∂Xₖₗ is a coefficient, Kronecker deltas and indexed factors under sums;
a delta against a summed index is contracted (Σₘ Aᵢₘδₘₖ = Aᵢₖ), a factor common to every
term is taken out, and a factor that is not a variable is named by a capital letter, said
after the equation (", where S = …"). `index_terms` returns None for a map with any other
node (a row-wise function of dX, say): the caller then prints the differential itself.
"""

from __future__ import annotations

from .. import expr as E
from ..records import Struct
from .notation import Notation

__all__ = ["NoIndexForm", "Term", "factor_terms", "index_terms", "indexed", "render_terms"]

BOUND = "mnprstuvaeoh"  # summation indices (each has a Unicode subscript)


class Term(Struct):
    """coeff · Σ_bound Π deltas · Π factors (a factor: (matrix, row index, column index),
    an index None where that dimension is 1)."""

    __slots__ = (
        "coeff",
        "deltas",
        "factors",
        "bound",
    )

    def __init__(
        self,
        coeff: list | None = None,
        deltas: list | None = None,
        factors: list | None = None,
        bound: list | None = None,
    ) -> None:
        self.coeff = [] if coeff is None else coeff
        self.deltas = [] if deltas is None else deltas
        self.factors = [] if factors is None else factors
        self.bound = [] if bound is None else bound

    def _key(self) -> tuple:
        return (self.coeff, self.deltas, self.factors, self.bound)

    def rename(self, old: str, new: str) -> None:
        def r(a):
            return new if a == old else a

        self.deltas = [(r(a), r(b)) for a, b in self.deltas]
        self.factors = [(m, r(a), r(b)) for m, a, b in self.factors]


class _Fresh:
    def __init__(self):
        self.used = 0

    def __call__(self) -> str:
        if self.used >= len(BOUND):
            raise NoIndexForm
        self.used += 1
        return BOUND[self.used - 1]


class NoIndexForm(Exception):
    """A map (or a factor of one) that index notation does not write."""


def _index(dim_is_one: bool, name: str | None) -> str | None:
    return None if dim_is_one else name


def factor_terms(e: E.Expr, i: str | None, j: str | None, dX: E.Expr, fresh: object) -> list:
    """The index terms of `e`, a factor linear in `dX`, at output indices (i, j) (None where
    a dimension is 1); NoIndexForm where a node has no index form. render.index_kron reads
    the factors of a Kronecker map with it."""
    if e is dX:
        return [Term(deltas=[(a, b) for a, b in ((i, "k"), (j, "l")) if a is not None])]
    if not e.depends_on(dX):
        raise NoIndexForm
    match e:
        case E.Transpose():
            return factor_terms(e.args[0], j, i, dX, fresh)
        case E.Add():
            out = []
            for t in e.args:
                if t.shape.is_scalar and not e.shape.is_scalar:
                    out.extend(factor_terms(t, None, None, dX, fresh))
                else:
                    out.extend(factor_terms(t, i, j, dX, fresh))
            return out
        case E.Mul():
            dep = [f for f in e.args if f.depends_on(dX)]
            if len(dep) != 1:
                raise NoIndexForm
            inner = (None, None) if dep[0].shape.is_scalar else (i, j)
            out = factor_terms(dep[0], *inner, dX, fresh)
            for f in e.args:
                if f is dep[0] or isinstance(f, E.Ones):
                    continue
                for t in out:
                    if f.shape.is_scalar:
                        t.coeff.append(f)
                    else:
                        t.factors.append((f, i, j))
            return out
        case E.MatMul():
            fs = e.args
            dep = [p for p, f in enumerate(fs) if f.depends_on(dX)]
            if len(dep) != 1:
                raise NoIndexForm
            p = dep[0]
            u = fs[p]
            m = i if p == 0 else _index(u.shape.rows == 1, fresh())
            n = j if p == len(fs) - 1 else _index(u.shape.cols == 1, fresh())
            out = factor_terms(u, m, n, dX, fresh)
            left = E.MatMul(*fs[:p]) if p else None
            right = E.MatMul(*fs[p + 1 :]) if p + 1 < len(fs) else None
            for t in out:
                if left is not None:
                    if not isinstance(left, E.Ones):
                        t.factors.append((left, i, m))
                    if m is not None:
                        t.bound.append(m)
                if right is not None:
                    if not isinstance(right, E.Ones):
                        t.factors.append((right, n, j))
                    if n is not None:
                        t.bound.append(n)
            return out
    raise NoIndexForm


def _contract(t: Term) -> Term:
    """Σₘ …δₘₖ… → … with m = k; a delta of two free indices stays."""
    changed = True
    while changed:
        changed = False
        for d, (a, b) in enumerate(t.deltas):
            for old, new in ((a, b), (b, a)):
                if old in t.bound and old != new:
                    del t.deltas[d]
                    t.bound.remove(old)
                    t.rename(old, new)
                    changed = True
                    break
            if changed:
                break
    t.bound = [m for m in t.bound if any(m in (a, b) for _, a, b in t.factors)]
    return t


def _hadamard(L: E.Expr, dX: E.Expr) -> bool:
    """Does an array coefficient multiply a part of the map entry by entry (G ⊙ (A dX B))?
    Only such maps are written in index form here (the others keep their forms)."""
    for node in E.walk(L):
        if isinstance(node, E.Mul) and not node.shape.is_scalar:
            dep = [f for f in node.args if f.depends_on(dX)]
            if any(not f.shape.is_scalar for f in dep) and any(
                not f.shape.is_scalar and f not in dep for f in node.args
            ):
                return True
    return False


def index_terms(L: E.Expr, dX: E.Expr) -> list | None:
    """The terms of ∂Lᵢⱼ/∂Xₖₗ, contracted; None where a node has no index form here, or
    where the map has no element-wise array coefficient (`_hadamard`)."""
    if not _hadamard(L, dX):
        return None
    fresh = _Fresh()
    i = _index(L.shape.rows == 1, "i")
    j = _index(L.shape.cols == 1, "j")
    try:
        return [_contract(t) for t in factor_terms(L, i, j, dX, fresh)]
    except NoIndexForm:
        return None


def indexed(m: E.Expr, n: Notation, a: str | None, b: str | None) -> str:
    """m's entry (a, b), an index None or "" where m has no such axis: a variable's as its
    name, a transposed variable's as the variable's with the indices swapped ((xᵀ)ⱼ is xⱼ,
    (Aᵀ)ᵢₗ is Aₗᵢ), any other expression's in parentheses ((Ax)ᵢ, (X⁻ᵀ)ᵢₗ)."""
    if isinstance(m, E.Transpose) and isinstance(m.args[0], E.Var):
        m, a, b = m.args[0], b, a
    indices = n.sub("".join(x for x in (a, b) if x))
    body = n.show(m)
    return (n.indexable(body) if isinstance(m, E.Var) else n.paren(body)) + indices


def render_terms(terms: list, n: Notation, taken: set) -> tuple[str, list]:
    """(the right side, the 'where' definitions) in notation `n` (render.notation.Notation)."""
    names: dict = {}
    letters = [c for c in "SPRTUZGHF" if c not in taken]

    def factor(m, a, b):
        if isinstance(m, E.Transpose):
            m, a, b = m.args[0], b, a
        if not isinstance(m, E.Var):
            if m not in names:
                names[m] = letters.pop(0) if letters else None
            if names[m] is None:
                return n.paren(n.show(m)) + n.sub("".join(x for x in (a, b) if x))
            return names[m] + n.sub("".join(x for x in (a, b) if x))
        return indexed(m, n, a, b)

    def keys(t):
        return [("d", a, b) for a, b in t.deltas] + [("f", m, a, b) for m, a, b in t.factors]

    common = []
    if len(terms) > 1:
        free = [set(keys(t)) for t in terms]
        for k in keys(terms[0]):
            indices = k[1:] if k[0] == "d" else k[2:]
            bound = any(x in t.bound for t in terms for x in indices)
            if not bound and all(k in f for f in free) and k not in common:
                common.append(k)

    def show_key(k):
        return n.delta(k[1] + k[2]) if k[0] == "d" else factor(*k[1:])

    signed = [_coefficient(t.coeff) for t in terms]
    shared = signed[0][1] if all(c is signed[0][1] for _, c in signed) else None
    pieces = []
    for t, (sign, coeff) in zip(terms, signed):
        body = "".join(n.sigma(m) for m in t.bound)
        body += "".join(show_key(k) for k in keys(t) if k not in common)
        if coeff is not None and coeff is not shared:
            body = _scalar(coeff, n) + (" " if body else "") + body
        pieces.append((sign, body or "1"))
    text = ""
    for p, (sign, body) in enumerate(pieces):
        if p == 0:
            text = (n.minus if sign < 0 else "") + body
        else:
            text += f" {n.minus if sign < 0 else '+'} {body}"
    head = "".join(show_key(k) for k in common)
    if shared is not None:
        head = _scalar(shared, n) + (" " if head else "") + head
    if head:
        text = head + (n.paren(text) if len(pieces) > 1 else text)
    where = [(name, n.show(m)) for m, name in names.items() if name is not None]
    return text, where


def _scalar(c: E.Expr, n) -> str:
    text = n.show(c)
    return n.paren(text) if any(ch in text for ch in "/ +−-") else text


def _coefficient(factors: list):
    """(sign, the scalar coefficient without its sign, or None for 1)."""
    c = E.Mul(*factors) if factors else E.Const(1)
    if isinstance(c, E.Const):
        coeff, rest = c.value, E.Const(1)
    else:
        coeff, rest = E.split_coefficient(c)
    sign = -1 if coeff < 0 else 1
    c = E.Mul(E.Const(abs(coeff)), rest)
    return sign, (None if E.is_const(c, 1) else c)
