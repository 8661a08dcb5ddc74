"""Matrix chains for the cost model of generated code (`array_plan`): the `Plan` record, the
split of a product chain where its flop count is least (dynamic programming over the
factors, planned at several sizes when the sizes are symbolic, with the run-time cost test
`cost_text` writes when the best split differs), and symmetric products GᵀG, GᵀDG.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .. import expr as E
from ..shapes import Shape

__all__ = [
    "MAX_RUNTIME_CHAIN",
    "SAMPLE",
    "Plan",
    "all_vectors",
    "best_splits",
    "cost_text",
    "dims",
    "elements",
    "option_cost",
    "samples",
    "size",
    "split_cost_fn",
    "split_plan",
    "symbols",
    "symmetric",
    "value",
]

SAMPLE = 1000  # the size every symbolic dimension has in the cost estimates
MAX_RUNTIME_CHAIN = 6  # longer chains take the split best at SAMPLE, with no run-time test


@dataclass(frozen=True)
class Plan:
    """kind: "T" (parts[0] transposed), "same" (parts[0]), "mm" (parts[0] @ parts[1]),
    "diag_left" (diag(parts[0]) @ parts[1]), "diag_right" (parts[0] @ diag(parts[1])),
    "outer" (a column times a row), "mul" (parts[0] * parts[1], a scalar times an array),
    "rowsum" (parts[0] 1), "spread" (parts[0], a column
    or a row, repeated to the node's shape), "neg" (−parts[0]), "solve" (parts[0]⁻¹ parts[1]), "solve_right"
    (parts[0] parts[1]⁻¹), "gram" (parts[0]ᵀ parts[0]), "xdx" (parts[1]ᵀ
    diag(parts[0]) parts[1]), "logdet" (log det parts[0]), "logabsdet", "choice" (the cheapest of
    `options` at run time: (Plan, chain, split) each, `cost_text` writing its cost; or
    (Plan, None, dims) for a scalar's placement, its cost the product of dims)."""

    kind: str
    parts: tuple
    options: tuple = ()


def _diag_arg(f):
    return f.args[0] if isinstance(f, E.Diag) else None


def _dims(shape: Shape) -> tuple:
    return shape.rows, shape.cols


def _value(d: int | str) -> int:
    return d if isinstance(d, int) else SAMPLE


def _sample(d) -> int:
    return _value(d)


def _size(shape: Shape) -> int:
    return _value(shape.rows) * _value(shape.cols)


def _symmetric(f: tuple) -> Plan | None:
    """GᵀG (an even chain that reads the same backwards transposed), GᵀDG (odd, a
    diagonal in the middle)."""
    k = len(f)
    if k < 2 or any(f[i] is not E.Transpose(f[k - 1 - i]) for i in range(k // 2)):
        return None
    half = f[(k + 1) // 2 :]
    if half[0].shape.rows == 1:
        return None  # xxᵀ: an outer product, a broadcast
    g = half[0] if len(half) == 1 else E.MatMul(*half)
    if k % 2 == 0:
        return Plan("gram", (g,))
    d = _diag_arg(f[k // 2])
    if d is None:
        return None
    return Plan("xdx", (d if d.shape.cols == 1 else E.Transpose(d), g))


# ---------------------------------------------------------------- matrix chains
def _chain_dp(f, size) -> dict:
    """(i, j) -> (cost, split, diagonal) of the cheapest product of f[i..j], sizes by size()."""
    k = len(f)
    best: dict = {}
    for i in range(k):
        best[(i, i)] = (0, None, isinstance(f[i], E.Diag))
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            r, c = size(f[i].shape.rows), size(f[j].shape.cols)
            choice = None
            for s in range(i, j):
                lc, _, ld = best[(i, s)]
                rc, _, rd = best[(s + 1, j)]
                if ld or rd:
                    step = r * c
                else:
                    step = r * c * size(f[s].shape.cols)
                total = lc + rc + step
                if choice is None or total < choice[0]:
                    choice = (total, s, ld and rd)
            best[(i, j)] = choice
    return best


def samples(names: list, seed: int) -> list:
    """The sizes the cost model tries for the symbolic dimensions `names`: all at SAMPLE,
    then (two or more names) 24 random sizes 2…4096 each, seeded (deterministic output)."""
    out = [dict.fromkeys(names, SAMPLE)]
    if len(names) > 1:
        rng = random.Random(seed)
        for _ in range(24):
            out.append({d: int(2 ** rng.uniform(1, 12)) for d in names})
    return out


def symbols(shapes: Iterable) -> list:
    """The symbolic dimensions of shapes, in a fixed order."""
    return sorted({d for s in shapes for d in _dims(s) if not isinstance(d, int)}, key=str)


def all_vectors(options: tuple | list) -> bool:
    """Whether every option of a scalar's placement scales a vector (or a scalar)."""
    return all(1 in dims for _, _, dims in options)


def elements(shape: Shape, sample: dict) -> int:
    """The number of entries of shape at the sizes `sample`."""
    r, c = (d if isinstance(d, int) else sample[d] for d in _dims(shape))
    return r * c


def _best_splits(f: tuple) -> list:
    """The distinct best top-level splits at the sampled sizes (one when a single
    split is best at every size)."""
    names = symbols(g.shape for g in f)
    found = []
    for sample in samples(names, len(f) * 7919 + len(names)):
        best = _chain_dp(f, lambda d, s=sample: d if isinstance(d, int) else s[d])
        split = best[(0, len(f) - 1)][1]
        if split not in found:
            found.append(split)
    return found[:3]


def _sub(f, i, j):
    return f[i] if i == j else E.MatMul(*f[i : j + 1])


def _split_plan(f: tuple, s: int) -> Plan:
    left, right = _sub(f, 0, s), _sub(f, s + 1, len(f) - 1)
    if isinstance(left, E.Diag) and not isinstance(right, E.Diag):
        d = left.args[0]
        return Plan("diag_left", (d if d.shape.cols == 1 else E.Transpose(d), right))
    if isinstance(right, E.Diag) and not isinstance(left, E.Diag):
        d = right.args[0]
        return Plan("diag_right", (left, d if d.shape.cols == 1 else E.Transpose(d)))
    if isinstance(left, E.Inv) and not isinstance(right, E.Inv):
        return Plan("solve", (left.args[0], right))  # X⁻¹R: LU once, no inverse
    if _inverse_transposed(left) and not isinstance(right, E.Inv):
        return Plan("solve", (E.Transpose(left.args[0].args[0]), right))  # X⁻ᵀR
    if isinstance(right, E.Inv) and not isinstance(left, E.Inv):
        return Plan("solve_right", (left, right.args[0]))  # LX⁻¹ = (X⁻ᵀLᵀ)ᵀ
    if left.shape.cols == 1:
        return Plan("outer", (left, right))
    return Plan("mm", (left, right))


def _inverse_transposed(e) -> bool:
    return isinstance(e, E.Transpose) and isinstance(e.args[0], E.Inv)


def _split_cost_fn(f: tuple, s: int) -> Callable:
    """The cost of splitting f at s (both sides at their best), as a function of the sizes."""

    def cost(size):
        best_left = _chain_dp(f[: s + 1], size)[(0, s)][0]
        best_right = _chain_dp(f[s + 1 :], size)[(0, len(f) - s - 2)][0]
        r, c = size(f[0].shape.rows), size(f[-1].shape.cols)
        diag = isinstance(_sub(f, 0, s), E.Diag) or isinstance(_sub(f, s + 1, len(f) - 1), E.Diag)
        return best_left + best_right + (r * c if diag else r * c * size(f[s].shape.cols))

    cost.chain, cost.split = f, s
    return cost


def option_cost(f: tuple | None, s: int | tuple) -> float:
    """The cost of a choice's option at SAMPLE (see Plan)."""
    if f is None:
        total = 1
        for d in s:
            total *= _value(d)
        return float(total)
    return _split_cost_fn(f, s)(_value)


def cost_text(f: tuple | None, s: int | tuple, dim: Callable) -> str:
    """The flops of splitting the chain f at s, each side at its best, as Python text in
    the sizes (dim(d) is a size's name in the generated code); f None: the product of the
    dims s (a scalar's placement: the elements it multiplies)."""
    if f is None:
        return " * ".join(str(d) if isinstance(d, int) else dim(d) for d in s) or "1"
    memo: dict = {}

    def best(i, j) -> str:
        if i == j:
            return ""
        if (i, j) not in memo:
            options = [at(i, k, j) for k in range(i, j)]
            memo[(i, j)] = options[0] if len(options) == 1 else f"min({', '.join(options)})"
        return memo[(i, j)]

    def at(i, k, j) -> str:
        diag = (i == k and isinstance(f[i], E.Diag)) or (k + 1 == j and isinstance(f[j], E.Diag))
        dims = [f[i].shape.rows, f[j].shape.cols] + ([] if diag else [f[k].shape.cols])
        step = " * ".join(str(d) if isinstance(d, int) else dim(d) for d in dims)
        return " + ".join(t for t in (best(i, k), best(k + 1, j), step) if t)

    return at(0, s, len(f) - 1)


dims = _dims
value = _value
size = _size
symmetric = _symmetric
best_splits = _best_splits
split_plan = _split_plan
split_cost_fn = _split_cost_fn
