"""Simplification: named rewrite rules on matrix expressions, applied to a fixed point.

Each rule is a function that returns the smaller equal expression, or None where it does
not apply; its docstring states the identity and why it shrinks. Commutative algebra
(like terms, powers, constants) is already canonical in the constructors (`expr`); here are
the matrix identities the tutorial uses: `1ᵀdiag(x) = xᵀ`, `diag(a)diag(b) = diag(a ⊗ b)`, …

The package: `engine` (the table, the decorator, the driver) and `rewrites` (the rules, which
register themselves in the table when imported); every name is re-exported here.
"""

from __future__ import annotations

from .engine import RULES, TRIAL_BUDGET, BudgetExceeded, Rewrite, rewrite, simplify
from .rewrites import (
    absorb_sign,
    add_blocks,
    common_factor,
    common_scalar,
    diag_diag,
    diag_ones,
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

__all__ = [
    "RULES",
    "TRIAL_BUDGET",
    "BudgetExceeded",
    "Rewrite",
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
    "rewrite",
    "row_diag",
    "scale_block",
    "simplify",
    "step_idempotent",
    "trace_block",
]
