"""Pass 2 of `build`: the typed syntax tree as an expression DAG.

Chains (`a + b - c`, `a * b / c`, `a @ b @ c`) are built as one Add, Mul or MatMul, in
time linear in their length. Any error building a node — a shape error from the core, a
division by zero (`x/0`, `0/0`, `0^-1`), a constant too large to write down (`10^100000`,
checked before the core folds it) — points at that node.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import einsum, indexing, limits
from . import expr as E
from .axes import CONSTANT_CALLS, build_axis_call, constant, uses_axes
from .broadcast import broadcast, expand
from .errors import LimitError, MatcalcError, ShapeError
from .functions import ELEMENTWISE, FUNCTIONS, ONE_D_RULES, literal, parameters
from .shapes import SCALAR, Shape
from .syntax import Syntax
from .unify import Dims

__all__ = ["CHAINS", "Construct", "chain", "literal_dim", "source"]

# a left-associative chain `a + b - c`, `a * b / c`, `a @ b @ c` is typed and built flat
# (one level of nesting however long it is, up to MAX_TERMS operands)
CHAINS = {"+": ("+", "-"), "-": ("+", "-"), "*": ("*", "/"), "/": ("*", "/"), "@": ("@",)}


def chain(node: Syntax) -> tuple[list[Syntax], list[Syntax]]:
    """The operands and the operator nodes of the chain `node` ends: `a + b - c` gives
    ([a, b, c], [(a + b), (a + b - c)]), walked down the left spine without recursion."""
    ops = CHAINS[node.value]
    spine = []
    while node.kind == "binary" and node.value in ops:
        spine.append(node)
        node = node.children[0]
    spine.reverse()
    return [node] + [n.children[1] for n in spine], spine


class Construct:
    """The construction half of `build.Builder` (which provides `text`, `dimensions` and,
    from pass 1, every node's NumPy order `ndim(node)`, the axes of axis calls and the
    dimension of each `I`)."""

    def broadcast_kids(self, operands: list, kids: list) -> list:
        """The operands of an element-wise operation broadcast to its shape (NumPy's rule,
        written 1bᵀ, c1ᵀ: matcalc.broadcast)."""
        if all(k.shape == kids[0].shape or k.shape.is_scalar for k in kids) and all(
            self.ndim(o) == self.ndim(operands[0]) or k.shape.is_scalar
            for o, k in zip(operands, kids)
        ):
            return kids
        ndims = [self.ndim(o) for o in operands]
        found = broadcast(Dims(), [((k.shape.rows, k.shape.cols), n) for k, n in zip(kids, ndims)])
        if found is None:  # pass 1 unified these shapes: not reached
            raise ShapeError("operands that do not broadcast")
        (rows, cols), _ = found
        target = Shape(rows, cols) if (rows, cols) != (1, 1) else SCALAR
        return [expand(k, n, target) for k, n in zip(kids, ndims)]

    def construct(self, node: Syntax, variables: dict) -> E.Expr:
        """The expression of `node`; any error building a node (a shape error, division
        by zero, a constant too large) points at that node."""
        try:
            return self._construct(node, variables)
        except MatcalcError as err:  # e.g. the core's bound on a folded constant (expr.bounded)
            raise err.located(self.text, node.pos) from None

    def _construct(self, node, variables):
        kind = node.kind
        if kind == "number":
            return E.Const(node.value)
        if kind == "name":
            if node.value not in variables and node.value in self.dimensions:
                return E.DimSize(node.value)
            if node.value not in variables and id(node) in self.eyes:
                return self.identity_of(node)
            return variables[node.value]
        if kind == "call" and node.value in CONSTANT_CALLS:
            return constant(node.value, [literal_dim(c) for c in node.children])
        if kind == "call" and node.value == einsum.EINSUM:
            return einsum.construct(self, node, variables)
        if kind == "index":
            return indexing.construct(self, node, variables)
        if uses_axes(node):
            kid = self.construct(node.children[0], variables)
            return build_axis_call(node.value, kid, self.axes[id(node)])
        if kind == "binary" and node.value in CHAINS:
            return self.construct_chain(node, variables)
        if kind == "list":
            return self.construct_literal(node, variables)
        literals = parameters(node)
        kids = [
            literal(c) if i in literals else self.construct(c, variables)
            for i, c in enumerate(node.children)
        ]
        if kind == "neg":
            return E.neg(kids[0])
        if kind == "transpose":
            return E.Transpose(kids[0])
        if kind == "compare":
            return E.Compare(node.value, *self.broadcast_kids(node.children, kids))
        if kind == "binary" and node.value == "^":
            a, b = kids
            _check_power(a, b, self.text, node)
            return E.Pow(a, b)
        if kind == "call":
            if FUNCTIONS[node.value][1] == ELEMENTWISE and len(kids) > 1:
                kids = self.broadcast_kids(node.children, kids)
            if FUNCTIONS[node.value][1] in ONE_D_RULES:  # softmax(v @ A): as pass 1
                kids = [
                    E.Transpose(k) if k.shape.is_row and self.ndim(c) == 1 else k
                    for c, k in zip(node.children, kids)
                ]
            return FUNCTIONS[node.value][2](*kids)
        raise MatcalcError(f"unknown syntax {kind}")

    def construct_chain(self, node, variables):
        """`a + b - c` as one Add, `a * b / c` as one Mul, `a @ b @ c` as one MatMul: linear
        in the number of operands, whatever the length."""
        operands, ops = chain(node)
        kids = [self.construct(o, variables) for o in operands]
        if node.value != "@":
            kids = self.broadcast_kids(operands, kids)
        if node.value in ("+", "-"):
            return E.Add(
                kids[0], *(E.neg(k) if op.value == "-" else k for op, k in zip(ops, kids[1:]))
            )
        if node.value in ("*", "/"):
            factors, digits = [kids[0]], _digits(_coefficient(kids[0]))
            for op, k in zip(ops, kids[1:]):
                if op.value == "/":
                    if E.is_zero(k):
                        raise MatcalcError(
                            "division by zero", expected="a divisor that is not 0"
                        ).located(self.text, op.pos)
                    k = E.Pow(k, E.Const(-1))
                digits += _digits(_coefficient(k))  # the folded coefficient's size, at most
                if digits > limits.MAX_CONSTANT_DIGITS:
                    raise _too_large(self.text, op)
                factors.append(k)
            return E.Mul(*factors)
        # @ : a column on the left is a row (NumPy's 1-D rule), so `x @ A @ y` is xᵀAy
        factors, rows, cols = [kids[0]], kids[0].shape.rows, kids[0].shape.cols
        for op, k in zip(ops, kids[1:]):
            if cols == 1 and rows != 1 and not k.shape.is_row:
                left = (
                    factors[0] if len(factors) == 1 else _located(E.MatMul, factors, self.text, op)
                )
                factors, rows, cols = [E.Transpose(left)], 1, rows
            factors.append(k)
            cols = k.shape.cols
        return E.MatMul(*factors) if len(factors) > 1 else factors[0]

    def construct_literal(self, node, variables):
        rows = node.children
        if all(c.kind == "list" for c in rows) and any(len(c.children) > 1 for c in rows):
            return E.Block(
                tuple(tuple(self.construct(x, variables) for x in c.children) for c in rows)
            )
        return E.Block(tuple((self.construct(c, variables),) for c in rows))


def literal_dim(node: Syntax) -> int | str:
    """A constant's dimension as written: an integer or a dimension's name."""
    return int(node.value) if node.kind == "number" else node.value


def _located(make, args, text, node):
    try:
        return make(*args)
    except MatcalcError as err:
        raise err.located(text, node.pos) from None


def _digits(value: Fraction) -> int:
    """About how many decimal digits an exact constant has (numerator and denominator)."""
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length()) * 30103 // 100000


def _coefficient(e: E.Expr) -> Fraction:
    """The constant the core would fold from `e`: itself, or a product's leading number."""
    if isinstance(e, E.Const):
        return e.value
    if isinstance(e, E.Mul) and isinstance(e.args[0], E.Const):
        return e.args[0].value
    return Fraction(1)


def _too_large(text: str, node: Syntax) -> LimitError:
    return LimitError(
        f"constant too large (more than {limits.MAX_CONSTANT_DIGITS} digits, "
        "the limit of exact constants MAX_CONSTANT_DIGITS)",
        expected=f"constants of at most {limits.MAX_CONSTANT_DIGITS} digits",
    ).located(text, node.pos)


def _check_power(base: E.Expr, exponent: E.Expr, text: str, node: Syntax):
    """Refuse, before the core folds it, a constant power too large to write down, and a
    power of zero with a negative exponent (a division by zero)."""
    if not isinstance(exponent, E.Const):
        return
    k = exponent.value
    if E.is_zero(base) and k < 0:
        raise MatcalcError(
            "division by zero (0 to a negative power)", expected="a base that is not 0"
        ).located(text, node.pos)
    c = _coefficient(base)  # (c·x)^k folds c^k
    if c not in (0, 1, -1):
        size = abs(k) * max(abs(math.log10(abs(c.numerator))), math.log10(c.denominator))
        if size > limits.MAX_CONSTANT_DIGITS:
            raise LimitError(
                f"constant too large: {source(text, node)} has more than "
                f"{limits.MAX_CONSTANT_DIGITS} digits (MAX_CONSTANT_DIGITS)",
                expected=f"constants of at most {limits.MAX_CONSTANT_DIGITS} digits",
            ).located(text, node.pos)


def source(text: str, node: Syntax, width: int = 60) -> str:
    """The operand as the user wrote it (shortened with … beyond `width` characters)."""
    from .render.syntax_text import syntax_text

    if _size_above(node, 200):
        return "(a long expression)"
    s = syntax_text(node)
    return s if len(s) <= width else s[: width - 1] + "…"


def _size_above(node: Syntax, limit: int) -> bool:
    stack, count = [node], 0
    while stack:
        count += 1
        if count > limit:
            return True
        stack.extend(stack.pop().children)
    return False
