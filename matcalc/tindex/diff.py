"""Forward-mode differentiation of the index engine's nodes into index terms
(matcalc/tindex/terms.py): ∂node[I]/∂X[V] as a sum of terms, for output indices I and
the variable's indices V. An element-wise function's partials come from the primitive
registry (`Primitive.partials`, matcalc/primitives/), turned into nodes; the axis functions'
rules are the index forms of the registry's row-wise linear maps (primitives/axes.py):

    d softmax(A)ᵢ = Sᵢ dAᵢ − Sᵢ Σₖ Sₖ dAₖ       (over the axes, S = softmax(A))
    d logsumexp(A) = Σₖ Sₖ dAₖ
    d max(A)       = Σₖ [Aₖ ≥ max A] dAₖ          (almost everywhere; min alike)
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from .. import registry
from ..errors import LimitError, UnsupportedError
from ..limits import MAX_INDEX_TERMS
from . import ops
from .nodes import Node, const, make
from .terms import Indices, Term, merge, rename, tidy

__all__ = ["Deriver", "partial_node"]


def _aligned(arg: Node, positions: tuple, shape: tuple) -> Node:
    """An element-wise operand at the rank of its node (size-1 axes where it has none)."""
    entries = tuple(ops.at(p) for p in positions)
    full = tuple(shape[p] if p in positions else 1 for p in range(len(shape)))
    return ops.view(arg, entries, full)


def _from_expr(e: E.Expr, env: dict) -> Node:
    """A partial written with matcalc's expression nodes, as index-engine nodes."""
    if e in env:
        return env[e]
    if isinstance(e, E.Const):
        return const(e.value)
    if isinstance(e, E.Zero):
        return const(0)
    if isinstance(e, E.Func):
        args = [_from_expr(a, env) for a in e.operands]
        if not args:
            return make("ew", ("fn:" + e.name, ()), (), ())
        return ops.fn(e.name, args)
    if isinstance(e, E.Pow):
        return ops.power(*(_from_expr(a, env) for a in e.children))
    if isinstance(e, (E.Mul, E.Add)):
        parts = [_from_expr(a, env) for a in e.children]
        out = parts[0]
        for p in parts[1:]:
            out = ops.mul(out, p) if isinstance(e, E.Mul) else ops.add(out, p)
        return out
    if isinstance(e, E.Compare):
        a, b = (_from_expr(x, env) for x in e.children)
        return ops.ew("cmp:" + e.op, [a, b])
    if isinstance(e, E.Max):
        a, b = (_from_expr(x, env) for x in e.children)
        return ops.neg(ops.fn("min", [ops.neg(a), ops.neg(b)]))
    raise UnsupportedError(f"a partial derivative with {type(e).__name__} in index form")


def partial_node(node: Node, k: int) -> Node:
    """∂f/∂(argument k) of an element-wise function node, at its arguments (the registry's
    partial)."""
    name = node.data[0][3:]
    p = registry.get(name)
    placeholders = [E.Var(f"_u{i}") for i in range(len(node.args))]
    env = {v: _aligned(a, m, node.shape) for v, a, m in zip(placeholders, node.args, node.data[1])}
    return _from_expr(p.partials[k](*placeholders), env)


class Deriver:
    """∂node[I]/∂wrt[V] as index terms; `var_idx` the symbols V."""

    def __init__(self, ix: Indices, wrt: Node, var_idx: tuple):
        self.ix, self.wrt, self.var_idx = ix, wrt, tuple(var_idx)
        self.memo: dict = {}

    # ------------------------------------------------------------------ helpers
    def times(self, coef, factors: list, terms: list, bound=()) -> list:
        out = []
        for t in terms:
            new = Term(
                t.coef * Fraction(coef),
                t.deltas,
                tuple(factors) + t.factors,
                t.bound | frozenset(bound),
            )
            new = tidy(new, self.ix)
            if new is not None:
                out.append(new)
        return out

    def fresh_like(self, node: Node) -> tuple:
        return tuple(self.ix.fresh(d) for d in node.shape)

    def d(self, node: Node, idx: tuple) -> list:
        """The terms of ∂node[idx]/∂wrt[V]."""
        if self.wrt.uid not in self.depends(node):
            return []
        hit = self.memo.get(node.uid)
        if hit is None:
            placeholders = self.fresh_like(node)
            hit = (placeholders, merge(self.rule(node, placeholders)))
            if len(hit[1]) > MAX_INDEX_TERMS:
                raise LimitError(
                    f"the derivative would have {len(hit[1])} index terms",
                    expected=f"at most {MAX_INDEX_TERMS} (limits.MAX_INDEX_TERMS)",
                )
            self.memo[node.uid] = hit
        placeholders, terms = hit
        out = []
        for t in terms:
            mapping = dict(zip(placeholders, idx))
            for b in t.bound:
                mapping[b] = self.ix.fresh(self.ix.dims[b])
            new = tidy(rename(t, mapping), self.ix)
            if new is not None:
                out.append(new)
        return out

    def depends(self, node: Node) -> set:
        """uids of the variables under node (memoised on the Deriver)."""
        cache = self.__dict__.setdefault("_deps", {})
        if node.uid in cache:
            return cache[node.uid]
        stack, order = [node], []
        while stack:
            n = stack.pop()
            if n.uid in cache:
                continue
            order.append(n)
            stack.extend(a for a in n.args if a.uid not in cache)
        for n in reversed(order):
            deps = {n.uid} if n.op == "var" else set()
            for a in n.args:
                deps |= cache.get(a.uid, set())
            cache[n.uid] = deps
        return cache[node.uid]

    # ------------------------------------------------------------------ rules
    def rule(self, node: Node, idx: tuple) -> list:
        op = node.op
        if op == "var":
            deltas = tuple(zip(idx, self.var_idx))
            t = tidy(Term(Fraction(1), deltas), self.ix)
            return [t] if t is not None else []
        if op == "view":
            inner = tuple(e if isinstance(e, int) else idx[e[1]] for e in node.data)
            return self.d(node.args[0], inner)
        if op == "ew":
            return self.elementwise(node, idx)
        if op == "einsum":
            return self.einsum(node, idx)
        if op == "softmax":
            return self.softmax(node, idx)
        if op in ("lse", "amax"):
            return self.reduction(node, idx)
        if op in ("inv", "det"):
            return self.matrix(node, idx)
        raise UnsupportedError(f"no rule for {op} in index form")  # pragma: no cover

    def elementwise(self, node: Node, idx: tuple) -> list:
        what, maps = node.data
        sub = [tuple(idx[p] for p in m) for m in maps]
        args = node.args
        if what == "add":
            return self.d(args[0], sub[0]) + self.d(args[1], sub[1])
        if what.startswith("cmp:"):
            return []
        out = []
        if what == "mul":
            for k in range(len(args)):
                others = [(args[j], sub[j]) for j in range(len(args)) if j != k]
                out += self.times(1, others, self.d(args[k], sub[k]))
            return out
        if what == "pow":
            base, exponent = args
            if exponent.op == "const":
                c = exponent.data
                lower = ops.power(_aligned(base, maps[0], node.shape), const(c - 1))
                return self.times(c, [(lower, idx)], self.d(base, sub[0]))
            full = [_aligned(a, m, node.shape) for a, m in zip(args, maps)]
            first = ops.mul(full[1], ops.power(full[0], ops.sub(full[1], const(1))))
            second = ops.mul(node, ops.fn("log", [full[0]]))
            return self.times(1, [(first, idx)], self.d(base, sub[0])) + self.times(
                1, [(second, idx)], self.d(exponent, sub[1])
            )
        for k in range(len(args)):
            terms = self.d(args[k], sub[k])
            if terms:
                out += self.times(1, [(partial_node(node, k), idx)], terms)
        return out

    def einsum(self, node: Node, idx: tuple) -> list:
        terms, output, _ = node.data
        letters: dict = dict(zip(output, idx))
        bound = []
        for term, arg in zip(terms, node.args):
            for c, dim in zip(term, arg.shape):
                if c not in letters:
                    letters[c] = self.ix.fresh(dim)
                    bound.append(letters[c])
        sub = [tuple(letters[c] for c in term) for term in terms]
        out = []
        for k, arg in enumerate(node.args):
            inner = self.d(arg, sub[k])
            if inner:
                others = [(node.args[j], sub[j]) for j in range(len(node.args)) if j != k]
                out += self.times(1, others, inner, bound)
        return out

    def softmax(self, node: Node, idx: tuple) -> list:
        axes = node.data
        arg = node.args[0]
        moved = list(idx)
        bound = []
        for a in axes:
            moved[a] = self.ix.fresh(arg.shape[a])
            bound.append(moved[a])
        moved = tuple(moved)
        first = self.times(1, [(node, idx)], self.d(arg, idx))
        second = self.times(-1, [(node, idx), (node, moved)], self.d(arg, moved), bound)
        return first + second

    def reduction(self, node: Node, idx: tuple) -> list:
        arg = node.args[0]
        axes = node.data if node.op == "lse" else node.data[0]
        full, bound, rest = [], [], iter(idx)
        for a in range(arg.ndim):
            if a in axes:
                full.append(self.ix.fresh(arg.shape[a]))
                bound.append(full[-1])
            else:
                full.append(next(rest))
        full = tuple(full)
        if node.op == "lse":
            weight = ops.softmax(arg, axes)
        else:
            top = ops.expand(node, axes, arg.ndim)
            pair = [arg, top] if node.data[1] == "max" else [top, arg]
            weight = ops.ew("cmp:>=", pair)
        return self.times(1, [(weight, full)], self.d(arg, full), bound)

    def matrix(self, node: Node, idx: tuple) -> list:
        """d inv(A)ᵢⱼ = −Σₖₗ Nᵢₖ dAₖₗ Nₗⱼ and d det(A) = det(A) Σₖₗ Nₗₖ dAₖₗ (N = inv(A),
        each matrix of a stack)."""
        arg = node.args[0]
        k, m = self.ix.fresh(arg.shape[-1]), self.ix.fresh(arg.shape[-1])
        if node.op == "inv":
            batch, i, j = idx[:-2], idx[-2], idx[-1]
            left, right = (node, batch + (i, k)), (node, batch + (m, j))
            return self.times(-1, [left, right], self.d(arg, batch + (k, m)), (k, m))
        inverse = ops.inv(arg)
        factors = [(node, idx), (inverse, idx + (m, k))]
        return self.times(1, factors, self.d(arg, idx + (k, m)), (k, m))

    # ------------------------------------------------------------------ second order
    def term(self, t: Term) -> list:
        """∂t/∂wrt[V] of a term (the product rule over its factors)."""
        out = []
        for k, (node, idx) in enumerate(t.factors):
            inner = self.d(node, idx)
            if inner:
                others = list(t.factors[:k] + t.factors[k + 1 :])
                for s in inner:
                    new = Term(
                        t.coef * s.coef,
                        t.deltas + s.deltas,
                        tuple(others) + s.factors,
                        t.bound | s.bound,
                    )
                    new = tidy(new, self.ix)
                    if new is not None:
                        out.append(new)
        return out
