"""The named rewrite rules on matrix expressions, in the order `simplify` tries them: this
module imports, in that order, the rules of diagonals and all-ones vectors
(`rewrites_diag`), of steps and signs (`rewrites_sign`), of block literals
(`rewrites_block`) and of common factors (`rewrites_factor`), then registers its own, the
rules of products: an inverse cancels its matrix (also where the inverse of a product
expanded would cancel), a product distributed over a sum or a dot product made
element-wise where that cancels. Every rule is re-exported here.

Each rule is a function that returns the smaller equal expression, or None where it does
not apply; its docstring states the identity and why it shrinks. The order matters only
between rules of one node type (the first that fires at a node is applied), and within each
node type it is the order of the import.
"""

from __future__ import annotations

from .. import expr as E
from .engine import Trial, Trials, rewrite

# the import order is the order of the rules (see the docstring): not sorted
# isort: off
from .rewrites_diag import (
    diag_diag,
    diag_diag_cancels,
    diag_ones,
    diag_scalar,
    diag_vector,
    ones_diag,
    ones_dot,
    pairs,
    row_diag,
)
from .rewrites_sign import absorb_sign, negated_difference, relu_in_sum, relu_step, step_idempotent
from .rewrites_block import add_blocks, scale_block, trace_block
from .rewrites_factor import common_factor, common_scalar, diag_sum

# isort: on

__all__ = [
    "diag_scalar",
    "diag_diag_cancels",
    "absorb_sign",
    "add_blocks",
    "common_factor",
    "common_scalar",
    "diag_diag",
    "diag_ones",
    "diag_sum",
    "diag_vector",
    "distribute_when_it_cancels",
    "dot_cancels",
    "inverse_cancels",
    "inverse_of_product",
    "negated_difference",
    "ones_diag",
    "ones_dot",
    "relu_in_sum",
    "relu_step",
    "row_diag",
    "scale_block",
    "step_idempotent",
    "trace_block",
]


def _inverse_pair(a, b) -> bool:
    """A⁻¹A, AA⁻¹, A⁻ᵀAᵀ, AᵀA⁻ᵀ: a product that is the identity."""

    def inv_of(x):
        if isinstance(x, E.Inv):
            return x.args[0]
        if isinstance(x, E.Transpose) and isinstance(x.args[0], E.Inv):
            return E.Transpose(x.args[0].args[0])
        return None

    return inv_of(a) is b or inv_of(b) is a


@rewrite("inverse-cancels")
def inverse_cancels(node: E.Expr) -> E.Expr | None:
    """A⁻¹ A → I (and X⁻ᵀXᵀ → I). Shrinks: two factors go."""
    if isinstance(node, E.MatMul):
        fs = node.args
        for i in range(len(fs) - 1):
            if _inverse_pair(fs[i], fs[i + 1]):
                rest = fs[:i] + fs[i + 2 :]
                return E.MatMul(*rest) if rest else E.Identity(fs[i].shape.rows)


@rewrite("inverse-of-product", trial=True)
def inverse_of_product(node: E.Expr, trials: Trials) -> Trial | None:
    """(AB)⁻¹ → B⁻¹A⁻¹ for square factors, only where the product then cancels to fewer
    nodes (Aᵀ(AXB)⁻ᵀBᵀ → X⁻ᵀ). Shrinks: by the guard."""
    if not isinstance(node, E.MatMul):
        return None
    for i, f in enumerate(node.args):
        transposed = isinstance(f, E.Transpose) and isinstance(f.args[0], E.Inv)
        inv = f.args[0] if transposed else f
        if (
            isinstance(inv, E.Inv)
            and isinstance(inv.args[0], E.MatMul)
            and all(g.shape.is_square for g in inv.args[0].args)
        ):
            expanded = E.MatMul(*(E.Inv(g) for g in reversed(inv.args[0].args)))
            if transposed:
                expanded = E.Transpose(expanded)
            trial = trials.smaller(E.MatMul(*node.args[:i], expanded, *node.args[i + 1 :]), node)
            if trial is not None:
                return trial
    return None


@rewrite("distribute-when-it-cancels", trial=True)
def distribute_when_it_cancels(node: E.Expr, trials: Trials) -> Trial | None:
    """(A + B) v → A v + B v, only where the distributed form simplifies to fewer nodes
    (diag(s)(y ⊘ s) → y cancels). Shrinks: by the guard."""
    if not isinstance(node, E.MatMul):
        return None
    fs = node.args
    for i, f in enumerate(fs):
        if not isinstance(f, E.Add):
            continue
        terms = [t if t.shape == f.shape else E.Mul(t, E.Ones(f.shape)) for t in f.args]
        # only over a neighbouring factor: the trial stays small however long the chain
        for j in (i + 1, i - 1):
            if not 0 <= j < len(fs):
                continue
            pair = (
                (lambda t, g=fs[j]: E.MatMul(t, g))
                if j > i
                else (lambda t, g=fs[j]: E.MatMul(g, t))
            )
            before = E.MatMul(*((f, fs[j]) if j > i else (fs[j], f)))
            smaller = trials.smaller(E.Add(*(pair(t) for t in terms)), before)
            if smaller is not None:
                lo, hi = min(i, j), max(i, j)
                return smaller.around(E.MatMul(*fs[:lo], smaller.expr, *fs[hi + 1 :]))
    return None


@rewrite("dot-cancels")
def dot_cancels(node: E.Expr) -> E.Expr | None:
    """aᵀ b → sum(a ⊗ b) where the element-wise product cancels (sᵀ(y ⊘ s) → sum(y)).
    Shrinks: by the guard."""
    if isinstance(node, E.MatMul):

        def match(a, b):
            if isinstance(a, E.Transpose) and a.args[0].shape.is_column and b.shape.is_column:
                product = E.Mul(a.args[0], b)
                if E.size_of(product) < E.size_of(E.MatMul(a, b)) - 1:
                    return E.Sum(product)
            return None

        return pairs(node, match)
