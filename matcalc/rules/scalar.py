"""Section "Review: scalar derivative rules": d/du f(u) for every element-wise function.

The partials are registered with each primitive (`matcalc.primitives`), one line per
function, the right side the derivative as a template in u (as DiffRules.jl does); applied
element-wise to vectors and matrices by `elementwise.d_func`.
"""

from __future__ import annotations

from .. import expr as E
from ..primitives.catalog import REGISTRY

__all__ = ["PARTIALS", "power_rule"]

PARTIALS = {p.name: p.partials[0] for p in REGISTRY if p.kind == "elementwise" and p.arity == (1,)}
"""d/du f(u) of every element-wise function of one argument, from the registry (where each
is one line: `matcalc/primitives/scalar.py`)."""


def power_rule(u: E.Expr, k: E.Expr) -> E.Expr:
    """d/du uᵏ = k uᵏ⁻¹ (the power rule)."""
    return E.Mul(k, E.Pow(u, E.Add(k, E.Const(-1))))
