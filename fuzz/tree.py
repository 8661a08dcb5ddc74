"""Typed expression trees of the fuzzer and their two renderings: matcalc query text (with
the fewest parentheses the grammar's precedence allows, and the language's aliases) and an
independent NumPy lowering (a Python expression over `O`, a `matcalc.testing.Ops`, and `V`,
the variables as 2-D arrays). Neither rendering goes through matcalc's evaluator.

A node is (kind, shape, kids, data); shapes are (rows, cols) with dimension names, integers,
or 1. Shared subtrees are the same object (`eq=False`: identity), so the query repeats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# written name -> canonical operation (Ops method)
CALLS = {
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "σ": "sigmoid",
    "softplus": "softplus",
    "sqrt": "sqrt",
    "abs": "abs",
    "sign": "sign",
    "relu": "relu",
    "max": "maximum",
    "sum": "sum",
    "mean": "mean",
    "norm": "norm",
    "dot": "dot",
    "diag": "diag",
    "trace": "trace",
    "tr": "trace",
    "det": "det",
    "logdet": "logdet",
    "inv": "inv",
    "softmax": "softmax",
    "logsumexp": "logsumexp",
}
BINARY_PREC = {"+": 2, "-": 2, "*": 3, "⊗": 3, "/": 3, "⊘": 3, "@": 3, "·": 3}
ATOM, POSTFIX, POWER, UNARY, COMPARE = 7, 6, 5, 4, 1


@dataclass(frozen=True, eq=False)
class Node:
    kind: str  # var const neg bin matmul pow T call cmp list
    shape: tuple  # (rows, cols)
    kids: tuple = ()
    data: object = None
    meta: dict = field(default_factory=dict, compare=False)


def is_column(shape) -> bool:
    return shape[1] == 1 and shape[0] != 1


def is_row(shape) -> bool:
    return shape[0] == 1 and shape[1] != 1


def walk(node: Node, seen=None):
    """Every distinct node once, children first."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    for k in node.kids:
        yield from walk(k, seen)
    yield node


def variables(node: Node) -> list[str]:
    out: list[str] = []
    for n in walk(node):
        if n.kind == "var" and n.data not in out:
            out.append(n.data)
    return out


def size_of(node: Node) -> int:
    """Nodes counted with repetition (the length of the rendered tree)."""
    return 1 + sum(size_of(k) for k in node.kids)


# ---------------------------------------------------------------- query text
def text(node: Node) -> str:
    return _text(node)[0]


def _wrap(node: Node, least: int) -> str:
    t, prec = _text(node)
    return t if prec >= least else f"({t})"


def _text(node: Node) -> tuple[str, int]:
    k, d = node.kind, node.data
    if k in ("var", "const"):
        return str(d), ATOM
    if k == "neg":
        return "-" + _wrap(node.kids[0], UNARY), UNARY
    if k in ("bin", "matmul"):
        prec = BINARY_PREC[d]
        a, b = node.kids
        return f"{_wrap(a, prec)} {d} {_wrap(b, prec + 1)}", prec
    if k == "pow":
        a, b = node.kids
        return f"{_wrap(a, POSTFIX)}{d}{_wrap(b, UNARY)}", POWER
    if k == "T":
        if d == "transpose":
            return f"transpose({text(node.kids[0])})", ATOM
        return _wrap(node.kids[0], POSTFIX) + d, POSTFIX
    if k == "call":
        return f"{d}({', '.join(text(x) for x in node.kids)})", ATOM
    if k == "cmp":
        a, b = node.kids
        return f"{_wrap(a, 2)} {d} {_wrap(b, 2)}", COMPARE
    if k == "list":
        if d == "vec":
            return "[" + ", ".join(text(x) for x in node.kids) + "]", ATOM
        cols = node.shape[1]
        rows = [node.kids[i : i + cols] for i in range(0, len(node.kids), cols)]
        return "[" + ", ".join("[" + ", ".join(text(x) for x in r) + "]" for r in rows) + "]", ATOM
    raise AssertionError(k)


# ---------------------------------------------------------------- NumPy lowering
def numpy_source(node: Node) -> str:
    k, d = node.kind, node.data
    src = [numpy_source(x) for x in node.kids]
    if k == "var":
        return f"V[{d!r}]"
    if k == "const":
        return f"O.const({str(d)!r})"
    if k == "neg":
        return f"(-{src[0]})"
    if k == "bin":
        if d in ("/", "⊘"):
            return f"O.div({src[0]}, {src[1]})"
        return f"({src[0]} {'*' if d == '⊗' else d} {src[1]})"
    if k == "matmul":
        a, b = node.kids
        if is_column(a.shape) and not is_row(b.shape):  # a vector on the left is a row
            return f"({src[0]}.T @ {src[1]})"
        return f"({src[0]} @ {src[1]})"
    if k == "pow":
        return f"O.power({src[0]}, {src[1]})"
    if k == "T":
        return f"{src[0]}.T"
    if k == "call":
        name = CALLS[d]
        if name == "relu":
            return f"O.maximum(O.const('0'), {src[0]})"
        return f"O.{name}({', '.join(src)})"
    if k == "cmp":
        return f"O.compare({d!r}, {src[0]}, {src[1]})"
    if k == "list":
        if d == "vec":
            return f"O.vstack({', '.join(src)})"
        cols = node.shape[1]
        rows = [src[i : i + cols] for i in range(0, len(src), cols)]
        return "O.block([" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "])"
    raise AssertionError(k)


def replace(node: Node, old: Node, new: Node) -> Node:
    """`node` with every occurrence of `old` (by identity) replaced by `new`."""
    if node is old:
        return new
    if not node.kids:
        return node
    kids = tuple(replace(k, old, new) for k in node.kids)
    if all(a is b for a, b in zip(kids, node.kids)):
        return node
    return Node(node.kind, node.shape, kids, node.data, node.meta)


def replace_at(node: Node, path: tuple, new: Node) -> Node:
    """`node` with the one occurrence at `path` (child indices) replaced by `new`."""
    if not path:
        return new
    kids = list(node.kids)
    kids[path[0]] = replace_at(kids[path[0]], path[1:], new)
    return Node(node.kind, node.shape, tuple(kids), node.data, node.meta)


def paths(node: Node, prefix=()):
    """(path, node) for every occurrence, root first."""
    yield prefix, node
    for i, k in enumerate(node.kids):
        yield from paths(k, prefix + (i,))
