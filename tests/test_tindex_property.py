"""Property test of the index engine: random tensor expressions of the language (batch
axes mixed by .T, axis functions over every axis, broadcasting against matrices and
vectors, repeated subexpressions, cancelling terms) derived by matcalc.tindex and
compared with central differences of the same text run by NumPy itself."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcalc import testing
from matcalc.tindex import index_derivative

DECLARATIONS = "T: tensor(2, 3, 4); X: matrix(3, 4); w: vector(4); "
SIZES = {"T": (2, 3, 4), "X": (3, 4), "w": (4,)}


def _softmax(z, axis):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp(z, axis):
    return np.log(np.sum(np.exp(z), axis=axis))


NUMPY = {
    "tanh": np.tanh,
    "exp": np.exp,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "sin": np.sin,
    "softmax": _softmax,
    "logsumexp": _logsumexp,
    "sum": np.sum,
    "mean": np.mean,
}

AXES = st.sampled_from(["0", "1", "2", "-1", "(0, 2)", "(0, 1)"])


def order3(inner):
    """Expressions of shape (h, n, d) built from smaller ones."""
    unary = st.tuples(st.sampled_from(["tanh", "sigmoid", "sin"]), inner).map(
        lambda p: f"{p[0]}({p[1]})"
    )
    scaled = inner.map(lambda e: f"(0.3 * {e})")
    softmax = st.tuples(inner, AXES).map(lambda p: f"softmax({p[0]}, axis={p[1]})")
    twice = inner.map(lambda e: f"({e}).T.T")
    binary = st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
        lambda p: f"({p[0]} {p[1]} {p[2]})"
    )
    broadcast = st.tuples(
        inner, st.sampled_from(["X", "w", "tanh(X)"]), st.sampled_from(["+", "*"])
    ).map(lambda p: f"({p[0]} {p[2]} {p[1]})")
    cancel = st.tuples(inner, inner).map(lambda p: f"({p[0]} + {p[1]} - {p[1]})")
    repeated = inner.map(lambda e: f"({e} * {e})")
    reduced = st.tuples(st.sampled_from(["sum", "mean"]), inner, AXES).map(
        lambda p: f"({p[1]} - {p[0]}({p[1]}, axis={p[2]}, keepdims=True))"
    )
    indexed = st.tuples(
        inner, st.sampled_from(["[1:2]", "[:, 1:2]", "[0:1, :, 2:3]", "[:, :, -1:]"])
    ).map(lambda p: f"({p[0]} * {p[0]}{p[1]})")
    return st.one_of(
        unary, scaled, softmax, twice, binary, broadcast, cancel, repeated, reduced, indexed
    )


EXPRESSIONS = st.recursive(st.just("T"), order3, max_leaves=5)
TOPS = st.sampled_from(
    [
        "sum({e})",
        "sum(logsumexp({e}, axis=0))",
        "sum(sum({e}, axis=(0, 1)) * w)",
        "sum({e}.T * {e}.T)",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, TOPS, st.sampled_from(["T", "X", "w"]), st.integers(0, 2**16))
def test_random_tensor_expressions_against_differences(body, top, wrt, seed):
    text = top.format(e=body)
    d = index_derivative(DECLARATIONS + text, wrt)
    rng = np.random.default_rng(seed)
    values = {name: rng.uniform(-1, 1, shape) for name, shape in SIZES.items()}

    def f(v):
        return np.asarray(eval(text, {"__builtins__": {}}, {**NUMPY, **v}), dtype=float)  # noqa: S307 - the test's own text

    want = testing.jacobian(f, values, wrt)
    got = np.asarray(d.evaluate(values), dtype=float)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, TOPS, st.sampled_from(["T", "w"]), st.integers(0, 2**16))
def test_random_hessians_against_differences_of_the_gradient(body, top, wrt, seed):
    from matcalc.tindex import index_hessian

    text = DECLARATIONS + top.format(e=body)
    gradient = index_derivative(text, wrt)
    d = index_hessian(text, wrt)
    rng = np.random.default_rng(seed)
    values = {name: rng.uniform(-1, 1, shape) for name, shape in SIZES.items()}
    want = testing.jacobian(gradient.evaluate, values, wrt)
    got = np.asarray(d.evaluate(values), dtype=float)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
