"""Pass 1 of `build`, the shape rules: element-wise operators (NumPy's broadcasting), the
matrix product, literals, function calls by their registered shape rule, NumPy's axis
keywords and the array constants (`matcalc.axes`). Each returns the shape, as a (rows,
cols) pair of dimensions in the builder's union-find, and records the value's NumPy order
(0 scalar, 1 vector, 2 matrix: `ndim`), which broadcasting and axes depend on.
"""

from __future__ import annotations

from . import limits
from .axes import IDENTITY, axes_of, constant_dims, result_dims
from .broadcast import broadcast, numpy_dims
from .errors import LimitError, MatcalcError, UnsupportedError
from .functions import FUNCTIONS, ONE_D_RULES
from .shapes import DimProduct
from .syntax import Syntax
from .unify import is_unknown

__all__ = ["ShapeRules"]


class ShapeRules:
    """The shape rules of `build.Builder` (which provides dims, text, the error helpers,
    `infer` and the record of orders `nd`)."""

    def ndim(self, node: Syntax) -> int:
        """The NumPy order of a typed syntax node (0 for a 1×1 value)."""
        return self.nd.get(id(node), 0)

    def elementwise(self, node, kids, ndims=None) -> tuple:
        """(shape, order) of an element-wise operation: NumPy's broadcasting (matcalc.
        broadcast); a shape NumPy refuses is an error naming both operands."""
        if ndims is None:
            ndims = [self.ndim(c) for c in node.children]
        if node.kind == "binary" and node.value == "^":
            if not self.is_scalar(kids[1]):
                raise self.mismatch(
                    node, "the exponent of ^ must be a scalar", [(node.children[1], kids[1])]
                )
            return kids[0], ndims[0]
        found = broadcast(self.dims, list(zip(kids, ndims)))
        if found is None:
            op = node.value if node.kind != "call" else node.value + "()"
            raise self.mismatch(
                node,
                f"{op} needs operands of one shape, or shapes that broadcast "
                "(NumPy aligns them on the right; a dimension of 1 stretches)",
                list(zip(node.children, kids)),
            )
        return found

    def matmul(self, node, kids) -> tuple:
        """The shape of a matrix product (a column on the left is a row: NumPy's 1-D rule)."""
        a, b = kids
        if self.is_scalar(a) or self.is_scalar(b):
            raise self.mismatch(
                node,
                "@ multiplies vectors and matrices (use * to scale)",
                list(zip(node.children, kids)),
            )
        if self.is_column(a) and not self.is_row(b):  # NumPy: a 1-D left is a row
            a = (1, a[0])
        if not self.dims.unify(a[1], b[0]):
            raise self.mismatch(
                node,
                "@ needs as many columns on the left as rows on the right",
                list(zip(node.children, kids)),
            )
        return (a[0], b[1])

    def literal(self, node, kids, depth=0):
        entries = sum(len(c.children) if c.kind == "list" else 1 for c in node.children)
        if entries > limits.MAX_LITERAL_ENTRIES:
            raise LimitError(
                f"literal too large ({entries} entries; the limit is {limits.MAX_LITERAL_ENTRIES})",
                expected=f"at most {limits.MAX_LITERAL_ENTRIES} entries",
            ).located(self.text, node.pos)
        if all(self.is_scalar(k) for k in kids):
            return (len(kids), 1)
        if all(c.kind == "list" for c in node.children):
            widths = {k[0] for k in kids}
            if len(widths) == 1 and all(
                all(self.is_scalar(self.infer(x, depth + 2)) for x in c.children)
                for c in node.children
            ):
                return (len(kids), widths.pop())
        raise self.error(
            node,
            "a literal stacks scalars [a, b] or rows of scalars [[a, b], [c, d]]",
            expected="scalar entries",
        )

    def check_call(self, node):
        name = node.value
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(
                node, f"unknown function {name!r}", UnsupportedError, expected=f"one of {known}"
            )
        arities = FUNCTIONS[name][0]
        if name in ("max", "min"):  # one argument: NumPy's reduction (matcalc.axes)
            arities = (1,) + tuple(arities)
        if len(node.children) not in arities:
            told = " or ".join(str(k) for k in arities)
            raise self.error(
                node,
                f"{name} takes {told} argument{'s' * (max(arities) > 1)}, got {len(node.children)}",
                MatcalcError,
            )

    def call(self, node, kids):
        self.check_call(node)
        name, how = node.value, FUNCTIONS[node.value][1]
        if how in ONE_D_RULES:  # a 1-D value held as a row (v @ A, v.T) is a vector
            kids = [self.as_vector(c, k) for c, k in zip(node.children, kids)]
        a = kids[0]
        if how == "reduce":
            return (1, 1)
        if how == "transpose":
            return (a[1], a[0])
        if how == "vector":
            if not self.is_column(a):
                raise self.mismatch(node, f"{name} needs a vector", [(node.children[0], a)])
            return a
        if how == "dot":
            b = kids[1]
            if not (self.is_column(a) and self.is_column(b) and self.same(a, b)):
                raise self.mismatch(
                    node, "dot needs two vectors of one length", list(zip(node.children, kids))
                )
            return (1, 1)
        if how == "kron":  # A ⊗ B: (m·p)×(n·q), products of the operands' dimensions
            a, b = self.kron_operands(kids)
            if any(is_unknown(self.dims.find(d)) for d in a + b):
                raise self.mismatch(
                    node,
                    "kron needs the shapes of its operands declared (its result is m·p × n·q)",
                    list(zip(node.children, kids)),
                )
            return tuple(DimProduct(self.dims.find(x), self.dims.find(y)) for x, y in zip(a, b))
        if how == "outer":  # a bᵀ: two vectors, of any lengths
            if not all(self.is_column(k) or self.is_row(k) for k in kids):
                raise self.mismatch(node, "outer needs two vectors", list(zip(node.children, kids)))
            a, b = (k[0] if self.is_column(k) else k[1] for k in kids)
            return (a, b)
        if how == "diag":
            if self.is_column(a):
                return (a[0], a[0])
            if not (self.is_scalar(a) or self.is_row(a)) and self.dims.unify(a[0], a[1]):
                return (a[0], 1)  # diag(M): the diagonal of a square matrix
            raise self.mismatch(
                node,
                "diag needs a vector (or a square matrix: its diagonal)",
                [(node.children[0], a)],
            )
        if how in ("square", "square-scalar"):
            if self.is_scalar(a) or not self.dims.unify(a[0], a[1]):
                raise self.mismatch(node, f"{name} needs a square matrix", [(node.children[0], a)])
            return a if how == "square" else (1, 1)
        raise self.error(node, f"{name} has no shape rule {how!r}", cls=UnsupportedError)

    def as_vector(self, node: Syntax, shape: tuple) -> tuple:
        """The column of a NumPy 1-D value that matcalc holds as a row; else the shape."""
        return (shape[1], shape[0]) if self.is_row(shape) and self.ndim(node) == 1 else shape

    def call_ndim(self, node: Syntax, shape: tuple) -> int:
        """The order of a call's value, by its shape rule."""
        how = FUNCTIONS[node.value][1]
        if how == "transpose":
            return self.ndim(node.children[0])
        if how == "vector":
            return 1
        if how == "outer":
            return 2
        if how == "kron":  # NumPy's: the larger order of the two
            return max(self.ndim(c) for c in node.children)
        if how == "diag":
            return 1 if self.is_column(shape) else 2
        return 2 if how == "square" else 0

    def kron_operands(self, kids) -> list:
        """kron's operands as NumPy reads them: two vectors are columns; a vector beside a
        matrix is a row (NumPy prepends the axis of length 1)."""
        vector = [self.is_column(k) or self.is_row(k) for k in kids]
        column = all(vector) or not any(vector)
        out = []
        for k, v in zip(kids, vector):
            if v and column != self.is_column(k):
                k = (k[1], k[0])
            out.append(k)
        return out

    # ---------------------------------------------------------------- axes and constants
    def axis_call(self, node: Syntax, depth: int) -> tuple:
        """sum(X, axis=0), softmax(X, axis=1), max(x), …: (shape, order)."""
        if len(node.children) != 1:
            raise self.error(
                node,
                f"{node.value} with an axis takes one array argument, got {len(node.children)}",
                MatcalcError,
            )
        arg = node.children[0]
        shape = self.infer(arg, depth + 1)
        ndim = self.ndim(arg)
        axes = axes_of(node, ndim, self.text)
        self.axes[id(node)] = axes
        dims = result_dims(node.value, numpy_dims(shape, ndim, self.dims), axes)
        if node.value in ("softmax", "log_softmax"):
            return shape, ndim
        if not dims or all(self.dims.find(d) == 1 for d in dims):
            return (1, 1), 0
        if len(dims) == 1:
            return (dims[0], 1), 1
        return (dims[0], dims[1]), 2

    def constant_call(self, node: Syntax) -> tuple:
        """eye(n), ones(n), ones(m, n), zeros(…)."""
        dims = constant_dims(node, self.dimensions, self.text)
        if node.value == "eye":
            return (dims[0], dims[0]), 2
        if len(dims) == 1:
            return (dims[0], 1), 1
        return (dims[0], dims[1]), 2

    def identity(self, node: Syntax) -> tuple:
        """`I`: a square matrix whose size the expression decides."""
        d = self.eyes.get(id(node))
        if d is None:
            d = self.eyes[id(node)] = self.dims.fresh()
        return (d, d)

    def identity_of(self, node: Syntax):
        """Pass 2: the identity `I` of the size the expression gave it."""
        from . import expr as E
        from .unify import is_unknown

        d = self.final_dim(self.eyes[id(node)])
        if is_unknown(d):
            raise self.error(
                node,
                "the size of I is not determined by the expression",
                expected="eye(n) with a declared dimension n",
            )
        return E.Identity(d)

    def is_identity(self, name: str) -> bool:
        return name == IDENTITY and name not in self.specs and name not in self.dimensions
