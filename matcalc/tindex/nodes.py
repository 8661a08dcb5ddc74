"""The typed tensor expression of the any-order index engine: hash-consed nodes, each with
its NumPy shape (a tuple of dimensions, names or integers).

    op         data                                   args
    "var"      name                                   ()
    "const"    Fraction (a scalar)                    ()
    "dim"      (dimension, …): the product of sizes   ()
    "ones"     None (shape given)                     ()
    "eye"      None (shape (n, n))                    ()
    "ew"       (what, maps): what is "add", "mul",     operands
               "pow", "fn:<name>" or "cmp:<op>"; maps
               gives each operand's axes as positions
               of the node's axes (NumPy broadcasting)
    "einsum"   (terms, output, how): np.einsum's       operands
               subscripts; `how` is only how it prints
               ("@", "sum", "T", "einsum", "trace", …;
               ("einsum", spec): an ellipsis as written)
    "view"     entries, one per operand axis: an int    (operand,)
               (a constant index) or the position of
               the node's axis it is (transposes,
               integer indices, slices from 0, keepdims)
    "softmax"  axes (of the operand)                  (operand,)
    "lse"      axes: logsumexp over them (removed)     (operand,)
    "amax"     (axes, "max" or "min") (removed)       (operand,)

Nodes compare by identity: `make` returns the one node of a given (op, data, args, shape).
"""

from __future__ import annotations

import itertools
import weakref
from fractions import Fraction

__all__ = ["Node", "make", "const", "is_const", "scalar_value"]


class Node:
    """One node: op, data, args (Nodes), shape (tuple of dims), uid (creation order)."""

    __slots__ = ("op", "data", "args", "shape", "uid", "__weakref__")

    def __init__(self, op: str, data: object, args: tuple, shape: tuple, uid: int) -> None:
        self.op, self.data, self.args, self.shape, self.uid = op, data, args, shape, uid

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<{self.op} {self.data!r} {self.shape} #{self.uid}>"


_TABLE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_UIDS = itertools.count()


def make(op: str, data: object, args: tuple, shape: tuple) -> Node:
    """The one node with these fields (hash-consed: equal subexpressions are one node)."""
    key = (op, data, tuple(a.uid for a in args), tuple(shape))
    node = _TABLE.get(key)
    if node is None:
        node = Node(op, data, tuple(args), tuple(shape), next(_UIDS))
        _TABLE[key] = node
    return node


def const(value: Fraction | int) -> Node:
    return make("const", Fraction(value), (), ())


def is_const(node: Node, value: object = None) -> bool:
    return node.op == "const" and (value is None or node.data == value)


def scalar_value(node: Node) -> Fraction | None:
    return node.data if node.op == "const" else None
