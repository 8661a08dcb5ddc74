"""The operations of the any-order language on nodes (matcalc/tindex/nodes.py), with
NumPy's shape rules: right-aligned broadcasting, stacked `@`, `.T` (every axis reversed) and
`.mT`, reductions over axes (tuples, negative, keepdims), einsum of any order, integer
indices and slices from 0. A shape NumPy refuses is a `ShapeError` naming both shapes (the
builder, matcalc/tindex/build.py, puts the caret on it).
"""

from __future__ import annotations

from ..errors import ShapeError
from .nodes import Node, const, is_const, make

__all__ = [
    "add",
    "at",
    "broadcast",
    "count",
    "det",
    "div",
    "inv",
    "amax",
    "axes_of",
    "dims_text",
    "einsum",
    "ew",
    "expand",
    "fn",
    "lse",
    "matmul",
    "mean",
    "mul",
    "neg",
    "power",
    "reduce_sum",
    "shape_text",
    "softmax",
    "sub",
    "transpose",
    "view",
]

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def dims_text(dims: tuple) -> str:
    return "·".join(str(d) for d in dims)


def _squeezed(node: Node, target: tuple) -> tuple[Node, tuple]:
    """The operand with its size-1 axes that broadcast against a longer one taken at
    index 0 (a view), and its axes' positions among `target`'s (right-aligned)."""
    offset = len(target) - node.ndim
    entries, keep, shape = [], [], []
    for k, dim in enumerate(node.shape):
        if dim == 1 and target[offset + k] != 1:
            entries.append(0)
        else:
            entries.append(at(len(keep)))
            keep.append(offset + k)
            shape.append(dim)
    if len(keep) == node.ndim:
        return node, tuple(keep)
    return view(node, tuple(entries), tuple(shape)), tuple(keep)


def broadcast(shapes: list) -> tuple:
    """NumPy's broadcast shape (right-aligned; a 1 stretches), or a ShapeError."""
    order = max(len(s) for s in shapes)
    out = []
    for k in range(order):
        dims = {s[len(s) - order + k] for s in shapes if len(s) - order + k >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise ShapeError(
                "operands could not be broadcast together with shapes "
                + " ".join(shape_text(s) for s in shapes),
                expected="shapes equal axis by axis from the right (or 1, or missing)",
            )
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def ew(what: str, operands: list) -> Node:
    """An element-wise operation over broadcast operands."""
    shape = broadcast([o.shape for o in operands])
    args, maps = [], []
    for o in operands:
        inner, positions = _squeezed(o, shape)
        args.append(inner)
        maps.append(positions)
    return make("ew", (what, tuple(maps)), tuple(args), shape)


def add(a: Node, b: Node) -> Node:
    if is_const(a, 0) and b.ndim >= a.ndim:
        return b
    if is_const(b, 0) and a.ndim >= b.ndim:
        return a
    if is_const(a) and is_const(b):
        return const(a.data + b.data)
    return ew("add", [a, b])


def mul(a: Node, b: Node) -> Node:
    if is_const(b) and not is_const(a):
        a, b = b, a
    if is_const(a) and b.op == "view":  # c·view(B) = view(c·B): the view stays outside
        return view(mul(a, b.args[0]), b.data, b.shape)
    if is_const(a, 1) and b.ndim >= a.ndim:
        return b
    if is_const(b, 1) and a.ndim >= b.ndim:
        return a
    if is_const(a) and is_const(b):
        return const(a.data * b.data)
    return ew("mul", [a, b])


def neg(a: Node) -> Node:
    return const(-a.data) if is_const(a) else mul(const(-1), a)


def sub(a: Node, b: Node) -> Node:
    return add(a, neg(b))


def power(a: Node, b: Node) -> Node:
    if is_const(b, 1):
        return a
    if is_const(a) and is_const(b) and b.data.denominator == 1 and (a.data != 0 or b.data > 0):
        return const(a.data ** int(b.data))
    return ew("pow", [a, b])


def div(a: Node, b: Node) -> Node:
    return mul(a, power(b, const(-1)))


def fn(name: str, operands: list) -> Node:
    return ew("fn:" + name, operands)


def einsum(terms: tuple, output: str, operands: list, how: object = "einsum") -> Node:
    """np.einsum(",".join(terms) + "->" + output, *operands), every shape checked."""
    dims: dict = {}
    for term, o in zip(terms, operands):
        if len(term) != o.ndim:
            raise ShapeError(
                f"einsum term {term!r} has {len(term)} letters for an operand of shape "
                f"{shape_text(o.shape)}",
                expected="one letter per axis",
            )
        for letter, dim in zip(term, o.shape):
            if dims.setdefault(letter, dim) != dim:
                raise ShapeError(
                    f"einsum letter {letter!r} stands for {dims[letter]} and for {dim}",
                    expected="one size per letter",
                )
    for letter in output:
        if letter not in dims:
            raise ShapeError(
                f"einsum output letter {letter!r} is in no operand",
                expected="letters of the inputs",
            )
    if len(set(output)) != len(output):
        raise ShapeError("an einsum output letter is repeated", expected="each once")
    shape = tuple(dims[c] for c in output)
    return make("einsum", (tuple(terms), output, how), tuple(operands), shape)


def view(a: Node, entries: tuple, shape: tuple) -> Node:
    """A view: each of a's axes an int (a constant index) or `at(k)`, the view's axis k;
    a view of a view is one view of the innermost operand."""
    if a.op == "view":
        entries = tuple(e if isinstance(e, int) else entries[e[1]] for e in a.data)
        a = a.args[0]
    if tuple(entries) == tuple(at(k) for k in range(a.ndim)) and tuple(shape) == a.shape:
        return a
    return make("view", tuple(entries), (a,), tuple(shape))


def at(k: int) -> tuple:
    """A view entry: the node's axis k."""
    return ("at", k)


def transpose(a: Node, axes: tuple | None = None) -> Node:
    """np.transpose(a, axes): every axis reversed without `axes`."""
    order = tuple(reversed(range(a.ndim))) if axes is None else tuple(axes)
    if order == tuple(range(a.ndim)):
        return a
    entries = [None] * a.ndim
    for position, k in enumerate(order):
        entries[k] = at(position)
    return view(a, tuple(entries), tuple(a.shape[k] for k in order))


def axes_of(axis: object, ndim: int) -> tuple:
    """NumPy's axis= (None, an int or a tuple, negative allowed), normalised and sorted;
    a bad one is a ValueError with the message (the builder locates it)."""
    if axis is None:
        return tuple(range(ndim))
    raw = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in raw:
        if isinstance(a, bool) or not isinstance(a, int) or not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a value of order {ndim}")
        if a % ndim in out:
            raise ValueError(f"axis {a} is repeated")
        out.append(a % ndim)
    return tuple(sorted(out))


def expand(reduced: Node, axes: tuple, ndim: int) -> Node:
    """keepdims=True: the reduced value with size-1 axes back at `axes`."""
    entries, shape, k = [], [], 0
    for position in range(ndim):
        if position in axes:
            shape.append(1)
        else:
            entries.append(at(position))
            shape.append(reduced.shape[k])
            k += 1
    return view(reduced, tuple(entries), tuple(shape))


def reduce_sum(a: Node, axes: tuple) -> Node:
    if not axes:
        return a
    term = LETTERS[: a.ndim]
    out = "".join(c for k, c in enumerate(term) if k not in axes)
    return einsum((term,), out, [a], ("sum", axes))


def count(a: Node, axes: tuple) -> Node:
    """The number of entries over `axes` (a constant, or a product of dimension names)."""
    dims = tuple(a.shape[k] for k in axes)
    number = 1
    names = []
    for d in dims:
        if isinstance(d, int):
            number *= d
        else:
            names.append(d)
    node = const(number)
    if names:
        node = mul(node, make("dim", tuple(names), (), ()))
    return node


def mean(a: Node, axes: tuple) -> Node:
    return div(reduce_sum(a, axes), count(a, axes))


def _reduced(a: Node, axes: tuple) -> tuple:
    return tuple(d for k, d in enumerate(a.shape) if k not in axes)


def softmax(a: Node, axes: tuple) -> Node:
    return make("softmax", tuple(axes), (a,), a.shape)


def lse(a: Node, axes: tuple) -> Node:
    return make("lse", tuple(axes), (a,), _reduced(a, axes))


def amax(a: Node, axes: tuple, which: str) -> Node:
    return make("amax", (tuple(axes), which), (a,), _reduced(a, axes))


def _square(a: Node, what: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(
            f"{what} of shape {shape_text(a.shape)}",
            expected="a square matrix, or a stack of them (the last two axes equal)",
        )


def inv(a: Node) -> Node:
    """np.linalg.inv: the inverse of each matrix of a stack (the last two axes)."""
    _square(a, "inv")
    return make("inv", None, (a,), a.shape)


def det(a: Node) -> Node:
    """np.linalg.det: the determinant of each matrix of a stack."""
    _square(a, "det")
    return make("det", None, (a,), a.shape[:-2])


def matmul(a: Node, b: Node) -> Node:
    """a @ b with NumPy's stacked semantics (1-D operands promoted and dropped again)."""
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            "@ needs operands of order 1 or more, not a scalar", expected="a * b for a scalar"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else -1]:
        raise ShapeError(
            f"@ of shapes {shape_text(a.shape)} and {shape_text(b.shape)}: {a.shape[-1]} "
            f"against {b.shape[-2 if b.ndim > 1 else -1]}",
            expected="the last axis of the left equal to the second-to-last of the right",
        )
    left_batch = a.shape[:-2] if a.ndim > 2 else ()
    right_batch = b.shape[:-2] if b.ndim > 2 else ()
    batch = broadcast([left_batch, right_batch]) if left_batch or right_batch else ()
    nb = len(batch)
    letters = LETTERS[:nb]
    i, k, j = "x", "y", "z"

    def operand(o: Node, tail: str) -> tuple[Node, str]:
        own = o.shape[: o.ndim - len(tail)]
        inner, positions = _squeezed_batch(o, own, batch, len(tail))
        return inner, "".join(letters[p] for p in positions) + tail

    lt = (i + k) if a.ndim > 1 else k
    rt = (k + j) if b.ndim > 1 else k
    left, lterm = operand(a, lt)
    right, rterm = operand(b, rt)
    out = letters + (i if a.ndim > 1 else "") + (j if b.ndim > 1 else "")
    return einsum((lterm, rterm), out, [left, right], "@")


def _squeezed_batch(o: Node, own: tuple, batch: tuple, tail: int) -> tuple[Node, tuple]:
    """An operand of @ with batch axes of size 1 that broadcast taken at 0."""
    offset = len(batch) - len(own)
    entries, positions, shape = [], [], []
    for k, dim in enumerate(own):
        if dim == 1 and batch[offset + k] != 1:
            entries.append(0)
        else:
            entries.append(at(len(shape)))
            shape.append(dim)
            positions.append(offset + k)
    if len(positions) == len(own):
        return o, tuple(positions)
    for t in range(tail):
        entries.append(at(len(shape)))
        shape.append(o.shape[len(own) + t])
    return view(o, tuple(entries), tuple(shape)), tuple(positions)
