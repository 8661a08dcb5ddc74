"""The element-wise primitives (section "Review: scalar derivative rules" and beyond): one
registration each, the partial a template in the argument u (as DiffRules.jl writes it),
the lowering one array-API expression in xp.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import expr as E
from . import KINK_AT_ZERO, POSITIVE, Domain, elementwise

ONE = E.Const(1)
HALF = E.Const(Fraction(1, 2))


def _sq(u):
    return E.Pow(u, E.Const(2))


def _f(name):
    return lambda *a: E.Func(name, *a)


elementwise("exp", partials=[_f("exp")], lower=lambda xp, u: xp.exp(u), latex=r"\exp",
            doc="eᵘ, entry by entry", example="exp(x)")
elementwise("log", aliases=("ln",), partials=[lambda u: E.Pow(u, E.Const(-1))],
            lower=lambda xp, u: xp.log(u), latex=r"\log", domain=POSITIVE,
            doc="natural logarithm (u > 0)", example="log(x)")
elementwise("sin", partials=[_f("cos")], lower=lambda xp, u: xp.sin(u), latex=r"\sin",
            doc="sine", example="sin(x)")
elementwise("cos", partials=[lambda u: E.neg(E.Func("sin", u))],
            lower=lambda xp, u: xp.cos(u), latex=r"\cos", doc="cosine", example="cos(x)")
elementwise("tan", partials=[lambda u: E.Add(ONE, _sq(E.Func("tan", u)))],
            lower=lambda xp, u: xp.tan(u), latex=r"\tan",
            domain=Domain(distance=lambda u: np.abs(np.cos(u))),
            doc="tangent (poles at π/2 + kπ)", example="tan(x)")
elementwise("tanh", partials=[lambda u: E.sub(ONE, _sq(E.Func("tanh", u)))],
            lower=lambda xp, u: xp.tanh(u), latex=r"\tanh", doc="hyperbolic tangent",
            example="tanh(x)")
elementwise("sigmoid", aliases=("σ",),
            partials=[lambda u: E.Mul(E.Func("sigmoid", u), E.sub(ONE, E.Func("sigmoid", u)))],
            lower=lambda xp, u: 1 / (1 + xp.exp(-u)),
            stable=lambda xp, u: 0.5 * (1 + xp.tanh(0.5 * u)),
            unicode="σ", latex=r"\sigma", doc="logistic sigmoid 1/(1 + e⁻ᵘ)",
            example="sigmoid(x)")
elementwise("softplus", partials=[_f("sigmoid")], lower=lambda xp, u: xp.log(1 + xp.exp(u)),
            stable=lambda xp, u: xp.logaddexp(0.0, u),
            doc="log(1 + eᵘ), computed as logaddexp(0, u)", example="softplus(x)")
elementwise("abs", partials=[_f("sign")], lower=lambda xp, u: xp.abs(u), domain=KINK_AT_ZERO,
            doc="absolute value (kinked at 0)", example="abs(x)")
elementwise("sign", partials=[lambda u: E.Zero(u.shape)], lower=lambda xp, u: xp.sign(u),
            domain=KINK_AT_ZERO, doc="−1, 0 or 1 (flat; jumps at 0)", example="sign(x)")
elementwise("arctan", partials=[lambda u: E.Pow(E.Add(ONE, _sq(u)), E.Const(-1))],
            lower=lambda xp, u: xp.arctan(u), latex=r"\arctan", doc="inverse tangent",
            example="arctan(x)")
