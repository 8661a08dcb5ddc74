"""Simplification: named rewrite rules on matrix expressions, applied to a fixed point.

Each rule is a function that returns the smaller equal expression, or None where it does
not apply; its docstring states the identity and why it shrinks. Commutative algebra
(like terms, powers, constants) is already canonical in the constructors (`expr`); here are
the matrix identities the tutorial uses: `1ᵀdiag(x) = xᵀ`, `diag(a)diag(b) = diag(a ⊗ b)`, …

The package: `engine` (the table, the decorator, the driver), `rewrites_diag` (diagonals and
all-ones vectors), `rewrites_sign` (steps and minus signs), `rewrites_block` (block
literals), `rewrites_factor` (common factors of a sum) and `rewrites` (products: inverses,
distributing where it cancels; it imports the four before it), `rewrites_fold` (σ
recognised, distribute/factor by cost), `rewrites_reduce` (sums and traces), which register
themselves in the table when imported, in that order; `cost` (size,
then the textbook's preference) chooses between two directions of an identity, and
`present` (transposes gathered) runs last. Every name is re-exported here.
"""

from __future__ import annotations

from .cost import cheaper, cost, preference
from .engine import (
    RULES,
    TRIAL_BUDGET,
    BudgetExceeded,
    Rewrite,
    Trial,
    Trials,
    apply_rule,
    rewrite,
    simplify,
)
from .present import gather_transposes, positive_first, present, transpose_twins
from .rewrites import (
    absorb_sign,
    add_blocks,
    common_factor,
    common_scalar,
    diag_diag,
    diag_diag_cancels,
    diag_ones,
    diag_scalar,
    diag_sum,
    diag_vector,
    distribute_when_it_cancels,
    dot_cancels,
    inverse_cancels,
    inverse_of_product,
    negated_difference,
    ones_diag,
    ones_dot,
    relu_in_sum,
    relu_step,
    row_diag,
    scale_block,
    step_idempotent,
    trace_block,
)
from .rewrites_fold import expand_products, factor_common, sigmoid_fold
from .rewrites_reduce import (
    ones_as_one,
    simplex_sum,
    sum_identity,
    sum_of_kron,
    sum_of_sum,
    trace_of_kron,
    trace_scalar,
)

__all__ = [
    "BudgetExceeded",
    "RULES",
    "Rewrite",
    "TRIAL_BUDGET",
    "Trial",
    "Trials",
    "absorb_sign",
    "add_blocks",
    "apply_rule",
    "cheaper",
    "common_factor",
    "common_scalar",
    "cost",
    "diag_diag",
    "diag_diag_cancels",
    "diag_scalar",
    "diag_ones",
    "diag_sum",
    "diag_vector",
    "distribute_when_it_cancels",
    "dot_cancels",
    "expand_products",
    "factor_common",
    "gather_transposes",
    "inverse_cancels",
    "inverse_of_product",
    "negated_difference",
    "ones_as_one",
    "ones_diag",
    "ones_dot",
    "preference",
    "positive_first",
    "present",
    "relu_in_sum",
    "relu_step",
    "rewrite",
    "row_diag",
    "scale_block",
    "sigmoid_fold",
    "simplex_sum",
    "simplify",
    "step_idempotent",
    "sum_identity",
    "sum_of_kron",
    "sum_of_sum",
    "trace_block",
    "trace_of_kron",
    "trace_scalar",
    "transpose_twins",
]
