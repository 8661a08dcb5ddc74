"""The three-way check of tests/test_batched*.py: a derivative's printed form, `evaluate`
against central differences of an independent NumPy function, SymPy's component check, and
the generated NumPy code against `evaluate`; random values at distinct sizes."""

from __future__ import annotations

import inspect

import numpy as np

import matcalc
from matcalc import testing
from matcalc.api import _parse

RTOL, ATOL = 1e-5, 1e-6


def draw(query: str, seed: int = 0, positive: bool = False) -> dict:
    """Random values for the query's variables at distinct sizes per dimension: normal
    entries (in [0.5, 1.5] when `positive`), rowsimplex rows positive and summing to 1."""
    _, variables = _parse(query, None)
    sizes = testing.dimension_sizes(variables)
    rng = np.random.default_rng(seed)
    out = {}
    for name, var in variables.items():
        shape = var.shape.numpy(sizes)
        if var.structure == "rowsimplex":
            a = rng.uniform(0.2, 1.0, shape)
            out[name] = a / a.sum(axis=1, keepdims=True)
        elif positive:
            out[name] = rng.uniform(0.5, 1.5, shape)
        else:
            out[name] = rng.normal(size=shape)
        if shape == ():
            out[name] = float(out[name])
    return out


def generated(d, values: dict) -> np.ndarray:
    """The derivative the generated NumPy code returns at `values`."""
    scope: dict = {}
    exec(compile(d.to_numpy(), "<to_numpy>", "exec"), scope)  # noqa: S102 - our own output
    f = scope["f"]
    names = list(inspect.signature(f).parameters)
    return np.asarray(f(*(values[n] for n in names))[1], dtype=float)


def three_ways(query, wrt, expected, fn, values=None, hessian=False, check_n=3, sympy=True):
    """∂query/∂wrt prints `expected`; evaluate agrees with central differences of `fn`
    (values -> the NumPy value; for a Hessian, the NumPy gradient); SymPy's check passes;
    the generated NumPy code agrees with evaluate."""
    d = (matcalc.hessian if hessian else matcalc.derivative)(query, wrt)
    assert str(d) == expected, f"printed {str(d)!r}"
    values = draw(query) if values is None else values
    want = testing.jacobian(fn, values, wrt)
    got = np.asarray(d.evaluate(values), dtype=float)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    if sympy:  # False only where SymPy passes CHECK_SECONDS: the caller checks a part
        d.check(n=check_n)
    np.testing.assert_allclose(generated(d, values), got, rtol=1e-9, atol=1e-12)
    return d


def value_of(query: str, values: dict) -> np.ndarray:
    """The query's own value, as evaluate computes it (NumPy's shape)."""
    from matcalc.evaluate import bind, evaluate

    expr, variables = _parse(query, None)
    arrays, dims = bind(variables, values)
    return np.asarray(evaluate(expr, arrays, dims)).reshape(expr.shape.numpy(dims))


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax_rows(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
