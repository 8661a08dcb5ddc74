"""Shared checks: a derivative is right three ways.

(a) it prints as expected; (b) `evaluate` agrees with central finite differences of the
expression's own value (`matcalc.testing.jacobian`) at a random point (distinct sizes per dimension, so a transposition
shows), with the shape output + wrt (numerator) or wrt + output (denominator); (c) the SymPy
cross-check `Derivative.check()` passes.
"""

from __future__ import annotations

import numpy as np

import matcalc
from matcalc import expr as E
from matcalc import sampling, testing
from matcalc.api import _parse
from matcalc.evaluate import bind, evaluate
from matcalc.layout import Layout
from matcalc.testing import dimension_sizes

STEP = 1e-6  # central differences
KINK_MARGIN = 1e-3  # no max/step/abs kink this close to the random point
RTOL, ATOL = 1e-5, 1e-6


# ---------------------------------------------------------------- values
def _numpy_shape(var, sizes) -> tuple:
    return var.shape.numpy(sizes)


def _value_of(expr, variables, values) -> np.ndarray:
    arrays, dims = bind(variables, values)
    return np.asarray(evaluate(expr, arrays, dims), dtype=float).reshape(expr.shape.numpy(dims))


def value(query, shapes, values) -> np.ndarray:
    """The expression's own value at `values`, shaped as NumPy would (() / (n,) / (m, n))."""
    expr, variables = _parse(query, shapes)
    return _value_of(expr, variables, values)


def _nodes(expr):
    return E.walk(expr)


def has_kinks(expr) -> bool:
    """Some node is kinked (max, comparisons, abs, min, …: the registered domains)."""
    return bool(sampling.kink_arguments(_nodes(expr)))


def needs_positive(expr) -> bool:
    """log, sqrt and other non-integer or symbolic powers need positive arguments (the
    registered domains, matcalc.primitives.sampling)."""
    return sampling.needs_positive(_nodes(expr))


def _kink_gaps(expr, variables, values):
    """At every node with a registered domain, the distance of its arguments from the
    domain's edges and kinks (|a − b| at max(a, b), |u| at abs(u), 1 − |u| at arcsin)."""
    arrays, dims = bind(variables, values)
    return sampling.domain_gaps(_nodes(expr), lambda a: evaluate(a, arrays, dims))


def random_values(query, shapes=None, seed=0, signed=None) -> dict:
    """A random point: entries in [0.5, 1.5] ([0.1, 0.9] times the registered bound under
    arcsin, log1p), with random signs when `signed` (by default:
    when the expression has kinks — max, steps, abs — and no log or root), away from every
    kink or domain edge (the registered domains) by KINK_MARGIN (resampling), square
    matrices made invertible where det/inv occur."""
    expr, variables = _parse(query, shapes)
    sizes = dimension_sizes(variables)
    if signed is None:
        signed = has_kinks(expr) and not needs_positive(expr)
    invertible = sampling.needs_invertible(_nodes(expr))
    bound = sampling.radius(_nodes(expr))  # arcsin, log1p: inside (−bound, bound)
    low, high = (0.1 * bound, 0.9 * bound) if np.isfinite(bound) else (0.5, 1.5)
    rng = np.random.default_rng(seed)
    for _ in range(200):
        values = {}
        for name, var in variables.items():
            shape = _numpy_shape(var, sizes)
            v = rng.uniform(low, high, shape)
            if signed:
                v = v * rng.choice([-1.0, 1.0], shape)
            if var.symmetric:
                v = (v + v.T) / 2
            if invertible and len(shape) == 2 and shape[0] == shape[1]:
                v = v + 2 * shape[0] * np.eye(shape[0])
            values[name] = float(v) if shape == () else v
        if all(np.all(gap > KINK_MARGIN) for gap in _kink_gaps(expr, variables, values)):
            return values
    raise AssertionError(f"no random point away from the kinks of {query!r}")


# ---------------------------------------------------------------- finite differences
def finite_difference(query, wrt, shapes, values, layout="numerator") -> np.ndarray:
    """Central differences of the expression's value: output + wrt axes (numerator),
    wrt + output axes (denominator); a list of scalars stacks on one axis of its length."""
    expr, variables = _parse(query, shapes)
    return testing.jacobian(
        lambda at: _value_of(expr, variables, at),
        values,
        wrt,
        variable_first=Layout.of(layout).variable_first,
        h=STEP,
    )


# ---------------------------------------------------------------- the three-way check
def printed_problems(d, expected) -> list:
    """(a) the printed form."""
    try:
        printed = str(d)
    except Exception as err:  # noqa: BLE001
        printed = f"<str raised {err!r}>"
    return [] if printed == expected else [f"(a) printed {printed!r}, expected {expected!r}"]


def evaluate_problems(d, want, values, variables, rtol=RTOL, atol=ATOL) -> list:
    """(b) `evaluate` (and `Derivative.shape`) against the finite-difference array `want`."""
    try:
        got = np.asarray(d.evaluate(values), dtype=float)
    except Exception as err:  # noqa: BLE001
        return [f"(b) evaluate raised {err!r}"]
    sizes = dimension_sizes(variables)
    symbolic = tuple(sizes.get(s, s) for s in d.shape)
    if got.shape != want.shape:
        return [f"(b) evaluate gave shape {got.shape}, expected {want.shape}"]
    if symbolic != want.shape:
        return [f"(b) Derivative.shape is {d.shape} = {symbolic}, expected {want.shape}"]
    try:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    except AssertionError as err:
        return [f"(b) evaluate differs from finite differences at {values}:{err}"]
    return []


def check_problems(d, n=3) -> list:
    """(c) the SymPy component check."""
    try:
        d.check(n=n)
    except Exception as err:  # noqa: BLE001
        return [f"(c) check failed: {type(err).__name__}: {err}"]
    return []


def assert_derivative(query, wrt, expected, shapes=None, layout="numerator", seed=0, signed=None):
    """∂query/∂wrt prints as `expected`, evaluates as finite differences say (value and
    shape), and passes SymPy's check. All three are tried; every failure is reported."""
    d = matcalc.derivative(query, wrt, shapes=shapes, layout=layout)
    values = random_values(query, shapes, seed, signed)
    want = finite_difference(query, wrt, shapes, values, layout)
    _, variables = _parse(query, shapes)
    problems = (
        printed_problems(d, expected)
        + evaluate_problems(d, want, values, variables)
        + check_problems(d)
    )
    if problems:
        raise AssertionError(f"∂({query})/∂{wrt} [{layout}]:\n  " + "\n  ".join(problems))
    return d
