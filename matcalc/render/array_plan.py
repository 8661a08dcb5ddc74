"""How generated array code computes a node, chosen by a cost model (flops at the sizes the
code will run with): the lowering between the expression DAG and `array_code`'s text.

A `Plan` replaces a node's own children (in the walk that writes the body) by the nodes
it is computed from, so that the common-subexpression elimination of the DAG (hash-consing
makes equal nodes one object) sees every sub-product and every orientation:

- a row-shaped product or sum is computed as the transpose of its column form
  (xᵀAᵀ − bᵀ is (Ax − b)ᵀ, shared with the value's residual Ax − b);
- a product chain is split where its flop count is least (dynamic programming over the
  factors, each split a binary product whose parts are the hash-consed sub-chains). Sizes
  are symbolic: the chain is planned at several sizes; when the best split differs, the
  generated code compares the costs at run time. A diagonal factor diag(v) scales rows or
  columns by broadcasting (O(n²), never a dense n×n matrix multiplied); an outer product
  (inner dimension 1) is a broadcast product;
- a sum (A + B) inside a chain applied to a vector is distributed (Ax + Bx, no n×n sum);
  inside a matrix chain, when that is cheaper (it is when it uncovers symmetric products);
- a chain that reads the same backwards transposed, GᵀG or GᵀDG, is a symmetric product:
  `G.T @ G` (NumPy's symmetric rank-k path, half the flops), with D = diag(d) as sqrt
  weighting when d ≥ 0 at run time, `(d * G).T @ G` otherwise;
- scalars multiply the smallest operand (2·(g xᵀ) scales g, not the n×n product);
- X⁻¹B is solve(X, B) (and BX⁻¹ a solve with Xᵀ): one LU, no inverse formed;
- log(det X) is computed with slogdet; log(softmax u) as u − logsumexp(u);
- a product with a ones matrix is a reduction and a broadcast, never a product: M 1 is the
  row sums of M (`M.sum(axis=1)`, n², not 2n²), M 1 1ᵀ those sums spread over the columns
  (`spread`: inside an element-wise product or sum, the column itself broadcasts, so
  S ⊙ (M 1 1ᵀ) never forms the n×n matrix), L 1 1ᵀ R the outer product of L 1 and 1ᵀR;
- a product whose transpose is computed already is its transpose (a view); the row sums
  (A ⊙ (L R)) 1 are (L ⊙ (A Rᵀ)) 1 when A Rᵀ is computed already (narrow, not N×N);
- a difference and its negation are one value: when Y − z and z − Y both occur, the one met
  later is `-t` of the other, and a product with it is the negation of the product with the
  other ((Y − z)Vᵀ is −((z − Y)Vᵀ), one matrix product instead of two).
"""

from __future__ import annotations

from .. import expr as E
from ..errors import MatcalcError
from ..shapes import Shape
from . import array_chains as chains
from .array_chains import MAX_RUNTIME_CHAIN, SAMPLE, Plan, cost_text
from .array_chains import best_splits as _best_splits
from .array_chains import dims as _dims
from .array_chains import size as _size
from .array_chains import split_cost_fn as _split_cost_fn
from .array_chains import split_plan as _split_plan
from .array_chains import symmetric as _symmetric
from .array_chains import value as _value

__all__ = ["MAX_RUNTIME_CHAIN", "SAMPLE", "Plan", "Planner", "cost_text"]
_MATRIXISH = (E.MatMul, E.Add, E.Mul)


class Planner:
    """Plans for the nodes of one module (memoised; the same node, the same plan)."""

    def __init__(self):
        self.plans: dict = {}
        self.order: dict = {}  # node -> its position in a walk of the roots noted
        self.sums: dict = {}  # the terms of a sum (as a multiset of ids) -> the sum

    def note(self, roots) -> None:
        """Learn the nodes below roots (their own children), in a walk's order: which
        differences occur with both signs."""
        stack = list(reversed(list(roots)))
        while stack:
            node = stack.pop()
            if node in self.order:
                continue
            self.order[node] = len(self.order)
            if isinstance(node, E.Add):
                self.sums.setdefault(_terms_key(node.args), node)
            stack.extend(reversed(node.children))

    # ---------------------------------------------------------------- the walk's view
    def plan(self, node) -> Plan | None:
        if node not in self.plans:
            try:
                self.plans[node] = self._plan(node)
            except MatcalcError:  # a rewrite the constructors refuse: the node as written
                self.plans[node] = None
        return self.plans[node]

    def kids(self, node) -> tuple:
        p = self.plan(node)
        if p is None:
            return node.children
        if p.kind == "choice":
            return tuple(x for option, _, _ in p.options for x in option.parts)
        return p.parts

    # ---------------------------------------------------------------- the rules
    def _plan(self, node) -> Plan | None:
        s = node.shape
        if s.rows == 1 and s.cols != 1 and isinstance(node, _MATRIXISH):
            column = E.Transpose(node)
            if not isinstance(column, E.Transpose):
                return Plan("T", (column,))
        if isinstance(node, E.Func) and node.name == "log" and len(node.args) == 2:
            return _stable_log(node.args[1])
        if isinstance(node, E.Add):
            return self._negated_sum(node)
        if isinstance(node, (E.Mul, E.MatMul)):
            signed = self._negated_factors(node)
            if signed is not None:
                return signed
        if isinstance(node, E.Mul):
            return _stable_ratio(node) or self._scaled_spread(node) or self._scaled(node)
        if isinstance(node, E.MatMul):
            return (
                self._transposed(node)
                or self._moved_row_sum(node)
                or _ones_product(node)
                or self._chain(node)
            )
        return None

    def _transposed(self, node) -> Plan | None:
        """A product whose transpose is computed already (planned earlier in the walk:
        V(z − Y)ᵀ beside (z − Y)Vᵀ) is that product's transpose, a view."""
        column = E.Transpose(node)
        if column is node or not isinstance(column, E.MatMul) or column not in self.plans:
            return None
        earlier = self.plans[column]
        if earlier is not None and earlier.kind == "T":
            return None
        return Plan("T", (column,))

    def _moved_row_sum(self, node) -> Plan | None:
        """(A ⊙ (L R)) 1 = (L ⊙ (A Rᵀ)) 1 (Σⱼ Aᵢⱼ Σₖ LᵢₖRₖⱼ = Σₖ Lᵢₖ (ARᵀ)ᵢₖ) when A Rᵀ
        occurs in the module: the element-wise product and the row sums are then over the
        narrow L (N×d), not the wide A (N×N), as attention's backward pass writes
        rowsum(dO ⊙ O) for rowsum(P ⊙ dO Vᵀ)."""
        f = node.args
        if len(f) != 2 or not _is_ones(f[1]) or f[1].shape.cols != 1:
            return None
        if not isinstance(f[0], E.Mul):
            return None
        factors = f[0].args
        scalars = [g for g in factors if g.shape.is_scalar]
        arrays = [g for g in factors if not g.shape.is_scalar]
        for k, P in enumerate(arrays):
            others = arrays[:k] + arrays[k + 1 :]
            if not isinstance(P, E.MatMul) or not others:
                continue
            A = others[0] if len(others) == 1 else E.Mul(*others)
            for s in range(1, len(P.args)):
                L, R = _chain_of(P.args[:s]), _chain_of(P.args[s:])
                if _size(L.shape) > _size(A.shape):
                    continue
                moved = E.MatMul(A, E.Transpose(R))
                if moved in self.order or moved in self.plans:
                    narrow = E.Mul(*scalars, L, moved)
                    return Plan("rowsum", (narrow,))
        return None

    def _negated_sum(self, node) -> Plan | None:
        """a − b is −(b − a) when b − a occurs earlier in the module."""
        if node not in self.order:
            return None
        other = self.sums.get(_terms_key([E.neg(t) for t in node.args]))
        if other is None or other is node or self.order.get(other, -1) > self.order[node]:
            return None
        return Plan("neg", (other,))

    def _negated_factors(self, node) -> Plan | None:
        """A product with a negated factor (a difference planned as −(b − a)) is the
        negation of the product with b − a: the product is computed once."""
        factors, flips = [], 0
        for f in node.args:
            p = self.plan(f) if isinstance(f, (E.Add, E.Mul, E.MatMul)) else None
            if p is not None and p.kind == "neg":
                factors.append(p.parts[0])
                flips += 1
            else:
                factors.append(f)
        if not flips:
            return None
        plain = type(node)(*factors)
        if plain is node:
            return None
        inner = self.plan(plain)
        if inner is not None and inner.kind == "spread":  # −(u 1ᵀ) is (−u)1ᵀ
            u = inner.parts[0]
            return Plan("spread", (E.neg(u) if flips % 2 else u,))
        return Plan("neg" if flips % 2 else "same", (plain,))

    def _scaled_spread(self, node) -> Plan | None:
        """c·(u 1ᵀ) is (c·u)1ᵀ: the scalar multiplies the column, which stays a broadcast."""
        arrays = [f for f in node.args if not f.shape.is_scalar]
        if len(arrays) != 1 or arrays[0].shape != node.shape:
            return None
        inner = self.plan(arrays[0])
        if inner is None or inner.kind != "spread":
            return None
        scalars = [f for f in node.args if f.shape.is_scalar]
        return Plan("spread", (E.Mul(*scalars, inner.parts[0]),))

    def _scaled(self, node) -> Plan | None:
        """c·(L R) → (c·L) R or L (c·R) when that factor is smaller than the product (the
        smaller of the two). Sizes are symbolic: the placement is chosen at several sizes
        (array_chains.samples); when it differs (1/√d on Q, N×d, or on QKᵀ, N×N), the
        generated code compares the sizes at run time (a "choice" of "mul" plans)."""
        scalars = [f for f in node.args if f.shape.is_scalar]
        arrays = [f for f in node.args if not f.shape.is_scalar]
        if not scalars or len(arrays) != 1 or not isinstance(arrays[0], E.MatMul):
            return None
        inner = self.plan(arrays[0])
        if inner is None or inner.kind not in ("mm", "outer", "diag_left", "diag_right"):
            return None
        shapes = (inner.parts[0].shape, inner.parts[1].shape, node.shape)
        found: list = []
        for sample in chains.samples(chains.symbols(shapes), 7919 * len(shapes)):
            sizes = [chains.elements(x, sample) for x in shapes]
            k = 0 if sizes[0] <= sizes[1] else 1
            where = k if sizes[k] < sizes[2] else 2
            if where not in found:
                found.append(where)
        options = []
        for where in found:
            if where == 2:
                plan = Plan("mul", (E.Mul(*scalars), arrays[0]))
            else:
                parts = list(inner.parts)
                parts[where] = E.Mul(*scalars, parts[where])
                plan = Plan(inner.kind, tuple(parts))
            options.append((plan, None, _dims(shapes[where])))
        if found[0] == 2 and (len(found) == 1 or chains.all_vectors(options)):
            return None
        if len(options) == 1 or chains.all_vectors(options):
            # all vectors: O(n) beside the product's O(n²) or more, no branch for that
            return options[0][0]
        return Plan("choice", (), tuple(options))

    def _chain(self, node) -> Plan | None:
        f = node.args
        # a sum of matrices inside the chain: distribute it when that is cheaper
        for i, g in enumerate(f):
            if (
                isinstance(g, E.Add)
                and not (g.shape.rows == 1 or g.shape.cols == 1)
                and all(t.shape == g.shape for t in g.args)  # A + s: s is expanded, not a factor
            ):
                spread = E.Add(*(E.MatMul(*f[:i], t, *f[i + 1 :]) for t in g.args))
                vector = node.shape.rows == 1 or node.shape.cols == 1
                if spread is node:
                    break
                if vector or self.cost(spread) < self._cost_undistributed(node):
                    return Plan("same", (spread,))
                break
        symmetric = _symmetric(f)
        if symmetric is not None:
            return symmetric
        splits = _best_splits(f)
        if len(splits) == 1 or len(f) > MAX_RUNTIME_CHAIN:
            return _split_plan(f, splits[0])
        return Plan("choice", (), tuple((_split_plan(f, s), f, s) for s in splits))

    # ---------------------------------------------------------------- the cost model
    def cost(self, *roots) -> float:
        """Flops (about) to compute roots as planned, at SAMPLE for every symbolic size;
        every node counted once."""
        seen, total, stack = set(), 0.0, list(roots)
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            total += self._local(n)
            stack.extend(self.kids(n))
        return total

    def _cost_undistributed(self, node) -> float:
        splits = _best_splits(node.args)
        parts = _split_plan(node.args, splits[0]).parts
        return _split_cost_fn(node.args, splits[0])(_value) + self.cost(*parts)  # shared once

    def _local(self, n) -> float:
        p = self.plan(n)
        r, c = (_value(d) for d in _dims(n.shape))
        if p is None:
            if isinstance(n, (E.Var, E.Const, E.DimSize, E.Differential, E.Transpose)):
                return 0.0
            if isinstance(n, E.MatMul):
                return r * c * 1000.0
            if isinstance(n, (E.Inv, E.Det)):
                return float(r) ** 3
            if isinstance(n, E.Diag) and n.shape.rows == n.shape.cols:
                return r * c
            return sum(_value(x) * _value(y) for x, y in (_dims(k.shape) for k in n.children))
        if p.kind in ("T", "same", "neg"):
            return 0.0 if p.kind != "neg" else r * c
        if p.kind in ("rowsum", "spread"):
            return r * c
        if p.kind == "gram":
            k, m = (_value(d) for d in _dims(p.parts[0].shape))
            return k * m * m / 2
        if p.kind == "xdx":
            k, m = (_value(d) for d in _dims(p.parts[1].shape))
            return k * m * m / 2 + k * m
        if p.kind in ("logdet", "logabsdet", "solve", "solve_right"):
            k = _value(p.parts[0].shape.rows if p.kind != "solve_right" else p.parts[1].shape.rows)
            return float(k) ** 3 / 3 + k * k * (c if p.kind == "solve" else r)
        if p.kind == "choice":
            return min(chains.option_cost(f, s) for _, f, s in p.options)
        if p.kind == "mul":
            return r * c
        left, right = p.parts
        inner = _value(left.shape.cols) if p.kind == "mm" else 1
        return r * c * inner


def _terms_key(terms) -> tuple:
    return tuple(sorted(id(t) for t in terms))


def _ones_product(node) -> Plan | None:
    """M 1 → the row sums; a matrix product through a ones matrix 1ₚ1ᵀ_q (a factor, or a
    ones column next to a ones row) → the row sums of the left part spread over the columns,
    the column sums of the right part spread over the rows, or their outer product."""
    f = node.args
    if len(f) == 2 and _is_ones(f[1]) and f[1].shape.cols == 1 and not _is_ones(f[0]):
        return Plan("rowsum", (f[0],))
    if node.shape.rows == 1 or node.shape.cols == 1:
        return None  # a vector: the chain's matrix-vector products are as cheap
    for i, g in enumerate(f):
        if not _is_ones(g):
            continue
        (p, q), j = _dims(g.shape), i
        if q == 1 and i + 1 < len(f) and _is_ones(f[i + 1]):
            j, q = i + 1, f[i + 1].shape.cols  # a ones column, then a ones row
        return _spread_plan(f, i, j, p, q)
    return None


def _spread_plan(f, i, j, p, q) -> Plan | None:
    """f[:i] (1ₚ1ᵀ_q) f[j+1:], the ones factors f[i..j]."""
    left, right = f[:i], f[j + 1 :]
    col = E.MatMul(*left, E.Ones(Shape(p, 1))) if left and p != 1 else _chain_of(left)
    row = E.MatMul(E.Ones(Shape(1, q)), *right) if right and q != 1 else _chain_of(right)
    if col is not None and row is not None:
        return Plan("outer", (col, row))
    if col is not None or row is not None:
        return Plan("spread", (col if col is not None else row,))
    return None  # a ones matrix alone


def _chain_of(f):
    return None if not f else f[0] if len(f) == 1 else E.MatMul(*f)


def _is_ones(e) -> bool:
    return isinstance(e, E.Ones)


def _stable_log(arg) -> Plan | None:
    """log of what overflows or loses digits when computed as written: log det X (slogdet),
    log |det X|, log softmax(u) = u − logsumexp(u), log sum exp(u) = logsumexp(u),
    log(1 + eᵘ) = softplus(u) (logaddexp), log(1 + u) = log1p(u)."""
    if isinstance(arg, E.Det):
        return Plan("logdet", (arg.args[0],))
    if isinstance(arg, E.Func) and arg.name == "abs" and isinstance(arg.args[1], E.Det):
        return Plan("logabsdet", (arg.args[1].args[0],))
    if isinstance(arg, E.Softmax):
        u = arg.args[0]
        return Plan("same", (E.Add(u, E.neg(E.LogSumExp(u))),))
    if isinstance(arg, E.Sum) and _is_exp(arg.args[0]) and arg.args[0].args[1].shape.is_column:
        return Plan("same", (E.LogSumExp(arg.args[0].args[1]),))
    if isinstance(arg, E.Add) and len(arg.args) == 2:
        one, other = arg.args if isinstance(arg.args[0], E.Const) else arg.args[::-1]
        if E.is_const(one, 1) and _is_exp(other):
            return Plan("same", (E.Func("softplus", other.args[1]),))
        if E.is_const(one, 1) and not isinstance(other, E.Const):
            return Plan("same", (E.Func("log1p", other),))
    return None


def _stable_ratio(node) -> Plan | None:
    """exp(u)/sum(exp(u)) = softmax(u) (shifted), exp(u)/(1 + exp(u)) = σ(u): no overflow."""
    if len(node.args) != 2:
        return None
    a, b = node.args
    num, den = (a, b) if _is_exp(a) else (b, a)
    if not _is_exp(num) or not (isinstance(den, E.Pow) and E.is_const(den.args[1], -1)):
        return None
    u, base = num.args[1], den.args[0]
    if isinstance(base, E.Sum) and base.args[0] is num and u.shape.is_column:
        return Plan("same", (E.Softmax(u),))
    if isinstance(base, E.Add) and len(base.args) == 2 and num in base.args:
        other = base.args[0] if base.args[1] is num else base.args[1]
        if E.is_const(other, 1):
            return Plan("same", (E.Func("sigmoid", u),))
    return None


def _is_exp(e) -> bool:
    return isinstance(e, E.Func) and e.name == "exp"
