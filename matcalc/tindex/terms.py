"""Index terms: a derivative is a sum of terms, each

    coefficient · Π δ(a, b) · Π factorₖ[indices] summed over its bound indices,

where an index is a symbol (a str, its dimension in `Indices.dims`) or a constant integer,
and a factor is a node (matcalc/tindex/nodes.py) at those indices. `tidy` normalises a
term: views read through (a transpose's factor is its operand with the indices permuted),
a constant folded into the coefficient, an identity into a δ, a δ with a bound index
contracted (Σₘ Aᵢₘδₘₖ = Aᵢₖ); `merge` adds like terms (the same up to the names of
bound indices) and drops those that cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from .nodes import Node, const, make

__all__ = ["Indices", "Term", "canonical", "merge", "rename", "tidy"]


class Indices:
    """Fresh index symbols and their dimensions."""

    def __init__(self):
        self.dims: dict = {}
        self.count = 0

    def fresh(self, dim: object) -> str:
        self.count += 1
        name = f"_{self.count}"
        self.dims[name] = dim
        return name


@dataclass(frozen=True)
class Term:
    coef: Fraction
    deltas: tuple = ()  # ((a, b), …)
    factors: tuple = ()  # ((node, (index, …)), …)
    bound: frozenset = frozenset()


def _sub(x, mapping):
    return mapping.get(x, x) if isinstance(x, str) else x


def rename(t: Term, mapping: dict) -> Term:
    return Term(
        t.coef,
        tuple((_sub(a, mapping), _sub(b, mapping)) for a, b in t.deltas),
        tuple((n, tuple(_sub(x, mapping) for x in idx)) for n, idx in t.factors),
        frozenset(_sub(x, mapping) for x in t.bound),
    )


def _through_view(node: Node, idx: tuple) -> tuple[Node, tuple]:
    """A factor of a view is its operand at mapped indices."""
    while node.op == "view":
        inner = []
        for e in node.data:
            inner.append(e if isinstance(e, int) else idx[e[1]])
        node, idx = node.args[0], tuple(inner)
    return node, idx


def tidy(t: Term, ix: Indices) -> Term | None:
    """The normalised term (module docstring), None if it is zero."""
    coef = t.coef
    deltas = list(t.deltas)
    factors = []
    stack = list(t.factors)
    while stack:
        node, idx = stack.pop(0)
        node, idx = _through_view(node, idx)
        if node.op == "const":
            coef *= node.data
            continue
        if node.op == "ones":
            continue
        if node.op == "eye":
            deltas.append(idx)
            continue
        if node.op == "einsum" and set("".join(node.data[0])) <= set(node.data[1]):
            # a product without a sum (outer, diag(x) = x with eye): its operands' factors
            letters = dict(zip(node.data[1], idx))
            for term, arg in zip(node.data[0], node.args):
                stack.append((arg, tuple(letters[c] for c in term)))
            continue
        if node.op == "ew" and node.data[0] == "mul":  # (A ⊙ B)ᵢⱼ = AᵢⱼBᵢⱼ
            for arg, positions in zip(node.args, node.data[1]):
                stack.append((arg, tuple(idx[p] for p in positions)))
            continue
        factors.append((node, idx))
    if coef == 0:
        return None
    factors = _reciprocals_cancelled(_scalars_combined(factors))
    bound = set(t.bound)
    changed = True
    while changed:
        changed = False
        for k, (a, b) in enumerate(deltas):
            if a == b:
                del deltas[k]
                if isinstance(a, str) and a in bound:
                    bound.discard(a)
                    coef, factors = _times_size(coef, factors, ix.dims[a])
                changed = True
                break
            if any(isinstance(x, str) and ix.dims.get(x) == 1 for x in (a, b)) and 0 in (a, b):
                del deltas[k]  # an axis of size 1 has only index 0
                changed = True
                break
            if isinstance(a, int) and isinstance(b, int):
                if (a >= 0) == (b >= 0):
                    return None  # two different constant indices
                continue
            pick = None
            for s, other in ((a, b), (b, a)):
                if isinstance(s, str) and s in bound:
                    if isinstance(other, int) or ix.dims.get(other) == ix.dims.get(s):
                        pick = (s, other)
                        break
            if pick is None:
                continue
            s, other = pick
            del deltas[k]
            bound.discard(s)
            mapping = {s: other}
            deltas = [(_sub(x, mapping), _sub(y, mapping)) for x, y in deltas]
            factors = [(n, tuple(_sub(x, mapping) for x in idx)) for n, idx in factors]
            changed = True
            break
    used = {x for _, idx in factors for x in idx} | {x for d in deltas for x in d}
    for s in sorted(bound - used):
        bound.discard(s)
        coef, factors = _times_size(coef, factors, ix.dims[s])
    deltas = [tuple(sorted(d, key=_order)) for d in deltas]
    return Term(
        coef,
        tuple(sorted(deltas, key=lambda d: tuple(map(_order, d)))),
        tuple(factors),
        frozenset(bound),
    )


def _scalars_combined(factors: list) -> list:
    """Scalar factors with one base multiplied into one power ((1/h)(1/h) = 1/h²)."""
    from .ops import power

    powers: dict = {}
    order: list = []
    rest = []
    for node, idx in factors:
        if idx:
            rest.append((node, idx))
            continue
        base, exponent = node, Fraction(1)
        if node.op == "ew" and node.data[0] == "pow" and node.args[1].op == "const":
            base, exponent = node.args[0], node.args[1].data
        if base.uid not in powers:
            order.append(base)
            powers[base.uid] = Fraction(0)
        powers[base.uid] += exponent
    scalars = [(power(b, const(powers[b.uid])), ()) for b in order if powers[b.uid] != 0]
    return scalars + rest


def _reciprocals_cancelled(factors: list) -> list:
    """A factor and its reciprocal at the same indices (Dₐ and 1/Dₐ) cancel."""
    total: dict = {}
    for node, idx in factors:
        base, exponent = _power_of(node)
        total[(base.uid, idx)] = total.get((base.uid, idx), Fraction(0)) + exponent
    return [(n, idx) for n, idx in factors if total[(_power_of(n)[0].uid, idx)] != 0]


def _power_of(node: Node) -> tuple:
    if node.op == "ew" and node.data[0] == "pow" and node.args[1].op == "const":
        return node.args[0], node.args[1].data
    return node, Fraction(1)


def _times_size(coef, factors, dim):
    """A sum over an index that appears nowhere: times its size."""
    if isinstance(dim, int):
        return coef * dim, factors
    return coef, factors + [(make("dim", (dim,), (), ()), ())]


def _order(x) -> tuple:
    """Symbols first, in order of creation (output, then variable, then bound); constants."""
    if isinstance(x, int):
        return (1, x)
    return (0, int(x[1:])) if x[1:].isdigit() else (0, -1)


def canonical(t: Term) -> tuple:
    """A key equal for terms that differ only in the names of their bound indices (and
    the order of their factors and δs)."""

    def pattern(idx):
        return tuple(("*",) if x in t.bound else _key(x) for x in idx)

    factors = sorted(t.factors, key=lambda f: (f[0].uid, pattern(f[1])))
    names: dict = {}
    for x in [x for _, idx in factors for x in idx] + [x for d in t.deltas for x in d]:
        if x in t.bound and x not in names:
            names[x] = ("#", len(names))

    def key(x):
        return names[x] if x in names else _key(x)

    fs = tuple((n.uid, tuple(key(x) for x in idx)) for n, idx in factors)
    ds = tuple(sorted(tuple(sorted(key(x) for x in d)) for d in t.deltas))
    return fs, ds


def _key(x) -> tuple:
    return ("c", x) if isinstance(x, int) else ("s", x)


def merge(terms: list) -> list:
    """Like terms added, zero terms dropped (first appearance keeps its place)."""
    out: dict = {}
    for t in terms:
        key = canonical(t)
        if key in out:
            out[key] = replace(out[key], coef=out[key].coef + t.coef)
        else:
            out[key] = t
    return [t for t in out.values() if t.coef != 0]
