"""Common factors of a sum: a factor shared at an end of its terms' product chains written
once (`P X + P Y → P (X + Y)`, the whole shared run at once), diagonals merged
(`diag(a) + diag(b) → diag(a + b)`), and a symbolic scalar shared by every term taken out.
"""

from __future__ import annotations

from .. import expr as E
from .engine import rewrite

__all__ = ["common_factor", "common_scalar", "diag_sum"]


def _chain(t: E.Expr) -> tuple:
    """A term as a product chain, a scalar coefficient folded into its first factor."""
    if isinstance(t, E.MatMul):
        return t.args
    if isinstance(t, E.Mul):
        arrays = [f for f in t.args if not f.shape.is_scalar]
        if len(arrays) == 1 and isinstance(arrays[0], E.MatMul):
            scalars = [f for f in t.args if f.shape.is_scalar]
            first, *rest = arrays[0].args
            return (E.Mul(*scalars, first), *rest)
    return (t,)


def _run(members: list, lo: int, side: int) -> int:
    """How many end factors (from index `lo` on the left, or from the right end) all
    `members` (chains) share, leaving each at least one factor."""
    k, first = 1, members[0]
    while all(len(c) - lo > k + 1 for c in members) and all(
        c[lo + k if side == 0 else -k - 1] is first[lo + k if side == 0 else -k - 1]
        for c in members
    ):
        k += 1
    return k


def _plain(f: E.Expr) -> bool:
    """A factor whose sub-chains are as simple as the chain: not an all-ones vector (1 1ᵀ
    alone folds to a matrix) nor an inverse (inverse-of-product tries the whole chain)."""
    g = f.args[0] if isinstance(f, E.Transpose) else f
    return not isinstance(f, E.Ones) and not isinstance(g, E.Inv)


def _factored_left(chains: list, lo: int) -> E.Expr:
    """Σ MatMul(c[lo:]) over `chains`, each sharing nothing to its left: the sum the
    next common-factor step would see, factored at once on the left as that step would
    (the largest group sharing a first factor, the whole run it shares), level after level
    — without building the partial products of every level, which for a deep chain's
    Hessian are L levels of L products as long as the chain (L^3). Where that step would
    not factor on the left (no group, a tie, parts of other shapes, a part that is a sum
    and would be flattened into it), the sum is built as it is, for the steps to go on."""
    parts = [c[lo:] for c in chains]
    if all(len(p) >= 1 and not (len(p) == 1 and isinstance(p[0], E.Add)) for p in parts):
        groups: dict = {}
        for c in chains:
            if len(c) - lo >= 2:
                groups.setdefault(c[lo], []).append(c)
        sizes = sorted((len(m) for m in groups.values()), reverse=True)
        if sizes and sizes[0] >= 2 and (len(sizes) == 1 or sizes[1] < sizes[0]):
            members = max(groups.values(), key=len)
            k = _run(members, lo, 0)
            if len({c[lo + k].shape.rows for c in members}) == 1:
                inner = _factored_left(members, lo + k)
                grouped = {id(c) for c in members}
                rest = [E.MatMul(*c[lo:]) for c in chains if id(c) not in grouped]
                factored = E.MatMul(*members[0][lo : lo + k], inner)
                return E.Add(factored, *rest) if rest else factored
    return E.Add(*(E.MatMul(*p) for p in parts))


@rewrite("common-factor")
def common_factor(node: E.Expr) -> E.Expr | None:
    """P X + P Y → P (X + Y), and X P + Y P → (X + Y) P. Shrinks: P is written once."""
    if not isinstance(node, E.Add) or len(node.args) < 2:
        return None
    chains = [_chain(t) for t in node.args]
    for side in (0, -1):  # the largest group sharing an end factor
        groups: dict = {}
        for t, c in zip(node.args, chains):
            if len(c) >= 2 and t.shape == node.shape:  # not a scalar-expanded term
                groups.setdefault(c[side], []).append((t, c))
        shared, members = max(groups.items(), key=lambda kv: len(kv[1]), default=(None, []))
        if len(members) < 2:
            continue
        # the whole run of end factors they share, at once: one rewrite, not one per factor
        # (a deep chain's Hessian shares runs as long as the chain)
        cs = [c for _, c in members]
        k, first = _run(cs, 0, side), cs[0]
        if side == 0:
            shapes = {c[k].shape.rows for c in cs}
        else:
            shapes = {c[-k - 1].shape.cols for c in cs}
        if len(shapes) > 1:
            continue
        if side == 0 and all(_plain(f) for c in cs for f in c[k:]):
            # the sum of the rest factored on the left too, at once (a slice of a simplified
            # chain is as simple as the chain: no step would change it before)
            inner = _factored_left(cs, k)
        else:
            inner = E.Add(*(E.MatMul(*(c[k:] if side == 0 else c[:-k])) for c in cs))
        shared = first[:k] if side == 0 else first[-k:]
        factored = E.MatMul(*shared, inner) if side == 0 else E.MatMul(inner, *shared)
        grouped = {id(m) for m, _ in members}
        rest = [t for t in node.args if id(t) not in grouped]
        return E.Add(factored, *rest) if rest else factored
    return None


@rewrite("diag-sum")
def diag_sum(node: E.Expr) -> E.Expr | None:
    """c diag(a) + diag(b) → diag(c a + b). Shrinks: one diag instead of several."""
    if not isinstance(node, E.Add):
        return None
    diags, others = [], []
    for t in node.args:
        coeff, rest = E.split_coefficient(t)
        scalars = [f for f in rest.args if f.shape.is_scalar] if isinstance(rest, E.Mul) else []
        core = (
            E.Mul(*(f for f in rest.args if not f.shape.is_scalar))
            if isinstance(rest, E.Mul)
            else rest
        )
        (diags if isinstance(core, E.Diag) else others).append((coeff, scalars, core, t))
    if len(diags) < 2:
        return None
    merged = E.Diag(E.Add(*(E.Mul(E.Const(c), *s, d.args[0]) for c, s, d, _ in diags)))
    return E.Add(merged, *(t for *_, t in others))


@rewrite("common-scalar")
def common_scalar(node: E.Expr) -> E.Expr | None:
    """s A + s B → s (A + B) for a symbolic scalar s in every term of an array sum.
    Shrinks: s is written once."""
    if not isinstance(node, E.Add) or node.shape.is_scalar:
        return None

    def scalars(t):
        return [
            f
            for f in (t.args if isinstance(t, E.Mul) else (t,))
            if f.shape.is_scalar and not isinstance(f, E.Const)
        ]

    shared = [f for f in scalars(node.args[0]) if all(f in scalars(t) for t in node.args[1:])]
    if not shared:
        return None
    s = E.Mul(*shared)
    rest = [E.Mul(t, E.Pow(s, E.Const(-1))) for t in node.args]
    return E.Mul(s, E.Add(*rest))
