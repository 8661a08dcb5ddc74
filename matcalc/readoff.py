"""Reading the derivative off the differential (the tutorial's Jacobians from d f = M dx).

- by a scalar z: the tangent, dz := 1 (shape of the output);
- scalar or vector output by a vector x: factor `d f = M dx` (`a ⊗ dx → diag(a) dx`,
  `sum(dx) → 1ᵀdx`, `A dx`), giving the numerator-layout Jacobian M;
- scalar output by anything: the gradient G with d f = sum(G ⊗ dX) (= tr(Gᵀ dX)), found
  by running the linear map backwards (its adjoint) from the cotangent 1; the adjoint of
  dx ↦ diag(dx) is G ↦ diag(G), the column of G's diagonal (so tr(diag(r)A) by r reads off
  as diag(A)ᵀ), pushed into G where that is closed form;
- otherwise (matrix by matrix, vector by matrix, matrix by vector): the linear map itself,
  printed as a Kronecker product or in index notation, evaluated numerically.
"""

from __future__ import annotations

from . import expr as E
from . import primitives
from .errors import UnsupportedError
from .primitives.catalog import REGISTRY
from .readoff_kron import kron_adjoint
from .records import Record
from .shapes import Shape

__all__ = [
    "KroneckerTerm",
    "NotFactorable",
    "as_column",
    "gradient",
    "jacobian",
    "kronecker_term",
    "rebuild",
    "substitute",
]


class NotFactorable(UnsupportedError):
    """Internal: this read-off has no closed form here; the caller falls back (to the
    gradient, else to the linear map itself). A MatcalcError, should it ever escape."""

    def __init__(self, node=None):
        super().__init__(
            "no closed form in matrix notation for this derivative"
            + (f" (at {node})" if node is not None else "")
        )


def substitute(root: E.Expr, mapping: dict) -> E.Expr:
    """Replace nodes by nodes throughout a DAG (children first, each node rebuilt once)."""
    out: dict = {}
    for node in E.walk(root):
        if node in mapping:
            out[node] = mapping[node]
            continue
        kids = node.children
        if not kids or not any(out[k] is not k for k in kids):
            out[node] = node
            continue
        out[node] = rebuild(node, [out[k] for k in kids])
    return out[root]


def rebuild(node: E.Expr, kids: list) -> E.Expr:
    """The same operation on new children."""
    if isinstance(node, E.Block):
        r, c = node.args[0], node.args[1]
        return E.Block(tuple(tuple(kids[i * c : (i + 1) * c]) for i in range(r)))
    it = iter(kids)
    args = [next(it) if isinstance(a, E.Expr) else a for a in node.args]
    return type(node)(*args)


# ---------------------------------------------------------------- linear maps: c·G ⊗ (A dX B)
class KroneckerTerm(Record):
    """One term of a differential, c · G ⊗ (A · dX · B) (or with dXᵀ): scalar factors c,
    element-wise array factors G, the matrices around the hole (None for none), and the
    product `core` = A dX B itself."""

    __slots__ = (
        "scalars",
        "arrays",
        "A",
        "transposed",
        "B",
        "core",
    )

    def __init__(
        self,
        scalars: list,
        arrays: list,
        A: E.Expr | None,
        transposed: bool,
        B: E.Expr | None,
        core: E.Expr,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "scalars", scalars)
        _set(self, "arrays", arrays)
        _set(self, "A", A)
        _set(self, "transposed", transposed)
        _set(self, "B", B)
        _set(self, "core", core)

    def _key(self) -> tuple:
        return (self.scalars, self.arrays, self.A, self.transposed, self.B, self.core)


def kronecker_term(term: E.Expr, dX: E.Expr) -> KroneckerTerm | None:
    """Read a term of a linear map as c · G ⊗ (A dX B), or None if it is not of that form."""
    scalars, arrays, core = [], [], term
    if isinstance(term, E.Mul):
        dep = [f for f in term.args if f.depends_on(dX)]
        if len(dep) != 1:
            return None
        core = dep[0]
        for f in term.args:
            if f is not core:
                (scalars if f.shape.is_scalar else arrays).append(f)
    factors = core.args if isinstance(core, E.MatMul) else (core,)
    idx = [i for i, f in enumerate(factors) if f.depends_on(dX)]
    if len(idx) != 1:
        return None
    i = idx[0]
    hole = factors[i]
    if hole is dX:
        transposed = False
    elif isinstance(hole, E.Transpose) and hole.args[0] is dX:
        transposed = True
    else:
        return None
    A = E.MatMul(*factors[:i]) if i else None
    B = E.MatMul(*factors[i + 1 :]) if i + 1 < len(factors) else None
    return KroneckerTerm(scalars, arrays, A, transposed, B, core)


# ---------------------------------------------------------------- forward: d f = M dx
def jacobian(L: E.Expr, var: E.Var) -> E.Expr:
    """M with L = M d(var), for L a scalar or column (a row is read as its transpose);
    NotFactorable for a matrix L (its derivative by a vector is a third-order array)."""
    if not (L.shape.is_scalar or L.shape.is_vector):
        raise NotFactorable(L)
    if L.shape.is_row:
        L = as_column(L)
    memo: dict = {}
    n = var.shape.rows

    def J(x: E.Expr) -> E.Expr:
        hit = memo.get(x)
        if hit is None:
            hit = memo[x] = _J(x)
        return hit

    def _J(x):
        rows = x.shape.rows
        if not x.depends_on(dvar):
            return E.Zero(Shape(rows, n))
        match x:
            case E.Differential():
                return E.Identity(n)
            case E.Add():
                return E.Add(
                    *(
                        J(t) if t.shape == x.shape else E.MatMul(E.Ones(x.shape), J(t))
                        for t in x.args
                    )
                )
            case E.Mul():
                dep = [f for f in x.args if f.depends_on(dvar)]
                if len(dep) != 1 or dep[0].shape.is_matrix:
                    raise NotFactorable(x)
                others = [f for f in x.args if f is not dep[0]]
                scalars = E.Mul(*(f for f in others if f.shape.is_scalar)) if others else E.Const(1)
                arrays = [f for f in others if not f.shape.is_scalar]
                inner = J(dep[0]) if not dep[0].shape.is_row else J(as_column(dep[0]))
                if dep[0].shape.is_scalar and arrays:
                    return E.Mul(scalars, E.MatMul(E.Mul(*arrays), inner))
                if arrays:
                    return E.Mul(scalars, E.MatMul(E.Diag(E.Mul(*arrays)), inner))
                return E.Mul(scalars, inner)
            case E.MatMul():
                fs = x.args
                i = next(k for k, f in enumerate(fs) if f.depends_on(dvar))
                if sum(f.depends_on(dvar) for f in fs) != 1:
                    raise NotFactorable(x)
                left, dep, right = fs[:i], fs[i], fs[i + 1 :]
                if not right and dep.shape.is_column:
                    return E.MatMul(*left, J(dep))
                if dep.shape.is_row and not left:
                    return E.MatMul(E.Transpose(E.MatMul(*right)), J(as_column(dep)))
                if isinstance(dep, E.Diag) and right:
                    rest = E.MatMul(*right)
                    if rest.shape.is_column:
                        return E.MatMul(*left, J(E.Mul(dep.args[0], rest)))
                raise NotFactorable(x)
            case E.Sum():
                inner = x.args[0]
                if inner.shape.is_column:
                    return E.MatMul(E.Transpose(E.Ones(inner.shape)), J(inner))
                if inner.shape.is_row:
                    return E.MatMul(E.Ones(inner.shape), J(as_column(inner)))
                raise NotFactorable(x)
            case E.Transpose():
                return J(as_column(x.args[0])) if not x.args[0].shape.is_scalar else J(x.args[0])
            case E.Block():
                if all(len(r) == 1 for r in x.rows):
                    return E.Block(tuple((J(r[0]),) for r in x.rows))
                raise NotFactorable(x)
            case E.Diagonal():
                return J(_diagonal_forward(x.args[0], dvar))
        raise NotFactorable(x)

    dvar = E.Differential(var)
    return J(L)


def as_column(row: E.Expr) -> E.Expr:
    """The transpose of a row-vector expression, pushed through element-wise products."""
    if isinstance(row, E.Mul):
        return E.Mul(*(f if f.shape.is_scalar else as_column(f) for f in row.args))
    return E.Transpose(row)


# ---------------------------------------------------------------- backward: the gradient
def gradient(L: E.Expr, var: E.Var) -> E.Expr:
    """G (shaped like var) with L = sum(G ⊗ d var), for a scalar L: the adjoint of the
    linear map applied to the cotangent 1, accumulated per node over the DAG."""
    dvar = E.Differential(var)
    order = [n for n in E.walk(L) if n.depends_on(dvar)]
    cot: dict = {L: E.Const(1)}
    for node in reversed(order):
        c = cot.pop(node, None)
        if c is None:
            continue
        if node is dvar:
            return _finish(c, var)
        for child, contribution in _adjoint(node, c, dvar):
            cot[child] = E.Add(cot[child], contribution) if child in cot else contribution
    return E.Zero(var.shape)


def _finish(c, var):
    return c if c.shape == var.shape else E.Mul(c, E.Ones(var.shape))


def _adjoint(x: E.Expr, c: E.Expr, dvar):
    """Pairs (child, cotangent contribution) for a linear node x with cotangent c."""
    match x:
        case E.Add():
            return [
                (t, c if t.shape == x.shape else E.Sum(c)) for t in x.args if t.depends_on(dvar)
            ]
        case E.Mul():
            dep = [f for f in x.args if f.depends_on(dvar)]
            if len(dep) != 1:
                raise NotFactorable(x)
            others = (
                E.Mul(*(f for f in x.args if f is not dep[0])) if len(x.args) > 1 else E.Const(1)
            )
            g = E.Mul(others, c)
            return [(dep[0], g if dep[0].shape == x.shape else E.Sum(g))]
        case E.MatMul():
            fs = x.args
            out = []
            for i, f in enumerate(fs):
                if not f.depends_on(dvar):
                    continue
                left = [E.Transpose(E.MatMul(*fs[:i]))] if i else []
                right = [E.Transpose(E.MatMul(*fs[i + 1 :]))] if i + 1 < len(fs) else []
                out.append((f, E.MatMul(*left, c, *right)))
            return out
        case E.Transpose() | E.Sum() | E.Trace():  # the adjoint in the primitive's record
            return REGISTRY.by_node[type(x)].adjoint(x, c)
        case E.Diag():  # the adjoint of dv ↦ diag(dv) is G ↦ diag(G)
            return [(x.args[0], _diagonal(c))]
        case E.Diagonal():  # ... and the adjoint of dM ↦ diag(dM) is diag(c)
            return [(x.args[0], E.Diag(c))]
        case E.Block():
            raise NotFactorable(x)
        case E.Kron():  # dP ⊗ Q: a matrix form for some cotangents (readoff_kron)
            return kron_adjoint(x, c, dvar, NotFactorable)
    raise NotFactorable(x)


def _diagonal(c: E.Expr) -> E.Expr:
    """diag(c), the column of a square matrix's diagonal, pushed into c where that is
    closed form (diag(a ⊗ B) = diag(a) ⊗ diag(B) element-wise, diag(abᵀ) = a ⊗ b,
    diag(diag(u) M) = u ⊗ diag(M), diag(diag(u)⁻¹) = 1 ⊘ u, diag(f(M)) = f(diag(M))),
    else the node diag(c) itself: never an error."""
    match c:
        case E.Mul() | E.Add():
            parts = [f if f.shape.is_scalar else _diagonal(f) for f in c.args]
            return E.Mul(*parts) if isinstance(c, E.Mul) else E.Add(*parts)
        case E.Transpose():
            return _diagonal(c.args[0])
        case E.Func() if primitives.is_elementwise(c.name):
            return E.Func(c.name, *(a if a.shape.is_scalar else _diagonal(a) for a in c.operands))
        case E.Pow() if c.args[1].shape.is_scalar:
            return E.Pow(_diagonal(c.args[0]), c.args[1])
        case E.Inv() if isinstance(c.args[0], E.Diag):
            return E.Pow(c.args[0].args[0], E.Const(-1))
        case E.MatMul():
            fs = c.args
            split = _outer_split(fs)
            if split is not None:
                return E.Mul(split[0], E.Transpose(split[1]))
            if isinstance(fs[0], E.Diag):
                return E.Mul(fs[0].args[0], _diagonal(E.MatMul(*fs[1:])))
            if isinstance(fs[-1], E.Diag):
                return E.Mul(_diagonal(E.MatMul(*fs[:-1])), fs[-1].args[0])
    return E.Diagonal(c)


def _outer_split(fs):
    """A matrix-product chain that is a column times a row, (P, Q) with the chain = P Q,
    else None."""
    for k in range(len(fs) - 1):
        if fs[k].shape.cols == 1:
            return E.MatMul(*fs[: k + 1]), E.MatMul(*fs[k + 1 :])
    return None


def _diagonal_forward(m: E.Expr, dvar) -> E.Expr:
    """diag(m) for m linear in the column dv, rewritten so that `jacobian` can factor it:
    diag(A diag(dv) B) = (A ⊗ Bᵀ) dv, diag(u dvᵀ B) = u ⊗ (Bᵀdv), sums and scalings term
    by term."""
    match m:
        case E.Transpose():
            return _diagonal_forward(m.args[0], dvar)
        case E.Add():
            return E.Add(*(_diagonal_forward(t, dvar) for t in m.args))
        case E.Mul():
            return E.Mul(
                *(
                    f
                    if f.shape.is_scalar
                    else _diagonal_forward(f, dvar)
                    if f.depends_on(dvar)
                    else E.Diagonal(f)
                    for f in m.args
                )
            )
        case E.MatMul():
            fs = m.args
            split = _outer_split(fs)
            if split is not None:
                return E.Mul(split[0], E.Transpose(split[1]))
            dep = [i for i, f in enumerate(fs) if f.depends_on(dvar)]
            if len(dep) == 1 and isinstance(fs[dep[0]], E.Diag):
                i = dep[0]
                u = fs[i].args[0]
                A = E.MatMul(*fs[:i]) if i else None
                B = E.MatMul(*fs[i + 1 :]) if i + 1 < len(fs) else None
                if A is None:
                    return E.Mul(E.Diagonal(B), u)
                if B is None:
                    return E.Mul(E.Diagonal(A), u)
                return E.MatMul(E.Mul(A, E.Transpose(B)), u)
    diagonal = E.Diagonal(m)
    if isinstance(diagonal, E.Diagonal):
        raise NotFactorable(diagonal)
    return diagonal
