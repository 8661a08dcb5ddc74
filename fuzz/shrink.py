"""Shrink a failing case to a small one that fails the same way (same failure key).

Greedy, root first: replace a subtree (one occurrence, or every occurrence of a shared one)
by a descendant of the same shape, by a variable of that shape, or by a constant; then try
the simplest layout, declaration style and `wrt`. Stops at a fixed point or a budget.
"""

from __future__ import annotations

import time

from matcalc import testing as T

from .case import finish
from .generate import RandomChooser
from .harness import run_case
from .tree import Node, paths, size_of, variables, walk


def _fails(case, key, seed, check) -> bool:
    try:
        out = run_case(case, seed, check=check)
    except Exception:  # noqa: BLE001
        return False
    return any(f.key == key for f in out.failures)


def _leaves(shape, specs) -> list:
    out = []
    if shape == (1, 1):
        out.append(Node("const", shape, data="2"))
    for name, spec in specs.items():
        if T.spec_dims(spec) == tuple(shape):
            out.append(Node("var", shape, data=name))
        elif shape[0] == 1 and T.spec_dims(spec) == (shape[1], 1):
            out.append(Node("T", shape, (Node("var", (shape[1], 1), data=name),), ".T"))
    return out


def _candidates(tree, specs):
    """Smaller trees, biggest cuts first."""
    from .tree import replace, replace_at

    for path, node in paths(tree):
        if not node.kids:
            continue
        smaller = [n for n in walk(node) if n is not node and n.shape == node.shape]
        smaller += _leaves(node.shape, specs)
        for new in smaller:
            yield replace(tree, node, new)
            yield replace_at(tree, path, new)


def _rebuild(case, tree, wrt=None, layout=None, style=None):
    names = variables(tree)
    wrt = case.wrt if wrt is None else wrt
    if isinstance(wrt, str):
        if wrt not in names:
            return None
    else:
        wrt = [n for n in wrt if n in names]
        if len(wrt) < 2:
            return None
    return finish(
        RandomChooser(0),
        tree,
        case.specs,
        wrt=wrt,
        layout=layout or case.layout,
        style=style or case.style,
    )


def shrink(case, key: str, seed: int = 0, budget_s: float = 60.0, check: bool = False):
    """The smallest case found that still fails with `key` (the input if none is)."""
    deadline = time.monotonic() + budget_s
    best = case
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for layout, style in (("numerator", None), (None, "dict"), (None, "inline")):
            if (layout or best.layout) == best.layout and (style or best.style) == best.style:
                continue
            cand = _rebuild(best, best.tree, layout=layout, style=style)
            if cand is not None and _fails(cand, key, seed, check):
                best, improved = cand, True
        if not isinstance(best.wrt, str):
            for i in range(len(best.wrt)):
                cand = _rebuild(best, best.tree, wrt=best.wrt[:i] + best.wrt[i + 1 :])
                if cand is not None and _fails(cand, key, seed, check):
                    best, improved = cand, True
                    break
        size = size_of(best.tree)
        for tree in _candidates(best.tree, best.specs):
            if time.monotonic() > deadline:
                break
            if size_of(tree) >= size:
                continue
            cand = _rebuild(best, tree)
            if cand is not None and _fails(cand, key, seed, check):
                best, improved = cand, True
                break
    return best
