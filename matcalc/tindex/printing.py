"""Nodes as text: a node as the query would write it (`softmax(T, axis=0)`, `T[0] @ T[1].T`,
for the left side and the ", where S = …" definitions), and a factor at its indices
(`Sᵢⱼ`, `(1 − tanh(Xᵢⱼ)²)`): element-wise nodes inline, every other node that is not a
variable named by a capital letter (S for softmax, L logsumexp, M max, then P, Q, R, …).
"""

from __future__ import annotations

from fractions import Fraction

from . import ops
from .nodes import Node
from .notation import Style

__all__ = ["Namer"]

_PREFERRED = {"softmax": "S", "lse": "L", "amax": "M", "inv": "N", "det": "D"}
_POOL = "PQRUVWZABCDEFGHJKNOY"
_CMP = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}
_CMP_LATEX = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq"}


def _axes(axes: tuple, ndim: int, always: bool = False) -> str:
    """`, axis=…`, left out when it is every axis (a full reduction) unless `always` (a
    softmax of an array of order >= 2 needs its axis written, as the query needs it)."""
    if tuple(axes) == tuple(range(ndim)) and not (always and ndim >= 2):
        return ""
    shown = str(axes[0]) if len(axes) == 1 else "(" + ", ".join(map(str, axes)) + ")"
    return f", axis={shown}"


class Namer:
    """Names for the intermediates a printed derivative needs, in order of first use."""

    def __init__(self, style: Style, taken: set):
        self.style = style
        self.taken = set(taken)
        self.names: dict = {}  # uid -> (name, node)

    def name(self, node: Node) -> str:
        if node.uid not in self.names:
            pick = _PREFERRED.get(node.op)
            pool = ([pick] if pick else []) + list(_POOL)
            for letter in pool:
                if letter not in self.taken:
                    break
            else:  # pragma: no cover - 20 intermediates
                letter = f"Z{len(self.names)}"
            self.taken.add(letter)
            self.names[node.uid] = (letter, node)
        return self.names[node.uid][0]

    def definitions(self) -> list:
        """[(name, definition text)], each definition naming earlier intermediates."""
        out, done = [], 0
        while done < len(self.names):  # a definition may name a further intermediate
            name, node = list(self.names.values())[done]
            out.append((name, self.expr(node, top=True)))
            done += 1
        return out

    # ------------------------------------------------------------------ as the query writes it
    def call(self, name: str) -> str:
        return rf"\operatorname{{{name}}}" if self.style.latex else name

    def expr(self, node: Node, top: bool = False) -> str:
        """The node as an expression; `top`: spell a named node out (its definition)."""
        s = self.style
        op, data = node.op, node.data
        if not top and node.uid in self.names:
            return self.names[node.uid][0]
        if op == "var":
            return data
        if op == "const":
            return s.number(data)
        if op == "dim":
            return "·".join(map(str, data))
        if op == "ones":
            return f"ones({', '.join(map(str, node.shape))})"
        if op == "eye":
            return f"eye({node.shape[0]})"
        if op == "shift":
            return f"eye({node.shape[0]}, {node.shape[1]}, k={data})"
        if op == "ew":
            return self.ew_expr(node)
        if op == "view":
            return self.view_expr(node)
        if op in ("inv", "det"):
            return f"{self.call(op)}({self.expr(node.args[0])})"
        if op == "softmax":
            return f"{self.call('softmax')}({self.expr(node.args[0])}{_axes(data, node.args[0].ndim, True)})"
        if op == "lse":
            return f"{self.call('logsumexp')}({self.expr(node.args[0])}{_axes(data, node.args[0].ndim)})"
        if op == "amax":
            return f"{self.call(data[1])}({self.expr(node.args[0])}{_axes(data[0], node.args[0].ndim)})"
        terms, output, how = data
        if how == "@":
            return " @ ".join(self.atom(a) for a in node.args)
        if isinstance(how, tuple) and how[0] == "slice":
            _, position, start, stop = how
            return f"{self.atom(node.args[0])}[{':, ' * position}{start}:{stop}]"
        if isinstance(how, tuple) and how[0] == "sum":
            return (
                f"{self.call('sum')}({self.expr(node.args[0])}{_axes(how[1], node.args[0].ndim)})"
            )
        if how in ("trace", "outer", "dot"):
            return f"{self.call(how)}({', '.join(self.expr(a) for a in node.args)})"
        if how == "diag":
            return f"{self.call(how)}({self.expr(node.args[0])})"
        # an ellipsis is printed as written (its letters are the builder's)
        spec = how[1] if isinstance(how, tuple) else ",".join(terms) + "->" + output
        inner = ", ".join(self.expr(a) for a in node.args)
        return f'{self.call("einsum")}("{spec}", {inner})'

    def atom(self, node: Node) -> str:
        text = self.expr(node)
        simple = node.op in ("var", "softmax", "lse", "amax", "view") or (
            node.op == "const" and node.data >= 0 and node.data.denominator == 1
        )
        if node.op == "dim" and len(node.data) == 1:
            return text
        if node.uid in self.names or simple or (node.op == "ew" and node.data[0].startswith("fn:")):
            return text
        if node.op == "einsum" and node.data[2] != "@":
            return text
        return f"({text})"

    def aligned(self, node: Node) -> list:
        """The operands of an element-wise node, each with None where NumPy's right
        alignment would not put its axes (a broadcast the builder made explicit)."""
        out = []
        for arg, positions in zip(node.args, node.data[1]):
            if positions == tuple(range(node.ndim - arg.ndim, node.ndim)):
                out.append(arg)
                continue
            entries = tuple(ops.at(p) for p in positions)
            full = tuple(node.shape[p] if p in positions else 1 for p in range(node.ndim))
            out.append(ops.view(arg, entries, full))
        return out

    def ew_expr(self, node: Node) -> str:
        s = self.style
        what = node.data[0]
        args = self.aligned(node)
        if what == "add":
            right = args[1]
            if right.op == "const" and right.data < 0:
                return f"{self.expr(args[0])}{s.minus()}{s.number(-right.data)}"
            if _negated(right) is not None:
                return f"{self.expr(args[0])}{s.minus()}{self.term_atom(_negated(right))}"
            return f"{self.expr(args[0])} + {self.expr(right)}"
        if what == "mul":
            a, b = args
            if a.op == "const":
                if a.data == -1:
                    return "−" + self.term_atom(b) if not s.latex else "-" + self.term_atom(b)
                return s.number(a.data) + self.term_atom(b)
            if _reciprocal(b) is not None:
                return f"{self.atom(a)}/{self.atom(_reciprocal(b))}"
            op = s.times() if a.ndim and b.ndim else " "
            return f"{self.atom(a)}{op}{self.atom(b)}"
        if what == "pow":
            base, exponent = args
            if exponent.op == "const":
                return s.power(self.atom(base), exponent.data, True)
            return f"{self.atom(base)}^{self.atom(exponent)}"
        if what.startswith("cmp:"):
            table = _CMP_LATEX if s.latex else _CMP
            return f"({self.expr(args[0])} {table[what[4:]]} {self.expr(args[1])})"
        name = s.function(what[3:])
        if not args:
            return name
        return f"{name}({', '.join(self.expr(a) for a in args)})"

    def term_atom(self, node: Node) -> str:
        text = self.expr(node)
        if node.op == "ew" and node.data[0] == "add":
            return f"({text})"
        return text

    def view_expr(self, node: Node) -> str:
        """A view as NumPy writes it: an index (ints, slices :k, None for a new axis of
        size 1), then .T, .mT or transpose(…) for the order of the axes kept."""
        entries, inner = node.data, node.args[0]
        arg = self.atom(inner)
        positions = [e[1] for e in entries if not isinstance(e, int)]
        inserted = node.ndim - len(positions)
        if positions == sorted(positions):  # index (and new axes) only
            items, k = [], 0
            for e, dim in zip(entries, inner.shape):
                if isinstance(e, int):
                    items.append(str(e))
                    continue
                while k < e[1]:
                    items.append("None")
                    k += 1
                size = node.shape[e[1]]
                items.append(":" if size == dim else f":{size}")
                k += 1
            items += ["None"] * (node.ndim - k)
            while items and items[-1] == ":":
                items.pop()
            return f"{arg}[{', '.join(items)}]" if items else arg
        if inserted == 0:  # an index, then the kept axes reordered
            items = []
            for e, dim in zip(entries, inner.shape):
                size = None if isinstance(e, int) else node.shape[e[1]]
                items.append(str(e) if size is None else ":" if size == dim else f":{size}")
            while items and items[-1] == ":":
                items.pop()
            base = f"{arg}[{', '.join(items)}]" if items else arg
            n = len(positions)
            if positions == list(reversed(range(n))):
                return f"{base}.T"
            if n >= 2 and positions == list(range(n - 2)) + [n - 1, n - 2]:
                return f"{base}.mT"
            order = sorted(range(n), key=lambda j: positions[j])
            return f"transpose({base}, {tuple(order)!r})"
        shown = ", ".join(str(e) if isinstance(e, int) else f"→{e[1]}" for e in entries)
        return f"view({arg}, {shown})"


def _negated(node: Node) -> Node | None:
    """b if node is −b (a product with −1)."""
    if node.op == "ew" and node.data[0] == "mul" and node.args[0].op == "const":
        if node.args[0].data == -1:
            return node.args[1]
    if node.op == "const" and node.data < 0:
        return None
    return None


def _reciprocal(node: Node) -> Node | None:
    if node.op == "ew" and node.data[0] == "pow" and node.args[1].op == "const":
        if node.args[1].data == Fraction(-1):
            return node.args[0]
    return None
