"""Steps and signs: a ReLU where its step is 1 is the identity, a 0/1 step is its own
square, and a minus sign in front of a product is taken by a difference inside it
(−(a − b) = b − a). `absorb_sign` is the search for such a difference, shared with the
presentation of a result.
"""

from __future__ import annotations

from .. import expr as E
from .engine import rewrite

__all__ = ["absorb_sign", "negated_difference", "relu_in_sum", "relu_step", "step_idempotent"]


def _replace_at(e: E.Expr, i: int, new: E.Expr) -> E.Expr:
    """e with its i-th operand (only that occurrence) replaced: a hash-consed factor may
    occur more than once, and a rewrite means the one occurrence it matched."""
    return type(e)(*e.args[:i], new, *e.args[i + 1 :])


@rewrite("relu-step")
def relu_step(node: E.Expr) -> E.Expr | None:
    """max(0, u) ⊗ (u > 0) → u ⊗ (u > 0): where the step is 1 the ReLU is the identity.
    Shrinks: one max fewer."""
    if isinstance(node, E.Mul):
        steps = {
            f.args[1]
            for f in node.args
            if isinstance(f, E.Compare) and f.op == ">" and E.is_zero(f.args[2])
        }
        for i, f in enumerate(node.args):
            if isinstance(f, E.Max) and E.is_zero(f.args[0]) and f.args[1] in steps:
                return _replace_at(node, i, f.args[1])
            if isinstance(f, E.Add):
                new = [relu_in_sum(t, steps) for t in f.args]
                if any(a is not b for a, b in zip(new, f.args)):
                    return _replace_at(node, i, E.Add(*new))


def relu_in_sum(term: E.Expr, steps: set) -> E.Expr:
    _, rest = E.split_coefficient(term)
    if isinstance(rest, E.Max) and E.is_zero(rest.args[0]) and rest.args[1] in steps:
        coeff, _ = E.split_coefficient(term)
        return E.Mul(E.Const(coeff), rest.args[1])
    return term


@rewrite("step-idempotent")
def step_idempotent(node: E.Expr) -> E.Expr | None:
    """(u > 0)ᵏ → (u > 0): a 0/1 step is its own square. Shrinks: the power goes."""
    if (
        isinstance(node, E.Pow)
        and isinstance(node.args[0], E.Compare)
        and isinstance(node.args[1], E.Const)
        and node.args[1].value > 0
    ):
        return node.args[0]


def absorb_sign(e: E.Expr) -> E.Expr | None:
    """−e written with fewer minus signs, if a difference inside a product can take the
    sign (−(y − z) = z − y); else None. A factor that occurs twice (or beside its transpose)
    keeps the sign in front: −(a − b)(a − b) and −½Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹, as textbooks
    write them, not (b − a)(a − b)."""
    match e:
        case E.Add():
            negative = sum(E.split_coefficient(t)[0] < 0 for t in e.args)
            if 0 < negative and 2 * negative >= len(e.args):
                flipped = [E.neg(t) for t in e.args]
                return E.Add(*sorted(flipped, key=lambda t: E.split_coefficient(t)[0] < 0))
        case E.Mul() | E.MatMul():
            # each factor's occurrences counted once (a deep chain's Hessian has L terms as
            # long as the chain: counting per factor was L^3), its transpose built only for
            # a factor that can take the sign (transposing a sum of chains rebuilds them)
            seen: dict = {}
            for f in e.args:
                seen[f] = seen.get(f, 0) + 1
            for i, f in enumerate(e.args):
                g = absorb_sign(f)
                if g is None:
                    continue
                twin = E.Transpose(f) if isinstance(e, E.MatMul) else f
                if seen[f] + (seen.get(twin, 0) if twin is not f else 0) > 1:
                    continue
                return _replace_at(e, i, g)
        case E.Transpose() | E.Sum():
            g = absorb_sign(e.args[0])
            return None if g is None else type(e)(g)
    return None


@rewrite("negated-difference")
def negated_difference(node: E.Expr) -> E.Expr | None:
    """−c (a − b) → c (b − a), through products and transposes. Shrinks: one sign fewer."""
    if isinstance(node, E.Mul) and isinstance(node.args[0], E.Const) and node.args[0].value < 0:
        rest = E.Mul(*node.args[1:])
        flipped = absorb_sign(rest)
        if flipped is not None:
            return E.Mul(E.Const(-node.args[0].value), flipped)
