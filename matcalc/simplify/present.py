"""The presentation pass: after the rewrites reach their canonical form (transposes on the
leaves, sums flattened), choose among equal forms the one a textbook writes, by the same
cost. Today: a sum leads with a positive term (`σ − t`, not `−t + σ`), and transposes
gathered over a sum, `(Ax − b)ᵀ` for `xᵀAᵀ − bᵀ`, where that
writes at most half as many transposes. The result holds the gathered transpose (the constructor would push
it back to the leaves); each change is logged as a named rewrite.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import expr as E
from ..readoff import rebuild

__all__ = ["gather_transposes", "positive_first", "present", "transpose_twins"]

RULE = "gather-transpose"
FIRST = "positive-first"


def _transposes(e: E.Expr, memo: dict | None = None) -> int:
    """The transposes written at the top of e: through products and sums, not into the
    arguments of calls (each is gathered on its own). `memo`: counts known (a DAG's shared
    parts are counted once per pass, not once per sum above them)."""
    if memo is not None:
        hit = memo.get(e)
        if hit is not None:
            return hit
    if isinstance(e, E.Transpose):
        out = 1 + _transposes(e.args[0], memo)
    elif isinstance(e, (E.MatMul, E.Mul, E.Add)):
        out = sum(_transposes(f, memo) for f in e.args)
    else:
        out = 0
    if memo is not None:
        memo[e] = out
    return out


def _transposes_of_transpose(e: E.Expr, memo: dict) -> int:
    """_transposes(E.Transpose(e)) without building it (transposing a sum of long chains
    rebuilds them all): the constructor's cases, counted."""
    key = ("T", e)
    hit = memo.get(key)
    if hit is not None:
        return hit
    if (
        e.shape.is_scalar
        or isinstance(e, (E.Identity, E.Diag))
        or (isinstance(e, E.Var) and e.symmetric)
    ):
        out = _transposes(e, memo)
    elif isinstance(e, E.Transpose):
        out = _transposes(e.args[0], memo)
    elif isinstance(e, (E.Zero, E.Ones, E.Block)):
        out = 0
    elif isinstance(e, (E.Add, E.MatMul)):
        out = sum(_transposes_of_transpose(f, memo) for f in e.args)
    elif isinstance(e, E.Mul) and any(f.shape.is_scalar for f in e.args):
        out = sum(
            _transposes(f, memo) if f.shape.is_scalar else _transposes_of_transpose(f, memo)
            for f in e.args
        )
    elif isinstance(e, E.Inv) and E.Transpose(e.args[0]) is e.args[0]:
        out = 0
    else:
        out = 1 + _transposes(e, memo)
    memo[key] = out
    return out


def gather_transposes(node: E.Expr, memo: dict | None = None) -> E.Expr | None:
    """aᵀ + bᵀ → (a + b)ᵀ, xᵀAᵀ − bᵀ → (Ax − b)ᵀ: a sum of arrays written as the transpose
    of the sum of their transposes, where that writes at most half as many transposes
    (Xᵀabᵀ + abᵀXᵀ stays: (baᵀX + Xbaᵀ)ᵀ saves one of four and reads no better).
    `memo`: counts shared by one pass."""
    if not isinstance(node, E.Add) or node.shape.is_scalar:
        return None
    memo = {} if memo is None else memo
    before = _transposes(node, memo)
    if before == 0:
        return None
    # counted first, built only where it may be written
    if 2 * (1 + sum(_transposes_of_transpose(t, memo) for t in node.args)) > before:
        return None
    inner = E.Add(*(E.Transpose(t) for t in node.args))
    if not isinstance(inner, E.Add):
        return None
    candidate = E.transpose_held(inner)
    if 2 * _transposes(candidate, memo) <= before:
        return candidate
    return None


def transpose_twins(node: E.Expr, memo: dict | None = None) -> E.Expr | None:
    """(x − m)(xᵀ − m) → (x − m)(x − m)ᵀ: a sum in a product written as the transpose of
    another factor of it, so the reader sees the outer product. `memo`: counts shared by
    one pass."""
    if not isinstance(node, E.MatMul):
        return None
    fs = node.args
    if sum(isinstance(f, E.Add) for f in fs) < 2:  # the twin is another sum of the product
        return None
    for i, f in enumerate(fs):
        if isinstance(f, E.Add):
            twin = E.Transpose(f)
            if (
                isinstance(twin, E.Add)
                and any(g is twin for g in fs)
                and _transposes(f, memo) > _transposes(twin, memo)
            ):
                return E.MatMul(*fs[:i], E.transpose_held(twin), *fs[i + 1 :])
    return None


def positive_first(node: E.Expr) -> E.Expr | None:
    """−t + σ → σ − t: a sum leads with a term that has no minus sign, where it has one."""
    if not isinstance(node, E.Add) or E.split_coefficient(node.args[0])[0] > 0:
        return None
    order = sorted(node.args, key=lambda t: E.split_coefficient(t)[0] < 0)
    if order[0] is node.args[0] or E.split_coefficient(order[0])[0] < 0:
        return None
    return E.Add(*order)


def present(root: E.Expr, log: list | None = None, record: Callable | None = None) -> E.Expr:
    """`root` with each sum bottom-up in its presented form; `record(rule, before, after)`
    logs each change."""
    memo: dict = {}
    counts: dict = {}  # transposes counted, for the whole pass
    for n in E.walk(root):
        kids = n.children
        new = rebuild(n, [memo[k] for k in kids]) if any(memo[k] is not k for k in kids) else n
        out = positive_first(new)
        if out is not None:
            if record is not None:
                record(FIRST, new, out)
            new = out
        out = gather_transposes(new, counts) or transpose_twins(new, counts)
        if out is not None:
            if record is not None:
                record(RULE, new, out)
            new = out
        memo[n] = new
    return memo[root]
