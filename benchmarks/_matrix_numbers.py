"""bench_matrix's numbers: random points, values, central differences (from
`matcalc.testing`), and the comparison of a result with them; where an error came from."""

from __future__ import annotations

import itertools
import traceback
from pathlib import Path

import numpy as np

from matcalc import expr as E
from matcalc.evaluate import bind, evaluate
from matcalc.sampling import needs_invertible
from matcalc.testing import central_difference, dimension_sizes


def where(err: BaseException) -> str:
    """The innermost matcalc frame of an exception: file:line function."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/matcalc/" in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f"{Path(f.filename).name}:{f.lineno} {f.name}"


def err_text(err: BaseException) -> str:
    loc = where(err)
    return f"error: {type(err).__name__}: {err}" + (f"  [at {loc}]" if loc else "")


# ------------------------------------------------------------------------------------------
# numbers: values at distinct sizes, the expression's value, central differences


def random_point(expr, variables, seed=0) -> dict:
    """Entries in [0.5, 1.5]; symmetric matrices symmetrised; square matrices made
    invertible (+2nI) where det/inv occur; simplex vectors scaled to sum 1."""
    sizes = dimension_sizes(variables)
    invertible = needs_invertible(E.walk(expr))
    rng = np.random.default_rng(seed)
    vals = {}
    for name, var in variables.items():
        shape = var.shape.numpy(sizes)
        v = rng.uniform(0.5, 1.5, shape)
        if var.symmetric:
            v = (v + v.T) / 2
        if invertible and len(shape) == 2 and shape[0] == shape[1]:
            v = v + 2 * shape[0] * np.eye(shape[0])
        if getattr(var, "structure", None) == "simplex":
            v = v / v.sum()
        vals[name] = float(v) if shape == () else v
    return vals


def value_of(expr, variables, vals) -> np.ndarray:
    arrays, dims = bind(variables, vals)
    return np.asarray(evaluate(expr, arrays, dims), dtype=float).reshape(expr.shape.numpy(dims))


def finite_difference(expr, variables, wrt, vals) -> np.ndarray:
    """∂value/∂wrt by central differences of matcalc's NumPy evaluator: axes output + wrt."""
    return central_difference(lambda at: value_of(expr, variables, at), vals, wrt)


def compare(arr, J, layout_free=False) -> str:
    """'ok' if arr equals J (any reshape of the same axes order), 'ok (transposed layout)'
    if it equals J up to a permutation of axes (SymPy's own layout) when layout_free."""
    if arr is None:
        return "n/a"
    arr = np.asarray(arr, dtype=float)
    Jn = np.asarray(J, dtype=float)
    if arr.size != Jn.size:
        return f"WRONG (size {arr.size}, expected {Jn.size})"
    scale = max(1.0, float(np.max(np.abs(Jn))))
    close = lambda a, b: np.allclose(a, b, rtol=1e-4, atol=1e-6 * scale)  # noqa: E731
    if np.allclose(arr, 0) and not np.allclose(Jn, 0):
        return "WRONG (returns 0)"
    if close(arr.reshape(Jn.shape), Jn):
        return "ok"
    if layout_free:
        a = arr.reshape([d for d in arr.shape if d != 1]) if arr.ndim else arr
        target = Jn.reshape([d for d in Jn.shape if d != 1]) if Jn.ndim else Jn
        for p in itertools.permutations(range(a.ndim)):
            b = np.transpose(a, p)
            if b.shape == target.shape and close(b, target):
                return "ok (transposed layout)"
    err = float(np.max(np.abs(arr.reshape(Jn.shape) - Jn)))
    return f"WRONG (max error {err:.3g})"
