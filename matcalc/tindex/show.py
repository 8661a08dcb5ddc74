"""An `IndexDerivative` in index notation, text or LaTeX, as matcalc/render/index_form.py
prints the row-wise ones: `∂(softmax(T, axis=0))ₐᵢⱼ/∂Tₑₖₗ = δₐₑ…, where S = …`, every sum
explicit (Σₚ), a factor common to every term in front of the parentheses. A scalar
function's derivative is its gradient in index form (`∂f/∂Tₐᵢⱼ = …`).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from .like import IndexDerivativeLike
from .nodes import Node
from .notation import LATEX, TEXT, Style
from .printing import Namer
from .terms import _through_view

__all__ = ["derivative_text", "letters_for"]

BATCH = "aeoxh"
MAIN = "ijklmnprstuv"


def letters_for(orders: list, taken: set, batch: bool = True) -> list:
    """Index letters for arrays of the given orders: the leading axes of an order-3+
    array from a, e, o, …, the rest from i, j, k, …"""
    out, used = [], set(taken)

    def pick(pool):
        for c in pool + MAIN + BATCH:
            if c not in used:
                used.add(c)
                return c
        n = len(used)
        used.add(f"q{n}")
        return f"q{n}"

    for order in orders:
        group = []
        for k in range(order):
            group.append(pick(BATCH if batch and order >= 3 and k < order - 2 else MAIN))
        out.append(group)
    return out


class _Printer:
    def __init__(self, d, style: Style):
        self.d, self.s = d, style
        taken = set(d.built.variables) | set(d.built.dimensions)
        self.namer = Namer(style, {n for n in taken if n[:1].isupper()})
        out, var = letters_for([len(d.out_idx), len(d.var_idx)], set())
        self.letters = dict(zip(d.out_idx, out)) | dict(zip(d.var_idx, var))

    def idx(self, idx: tuple, local: dict) -> tuple:
        return tuple(x if isinstance(x, int) else local.get(x, self.letters.get(x, x)) for x in idx)

    # ------------------------------------------------------------------ factors
    def factor(self, node: Node, idx: tuple, local: dict, alone: bool = False) -> str:
        node, idx = _through_view(node, idx)
        s = self.s
        if node.op == "var":
            return s.sub(node.data, self.idx(idx, local))
        if node.op == "dim":
            return "·".join(map(str, node.data))
        if node.op == "const":
            return s.number(node.data)
        if node.op == "ew":
            return self.ew(node, idx, local, alone)
        if node.op == "shift":  # the unit row at i + start: δ(i + start, m)
            i, m = self.idx(idx, local)
            return s.delta(f"{i}+{node.data}", m)
        return s.sub(self.namer.name(node), self.idx(idx, local))

    def ew(self, node: Node, idx: tuple, local: dict, alone: bool) -> str:
        s = self.s
        what, maps = node.data
        sub = [tuple(idx[p] for p in m) for m in maps]
        args = node.args
        if what == "add":
            left = self.factor(args[0], sub[0], local, True)
            right, sub[1] = _through_view(args[1], sub[1])
            if right.op == "const" and right.data < 0:
                text = f"{left}{s.minus()}{s.number(-right.data)}"
                return text if alone else f"({text})"
            if right.op == "ew" and right.data[0] == "mul" and right.args[0].op == "const":
                c = right.args[0].data
                rest = self.factor(right.args[1], _sub_of(right, 1, sub[1]), local)
                if c < 0:
                    coef = "" if c == -1 else s.number(-c)
                    text = f"{left}{s.minus()}{coef}{rest}"
                    return text if alone else f"({text})"
            text = f"{left} + {self.factor(right, sub[1], local, True)}"
            return text if alone else f"({text})"
        if what == "mul":
            pairs = sorted(zip(args, sub), key=lambda p: bool(p[0].ndim))
            return "".join(self.factor(a, i, local) for a, i in pairs)
        if what == "pow":
            base, exponent = args
            inner = self.factor(base, sub[0], local)
            if exponent.op == "const":
                wrapped = base.op == "ew" and base.data[0] == "add"  # already in parentheses
                plain = base.op != "ew" or base.data[0].startswith("fn:")
                atomic = wrapped or plain and "·" not in inner
                if exponent.data == -1 and not s.latex:
                    return f"(1/{inner if atomic else f'({inner})'})"
                return s.power(inner, exponent.data, atomic)
            if base.op == "ew" and base.data[0] in ("mul", "pow"):
                inner = f"({inner})"
            power = self.factor(exponent, sub[1], local)
            if exponent.op == "ew" and exponent.data[0] in ("mul", "pow"):
                power = f"({power})"
            return f"{inner}^{power}"
        if what.startswith("cmp:"):
            sign = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}[what[4:]]
            if s.latex:
                sign = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq"}[what[4:]]
            a, b = (self.factor(x, i, local, True) for x, i in zip(args, sub))
            return f"[{a} {sign} {b}]"
        name = s.function(what[3:])
        if not args:
            return name
        inner = ", ".join(self.factor(a, i, local, True) for a, i in zip(args, sub))
        return f"{name}({inner})"

    # ------------------------------------------------------------------ terms
    def local(self, t) -> dict:
        taken = set(self.letters.values())
        seen = [x for _, idx in t.factors for x in idx] + [x for d in t.deltas for x in d]
        bound = sorted(t.bound, key=seen.index)
        (group,) = letters_for([len(bound)], taken, batch=False) if bound else ([],)
        return dict(zip(bound, group))

    def body(self, t, local: dict, skip: Counter) -> str:
        """A term's δs and factors (without the coefficient), each item of `skip` left out
        as many times as it is counted there."""
        skip = Counter(skip)
        parts = []
        for a, b in t.deltas:
            if skip[("d", a, b)] > 0:
                skip[("d", a, b)] -= 1
                continue
            parts.append(self.s.delta(*self.idx((a, b), local)))
        scalars, others = [], []
        for node, idx in t.factors:
            if skip[("f", node.uid, idx)] > 0:
                skip[("f", node.uid, idx)] -= 1
                continue
            text = self.factor(node, idx, local)
            (scalars if not idx else parts if node.op == "shift" else others).append(text)
        return "".join(scalars + parts + self.powers(others))

    def powers(self, texts: list) -> list:
        """Equal factors as one power (TᵢⱼTᵢⱼ → Tᵢⱼ²)."""
        counts: dict = {}
        for text in texts:
            counts[text] = counts.get(text, 0) + 1
        return [
            text if k == 1 else self.s.power(text, Fraction(k), True) for text, k in counts.items()
        ]

    def term(self, t, skip: Counter, first: bool) -> str:
        s = self.s
        local = self.local(t)
        body = self.body(t, local, skip)
        if t.bound:
            letters = [local[b] for b in sorted(t.bound, key=lambda b: local[b])]
            body = s.sigma(sorted(letters)) + body
        coef = t.coef
        sign = "−" if coef < 0 and not s.latex else "-" if coef < 0 else ""
        magnitude = abs(coef)
        number = "" if magnitude == 1 and body else s.number(magnitude)
        if number and body and number[0].isdigit() and body[0].isdigit():
            number += "·"
        text = number + body
        if first:
            return sign + text
        return (s.minus() if coef < 0 else " + ") + text

    def sum(self, terms: list) -> str:
        if not terms:
            return "0"
        skip = self.common(terms)
        if skip and len(terms) > 1:
            local = self.local(terms[0])
            head = self.body(_only(terms[0], skip), local, Counter())
            inner = "".join(self.term(t, skip, k == 0) for k, t in enumerate(terms))
            return f"{head}({inner})"
        return "".join(self.term(t, Counter(), k == 0) for k, t in enumerate(terms))

    def common(self, terms: list) -> Counter:
        """The δs and factors (free of bound indices) in every term, with how many times
        each is in all of them (a multiset: TT in one term and T in another share one T)."""

        def items(t):
            out = Counter(("d", a, b) for a, b in t.deltas if a not in t.bound and b not in t.bound)
            out.update(
                ("f", n.uid, idx)
                for n, idx in t.factors
                if idx and not any(x in t.bound for x in idx)
            )
            return out

        shared = items(terms[0])
        for t in terms[1:]:
            shared &= items(t)
        return shared

    # ------------------------------------------------------------------ the equation
    def lhs(self) -> str:
        d, s = self.d, self.s
        root, var = d.built.root, d.var
        out = tuple(self.letters[x] for x in d.out_idx)
        v = s.sub(var.data, tuple(self.letters[x] for x in d.var_idx))
        if d.hessian:
            return s.partial2("f", s.sub(var.data, out), v)
        if not root.shape:
            return s.partial("f", v)
        top = root.data if root.op == "var" else f"({self.namer.expr(root)})"
        return s.partial(s.sub(top, out), v)

    def text(self) -> str:
        left = self.lhs()
        right = self.sum(self.d.terms)
        where = self.namer.definitions()
        if where:
            right += self.s.where() + ", ".join(f"{n} = {t}" for n, t in where)
        return f"{left} = {right}"


def _sub_of(node: Node, k: int, idx: tuple) -> tuple:
    """The indices of a product's operand k, from the product's own."""
    return tuple(idx[p] for p in node.data[1][k])


def _only(t, keep: Counter):
    """The term's common items (`keep`, counted), as a term of coefficient 1."""
    from .terms import Term

    left = Counter(keep)
    deltas, factors = [], []
    for d in t.deltas:
        if left[("d", *d)] > 0:
            left[("d", *d)] -= 1
            deltas.append(d)
    for f in t.factors:
        if left[("f", f[0].uid, f[1])] > 0:
            left[("f", f[0].uid, f[1])] -= 1
            factors.append(f)
    return Term(Fraction(1), tuple(deltas), tuple(factors), frozenset())


def derivative_text(d: IndexDerivativeLike, latex: bool = False) -> str:
    return _Printer(d, LATEX if latex else TEXT).text()
