"""The cost by which the simplifier chooses among equal forms: size first (the nodes of the
expression as written out, a shared subexpression counted each time it is written, as a
reader reads it), then a preference for the textbook's shapes.

The preference counts what a textbook avoids writing when an equal form of the same size
exists: powers of compound expressions (`σ − σ²` where the book factors `σ ⊙ (1 − σ)`) and
terms of sums. Rules with two directions (distribute / factor) accept a candidate only when
its cost is strictly lower, so they cannot undo one another. Both figures are kept per node
(nodes are hash-consed and immutable), so costing a candidate costs only its new nodes.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from .. import expr as E

__all__ = ["cheaper", "cost", "preference", "written_size"]

_MEASURED: WeakKeyDictionary = WeakKeyDictionary()  # node -> (written size, preference)


def _own_preference(n: E.Expr) -> int:
    if isinstance(n, E.Pow) and not isinstance(n.args[0], (E.Var, E.DimSize, E.Const)):
        k = n.args[1]
        return 0 if isinstance(k, E.Const) and k.value < 0 else 1
    if isinstance(n, E.Add):
        return len(n.args) - 1
    return 0


def cost(e: E.Expr) -> tuple[int, int]:
    """(written size, preference): compared lexicographically, lower is simpler."""
    hit = _MEASURED.get(e)
    if hit is not None:
        return hit
    stack = [(e, False)]
    while stack:
        n, ready = stack.pop()
        if n in _MEASURED:
            continue
        kids = n.children
        if not ready:
            stack.append((n, True))
            stack.extend((k, False) for k in kids if k not in _MEASURED)
            continue
        size, pref = 1, _own_preference(n)
        for k in kids:
            s, p = _MEASURED[k]
            size, pref = size + s, pref + p
        _MEASURED[n] = (size, pref)
    return _MEASURED[e]


def written_size(e: E.Expr) -> int:
    """Nodes as written out: a subexpression that occurs twice counts twice."""
    return cost(e)[0]


def preference(e: E.Expr) -> int:
    """Shapes a textbook avoids, counted as written: a power (other than a reciprocal) of a
    compound base, each term of a sum beyond the first."""
    return cost(e)[1]


def cheaper(candidate: E.Expr, current: E.Expr) -> bool:
    """The candidate is strictly simpler than the current form."""
    return candidate is not current and cost(candidate) < cost(current)
