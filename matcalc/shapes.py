"""Shapes: every value is a rows × cols array with symbolic or integer dimensions.

A scalar is 1×1, a (column) vector n×1, a row vector 1×n (a transposed vector, or a
gradient in numerator layout), a matrix m×n. Dimensions are names ("n") or integers.
Scalar expansion is the only broadcasting: an element-wise operator accepts operands of
one shape, or a scalar with anything (the tutorial's "scalar expansion" section).
"""

from __future__ import annotations

import re

from .records import Record

__all__ = [
    "SCALAR",
    "Dim",
    "DimProduct",
    "Shape",
    "ShapeSpec",
    "matrix",
    "parse_spec",
    "size",
    "vector",
]

Dim = "str | int"
_set = object.__setattr__  # (a record's __init__ sets its fields past its __setattr__)


class Shape(Record):
    __slots__ = ("rows", "cols")
    rows: object
    cols: object

    def __init__(self, rows: object = 1, cols: object = 1) -> None:
        _set(self, "rows", rows)
        _set(self, "cols", cols)

    def _key(self) -> tuple:
        return (self.rows, self.cols)

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    @property
    def is_column(self) -> bool:
        return self.cols == 1 and self.rows != 1

    @property
    def is_row(self) -> bool:
        return self.rows == 1 and self.cols != 1

    @property
    def is_vector(self) -> bool:
        """A column or a row vector."""
        return (self.rows == 1) != (self.cols == 1)

    @property
    def is_matrix(self) -> bool:
        return self.rows != 1 and self.cols != 1

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    @property
    def T(self) -> Shape:
        return Shape(self.cols, self.rows)

    @property
    def kind(self) -> str:
        if self.is_scalar:
            return "scalar"
        if self.is_column:
            return f"vector({self.rows})"
        if self.is_row:
            return f"row vector({self.cols})"
        return f"matrix({self.rows}, {self.cols})"

    @property
    def np_dims(self) -> tuple:
        """The symbolic NumPy shape: () for a scalar, (n,) for a column or row vector,
        (m, n) for a matrix."""
        if self.is_scalar:
            return ()
        if self.is_vector:
            return (self.rows if self.is_column else self.cols,)
        return (self.rows, self.cols)

    def numpy(self, dims: dict) -> tuple:
        """The NumPy shape of a value of this shape: () for a scalar, (n,) for a column
        or row vector, (m, n) for a matrix, with `dims` giving the symbolic dimensions."""
        r, c = size(self.rows, dims), size(self.cols, dims)
        if self.is_scalar:
            return ()
        if self.is_vector:
            return (r if self.is_column else c,)
        return (r, c)

    def __str__(self) -> str:
        return self.kind


SCALAR = Shape(1, 1)


def vector(n: Dim) -> Shape:
    return Shape(n, 1)


def matrix(m: Dim, n: Dim) -> Shape:
    return Shape(m, n)


class DimProduct(str):
    """A dimension that is a product of others, as the m·p rows of kron(A, B) with A m×n
    and B p×q: a name (`m·p`) that is not a declared one; its size is its factors'."""

    factors: tuple

    def __new__(cls, *factors):
        flat: list = []
        for f in factors:
            flat.extend(f.factors if isinstance(f, DimProduct) else (f,))
        number = 1
        for f in flat:
            number *= f if isinstance(f, int) else 1
        names = [f for f in flat if not isinstance(f, int)]
        if not names:
            return number
        if number == 1 and len(names) == 1:
            return names[0]
        parts = ([number] if number != 1 else []) + names
        made = super().__new__(cls, "·".join(str(p) for p in parts))
        made.factors = tuple(parts)
        return made

    def __reduce__(self):
        return (DimProduct, self.factors)


def size(dim: Dim, dims: dict) -> int:
    if isinstance(dim, int):
        return dim
    if isinstance(dim, DimProduct):
        total = 1
        for f in dim.factors:
            total *= size(f, dims)
        return total
    try:
        return int(dims[dim])
    except KeyError:
        raise KeyError(f"no value for the dimension {dim}") from None


_SPEC = re.compile(
    r"^\s*(scalar|vector|matrix|symmetric|simplex|rowsimplex)\s*(?:\(\s*([^()]*?)\s*\))?\s*$"
)


class ShapeSpec(Record):
    """A declared shape: kind plus dimensions (None where left open, to be inferred)."""

    __slots__ = ("kind", "dims", "structure")
    kind: str  # "scalar" | "vector" | "matrix"
    dims: tuple  # () | (n,) | (m, n); entries str, int or None
    structure: str | None  # "symmetric" (Aᵀ = A), "simplex" (entries sum to 1) or
    #                        "rowsimplex" (a matrix whose rows each sum to 1)

    def __init__(self, kind: str, dims: tuple, structure: str | None = None) -> None:
        _set(self, "kind", kind)
        _set(self, "dims", dims)
        _set(self, "structure", structure)

    def _key(self) -> tuple:
        return (self.kind, self.dims, self.structure)

    @property
    def symmetric(self) -> bool:
        return self.structure == "symmetric"


def parse_spec(spec: str) -> ShapeSpec:
    """Read "scalar", "vector(n)", "matrix(m, n)", "symmetric(n)", "simplex(n)" (a vector
    whose entries sum to 1: probabilities, a one-hot label), "rowsimplex(m, n)" (a matrix
    whose rows each sum to 1: a batch of one-hot labels or probability rows), "vector",
    "matrix"."""
    m = _SPEC.match(spec or "")
    if not m:
        raise ValueError(f"unknown shape {spec!r}")
    kind, args = m.group(1), m.group(2)
    dims = tuple(_dim(a) for a in args.split(",")) if args else ()
    if kind == "scalar":
        if dims:
            raise ValueError("scalar takes no dimensions")
        return ShapeSpec("scalar", ())
    if kind == "vector":
        if len(dims) > 1:
            raise ValueError("vector takes one dimension")
        return ShapeSpec("vector", dims or (None,))
    if kind == "symmetric":
        if len(dims) > 1:
            raise ValueError("symmetric takes one dimension")
        d = dims[0] if dims else None
        return ShapeSpec("matrix", (d, d), structure="symmetric")
    if kind == "simplex":
        if len(dims) > 1:
            raise ValueError("simplex takes one dimension")
        return ShapeSpec("vector", dims or (None,), structure="simplex")
    if len(dims) not in (0, 2):
        raise ValueError(f"{kind} takes two dimensions")
    structure = "rowsimplex" if kind == "rowsimplex" else None
    return ShapeSpec("matrix", dims or (None, None), structure=structure)


def _dim(text: str):
    text = text.strip()
    if re.fullmatch(r"[0-9]+", text):
        value = int(text)
        if value < 1:
            raise ValueError("dimensions are positive")
        return value
    if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", text):
        return text
    raise ValueError(f"bad dimension {text!r}")
