"""The element-wise algebra: Add, Mul and Pow in one canonical form (as SymPy's Add and Mul:
flattened operands, folded constants, like terms collected, `x²·x → x³`, `2x + x → 3x`,
operands in a canonical order), element-wise functions, max and comparisons.
"""

from __future__ import annotations

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
        constant = Fraction(0)
        collected: dict = {}  # rest node (or None for a constant) -> coefficient
        order = []
        for t in flat:
            if is_zero(t):
                continue
            if isinstance(t, Const):
                constant = bounded(constant + t.value)
                if None not in order:
                    order.append(None)
                continue
            coeff, rest = split_coefficient(t)
            if rest not in collected:
                order.append(rest)
                collected[rest] = Fraction(0)
            collected[rest] = bounded(collected[rest] + coeff)
        out = [
            Const(constant) if r is None else Mul(Const(collected[r]), r)
            for r in order
            if (constant if r is None else collected[r]) != 0
        ]
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
    return Fraction(1), e


def power_parts(f: Expr) -> tuple[Expr, Fraction]:
    """x³ → (x, 3); x → (x, 1); a power with a symbolic exponent is its own base."""
    if isinstance(f, Pow) and isinstance(f.args[1], Const):
        return f.args[0], f.args[1].value
    return f, Fraction(1)


class Mul(Expr):
    """Element-wise product (⊗), and scaling of an array by scalars."""

    category = 5

    def __new__(cls, *factors: Expr):
        shape = _elementwise_shape("*", factors)
        flat = []
        for f in factors:
            flat.extend(f.args if isinstance(f, Mul) else (f,))
        coeff = Fraction(1)
        powers: dict = {}
        order = []
        for f in flat:
            if isinstance(f, Const):
                coeff = bounded(coeff * f.value)
                continue
            if isinstance(f, Zero):
                return Zero(shape)
            base, exp = power_parts(f)
            if base not in powers:
                order.append(base)
                powers[base] = Fraction(0)
            powers[base] = bounded(powers[base] + exp)
        if coeff == 0:
            return Zero(shape)
        out = [Pow(b, Const(powers[b])) for b in order if powers[b] != 0]
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
    """(a > b) as 0/1 element-wise; the step (z > 0) is the derivative of max(0, z)."""

    category = 7

    def __new__(cls, op: str, a: Expr, b: Expr):
        if op == "<":
            op, a, b = ">", b, a
        elif op == "<=":
            op, a, b = ">=", b, a
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
