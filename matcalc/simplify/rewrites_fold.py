"""Element-wise folds: the logistic sigmoid recognised in its exponential form, and the
two directions of the distributive law (expand where terms cancel, factor where a factor is
shared), each taken only where the `cost` of the result is strictly lower.
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from .cost import cheaper
from .engine import rewrite

__all__ = ["expand_products", "factor_common", "sigmoid_fold", "sigmoid_reflect"]


def _sigmoid(u: E.Expr) -> E.Expr:
    return E.Func("sigmoid", u)


def _exp_argument(f: E.Expr) -> E.Expr | None:
    return f.arg if isinstance(f, E.Func) and f.name == "exp" else None


def _one_plus_exp(f: E.Expr) -> E.Expr | None:
    """1 + exp(u) → u (else None)."""
    if isinstance(f, E.Add) and len(f.args) == 2:
        a, b = f.args
        if E.is_const(b, 1):
            a, b = b, a
        if E.is_const(a, 1):
            return _exp_argument(b)
    return None


def _factors(node: E.Expr) -> tuple:
    return node.args if isinstance(node, E.Mul) else (node,)


@rewrite("sigmoid-fold")
def sigmoid_fold(node: E.Expr) -> E.Expr | None:
    """exp(u) ⊘ (1 + exp(u)) → σ(u), 1 ⊘ (1 + exp(−u)) → σ(u) and exp(u) ⊙ σ(−u) → σ(u)
    (powers too: the smaller exponent folds). Shrinks: an exponential and a sum become one
    call."""
    if not isinstance(node, (E.Mul, E.Pow)):
        return None
    parts = [E.power_parts(f) for f in _factors(node)]
    exps = {}
    for base, k in parts:
        u = _exp_argument(base)
        if u is not None and k > 0:
            exps[u] = k
    for base, k in parts:  # exp(w) ⊙ σ(−w) = σ(w)
        if isinstance(base, E.Func) and base.name == "sigmoid" and k > 0:
            w = E.neg(base.arg)
            if w in exps:
                m = min(exps[w], k)
                rest = []
                for base2, k2 in parts:
                    if base2 is base:
                        k2 = k2 - m
                    elif _exp_argument(base2) is w and k2 > 0:
                        k2 = k2 - m
                    rest.append(E.Pow(base2, E.Const(k2)))
                return E.Mul(*rest, E.Pow(_sigmoid(w), E.Const(m)))
    for i, (base, k) in enumerate(parts):
        u = _one_plus_exp(base)
        if u is None or k >= 0:
            continue
        if u in exps:  # exp(u)ᵃ (1 + exp(u))⁻ᵇ → σ(u)ᵐ exp(u)ᵃ⁻ᵐ (1 + exp(u))ᵐ⁻ᵇ
            m = min(exps[u], -k)
            rest = []
            for base2, k2 in parts:
                if base2 is base:
                    k2 = k2 + m
                elif _exp_argument(base2) is u and k2 > 0:
                    k2 = k2 - m
                rest.append(E.Pow(base2, E.Const(k2)))
            return E.Mul(*rest, E.Pow(_sigmoid(u), E.Const(m)))
        # 1 ⊘ (1 + exp(−u)) → σ(u)
        coeff, v = E.split_coefficient(u)
        if coeff < 0:
            positive = E.Mul(E.Const(-coeff), v)
            rest = [E.Pow(b, E.Const(k2)) for j, (b, k2) in enumerate(parts) if j != i]
            return E.Mul(*rest, E.Pow(_sigmoid(positive), E.Const(-k)))
    return None


def _powers(term: E.Expr) -> dict:
    """{base: exponent} of a term's non-constant factors."""
    _, rest = E.split_coefficient(term)
    out: dict = {}
    for f in _factors(rest):
        base, k = E.power_parts(f)
        if not isinstance(base, E.Const) and not isinstance(base, E.Ones):
            out[base] = out.get(base, Fraction(0)) + k
    return out


@rewrite("factor-common")
def factor_common(node: E.Expr) -> E.Expr | None:
    """γ − γ² → γ ⊙ (1 − γ), a ⊙ b + a ⊙ c → a ⊙ (b + c), a ⊘ d + b ⊘ d → (a + b) ⊘ d: a
    factor (or divisor) of every term of an element-wise sum, written once. Shrinks: by the cost (size, then the textbook's
    preference for a product over a power of a compound)."""
    if not isinstance(node, E.Add):
        return None
    powers = [_powers(t) for t in node.args]
    shared = {}
    for base in powers[0]:
        ks = [p.get(base, Fraction(0)) for p in powers]
        if any(x.denominator != 1 for x in ks):
            continue
        if min(ks) > 0:
            shared[base] = min(ks)
        elif max(ks) < 0:  # a shared denominator: 1/D − γ/D² → (1/D)(1 − γ/D)
            shared[base] = max(ks)
    if not shared:
        return None
    common = E.Mul(*(E.Pow(b, E.Const(k)) for b, k in shared.items()))
    if common.shape != node.shape and not common.shape.is_scalar:
        return None
    inverse = E.Mul(*(E.Pow(b, E.Const(-k)) for b, k in shared.items()))
    candidate = E.Mul(common, E.Add(*(E.Mul(t, inverse) for t in node.args)))
    return candidate if cheaper(candidate, node) else None


@rewrite("sigmoid-reflect")
def sigmoid_reflect(node: E.Expr) -> E.Expr | None:
    """σ(−u) = 1 − σ(u) in the terms of a sum, only where terms then cancel or collect
    (σ(−u) + σ(u) → 1, σ(−u) − 1 → −σ(u)). Shrinks: by the cost."""
    if not isinstance(node, E.Add):
        return None
    terms, changed = [], False
    for t in node.args:
        c, rest = E.split_coefficient(t)
        if isinstance(rest, E.Func) and rest.name == "sigmoid":
            c2, v = E.split_coefficient(rest.arg)
            if c2 < 0:
                u = E.Mul(E.Const(-c2), v)
                terms += [E.Const(c), E.Mul(E.Const(-c), _sigmoid(u))]
                changed = True
                continue
        terms.append(t)
    if not changed:
        return None
    candidate = E.Add(*terms)
    return candidate if cheaper(candidate, node) else None


def _expand(term: E.Expr) -> E.Expr:
    """A product with sums among its factors, multiplied out (inside a transpose too)."""
    if isinstance(term, E.Transpose):
        inner = _expand(term.args[0])
        return term if inner is term.args[0] else E.Transpose(inner)
    if not isinstance(term, E.Mul):
        return term
    sums = [f for f in term.args if isinstance(f, E.Add)]
    if not sums:
        return term
    others = [f for f in term.args if not isinstance(f, E.Add)]
    products = [E.Mul(*others)] if others else [E.Const(1)]
    for s in sums:
        products = [E.Mul(p, t) for p in products for t in s.args]
    return E.Add(*products)


@rewrite("distribute-products")
def expand_products(node: E.Expr) -> E.Expr | None:
    """a ⊙ (b + c) + … → a ⊙ b + a ⊙ c + …, only where like terms then cancel or collect
    (t ⊙ (1 − σ) + σ ⊙ (t − 1) → t − σ). Shrinks: by the cost."""
    if not isinstance(node, E.Add):
        return None
    expanded = [_expand(t) for t in node.args]
    if all(a is b for a, b in zip(expanded, node.args)):
        return None
    candidate = E.Add(*expanded)
    return candidate if cheaper(candidate, node) else None
