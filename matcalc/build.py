"""From the syntax tree to typed expressions: declarations, defaults, shape inference.

Each name is a scalar, a vector or a matrix: declared (API `shapes=`, CLI flags, or inline
`x: vector(n);`), else by default:
  - a name that is a dimension of a declared shape (`N` in `X: matrix(N, n)`) is that size,
    a positive constant (it differentiates to 0, evaluates to the size, prints as N);
  - a name starting with an upper-case letter is a matrix;
  - a lower-case name used directly as an operand of `@`/`·` or as the argument of sum,
    mean, norm, softmax, logsumexp, diag or dot is a vector;
  - a lower-case name combined element-wise (+ - * /, comparisons, max; directly or
    through signs, + - * / and the base of ^, not inside a function call) with a vector or
    a matrix takes that shape, dimensions unified (`X @ w - y`, `X @ w - 2*y`: y is as
    long as X is tall);
  - any other name is a scalar.
Undeclared dimensions are unknowns, unified through the expression (as type inference
does) and then named n, m, k, …; a mismatch is a `ShapeError` naming both operands,
located at the operator. typed.py runs the builder and constructs the typed query.
"""

from __future__ import annotations

from . import einsum, indexing, limits
from .axes import CONSTANT_CALLS, uses_axes
from .build_shapes import ShapeRules
from .construct import CHAINS, Construct, chain
from .construct import source as _source_text
from .declarations import declared_specs, dimension_names
from .errors import LimitError, MatcalcError, ShapeError
from .functions import ELEMENTWISE, FUNCTIONS, VECTOR_ARGUMENT, literal, parameters
from .shapes import Shape, ShapeSpec
from .syntax import Query, Syntax
from .unify import Dims, is_unknown

__all__ = ["FUNCTIONS", "MAX_DEPTH", "Builder", "too_deep"]

MAX_DEPTH = limits.MAX_DEPTH


def too_deep(text: str, node: Syntax) -> LimitError:
    return LimitError(
        f"expression nested too deeply (more than {MAX_DEPTH} levels)",
        expected=f"at most {MAX_DEPTH} nested calls, brackets, powers or signs",
    ).located(text, node.pos)


def _vector_names(root: Syntax) -> set:
    """Names used directly as an operand of @, as the argument of sum, norm, …, or indexed
    with one index (x[0])."""
    out, stack = set(), [root]
    while stack:
        node = stack.pop()
        if (
            node.kind == "binary"
            and node.value == "@"
            or node.kind == "call"
            and node.value in VECTOR_ARGUMENT
        ):
            out.update(c.value for c in node.children if c.kind == "name")
        if node.kind == "index" and len(node.value) == 1 and node.children[0].kind == "name":
            out.add(node.children[0].value)  # x[0]: an undeclared x indexed once is a vector
        out.update(einsum.vector_operands(node))  # einsum("i,i", x, y): x and y
        stack.extend(node.children)
    return out


def _elementwise_names(node: Syntax):
    """The names an operand combines element-wise: itself, or through signs, + - * / and the
    base of ^ (`2*y`, `-(a + b)`, `y^2`); not inside function calls or exponents."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node.kind == "name":
            yield node.value
        elif node.kind == "neg" or node.kind == "binary" and node.value == "^":
            stack.append(node.children[0])
        elif node.kind == "binary" and node.value in ("+", "-", "*", "/"):
            stack.extend(node.children)


class Builder(ShapeRules, Construct):
    """Types a syntax tree (pass 1, `run`/`infer`) and builds the expression (`construct`).

    `specs` are the declared shapes; a name that is a dimension of one of them (and not
    itself declared) is that dimension's size, a constant. Undeclared names take their
    default shape (module docstring); a lower-case one used directly as an operand of an
    element-wise operator with an array takes the array's shape (`promoted`)."""

    def __init__(self, query: Query, shapes: dict | None):
        self.query = query
        self.text = query.text
        self.specs = declared_specs(query, shapes)
        self.dimensions = dimension_names(self.specs) - set(self.specs)
        self.vector_names = _vector_names(query.body)
        self.promoted: dict[str, str] = {}
        self.together: dict[str, set] = {}  # names combined element-wise among scalars
        self.reset()

    def reset(self):
        self.dims = Dims()
        self.var_shapes: dict[str, tuple] = {}
        self.symmetric: dict[str, str | None] = {}
        self.nd: dict[int, int] = {}  # id(syntax node) -> its NumPy order (build_shapes)
        self.axes: dict = {}  # id(call) -> its axes (matcalc.axes.Axes)
        self.eyes: dict = {}  # id(`I`) -> its (unknown) dimension
        self.unknown_names: dict = {}

    def run(self) -> tuple:
        """Type the whole query; names promoted to arrays on the way are typed again."""
        while True:
            self.reset()
            before = dict(self.promoted)
            try:
                shape = self.infer(self.query.body)
                for name in self.specs:  # declared but unused names get shapes too
                    self.shape_of_name(name)
            except MatcalcError:
                if self.promoted != before:
                    continue
                raise
            if self.promoted == before:
                return shape

    # ---------------------------------------------------------------- pass 1: shapes
    def flexible(self, name: str) -> bool:
        """An undeclared lower-case name that is a scalar only by default."""
        return (
            name not in self.specs
            and name not in self.dimensions
            and not name[:1].isupper()
            and name not in self.vector_names
            and name not in self.promoted
        )

    def promote(self, operands, kids, shape):
        """Undeclared names combined element-wise with a vector or matrix take its shape."""
        if self.is_scalar(shape):  # remember them together: if one becomes an
            self.join(
                [
                    n
                    for o in operands
                    for n in _elementwise_names(o)  # array, all do
                    if self.flexible(n)
                ]
            )
            return
        if self.is_row(shape):
            return
        kind = "vector" if self.is_column(shape) else "matrix"
        for node, s in zip(operands, kids):
            if self.is_scalar(s):
                for name in _elementwise_names(node):
                    for each in self.together.get(name, {name}):
                        if self.flexible(each):
                            self.promoted[each] = kind

    def join(self, names: list):
        if len(names) < 2:
            return
        group = set()
        for name in names:
            group |= self.together.get(name, {name})
        for name in group:
            self.together[name] = group

    def shape_of_name(self, name: str) -> tuple:
        if name in self.var_shapes:
            return self.var_shapes[name]
        if name in self.dimensions:
            return (1, 1)
        spec = self.specs.get(name)
        if spec is None:
            if name[:1].isupper():
                spec = ShapeSpec("matrix", (None, None))
            elif name in self.vector_names or self.promoted.get(name) == "vector":
                spec = ShapeSpec("vector", (None,))
            elif self.promoted.get(name) == "matrix":
                spec = ShapeSpec("matrix", (None, None))
            else:
                spec = ShapeSpec("scalar", ())
        dims = [self.dims.fresh() if d is None else d for d in spec.dims]
        if spec.structure == "symmetric" and spec.dims[0] is None:
            dims[1] = dims[0]  # `P: symmetric` is square: one fresh dimension
        shape = {
            "scalar": (1, 1),
            "vector": lambda: (dims[0], 1),
            "matrix": lambda: (dims[0], dims[1]),
        }[spec.kind]
        shape = shape if isinstance(shape, tuple) else shape()
        self.var_shapes[name] = shape
        self.symmetric[name] = spec.structure
        return shape

    def error(self, node: Syntax, message: str, cls=ShapeError, expected=None):
        return cls(message, expected=expected).located(self.text, node.pos)

    def show(self, shape: tuple) -> str:
        return self.dims.describe(shape)

    def mismatch(self, node, what, operands):
        described = " and ".join(
            f"{_source_text(self.text, o)} is {self.show(s)}" for o, s in operands
        )
        return self.error(node, f"{what}: {described}")

    def is_scalar(self, s) -> bool:
        return self.dims.is_scalar(s)

    def is_column(self, s) -> bool:
        return self.dims.is_column(s)

    def is_row(self, s) -> bool:
        return self.dims.is_row(s)

    def same(self, a, b) -> bool:
        return self.dims.same(a, b)

    def name_ndim(self, name: str) -> int:
        """A name's NumPy order: a declared or inferred vector 1, a matrix 2."""
        if name in self.dimensions:
            return 0
        spec = self.specs.get(name)
        if spec is not None:
            return len(spec.dims)
        if name[:1].isupper() or self.promoted.get(name) == "matrix":
            return 2
        return 1 if name in self.vector_names or self.promoted.get(name) == "vector" else 0

    def infer(self, node: Syntax, depth=0) -> tuple:
        if depth > MAX_DEPTH:
            raise too_deep(self.text, node)
        shape, ndim = self.infer_node(node, depth)
        self.nd[id(node)] = self.order(shape, ndim)
        return shape

    def order(self, shape: tuple, ndim: int) -> int:
        """The NumPy order, kept consistent with matcalc's shape: 0 for a 1×1 value, 2 for a
        matrix (x @ xᵀ is matcalc's outer product), at least 1 for a vector."""
        if self.is_scalar(shape):
            return 0
        if not (self.is_column(shape) or self.is_row(shape)):
            return 2
        return max(ndim, 1)

    def infer_node(self, node: Syntax, depth: int) -> tuple:
        """(shape, NumPy order) of a node."""
        kind = node.kind
        if kind == "number":
            return (1, 1), 0
        if kind == "name":
            if self.is_identity(node.value):
                return self.identity(node), 2
            return self.shape_of_name(node.value), self.name_ndim(node.value)
        if kind == "binary" and node.value in CHAINS:
            return self.infer_chain(node, depth)
        if kind == "call" and node.value in CONSTANT_CALLS:
            return self.constant_call(node)
        if kind == "call" and node.value == einsum.EINSUM:
            return einsum.infer(self, node, depth)
        if kind == "string":
            raise einsum.string_error(self, node)
        if kind == "index":
            return indexing.infer(self, node, depth)
        if uses_axes(node):
            return self.axis_call(node, depth)
        literals = parameters(node)
        for i, allowed in literals.items():
            if i < len(node.children) and literal(node.children[i]) not in allowed:
                raise self.error(
                    node.children[i],
                    f"argument {i + 1} of {node.value} is one of {', '.join(allowed)}",
                    MatcalcError,
                    expected=" or ".join(allowed),
                )
        if kind == "call" and node.keywords:
            k = node.keywords[0]
            raise MatcalcError(
                f"{node.value} takes no keyword arguments", expected=f"{node.value}(…)"
            ).located(self.text, k.pos)
        kids = [
            (1, 1) if i in literals else self.infer(c, depth + 1)
            for i, c in enumerate(node.children)
        ]
        if kind == "neg":
            return kids[0], self.ndim(node.children[0])
        if kind == "transpose":
            ndim = self.ndim(node.children[0])
            if node.value == "mT" and ndim < 2:
                raise self.mismatch(
                    node,
                    ".mT swaps the last two axes: it needs a matrix",
                    [(node.children[0], kids[0])],
                )
            return (kids[0][1], kids[0][0]), ndim
        if (
            kind in ("binary", "compare")
            or kind == "call"
            and FUNCTIONS.get(node.value, (0, ""))[1] == ELEMENTWISE
        ):
            if kind == "call":
                self.check_call(node)
            shape, ndim = self.elementwise(node, kids)
            if not (kind == "binary" and node.value == "^"):
                self.promote(node.children, kids, shape)
            return shape, ndim
        if kind == "list":
            shape = self.literal(node, kids, depth)
            return shape, 2 if any(c.kind == "list" for c in node.children) else 1
        if kind == "call":
            shape = self.call(node, kids)
            return shape, self.call_ndim(node, shape)
        raise self.error(node, f"unknown syntax {kind}", MatcalcError)

    def infer_chain(self, node: Syntax, depth: int) -> tuple:
        operands, ops = chain(node)
        if len(operands) > limits.MAX_TERMS:
            raise LimitError(
                f"too many operands in one chain (more than {limits.MAX_TERMS})",
                expected=f"at most {limits.MAX_TERMS} terms or factors",
            ).located(self.text, ops[limits.MAX_TERMS - 1].pos)
        kids = [self.infer(o, depth + 1) for o in operands]
        shape, ndim = kids[0], self.ndim(operands[0])
        for op, kid, operand in zip(ops, kids[1:], operands[1:]):
            if op.value == "@":
                shape = self.matmul(op, [shape, kid])
                ndim = (ndim == 2) + (self.ndim(operand) == 2)  # NumPy: 1-D operands drop
            else:
                shape, ndim = self.elementwise(op, [shape, kid], [ndim, self.ndim(operand)])
            ndim = self.nd[id(op)] = self.order(shape, ndim)
        if node.value != "@":
            self.promote(operands, kids, shape)
        return shape, ndim

    # ---------------------------------------------------------------- naming and pass 2
    def final_shapes(self) -> dict[str, tuple]:
        used = {
            d
            for s in self.var_shapes.values()
            for d in s
            if isinstance(self.dims.find(d), str) and not is_unknown(self.dims.find(d))
        }
        taken = used | set(self.var_shapes) | self.dimensions
        pool = [n for n in ("n", "m", "k", "p", "q", "r", "s", "t") if n not in taken]
        names: dict = {}
        out = {}
        for var, shape in self.var_shapes.items():
            dims = []
            for d in shape:
                root = self.dims.find(d)
                if is_unknown(root):
                    if root not in names:
                        names[root] = pool.pop(0) if pool else _spare(len(names), taken)
                    root = names[root]
                dims.append(root)
            out[var] = Shape(*dims)
        self.unknown_names = names
        return out

    def final_dim(self, d):
        """A dimension after naming: its name, or the name given to its unknown."""
        root = self.dims.find(d)
        return self.unknown_names.get(root, root)


def _spare(index: int, taken: set) -> str:
    k = index + 1
    while f"n{k}" in taken:
        k += 1
    return f"n{k}"
