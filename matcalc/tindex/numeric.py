"""The value of a node (matcalc/tindex/nodes.py) at given arrays: NumPy floats for
`evaluate` and the generated code's reference, or object arrays of SymPy expressions for
the component check (exact: softmax as exp(a)/Σexp(a), max as SymPy's Max). Element-wise
functions run the primitive registry's one lowering (`Primitive.lower`).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import registry
from ..errors import MatcalcError
from ..primitives.lowering import sympy_namespace
from .nodes import Node

__all__ = ["Values", "size_of"]


def size_of(dim: object, sizes: dict) -> int:
    if isinstance(dim, int):
        return dim
    if dim not in sizes:
        raise MatcalcError(
            f"no size for the dimension {dim}", expected="a value for every variable"
        )
    return int(sizes[dim])


@functools.cache
def _sympy():
    import sympy

    return sympy, sympy_namespace(sympy)


class Values:
    """The values of nodes at `env` ({name: array}), memoised; `exact`: SymPy objects."""

    def __init__(self, env: dict, sizes: dict, exact: bool = False):
        self.env, self.sizes, self.exact = env, sizes, exact
        self.memo: dict = {}

    def shape(self, node: Node) -> tuple:
        return tuple(size_of(d, self.sizes) for d in node.shape)

    def __call__(self, node: Node):
        hit = self.memo.get(node.uid)
        if hit is None:
            for inner in _postorder(node):
                if inner.uid not in self.memo:
                    self.memo[inner.uid] = (inner, self.one(inner))
            hit = self.memo[node.uid]
        return hit[1]

    # ------------------------------------------------------------------ helpers
    def number(self, value):
        if self.exact:
            return _sympy()[0].Rational(value.numerator, value.denominator)
        return float(value)

    def elementwise(self, f, *arrays):
        if not self.exact:
            return f(*arrays)
        return np.vectorize(f, otypes=[object])(*arrays) if arrays else f()

    def one(self, node: Node):
        op, data = node.op, node.data
        get = lambda k: self(node.args[k])  # noqa: E731
        if op == "var":
            return self.env[data]
        if op == "const":
            return self.number(data)
        if op == "dim":
            out = 1
            for d in data:
                out *= size_of(d, self.sizes)
            return self.number(out) if self.exact else float(out)
        if op == "ones":
            return np.ones(self.shape(node), dtype=object if self.exact else float) * (
                self.number(1) if self.exact else 1.0
            )
        if op == "eye":
            n = self.shape(node)[0]
            e = np.eye(n)
            return e.astype(int).astype(object) if self.exact else e
        if op == "shift":
            rows, cols = self.shape(node)
            e = np.eye(rows, cols, k=data)
            return e.astype(int).astype(object) if self.exact else e
        if op == "ew":
            return self.ew(node)
        if op == "einsum":
            terms, output, _ = data
            spec = ",".join(terms) + "->" + output
            return np.einsum(
                spec, *(get(k) for k in range(len(node.args))), optimize=not self.exact
            )
        if op == "view":
            return self.view(node, get(0))
        a = get(0)
        if op == "softmax":
            return self.softmax(a, data)
        if op == "lse":
            return self.lse(a, data)
        if op in ("inv", "det"):
            return self.matrix(op, a)
        if op == "amax":
            axes, which = data
            if not self.exact:
                return (np.max if which == "max" else np.min)(a, axis=axes)
            sp = _sympy()[0]
            return self.reduce(a, axes, lambda row: (sp.Max if which == "max" else sp.Min)(*row))
        raise MatcalcError(f"no value for the node {op}")  # pragma: no cover

    def matrix(self, op: str, a):
        if not self.exact:
            return np.linalg.inv(a) if op == "inv" else np.linalg.det(a)
        sp = _sympy()[0]
        out = np.empty(a.shape if op == "inv" else a.shape[:-2], dtype=object)
        for index in np.ndindex(a.shape[:-2]):
            m = sp.Matrix(a[index].tolist())
            if op == "inv":
                out[index] = np.array(m.inv().tolist(), dtype=object)
            else:
                out[index] = m.det()
        return out

    def reduce(self, a, axes, f):
        keep = [k for k in range(a.ndim) if k not in axes]
        moved = np.transpose(a, keep + list(axes))
        flat = moved.reshape(moved.shape[: len(keep)] + (-1,))
        out = np.empty(flat.shape[:-1], dtype=object)
        for index in np.ndindex(out.shape):
            out[index] = f(list(flat[index]))
        return out

    def softmax(self, a, axes):
        if self.exact:
            e = self.elementwise(_sympy()[0].exp, a)
            return e / np.sum(e, axis=axes, keepdims=True)
        e = np.exp(a - np.max(a, axis=axes, keepdims=True))
        return e / np.sum(e, axis=axes, keepdims=True)

    def lse(self, a, axes):
        if self.exact:
            sp = _sympy()[0]
            return self.elementwise(sp.log, np.sum(self.elementwise(sp.exp, a), axis=axes))
        m = np.max(a, axis=axes, keepdims=True)
        return np.squeeze(m, axis=axes) + np.log(np.sum(np.exp(a - m), axis=axes))

    def ew(self, node: Node):
        what, maps = node.data
        arrays = []
        for arg, positions in zip(node.args, maps):
            v = np.asarray(self(arg), dtype=object if self.exact else float)
            shape = [1] * node.ndim
            for p, s in zip(positions, v.shape):
                shape[p] = s
            arrays.append(v.reshape(shape))
        if what == "add":
            return arrays[0] + arrays[1]
        if what == "mul":
            return arrays[0] * arrays[1]
        if what == "pow":
            if self.exact:
                return self.elementwise(lambda x, y: x**y, *arrays)
            return np.power(arrays[0], arrays[1])
        if what.startswith("cmp:"):
            return self.compare(what[4:], *arrays)
        p = registry.get(what[3:])
        if self.exact:
            sp, ns = _sympy()
            out = self.elementwise(lambda *xs: p.lower(ns, *xs), *arrays)
            return out if arrays else sp.sympify(out, strict=True)  # a SymPy object or number
        from ..primitives.lowering import NUMPY

        return np.asarray(p.lowering("numpy")(NUMPY, *arrays), dtype=float)

    def compare(self, op, a, b):
        if not self.exact:
            f = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}[op]
            return f(a, b).astype(float)
        sp = _sympy()[0]
        rel = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le}[op]
        return self.elementwise(lambda x, y: sp.Piecewise((1, rel(x, y)), (0, True)), a, b)

    def view(self, node: Node, a):
        index, positions = [], []
        for e, _dim in zip(node.data, node.args[0].shape):
            if isinstance(e, int):
                index.append(e)
            else:
                positions.append(e[1])
                index.append(slice(0, size_of(node.shape[e[1]], self.sizes)))
        out = np.asarray(a)[tuple(index)]
        order = sorted(range(len(positions)), key=lambda k: positions[k])
        out = np.transpose(out, order) if len(order) > 1 else out
        return out.reshape(self.shape(node))


def _postorder(root: Node) -> list:
    out, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        if node.uid in seen:
            continue
        seen.add(node.uid)
        stack.append((node, True))
        stack.extend((a, False) for a in node.args)
    return out
