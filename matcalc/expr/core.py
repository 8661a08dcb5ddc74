"""The base of expression nodes: `Expr`, the hash-consing table, the printer hook, and the
leaves (variables, differentials, constants, dimension sizes, zeros, ones, identities).

Equal expressions are one object (a weak intern table keyed by class, arguments and shape), so
`a is b` is equality, a DAG never swells, and memo tables can key on nodes.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Callable
from fractions import Fraction

from ..errors import LimitError, ShapeError
from ..limits import MAX_CONSTANT_DIGITS
from ..shapes import SCALAR, Shape

__all__ = [
    "Const",
    "Differential",
    "DimSize",
    "Expr",
    "Identity",
    "Ones",
    "Var",
    "Zero",
    "bounded",
    "is_const",
    "is_zero",
    "set_printer",
    "size_difference",
    "size_of",
    "walk",
]

# the intern table: key -> weak reference to the node. A plain dict of `KeyedRef`s (what
# WeakValueDictionary keeps inside, without its Python-level `get`): a dead node's entry is
# dropped by `_forget`, unless a newer node already took its key.
_TABLE: dict = {}


def _forget(ref: weakref.KeyedRef) -> None:
    if _TABLE.get(ref.key) is ref:
        del _TABLE[ref.key]


_printer: Callable[[Expr], str] | None = None


def set_printer(printer: Callable[[Expr], str]) -> None:
    """Register how an expression prints in `str`, `repr` and shape-error messages.
    `matcalc.render.text` registers its Unicode printer when it is imported (the package's
    `__init__` imports it), so this module never imports the layer above it."""
    global _printer
    _printer = printer


def _text(e: Expr) -> str:
    """The registered printer's text, or a plain constructor form if none is registered."""
    if _printer is not None:
        return _printer(e)
    inner = ", ".join(_text(a) if isinstance(a, Expr) else repr(a) for a in e.args)
    return f"{type(e).__name__}({inner})"


class Expr:
    """Base of all nodes. `args` holds children (Expr) and parameters (str, Fraction, Shape);
    `children` the Expr ones, in order (a tuple made once, when the node is)."""

    __slots__ = ("args", "shape", "free", "order", "children", "__weakref__")
    category = 3  # print/canonical order of factors: constants, dims, symbols, calls, ...
    category_from_base = False  # a power sorts with its base (Pow sets this)

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<{type(self).__name__} {_text(self)}>"

    def __str__(self):
        return _text(self)

    def depends_on(self, node: Expr) -> bool:
        return node in self.free


def _node(cls, args: tuple, shape: Shape, label="") -> Expr:
    # the shape too (as its two dimensions, hashed without a Python-level call): the scalar
    # t + 1 is not t + 1 expanded
    key = (cls, args, shape.rows, shape.cols)
    ref = _TABLE.get(key)
    if ref is not None:
        found = ref()
        if found is not None:
            return found
    node = object.__new__(cls)
    node.args = args
    node.shape = shape
    kids = tuple(a for a in args if isinstance(a, Expr))
    node.children = kids
    free = frozenset().union(*(k.free for k in kids)) if kids else frozenset()
    if cls in (Var, Differential):
        free = frozenset((node,))
    node.free = free
    height = 1 + max((-k.order[1] for k in kids), default=0)
    # canonical operand order: category, then deeper first (f(g(x)) before g'(x)), then name;
    # ties broken by the whole structure (never by creation order, which would make the
    # printed form depend on what else the session has built)
    category = kids[0].order[0] if cls.category_from_base else cls.category
    params = tuple(_param_key(a) for a in args if not isinstance(a, Expr))
    node.order = (
        category,
        -height,
        label,
        tuple(k.order[:3] for k in kids[:3]),
        cls.__name__,
        params,
        tuple(k.order for k in kids),
        _param_key(shape),
    )
    _TABLE[key] = weakref.KeyedRef(node, _forget, key)
    return node


def _param_key(p) -> tuple:
    """A parameter (a number, name, shape, ...) as a key comparable with any other's."""
    if isinstance(p, (int, Fraction)):
        return (0, Fraction(p), "")
    if isinstance(p, str):
        return (1, 0, p)
    if isinstance(p, Shape):
        return (2, 0, f"{p.rows}×{p.cols}")
    return (3, 0, repr(p))


def _mismatch(what: str, *operands: Expr) -> ShapeError:
    described = ", ".join(f"{_text(o)} is {o.shape.kind}" for o in operands)
    return ShapeError(f"{what}: {described}")


# ---------------------------------------------------------------- leaves
class Var(Expr):
    """A named variable; `structure` marks a declared symmetric matrix (Aᵀ = A) or a
    simplex vector (its entries sum to 1)."""

    category = 2

    def __new__(cls, name: str, shape: Shape = SCALAR, structure: str | None = None):
        return _node(cls, (name, shape, structure or None), shape, name)

    name = property(lambda self: self.args[0])
    structure = property(lambda self: self.args[2])
    symmetric = property(lambda self: self.args[2] == "symmetric")


class Differential(Expr):
    """dX: the differential of a variable, the hole a linear map is applied to."""

    category = 2

    def __new__(cls, var: Var):
        return _node(cls, (var,), var.shape, "d" + var.name)

    var = property(lambda self: self.args[0])


_LARGEST = 10**MAX_CONSTANT_DIGITS


def bounded(value: Fraction) -> Fraction:
    """`value`, if its numerator and denominator have at most MAX_CONSTANT_DIGITS + 1 digits
    (10^MAX_CONSTANT_DIGITS is the largest); else a LimitError. O(1) below the bound."""
    for part in (value.numerator, value.denominator):
        if part.bit_length() > 3 * MAX_CONSTANT_DIGITS and abs(part) > _LARGEST:
            raise LimitError(
                f"constant too large: more than 10^{MAX_CONSTANT_DIGITS}, the "
                f"limit of exact constants (MAX_CONSTANT_DIGITS)"
            )
    return value


def _power_digits(base: Fraction, k: int) -> float:
    """About how many digits base^k has, without computing it."""
    largest = max(abs(base.numerator), base.denominator)
    return abs(k) * math.log10(largest) if largest > 1 else 0.0


def _shown(value: Fraction) -> str:
    """A constant for a message: itself if short, else its size."""
    text = str(value)
    if len(text) > 24:
        return f"(a number of {len(text)} digits)"
    return text if value.denominator == 1 and value >= 0 else f"({text})"


class Const(Expr):
    """An exact rational number (a scalar), at most 10^MAX_CONSTANT_DIGITS."""

    category = 0

    def __new__(cls, value):
        if type(value) is not Fraction:
            value = Fraction(value)
        ref = _TABLE.get((cls, (value,), 1, 1))  # an existing constant was bounded when made
        found = ref() if ref is not None else None
        return found if found is not None else _node(cls, (bounded(value),), SCALAR)

    value = property(lambda self: self.args[0])


class DimSize(Expr):
    """The size of a symbolic dimension as a scalar, e.g. the N of mean over N samples."""

    category = 1

    def __new__(cls, dim):
        if isinstance(dim, int):
            return Const(dim)
        return _node(cls, (dim,), SCALAR, dim)

    dim = property(lambda self: self.args[0])


class Zero(Expr):
    """The zero of a shape (0, 0ᵀ, the zero matrix)."""

    category = 0

    def __new__(cls, shape: Shape = SCALAR):
        if shape.is_scalar:
            return Const(0)
        return _node(cls, (shape,), shape)


class Ones(Expr):
    """The array of ones of a shape: the column 1, the row 1ᵀ."""

    category = 2

    def __new__(cls, shape: Shape):
        if shape.is_scalar:
            return Const(1)
        return _node(cls, (shape,), shape, "1")


class Identity(Expr):
    """The n×n identity I."""

    category = 2

    def __new__(cls, n):
        if n == 1:
            return Const(1)
        return _node(cls, (n,), Shape(n, n), "I")

    n = property(lambda self: self.args[0])


def is_const(e: Expr, value: object = None) -> bool:
    return isinstance(e, Const) and (value is None or e.value == value)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero) or is_const(e, 0)


def _elementwise_shape(what: str, operands) -> Shape:
    """Element-wise operands share one shape, or are scalars (scalar expansion)."""
    shape = SCALAR
    for o in operands:
        if o.shape.is_scalar:
            continue
        if shape.is_scalar:
            shape = o.shape
        elif o.shape != shape:
            raise _mismatch(f"{what} needs operands of one shape, or a scalar", *operands)
    return shape


def walk(root: Expr) -> list[Expr]:
    """Every node of the DAG once, children before parents."""
    seen, out, stack = set(), [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(node.children) if c not in seen)
    return out


def size_of(root: Expr) -> int:
    """The number of distinct nodes of the DAG (what 'result size' measures)."""
    return len(walk(root))


def size_difference(a: Expr, b: Expr) -> int:
    """size_of(a) - size_of(b), exactly, walking only as far down as the two DAGs differ:
    nodes are taken tallest first (a parent is taller than its children), each marked with
    the roots that reach it (final when it is taken, all its parents taken before it). A
    node both reach counts on both sides and cancels; the walk ends when no node reached
    from one side only is left, so a rewrite of a small part of a large expression mostly
    costs the part, not the whole."""
    if a is b:
        return 0
    marks = {a: 1, b: 2}
    heap = sorted([(a.order[1], id(a), a), (b.order[1], id(b), b)])  # order[1] is -height
    one_sided = 2  # nodes in the heap reached from one root only
    difference = 0
    while one_sided:
        _, _, node = heapq.heappop(heap)
        mark = marks[node]
        if mark != 3:
            one_sided -= 1
            difference += 1 if mark == 1 else -1
        for kid in node.children:
            seen = marks.get(kid)
            if seen is None:
                marks[kid] = mark
                heapq.heappush(heap, (kid.order[1], id(kid), kid))
                one_sided += mark != 3
            elif seen != 3 and seen != mark:
                marks[kid] = 3
                one_sided -= 1
    return difference
