"""Reductions: sums and traces. `sum(I ⊙ X) = tr(X)`, scalars out of a trace, the sum and
the trace of a Kronecker product as products of its factors', a sum over a sum split where
its terms cancel (the zero sum `sum(x − mean(x))`), and `1ᵀy = 1` for a simplex `y` — each a
named rule, so `steps` shows where it was used.
"""

from __future__ import annotations

from .. import expr as E
from .cost import cheaper
from .engine import rewrite

__all__ = [
    "ones_as_one",
    "simplex_sum",
    "sum_identity",
    "sum_of_kron",
    "sum_of_sum",
    "trace_of_kron",
    "trace_scalar",
]


@rewrite("simplex-sum")
def simplex_sum(node: E.Expr) -> E.Expr | None:
    """sum(y) → 1 for a simplex y (1ᵀy = 1 on the simplex). Shrinks: a reduction becomes
    a constant."""
    if isinstance(node, E.Sum):
        a = node.args[0]
        if isinstance(a, E.Var) and a.structure == "simplex":
            return E.Const(1)
    return None


@rewrite("sum-identity")
def sum_identity(node: E.Expr) -> E.Expr | None:
    """sum(I ⊙ X) → tr(X): the identity keeps the diagonal. Shrinks: the I goes."""
    if isinstance(node, E.Sum) and isinstance(node.args[0], E.Mul):
        fs = node.args[0].args
        if any(isinstance(f, E.Identity) for f in fs):
            rest = [f for f in fs if not isinstance(f, E.Identity)]
            inner = E.Mul(*rest) if rest else E.Identity(node.args[0].shape.rows)
            if inner.shape == node.args[0].shape:
                return E.Trace(inner)
    return None


@rewrite("trace-scalar")
def trace_scalar(node: E.Expr) -> E.Expr | None:
    """tr(s X) → s tr(X) for scalars s. Shrinks: the trace is of a smaller argument, and
    equal traces then collect (tr(tr(X)X) = tr(X)²)."""
    if isinstance(node, E.Trace) and isinstance(node.args[0], E.Mul):
        fs = node.args[0].args
        scalars = [f for f in fs if f.shape.is_scalar]
        arrays = [f for f in fs if not f.shape.is_scalar]
        if scalars and arrays:
            return E.Mul(*scalars, E.Trace(E.Mul(*arrays)))
    return None


@rewrite("sum-of-kron")
def sum_of_kron(node: E.Expr) -> E.Expr | None:
    """sum(A ⊗ B) → sum(A)sum(B): the entries of A ⊗ B are every product of an entry of A
    and one of B. Shrinks: the sums are of the factors, not of their (mp)×(nq) product, and
    equal sums then collect (sum(S ⊗ S) + 2sum(S)² = 3sum(S)²)."""
    if isinstance(node, E.Sum) and isinstance(node.args[0], E.Kron):
        a, b = node.args[0].args
        return E.Mul(E.Sum(a), E.Sum(b))
    return None


@rewrite("trace-of-kron")
def trace_of_kron(node: E.Expr) -> E.Expr | None:
    """tr(A ⊗ B) → tr(A)tr(B) for square A and B. Shrinks: as sum-of-kron, the traces are
    of the factors, and equal traces then collect."""
    if isinstance(node, E.Trace) and isinstance(node.args[0], E.Kron):
        a, b = node.args[0].args
        if a.shape.is_square and b.shape.is_square:
            return E.Mul(E.Trace(a), E.Trace(b))
    return None


@rewrite("sum-of-sum")
def sum_of_sum(node: E.Expr) -> E.Expr | None:
    """sum(a + b) → sum(a) + sum(b) where terms then cancel (sum(sum(x)/n − x) = 0), a
    scalar term counting once per entry. Shrinks: by the cost."""
    if isinstance(node, E.Sum) and isinstance(node.args[0], E.Add):
        a = node.args[0]
        terms = [E.Sum(t if t.shape == a.shape else E.Mul(t, E.Ones(a.shape))) for t in a.args]
        candidate = E.Add(*terms)
        return candidate if cheaper(candidate, node) else None
    return None


@rewrite("ones-as-one")
def ones_as_one(node: E.Expr) -> E.Expr | None:
    """1 − c → the scalar 1 − c, expanded: an all-ones term of an array sum beside scalar
    terms is the number 1 expanded, and collects with them (1ᵀ − 1 = 0ᵀ). Shrinks: a term
    fewer, or the sum is gone."""
    if not isinstance(node, E.Add) or node.shape.is_scalar:
        return None
    if not any(isinstance(t, E.Ones) for t in node.args):
        return None
    if not any(t.shape.is_scalar for t in node.args):
        return None
    candidate = E.Add(*(E.Const(1) if isinstance(t, E.Ones) else t for t in node.args))
    if candidate.shape != node.shape:  # every array term was ones: keep the shape
        candidate = E.Mul(candidate, E.Ones(node.shape))
    collected = not isinstance(candidate, E.Add) or len(candidate.args) < len(node.args)
    return candidate if collected else None
