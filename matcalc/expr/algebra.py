"""The element-wise algebra: Add, Mul and Pow in one canonical form (as SymPy's Add and Mul:
flattened operands, folded constants, like terms collected, `x²·x → x³`, `2x + x → 3x`,
operands in a canonical order), element-wise functions, max and comparisons.
"""

from __future__ import annotations

import operator
from fractions import Fraction

from .. import registry
from ..errors import LimitError, MatcalcError
from ..limits import MAX_CONSTANT_DIGITS
from ..shapes import SCALAR
from .core import (
    Const,
    Expr,
    Ones,
    Zero,
    _elementwise_shape,
    _mismatch,
    _node,
    _power_digits,
    _shown,
    bounded,
    is_const,
    is_zero,
)

__all__ = [
    "Add",
    "Compare",
    "Func",
    "Max",
    "Mul",
    "Pow",
    "div",
    "neg",
    "num",
    "power_parts",
    "split_coefficient",
    "sub",
]


_ONE = Fraction(1)


# ---------------------------------------------------------------- element-wise algebra
class Add(Expr):
    """Element-wise sum; scalar terms are expanded over array terms."""

    category = 6

    def __new__(cls, *terms: Expr):
        shape = _elementwise_shape("+", terms)
        flat = [u for t in terms for u in _terms(t)]
        if not shape.is_scalar:  # z·1 beside arrays is just z, expanded
            relaxed = [_unexpanded(t) for t in flat]
            if all(t.shape.is_scalar for t in relaxed):
                return Mul(Add(*relaxed), Ones(shape))
            flat = [u for t in relaxed for u in _terms(t)]
        # one pass, a dict keyed by node: linear in the number of terms. A coefficient is
        # added (and its size bounded) only when a like term repeats; a term seen once is
        # kept as it came (already canonical), not rebuilt as coefficient × rest.
        collected: dict = {}  # rest node (None for the constant) -> [coefficient, first, repeated]
        for t in flat:
            if isinstance(t, Const):
                if not t.value:
                    continue
                coeff, rest = t.value, None
            elif isinstance(t, Zero):
                continue
            else:
                coeff, rest = split_coefficient(t)
            seen = collected.get(rest)
            if seen is None:
                collected[rest] = [coeff, t, False]
            else:
                seen[0] = bounded(seen[0] + coeff)
                seen[2] = True
        out = []
        for rest, (coeff, first, repeated) in collected.items():
            if not repeated:
                out.append(first)
            elif coeff:
                out.append(Const(coeff) if rest is None else Mul(Const(coeff), rest))
        if not out:
            return Zero(shape)
        if all(o.shape.is_scalar for o in out) and not shape.is_scalar:
            return Mul(Add(*out), Ones(shape))  # the array terms cancelled: keep the shape
        if len(out) == 1:
            return out[0]
        return _node(cls, tuple(out), shape, "+")


def _terms(t: Expr):
    """The terms t contributes to a sum: an Add's terms, −(a + b) as −a, −b."""
    if (
        isinstance(t, Mul)
        and len(t.args) == 2
        and is_const(t.args[0], -1)
        and isinstance(t.args[1], Add)
        and t.args[1].shape == t.shape
    ):
        return [neg(a) for a in t.args[1].args]
    return t.args if isinstance(t, Add) else (t,)


def _unexpanded(t: Expr) -> Expr:
    """z·1 (a scalar times an array of ones) as the scalar z."""
    if (
        isinstance(t, Mul)
        and any(isinstance(f, Ones) for f in t.args)
        and all(f.shape.is_scalar or isinstance(f, Ones) for f in t.args)
    ):
        return Mul(*(f for f in t.args if not isinstance(f, Ones)))
    return t


def split_coefficient(e: Expr) -> tuple[Fraction, Expr]:
    """3xy → (3, xy); x → (1, x)."""
    if isinstance(e, Mul) and isinstance(e.args[0], Const):
        rest = e.args[1:]
        return e.args[0].value, (rest[0] if len(rest) == 1 else _node(Mul, rest, e.shape, "*"))
    return _ONE, e


def power_parts(f: Expr) -> tuple[Expr, Fraction]:
    """x³ → (x, 3); x → (x, 1); a power with a symbolic exponent is its own base."""
    if isinstance(f, Pow) and isinstance(f.args[1], Const):
        return f.args[0], f.args[1].value
    return f, _ONE


class Mul(Expr):
    """Element-wise product (⊗), and scaling of an array by scalars."""

    category = 5

    def __new__(cls, *factors: Expr):
        shape = _elementwise_shape("*", factors)
        flat = []
        for f in factors:
            flat.extend(f.args if isinstance(f, Mul) else (f,))
        # as Add: one pass over a dict keyed by the base; exponents are added (and bounded)
        # only when a base repeats, a factor seen once is kept as it came
        coeff = None
        powers: dict = {}  # base -> [exponent, the first factor, repeated]
        for f in flat:
            if isinstance(f, Const):
                coeff = f.value if coeff is None else bounded(coeff * f.value)
                continue
            if isinstance(f, Zero):
                return Zero(shape)
            base, exp = power_parts(f)
            seen = powers.get(base)
            if seen is None:
                powers[base] = [exp, f, False]
            else:
                seen[0] = bounded(seen[0] + exp)
                seen[2] = True
        if coeff is None:
            coeff = _ONE
        elif coeff == 0:
            return Zero(shape)
        out = [
            (Pow(b, Const(exp)) if repeated else first)
            for b, (exp, first, repeated) in powers.items()
            if exp
        ]
        out = [o for o in out if not is_const(o, 1)]
        if any(not isinstance(o, Ones) and not o.shape.is_scalar for o in out):
            out = [o for o in out if not isinstance(o, Ones)]  # 1 is the unit of ⊗
        out.sort(key=lambda o: o.order)
        if coeff != 1 or not out:
            out.insert(0, Const(coeff))
        if len(out) == 1 and out[0].shape == shape:
            return out[0]
        if all(o.shape.is_scalar for o in out) and not shape.is_scalar:
            out.append(Ones(shape))
        if len(out) == 1:
            return out[0]
        return _node(cls, tuple(out), shape, "*")


class Pow(Expr):
    """Element-wise power uᵏ (k an expression; exact when constant)."""

    category = 3
    category_from_base = True

    def __new__(cls, base: Expr, exponent: Expr):
        if not exponent.shape.is_scalar:
            raise _mismatch("the exponent of ^ must be a scalar", base, exponent)
        if isinstance(exponent, Const):
            k = exponent.value
            if is_zero(base) and k < 0:
                raise MatcalcError("division by zero")
            if k == 0:
                return Ones(base.shape)
            if k == 1 or is_zero(base):
                return base  # 0ᵏ = 0 for k > 0
            if isinstance(base, Const) and k.denominator == 1:
                digits = _power_digits(base.value, int(k))
                if digits > MAX_CONSTANT_DIGITS + 1:
                    raise LimitError(
                        f"constant too large: {_shown(base.value)}^{_shown(k)} would "
                        f"have about {digits:,.0f} digits, more than the "
                        f"{MAX_CONSTANT_DIGITS} of the limit of exact constants "
                        f"(MAX_CONSTANT_DIGITS)"
                    )
                return Const(base.value ** int(k))
            if isinstance(base, Pow) and isinstance(base.args[1], Const) and k.denominator == 1:
                return Pow(base.args[0], Const(base.args[1].value * k))
            if isinstance(base, Mul) and k.denominator == 1:
                return Mul(*(Pow(f, exponent) for f in base.args))
            if isinstance(base, Ones):
                return base
        return _node(cls, (base, exponent), base.shape, "^")

    base = property(lambda self: self.args[0])
    exponent = property(lambda self: self.args[1])


class Func(Expr):
    """A primitive of the registry applied to its arguments: an element-wise function
    (exp, log, sigmoid, min, clip, …: the operands share a shape or are scalars) or a
    reduction to a scalar (norm1, …); `primitives` holds what each one means."""

    category = 3

    def __new__(cls, name: str, *args: Expr):
        p = registry.func(name)
        if p is None or len(args) not in p.arity:
            from ..errors import UnsupportedError

            raise UnsupportedError(
                f"no element-wise function or reduction named {name!r} of {len(args)} argument(s)"
            )
        if p.kind == "rowwise":  # a row-wise function: its record gives the shape
            shape = p.result(args[0].shape)
        else:
            shape = SCALAR if p.kind == "reduction" else _elementwise_shape(name, args)
        return _node(cls, (name,) + args, shape, name)

    name = property(lambda self: self.args[0])
    arg = property(lambda self: self.args[1])
    operands = property(lambda self: self.args[1:])


class Max(Expr):
    """Element-wise maximum; max(0, z) is the ReLU."""

    category = 3

    def __new__(cls, a: Expr, b: Expr):
        return _node(cls, (a, b), _elementwise_shape("max", (a, b)), "max")


class Compare(Expr):
    """(a > b) as 0/1 element-wise; the step (z > 0) is the derivative of max(0, z).
    The operator (>, >=, <, <=) and the operands stay as written, so that `abs(r) < 1`
    prints as typed; `OPERATORS` says what each one computes (on NumPy or SymPy values)."""

    category = 7
    OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}

    def __new__(cls, op: str, a: Expr, b: Expr):
        return _node(cls, (op, a, b), _elementwise_shape(op, (a, b)), op)

    op = property(lambda self: self.args[0])


# ---------------------------------------------------------------- helpers
def neg(a: Expr) -> Expr:
    return Mul(Const(-1), a)


def sub(a: Expr, b: Expr) -> Expr:
    return Add(a, neg(b))


def div(a: Expr, b: Expr) -> Expr:
    return Mul(a, Pow(b, Const(-1)))


def num(value: int | float | Fraction) -> Expr:
    return Const(value)
