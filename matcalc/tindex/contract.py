"""The value of a sum of index terms: each term one `np.einsum` over its factors' values,
its δs as identity matrices (a constant index as a one-hot vector) and, for a free index
no factor carries, a ones vector; the axes in the order asked (output then variable, as
`jax.jacobian`). Works on floats (evaluate) and on SymPy object arrays (check).
"""

from __future__ import annotations

import numpy as np

from ..errors import LimitError
from ..limits import EVALUATE_MAX_BYTES
from .numeric import Values, size_of
from .terms import Term

__all__ = ["contract", "einsum_plan"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _one_hot(k: int, n: int, exact: bool):
    v = np.zeros(n, dtype=object if exact else float)
    v[:] = 0
    v[k] = 1
    return v


def einsum_plan(term: Term, free: tuple, dims: dict) -> tuple[list, str]:
    """(operands: [("factor", node, constants, letters) | ("delta", a, b, letters) |
    ("ones", symbol, letter)], output letters) of one term: the einsum it is."""
    names: dict = {}

    def letter(s):
        if s not in names:
            if len(names) >= len(_LETTERS):
                raise LimitError("a term with more than 52 indices", expected="fewer axes")
            names[s] = _LETTERS[len(names)]
        return names[s]

    for s in free:
        letter(s)
    parts = []
    for node, idx in term.factors:
        constants = tuple((k, x) for k, x in enumerate(idx) if isinstance(x, int))
        letters = "".join(letter(x) for x in idx if isinstance(x, str))
        parts.append(("factor", node, constants, letters))
    seen = {c for p in parts for c in p[-1]}
    for a, b in term.deltas:
        syms = [x for x in (a, b) if isinstance(x, str)]
        letters = "".join(letter(x) for x in syms)
        parts.append(("delta", a, b, letters))
        seen |= set(letters)
    for s in free:
        if names[s] not in seen:
            parts.append(("ones", s, names[s]))
    return parts, "".join(names[s] for s in free)


def contract(terms: list, free: tuple, dims: dict, values: Values) -> np.ndarray:
    """Σ terms as an array over the `free` symbols (in that order)."""
    sizes = values.sizes
    shape = tuple(size_of(dims[s], sizes) for s in free)
    exact = values.exact
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if count * 8 > EVALUATE_MAX_BYTES:
        raise LimitError(
            f"the derivative would take {count * 8} bytes",
            expected=f"at most {EVALUATE_MAX_BYTES} bytes (limits.EVALUATE_MAX_BYTES)",
        )
    total = np.zeros(shape, dtype=object if exact else float)
    if exact:
        total[...] = 0
    for term in terms:
        parts, output = einsum_plan(term, free, dims)
        arrays, specs = [], []
        for part in parts:
            if part[0] == "factor":
                _, node, constants, letters = part
                v = np.asarray(values(node), dtype=object if exact else float)
                index = [slice(None)] * v.ndim
                for k, x in constants:
                    index[k] = x
                arrays.append(v[tuple(index)])
                specs.append(letters)
            elif part[0] == "delta":
                _, a, b, letters = part
                arrays.append(_delta(a, b, dims, sizes, exact))
                specs.append(letters)
            else:
                _, s, letter = part
                n = size_of(dims[s], sizes)
                arrays.append(
                    np.ones(n, dtype=object if exact else float)
                    if not exact
                    else np.array([1] * n, dtype=object)
                )
                specs.append(letter)
        coef = term.coef
        scale = values.number(coef)
        if arrays:
            value = np.einsum(",".join(specs) + "->" + output, *arrays, optimize=not exact)
        else:
            value = np.ones(shape, dtype=object if exact else float)
        total = total + scale * value
    return total


def _delta(a, b, dims, sizes, exact):
    if isinstance(a, str) and isinstance(b, str):
        m = np.eye(size_of(dims[a], sizes), size_of(dims[b], sizes))
        return m.astype(int).astype(object) if exact else m
    s, k = (a, b) if isinstance(a, str) else (b, a)
    return _one_hot(k, size_of(dims[s], sizes), exact)
