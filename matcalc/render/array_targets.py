"""What generated array code is written with, apart from the walk: the three targets
(`Backend`: NumPy, JAX, PyTorch), collision-free Python names, inline text with its Python
precedence, and float64 literals (a constant float64 cannot hold is a LimitError).
`array_code.Body` writes a function body with these.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import LimitError

if TYPE_CHECKING:  # for annotations only
    from ..shapes import Shape

__all__ = [
    "ADD",
    "DTYPES",
    "ATOM",
    "BACKENDS",
    "COND",
    "LONG",
    "MUL",
    "POW",
    "UNARY",
    "Backend",
    "Names",
    "Text",
    "HELPERS",
    "float_literal",
    "np_dims",
    "wrap",
]

LONG = 72  # inline text longer than this gets its own assignment
ATOM, POW, UNARY, MUL, ADD, COND = 100, 14, 13, 12, 11, 1  # Python precedences
_RESERVED = {
    "np",
    "jnp",
    "jax",
    "torch",
    "f",
    "check",
    "gradient",
    "_finite_differences",
    "_outer",
    "range",
    "float",
    "len",
    "tuple",
    "max",
    "list",
    "print",
    "abs",
    "int",
}


# ---------------------------------------------------------------- the three targets
DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class Backend:
    name: str
    m: str  # the module alias in generated code
    imports: tuple
    dtype: str = "float64"  # what the generated code computes in: "float64" or "float32"

    @property
    def header(self) -> tuple:
        """The generated module's imports; JAX in float64 also switches on 64-bit arrays
        (its default is float32), and in float32 leaves that setting alone."""
        if self.name == "jax" and self.dtype == "float64":
            x64 = 'jax.config.update("jax_enable_x64", True)   # float64, as NumPy and matcalc compute'
            return (*self.imports, "", x64)
        return self.imports

    @property
    def float_type(self) -> str:
        """The dtype in the target's spelling: np.float64, jnp.float32, torch.float64, …"""
        return f"{self.m}.{self.dtype}"

    def asarray(self, x: str) -> str:
        call = "torch.as_tensor" if self.name == "torch" else f"{self.m}.asarray"
        return f"{call}({x}, dtype={self.float_type})"

    def moveaxis(self, x: str, source: str, destination: str) -> str:
        """NumPy's moveaxis in the target's spelling (PyTorch's movedim)."""
        call = "torch.movedim" if self.name == "torch" else f"{self.m}.moveaxis"
        return f"{call}({x}, {source}, {destination})"

    def tensor(self, x: str) -> str:
        """A Python number as a 0-d array where the target's functions need one."""
        return f"torch.as_tensor({x}, dtype={self.float_type})" if self.name == "torch" else x

    def filled(self, what: str, shape: str) -> str:
        return f"{self.m}.{what}({shape}, dtype={self.float_type})"

    def eye(self, n: str) -> str:
        return f"{self.m}.eye({n}, dtype={self.float_type})"

    def stack(self, items: str) -> str:
        return (
            f"torch.stack({items}, dim=-1)"
            if self.name == "torch"
            else f"{self.m}.stack({items}, axis=-1)"
        )

    def permute(self, x: str, perm: str) -> str:
        return (
            f"torch.permute({x}, {perm})"
            if self.name == "torch"
            else f"{self.m}.transpose({x}, {perm})"
        )

    def outer(self, col: str, row: str) -> str | None:
        """The outer product of a column (r×1) and a row (1×c), both atoms; None: broadcast
        `col * row` (XLA and torch fuse the broadcast). NumPy: the module's `_outer`
        helper (HELPERS), which the Body that writes this call must declare."""
        if self.name != "numpy":
            return None
        return f"_outer({col}[:, 0], {row}[0])"

    def broadcast(self, x: str, shape: str) -> str:
        return f"{self.m}.broadcast_to({x}, {shape})"

    def reshape(self, x: str, shape: str) -> str:
        return f"{self.m}.reshape({x}, {shape})"


# Module-level helpers a generated module defines when its code calls them (NumPy only).
# `_outer`: NumPy (through 2.4 at least) makes a ufunc's inner loop span several rows when
# the rows are shorter than its buffer (8192 elements), and an operand that is constant
# along a row (the column of an outer product) then cannot be described by one stride: it
# is copied into the buffer one element at a time (~3 instructions per element of the
# result, the multiply itself ~1.3). A buffer shorter than two rows keeps the inner loop to
# one row, where that operand is a scalar times a contiguous row: measured by callgrind,
# 5.4 → 1.6 instructions per element at n = 1000, 12.5 → 1.5 at n = 2000.
HELPERS = {
    "_outer": [
        "def _outer(a, b):",
        '    """The outer product of two 1-D arrays, a row at a time (a ufunc buffer shorter',
        "    than two rows: NumPy would otherwise copy `a`, constant along a row, into its",
        '    buffer element by element)."""',
        "    size = np.setbufsize(16)",
        "    try:",
        "        return np.multiply.outer(a, b)",
        "    finally:",
        "        np.setbufsize(size)",
    ],
}

BACKENDS = {
    "numpy": Backend("numpy", "np", ("import numpy as np",)),
    "jax": Backend(
        "jax",
        "jnp",
        ("import jax", "import jax.numpy as jnp"),
    ),
    "torch": Backend("torch", "torch", ("import torch",)),
}


# ---------------------------------------------------------------- names
class Names:
    """Python identifiers for variables, dimensions and temporaries, never colliding."""

    def __init__(self, taken=()):
        self.taken = set(_RESERVED) | set(taken)
        self.counter = 0

    def claim(self, wanted: str) -> str:
        base = wanted if wanted.isidentifier() else "v"
        if keyword.iskeyword(base) or base in self.taken:
            base = base + "_"
        name, k = base, 1
        while name in self.taken or keyword.iskeyword(name):
            k += 1
            name = f"{base}{k}"
        self.taken.add(name)
        return name

    def temp(self) -> str:
        while True:
            self.counter += 1
            name = f"t{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name


@dataclass(frozen=True)
class Text:
    text: str
    prec: int
    pure: bool = False  # a Python number (built from constants and sizes only)


def wrap(t: Text, need: int) -> str:
    return t.text if t.prec >= need else f"({t.text})"


def float_literal(value: int | float | Fraction) -> str:
    """A constant as a Python float literal. The generated code computes in float64, so a
    constant outside its range (1e999, or 1e-999 that would become 0) cannot be written:
    a LimitError at generation time rather than inf, 0 or an OverflowError in `f`."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isinf(number) or (number == 0 and value != 0):
        raise LimitError(
            f"the constant {_digits(value)} is outside the range of float64 "
            "numbers (about 5e-324 to 1.8e308 in size), in which generated code "
            "computes",
            expected="a constant of a size float64 can hold",
        )
    return repr(number)


def _digits(value) -> str:
    """A short decimal form of an exact rational: 1e999, not a thousand zeros."""
    from fractions import Fraction

    value = Fraction(value)
    sign = "−" if value < 0 else ""
    value = abs(value)
    exponent = len(str(value.numerator)) - len(str(value.denominator))
    if value < Fraction(10) ** exponent:
        exponent -= 1
    mantissa = float(value / Fraction(10) ** exponent)
    return f"{sign}{mantissa:.6g}e{exponent}"


def np_dims(shape: Shape) -> tuple:
    return shape.np_dims
