"""The entries a matrix product picks with unit vectors (indexing: `x[k]` is eₖᵀx, `X[i, j]`
is eᵢᵀX eⱼ, `expr.Unit`), found in a product's chain of factors so that the printer writes
them as the entries, as the query did: x[k], X[i, j] (x_{k}, X_{i,j} in LaTeX).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .. import expr as E

__all__ = ["entries"]


def entries(
    fs: Sequence[E.Expr], atom: Callable[[E.Expr], str], element: Callable[[str, list], str]
) -> tuple[list[str], list]:
    """The entries that the factors `fs` of a product pick with unit vectors — eₖᵀx as x[k],
    xᵀeₖ as x[k], eᵢᵀX eⱼ as X[i, j], eᵢᵀXᵀeⱼ as X[j, i] — printed with `element(base,
    indices)` (the base printed by `atom`, parenthesised unless an atom), and the factors
    left, in order. The entries are scalars: the printer writes them in front of the rest."""
    picked: list[str] = []
    rest: list = []
    i = 0
    while i < len(fs):
        f = fs[i]
        nxt = fs[i + 1] if i + 1 < len(fs) else None
        after = fs[i + 2] if i + 2 < len(fs) else None
        if _unit_row(f) and nxt is not None and not isinstance(nxt, E.Unit):
            k = f.args[0].slice_text()
            if nxt.shape.is_column:
                picked.append(element(atom(nxt), [k]))
                i += 2
                continue
            if not nxt.shape.is_row and _unit(after):
                j = after.slice_text()
                if isinstance(nxt, E.Transpose) and not isinstance(nxt.args[0], E.Inv):
                    picked.append(element(atom(nxt.args[0]), [j, k]))
                else:
                    picked.append(element(atom(nxt), [k, j]))
                i += 3
                continue
        if (
            isinstance(f, E.Transpose)
            and f.args[0].shape.is_column
            and not isinstance(f.args[0], E.Unit)
            and _unit(nxt)
        ):
            picked.append(element(atom(f.args[0]), [nxt.slice_text()]))
            i += 2
            continue
        rest.append(f)
        i += 1
    return picked, rest


def _unit(f: E.Expr | None) -> bool:
    """eₖ: one column of the identity."""
    return isinstance(f, E.Unit) and f.length == 1


def _unit_row(f: E.Expr) -> bool:
    """eₖᵀ."""
    return isinstance(f, E.Transpose) and _unit(f.args[0])
