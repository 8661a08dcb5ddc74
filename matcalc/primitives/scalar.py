"""The element-wise primitives (section "Review: scalar derivative rules" and beyond): one
registration each, the partial a template in the argument u (as DiffRules.jl writes it),
the lowering one array-API expression in xp.
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from . import BETWEEN_ARGUMENTS, KINK_AT_ZERO, POSITIVE, Domain, constant, elementwise

__all__: list[str] = []  # the records are registered on import; nothing to import

ONE = E.Const(1)
HALF = E.Const(Fraction(1, 2))
NEG_HALF = E.Const(Fraction(-1, 2))


def _sq(u):
    return E.Pow(u, E.Const(2))


def _inverse_root(u):
    """(1 − u²)^(−1/2)"""
    return E.Pow(E.sub(ONE, _sq(u)), E.Const(Fraction(-1, 2)))


def _np():
    """NumPy, imported when a sampler first needs it (the CLI's start does not load it)."""
    import numpy

    return numpy


def _f(name):
    return lambda *a: E.Func(name, *a)


elementwise(
    "exp",
    partials=[_f("exp")],
    lower=lambda xp, u: xp.exp(u),
    latex=r"\exp",
    doc="eᵘ, entry by entry",
    example="exp(x)",
)
elementwise(
    "log",
    aliases=("ln",),
    partials=[lambda u: E.Pow(u, E.Const(-1))],
    lower=lambda xp, u: xp.log(u),
    latex=r"\log",
    domain=POSITIVE,
    doc="natural logarithm (u > 0)",
    example="log(x)",
)
elementwise(
    "sin",
    partials=[_f("cos")],
    lower=lambda xp, u: xp.sin(u),
    latex=r"\sin",
    doc="sine",
    example="sin(x)",
)
elementwise(
    "cos",
    partials=[lambda u: E.neg(E.Func("sin", u))],
    lower=lambda xp, u: xp.cos(u),
    latex=r"\cos",
    doc="cosine",
    example="cos(x)",
)
elementwise(
    "tan",
    partials=[lambda u: E.Add(ONE, _sq(E.Func("tan", u)))],
    lower=lambda xp, u: xp.tan(u),
    latex=r"\tan",
    domain=Domain(distance=lambda u: _np().abs(_np().cos(u))),
    doc="tangent (poles at π/2 + kπ)",
    example="tan(x)",
)
elementwise(
    "tanh",
    partials=[lambda u: E.sub(ONE, _sq(E.Func("tanh", u)))],
    lower=lambda xp, u: xp.tanh(u),
    latex=r"\tanh",
    doc="hyperbolic tangent",
    letters=("h", "a"),
    example="tanh(x)",
)
elementwise(
    "sigmoid",
    aliases=("σ",),
    partials=[lambda u: E.Mul(E.Func("sigmoid", u), E.sub(ONE, E.Func("sigmoid", u)))],
    lower=lambda xp, u: 1 / (1 + xp.exp(-u)),
    stable=lambda xp, u: 0.5 * (1 + xp.tanh(0.5 * u)),
    unicode="σ",
    latex=r"\sigma",
    doc="logistic sigmoid 1/(1 + e⁻ᵘ)",
    letters=("σ", "s", "p"),
    example="sigmoid(x)",
)
elementwise(
    "softplus",
    partials=[_f("sigmoid")],
    lower=lambda xp, u: xp.log(1 + xp.exp(u)),
    stable=lambda xp, u: xp.logaddexp(0.0, u),
    doc="log(1 + eᵘ), computed as logaddexp(0, u)",
    letters=("h", "a"),
    example="softplus(x)",
)
elementwise(
    "abs",
    partials=[_f("sign")],
    lower=lambda xp, u: xp.abs(u),
    domain=KINK_AT_ZERO,
    doc="absolute value (kinked at 0)",
    example="abs(x)",
)
elementwise(
    "sign",
    partials=[lambda u: E.Zero(u.shape)],
    lower=lambda xp, u: xp.sign(u),
    domain=KINK_AT_ZERO,
    doc="−1, 0 or 1 (flat; jumps at 0)",
    example="sign(x)",
)
elementwise(
    "arctan",
    partials=[lambda u: E.Pow(E.Add(ONE, _sq(u)), E.Const(-1))],
    lower=lambda xp, u: xp.arctan(u),
    latex=r"\arctan",
    doc="inverse tangent",
    example="arctan(x)",
)
elementwise(
    "arcsin",
    partials=[_inverse_root],
    lower=lambda xp, u: xp.arcsin(u),
    latex=r"\arcsin",
    domain=Domain(low=-1.0, high=1.0),
    doc="inverse sine (−1 < u < 1)",
    example="arcsin(x)",
)
elementwise(
    "arccos",
    partials=[lambda u: E.neg(_inverse_root(u))],
    lower=lambda xp, u: xp.arccos(u),
    latex=r"\arccos",
    domain=Domain(low=-1.0, high=1.0),
    doc="inverse cosine (−1 < u < 1)",
    example="arccos(x)",
)
elementwise(
    "sinh",
    partials=[_f("cosh")],
    lower=lambda xp, u: xp.sinh(u),
    latex=r"\sinh",
    doc="hyperbolic sine",
    example="sinh(x)",
)
elementwise(
    "cosh",
    partials=[_f("sinh")],
    lower=lambda xp, u: xp.cosh(u),
    latex=r"\cosh",
    doc="hyperbolic cosine",
    example="cosh(x)",
)
elementwise(
    "log1p",
    partials=[lambda u: E.Pow(E.Add(ONE, u), E.Const(-1))],
    lower=lambda xp, u: xp.log1p(u),
    domain=Domain(low=-1.0),
    doc="log(1 + u), accurate for small u (u > −1)",
    example="log1p(x)",
)
elementwise(
    "expm1",
    partials=[_f("exp")],
    lower=lambda xp, u: xp.expm1(u),
    doc="eᵘ − 1, accurate for small u",
    example="expm1(x)",
)
constant("pi", lower=lambda xp: xp.pi, unicode="π", latex=r"\pi", doc="π")
elementwise(
    "erf",
    partials=[
        lambda u: E.Mul(E.Const(2), E.Pow(E.Func("pi"), NEG_HALF), E.Func("exp", E.neg(_sq(u))))
    ],
    lower=lambda xp, u: xp.erf(u),
    doc="the error function",
    example="erf(x)",
)
elementwise(
    "gelu",
    partials=[
        lambda u: E.Add(
            E.Mul(HALF, E.Add(ONE, E.Func("erf", E.Mul(u, E.Pow(E.Const(2), NEG_HALF))))),
            E.Mul(
                u,
                E.Func("exp", E.Mul(NEG_HALF, _sq(u))),
                E.Pow(E.Const(2), NEG_HALF),
                E.Pow(E.Func("pi"), NEG_HALF),
            ),
        )
    ],
    lower=lambda xp, u: u * (1 + xp.erf(u * xp.SQRT1_2)) / 2,
    doc="u Φ(u) = u (1 + erf(u/√2))/2, the exact GELU",
    letters=("h", "a"),
    example="gelu(x)",
)
elementwise(
    "min",
    arity=2,
    partials=[lambda a, b: E.Compare(">=", b, a), lambda a, b: E.Compare(">", a, b)],
    lower=lambda xp, a, b: xp.minimum(a, b),
    latex=r"\min",
    domain=BETWEEN_ARGUMENTS,
    doc="min(a, b), entry by entry (a scalar expands)",
    example="min(x, y)",
)
elementwise(
    "clip",
    arity=3,
    partials=[
        lambda x, lo, hi: E.Mul(E.Compare(">", x, lo), E.Compare(">", hi, x)),
        lambda x, lo, hi: E.Mul(E.Compare(">", lo, x), E.Compare(">", hi, lo)),
        lambda x, lo, hi: E.Compare(">", E.Max(x, lo), hi),
    ],
    lower=lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
    domain=BETWEEN_ARGUMENTS,
    doc="min(max(u, lo), hi), entry by entry",
    example="clip(x, y, z)",
)
