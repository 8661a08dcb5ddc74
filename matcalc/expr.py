"""Expression nodes: immutable, hash-consed, each carrying its `Shape`.

Equal expressions are one object (a weak intern table keyed by class, arguments and shape), so
`a is b` is equality, a DAG never swells, and memo tables can key on nodes. Constructors
put the commutative algebra into one canonical form, as SymPy's Add and Mul do: flattened
operands, folded constants, like terms collected (`x²·x → x³`, `2x + x → 3x`), operands in
a canonical order. Matrix identities (`1ᵀdiag(x) → xᵀ`, ...) are not here but in
`simplify`, as named rewrites, so that the derivation can show them.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from fractions import Fraction

from . import registry
from .errors import LimitError, MatcalcError, ShapeError
from .limits import MAX_CONSTANT_DIGITS
from .shapes import SCALAR, Shape

__all__ = [
    "Add",
    "Block",
    "Compare",
    "Const",
    "Det",
    "Diag",
    "Diagonal",
    "Differential",
    "DimSize",
    "Expr",
    "Func",
    "Identity",
    "Inv",
    "LogSumExp",
    "MatMul",
    "Max",
    "Mul",
    "Norm",
    "Ones",
    "Pow",
    "Softmax",
    "Sum",
    "Trace",
    "Transpose",
    "Var",
    "Zero",
    "bounded",
    "div",
    "is_const",
    "is_zero",
    "neg",
    "num",
    "power_parts",
    "set_printer",
    "size_of",
    "split_coefficient",
    "sub",
    "walk",
]

_TABLE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

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
    """Base of all nodes. `args` holds children (Expr) and parameters (str, Fraction, Shape)."""

    __slots__ = ("args", "shape", "free", "order", "__weakref__")
    category = 3  # print/canonical order of factors: constants, dims, symbols, calls, ...

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<{type(self).__name__} {_text(self)}>"

    def __str__(self):
        return _text(self)

    @property
    def children(self) -> tuple:
        return tuple(a for a in self.args if isinstance(a, Expr))

    def depends_on(self, node: Expr) -> bool:
        return node in self.free


def _node(cls, args: tuple, shape: Shape, label="") -> Expr:
    key = (cls, args, shape)  # the shape too: the scalar t + 1 is not t + 1 expanded
    found = _TABLE.get(key)
    if found is not None:
        return found
    node = object.__new__(cls)
    node.args = args
    node.shape = shape
    kids = [a for a in args if isinstance(a, Expr)]
    free = frozenset().union(*(k.free for k in kids)) if kids else frozenset()
    if cls in (Var, Differential):
        free = frozenset((node,))
    node.free = free
    height = 1 + max((-k.order[1] for k in kids), default=0)
    # canonical operand order: category, then deeper first (f(g(x)) before g'(x)), then name;
    # ties broken by the whole structure (never by creation order, which would make the
    # printed form depend on what else the session has built)
    category = kids[0].order[0] if cls is Pow else cls.category
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
    _TABLE[key] = node
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
        return _node(cls, (bounded(Fraction(value)),), SCALAR)

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
            from .errors import UnsupportedError

            raise UnsupportedError(
                f"no element-wise function or reduction named {name!r} of {len(args)} argument(s)"
            )
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


# ---------------------------------------------------------------- linear algebra
class MatMul(Expr):
    """Matrix product A B (a chain, flattened); 1×1 factors are pulled out as scalars."""

    category = 5

    def __new__(cls, *factors: Expr):
        flat = []
        for f in factors:
            flat.extend(f.args if isinstance(f, MatMul) else (f,))
        for left, right in zip(flat, flat[1:]):
            if left.shape.cols != right.shape.rows:
                raise _mismatch(
                    "@ needs the columns of the left to match the rows of the right", left, right
                )
        shape = Shape(flat[0].shape.rows, flat[-1].shape.cols)
        if any(is_zero(f) for f in flat):
            return Zero(shape)
        scalars, chain = [], []
        for f in flat:
            if f.shape.is_scalar:
                scalars.append(f)
                continue
            if isinstance(f, Mul) and any(g.shape.is_scalar for g in f.args):
                scalars.extend(g for g in f.args if g.shape.is_scalar)
                f = Mul(*(g for g in f.args if not g.shape.is_scalar))
            if isinstance(f, MatMul):
                chain.extend(f.args)
            elif not isinstance(f, Identity):
                chain.append(f)
        if not chain:
            core = Identity(shape.rows) if shape.rows == shape.cols else Ones(shape)
            core = Const(1) if shape.is_scalar else core
        elif len(chain) == 1:
            core = chain[0]
        else:
            core = _node(cls, tuple(chain), shape, "@")
        if core.shape != shape:  # e.g. (n×1)(1×1) with the scalar pulled out
            raise _mismatch("@", *flat)
        return Mul(*scalars, core) if scalars else core


class Transpose(Expr):
    """Aᵀ, pushed through sums, products and scalars so that transposes sit on leaves."""

    category = 3

    def __new__(cls, a: Expr):
        s = a.shape
        if s.is_scalar or isinstance(a, (Identity, Diag)) or (isinstance(a, Var) and a.symmetric):
            return a
        if isinstance(a, Transpose):
            return a.args[0]
        if isinstance(a, Zero):
            return Zero(s.T)
        if isinstance(a, Ones):
            return Ones(s.T)
        if isinstance(a, Add):
            return Add(*(Transpose(t) for t in a.args))
        if isinstance(a, MatMul):
            return MatMul(*(Transpose(f) for f in reversed(a.args)))
        if isinstance(a, Mul) and any(f.shape.is_scalar for f in a.args):
            return Mul(*(f if f.shape.is_scalar else Transpose(f) for f in a.args))
        if isinstance(a, Inv) and Transpose(a.args[0]) is a.args[0]:
            return a  # the inverse of a symmetric matrix
        if isinstance(a, Block):
            return Block(tuple(zip(*a.rows)), transpose_entries=True)
        return _node(cls, (a,), s.T, "T")


class Sum(Expr):
    """The sum of all elements (the tutorial's sum reduction)."""

    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return a
        if isinstance(a, Zero):
            return Const(0)
        if isinstance(a, Ones):
            return Mul(DimSize(a.shape.rows), DimSize(a.shape.cols))
        if isinstance(a, Var) and a.structure == "simplex":
            return Const(1)
        if isinstance(a, Mul) and any(f.shape.is_scalar for f in a.args):
            return Mul(
                *(f for f in a.args if f.shape.is_scalar),
                Sum(Mul(*(f for f in a.args if not f.shape.is_scalar))),
            )
        return _node(cls, (a,), SCALAR, "sum")


def _square(what: str, a: Expr):
    if a.shape.rows != a.shape.cols:
        raise _mismatch(f"{what} needs a square matrix", a)


class Trace(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("trace", a)
        if a.shape.is_scalar:
            return a
        if isinstance(a, Identity):
            return DimSize(a.n)
        if isinstance(a, Zero):
            return Const(0)
        return _node(cls, (a,), SCALAR, "tr")


class Det(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("det", a)
        if a.shape.is_scalar:
            return a
        if isinstance(a, Identity):
            return Const(1)
        return _node(cls, (a,), SCALAR, "det")


class Inv(Expr):
    category = 3

    def __new__(cls, a: Expr):
        _square("inv", a)
        if a.shape.is_scalar:
            return Pow(a, Const(-1))
        if isinstance(a, Inv):
            return a.args[0]
        if isinstance(a, Zero):
            raise MatcalcError("division by zero: the inverse of a zero matrix")
        if isinstance(a, Identity):
            return a
        if isinstance(a, Transpose):  # (Xᵀ)⁻¹ is written X⁻ᵀ
            return Transpose(Inv(a.args[0]))
        return _node(cls, (a,), a.shape, "inv")


class Diag(Expr):
    """diag(v): the diagonal matrix with the vector v on its diagonal."""

    category = 3

    def __new__(cls, v: Expr):
        if v.shape.is_scalar:
            return v
        if v.shape.is_matrix and v.shape.is_square:
            return Diagonal(v)  # diag(M) of a matrix: its diagonal
        if not v.shape.is_column:
            raise _mismatch("diag needs a column vector", v)
        if isinstance(v, Ones):
            return Identity(v.shape.rows)
        if isinstance(v, Zero):
            return Zero(Shape(v.shape.rows, v.shape.rows))
        return _node(cls, (v,), Shape(v.shape.rows, v.shape.rows), "diag")


class Diagonal(Expr):
    """diag(M) of a square matrix: the column of its diagonal entries (NumPy's np.diag of
    a 2-D array); the adjoint of v ↦ diag(v), so gradients through diag(x) read off as it."""

    category = 3

    def __new__(cls, m: Expr):
        if m.shape.is_scalar:
            return m
        _square("diag", m)
        column = Shape(m.shape.rows, 1)
        if isinstance(m, Diag):
            return m.args[0]
        if isinstance(m, (Identity, Ones)):
            return Ones(column)
        if isinstance(m, Zero):
            return Zero(column)
        if isinstance(m, Transpose):
            return Diagonal(m.args[0])
        return _node(cls, (m,), column, "diagonal")


class Norm(Expr):
    """‖a‖: the Euclidean norm of a vector, the Frobenius norm of a matrix."""

    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return Func("abs", a)
        return _node(cls, (a,), SCALAR, "norm")


class Softmax(Expr):
    category = 3

    def __new__(cls, a: Expr):
        if not a.shape.is_column:
            raise _mismatch("softmax needs a column vector", a)
        return _node(cls, (a,), a.shape, "softmax")


class LogSumExp(Expr):
    category = 3

    def __new__(cls, a: Expr):
        if a.shape.is_scalar:
            return a
        return _node(cls, (a,), SCALAR, "logsumexp")


class Block(Expr):
    """A literal array of scalars [[a, b], [c, d]]; a single column is a vector [a, b].
    Entries may also be equal-height columns in one row, or equal-width rows in one column."""

    category = 3

    def __new__(cls, rows: tuple, transpose_entries: bool = False):
        rows = tuple(tuple(Transpose(e) if transpose_entries else e for e in r) for r in rows)
        if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
            raise ShapeError("a matrix literal needs rows of one length")
        entries = [e for r in rows for e in r]
        if all(e.shape.is_scalar for e in entries):
            shape = Shape(len(rows), len(rows[0]))
            if shape.is_scalar:
                return rows[0][0]
        elif len(rows) == 1 and all(
            e.shape.cols == 1 and e.shape.rows == entries[0].shape.rows for e in entries
        ):
            shape = Shape(entries[0].shape.rows, len(entries))
        elif len(rows[0]) == 1 and all(
            e.shape.rows == 1 and e.shape.cols == entries[0].shape.cols for e in entries
        ):
            shape = Shape(len(rows), entries[0].shape.cols)
        else:
            raise _mismatch(
                "a literal stacks scalars, or columns of one height side by side,"
                " or rows of one width",
                *entries,
            )
        if all(is_zero(e) for e in entries):
            return Zero(shape)
        flat = tuple(entries)
        node = _node(cls, (len(rows), len(rows[0])) + flat, shape, "[]")
        return node

    @property
    def rows(self) -> tuple:
        r, c = self.args[0], self.args[1]
        flat = self.args[2:]
        return tuple(tuple(flat[i * c : (i + 1) * c]) for i in range(r))


# ---------------------------------------------------------------- helpers
def neg(a: Expr) -> Expr:
    return Mul(Const(-1), a)


def sub(a: Expr, b: Expr) -> Expr:
    return Add(a, neg(b))


def div(a: Expr, b: Expr) -> Expr:
    return Mul(a, Pow(b, Const(-1)))


def num(value: int | float | Fraction) -> Expr:
    return Const(value)


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
