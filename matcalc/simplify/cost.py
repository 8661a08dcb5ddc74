"""The cost by which the simplifier chooses among equal forms: size first (the nodes of the
expression as written out, a shared subexpression counted each time it is written, as a
reader reads it), then a preference for the textbook's shapes.

The preference counts what a textbook avoids writing when an equal form of the same size
exists: powers of compound expressions (`σ − σ²` where the book factors `σ ⊙ (1 − σ)`) and
sums that are not collected. Rules that have two directions (distribute / factor) accept a
candidate only when its cost is strictly lower, so they cannot undo one another.
"""

from __future__ import annotations

from .. import expr as E

__all__ = ["cheaper", "cost", "preference", "written_size"]


def written_size(e: E.Expr) -> int:
    """Nodes as written out: a subexpression that occurs twice counts twice (computed over
    the DAG, each node once)."""
    sizes: dict = {}
    for n in E.walk(e):
        sizes[n] = 1 + sum(sizes[k] for k in n.children)
    return sizes[e]


def preference(e: E.Expr) -> int:
    """Shapes a textbook avoids, counted: a power (other than a reciprocal) of a compound
    base, an Add with more terms than needed."""
    penalty = 0
    for n in E.walk(e):
        if isinstance(n, E.Pow) and not isinstance(n.args[0], (E.Var, E.DimSize, E.Const)):
            k = n.args[1]
            if not (isinstance(k, E.Const) and k.value < 0):
                penalty += 1
        elif isinstance(n, E.Add):
            penalty += len(n.args) - 1
    return penalty


def cost(e: E.Expr) -> tuple[int, int]:
    """(size, preference): compared lexicographically, lower is simpler."""
    return written_size(e), preference(e)


def cheaper(candidate: E.Expr, current: E.Expr) -> bool:
    """The candidate is strictly simpler than the current form."""
    return candidate is not current and cost(candidate) < cost(current)
