"""Section "Review: scalar derivative rules": d/du f(u) for every element-wise function.

One line per function, the right side the derivative as a template in u (as DiffRules.jl
does); applied element-wise to vectors and matrices by `elementwise.d_func`. A function
missing here is reported by name.
"""
from __future__ import annotations

from fractions import Fraction

from .. import expr as E

__all__ = ["HALF", "ONE", "PARTIALS", "power_rule"]

ONE = E.Const(1)
HALF = E.Const(Fraction(1, 2))


def _sq(u):
    return E.Pow(u, E.Const(2))


PARTIALS = {
    "exp":      lambda u: E.Func("exp", u),
    "log":      lambda u: E.Pow(u, E.Const(-1)),
    "sin":      lambda u: E.Func("cos", u),
    "cos":      lambda u: E.neg(E.Func("sin", u)),
    "tan":      lambda u: E.Add(ONE, _sq(E.Func("tan", u))),
    "tanh":     lambda u: E.sub(ONE, _sq(E.Func("tanh", u))),
    "sigmoid":  lambda u: E.Mul(E.Func("sigmoid", u), E.sub(ONE, E.Func("sigmoid", u))),
    "softplus": lambda u: E.Func("sigmoid", u),
    "abs":      lambda u: E.Func("sign", u),
    "sign":     lambda u: E.Zero(u.shape),
}


def power_rule(u: E.Expr, k: E.Expr) -> E.Expr:
    """d/du uᵏ = k uᵏ⁻¹ (the power rule)."""
    return E.Mul(k, E.Pow(u, E.Add(k, E.Const(-1))))
