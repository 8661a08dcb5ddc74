"""Batches and axes (issue 9, values of order ≤ 2): NumPy broadcasting (`X @ W + b`), the
axis keywords, the constants (I, eye, ones, zeros, dimensions as numbers), `.mT` and the
rowsimplex declaration, each derivative checked three ways (batched_helpers.three_ways:
printed form, central differences of an independent NumPy function, SymPy's check) and
the generated NumPy code against `evaluate`. The batched derivations are in
test_batched_derivations.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from batched_helpers import (
    ATOL,
    RTOL,
    draw,
    generated,
    log_softmax_rows,
    softmax_rows,
    three_ways,
    value_of,
)

import matcalc
from matcalc import testing
from matcalc.api import _parse
from matcalc.errors import MatcalcError, ShapeError

# ---------------------------------------------------------------- 1. broadcasting
DENSE = "X: matrix(N, d); W: matrix(d, h); b: vector(h); "


def test_a_bias_is_added_to_every_row_and_prints_1b_transposed():
    expr, _ = _parse(DENSE + "X @ W + b", None)
    assert str(expr) == "XW + 1bᵀ"
    values = draw(DENSE + "X @ W + b")
    np.testing.assert_allclose(
        value_of(DENSE + "X @ W + b", values), values["X"] @ values["W"] + values["b"]
    )


def _dense(v):
    return np.sum(np.tanh(v["X"] @ v["W"] + v["b"]))


def test_the_gradient_by_a_broadcast_bias_is_a_column_sum():
    three_ways(DENSE + "sum(tanh(X @ W + b))", "b", "1ᵀ(1 − tanh(XW + 1bᵀ)²)", _dense)


def test_the_gradient_by_the_weight_of_a_broadcast_layer():
    three_ways(DENSE + "sum(tanh(X @ W + b))", "W", "Xᵀ(1 − tanh(XW + 1bᵀ)²)", _dense)


def test_a_keepdims_column_is_added_to_every_column():
    q = "X, C: matrix(m, n); sum(C * (X - max(X, axis=1, keepdims=True)))"

    def f(v):
        return np.sum(v["C"] * (v["X"] - v["X"].max(axis=1, keepdims=True)))

    three_ways(q, "X", "C − (C 1 1ᵀ) ⊙ (X ≥ max(X, axis=1)1ᵀ)", f)


def test_a_column_and_a_vector_broadcast_to_a_matrix_as_numpy_does():
    q = "X: matrix(m, n); v: vector(m); sum(X, axis=1, keepdims=True) + v"
    values = draw(q)
    want = values["X"].sum(axis=1, keepdims=True) + values["v"]
    assert want.shape == (3, 3)
    np.testing.assert_allclose(value_of(q, values), want)


@pytest.mark.parametrize(
    "query, shapes",
    [
        ("X: matrix(N, d); b: vector(h); X + b", ("matrix(N, d)", "vector(h)")),
        ("X: matrix(N, d); Y: matrix(h, d); X * Y", ("matrix(N, d)", "matrix(h, d)")),
        ("x: vector(n); y: vector(m); x - y", ("vector(n)", "vector(m)")),
    ],
)
def test_shapes_numpy_rejects_are_errors_naming_both_at_the_operator(query, shapes):
    with pytest.raises(ShapeError) as info:
        matcalc.derivative(query, query[0])
    err = info.value
    assert "broadcast" in err.message and all(s in err.message for s in shapes)
    assert query[err.column - 1] in "+*-"


def test_scalar_expansion_and_same_shapes_keep_their_results():
    assert str(matcalc.derivative("x: vector(n); z: scalar; sum(x + z)", "z")) == "n"
    assert str(matcalc.derivative("x, y: vector(n); sum(x * y)", "x")) == "yᵀ"
    assert str(matcalc.derivative("x, y: vector(n); x.T + y.T", "x")) == "I"


# ---------------------------------------------------------------- 2. axes
M = "X, C: matrix(m, n); "
AXIS_VALUES = [
    ("sum(X, axis=0)", lambda x: x.sum(axis=0)),
    ("sum(X, axis=1)", lambda x: x.sum(axis=1)),
    ("sum(X, axis=-1, keepdims=True)", lambda x: x.sum(axis=-1, keepdims=True)[:, 0]),
    ("sum(X, axis=0, keepdims=True)", lambda x: x.sum(axis=0, keepdims=True)[0]),
    ("sum(X, axis=(0, 1))", lambda x: x.sum(axis=(0, 1))),
    ("mean(X, axis=-2)", lambda x: x.mean(axis=-2)),
    ("max(X, axis=1)", lambda x: x.max(axis=1)),
    ("min(X, axis=0)", lambda x: x.min(axis=0)),
    ("max(X)", lambda x: x.max()),
    ("logsumexp(X, axis=0)", lambda x: np.log(np.exp(x).sum(axis=0))),
    ("softmax(X, axis=1)", softmax_rows),
    ("softmax(X, axis=0)", lambda x: softmax_rows(x.T).T),
    ("log_softmax(X, axis=-1)", log_softmax_rows),
    ("norm(X, axis=1)", lambda x: np.linalg.norm(x, axis=1)),
    ("var(X, axis=0)", lambda x: x.var(axis=0)),
    ("std(X, axis=1)", lambda x: x.std(axis=1)),
    ("var(X)", lambda x: x.var()),
    ("std(X, axis=(0, 1))", lambda x: x.std()),
]


@pytest.mark.parametrize("call, numpy", AXIS_VALUES, ids=[c for c, _ in AXIS_VALUES])
def test_axis_values_are_numpys(call, numpy):
    values = draw(M + call)
    np.testing.assert_allclose(value_of(M + call, values), numpy(values["X"]), rtol=1e-12)


def test_row_softmax_by_its_argument():
    def f(v):
        return np.sum(v["C"] * softmax_rows(v["X"]))

    three_ways(
        M + "sum(C * softmax(X, axis=1))",
        "X",
        "S ⊙ (C − (C ⊙ S)1 1ᵀ)  where S = softmax(X, axis=1)",
        f,
    )


def test_column_softmax_is_the_row_softmax_of_the_transpose():
    def f(v):
        return np.sum(v["C"] * softmax_rows(v["X"].T).T)

    three_ways(
        M + "sum(C * softmax(X, axis=0))",
        "X",
        "(S ⊙ (Cᵀ − (C ⊙ Sᵀ)ᵀ1 1ᵀ))ᵀ  where S = softmax(Xᵀ, axis=1)",
        f,
    )


def test_log_softmax_by_rows():
    def f(v):
        return np.sum(v["C"] * log_softmax_rows(v["X"]))

    three_ways(M + "sum(C * log_softmax(X, axis=-1))", "X", "C − softmax(X, axis=1) ⊙ (C 1 1ᵀ)", f)


@pytest.mark.parametrize(
    "call, numpy, expected",
    [
        ("mean(X, axis=1)", lambda x: x.mean(axis=1), "(1/n)c1ᵀ"),
        ("max(X, axis=1)", lambda x: x.max(axis=1), "(c1ᵀ) ⊙ (X ≥ max(X, axis=1)1ᵀ)"),
        ("min(X, axis=1)", lambda x: x.min(axis=1), "(c1ᵀ) ⊙ (min(X, axis=1)1ᵀ ≥ X)"),
        ("norm(X, axis=1)", lambda x: np.linalg.norm(x, axis=1), "X ⊙ ((c ⊘ √X²1)1ᵀ)"),
        (
            "logsumexp(X, axis=1)",
            lambda x: np.log(np.exp(x).sum(axis=1)),
            "softmax(X, axis=1) ⊙ (c1ᵀ)",
        ),
    ],
)
def test_row_reductions_by_their_argument(call, numpy, expected):
    q = f"X: matrix(m, n); c: vector(m); c @ {call}"
    three_ways(q, "X", expected, lambda v: v["c"] @ numpy(v["X"]))


@pytest.mark.parametrize(
    "call, numpy",
    [
        ("sum(X, axis=0)", lambda x: x.sum(axis=0)),
        ("var(X, axis=0)", lambda x: x.var(axis=0)),
        ("std(X, axis=-2)", lambda x: x.std(axis=-2)),
        ("logsumexp(X, axis=0)", lambda x: np.log(np.exp(x).sum(axis=0))),
    ],
)
def test_column_reductions_by_their_argument(call, numpy):
    q = f"X: matrix(m, n); c: vector(n); c @ {call}"
    d = matcalc.derivative(q, "X")
    values = draw(q)
    want = testing.jacobian(lambda v: v["c"] @ numpy(v["X"]), values, "X")
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check()
    np.testing.assert_allclose(generated(d, values), d.evaluate(values), rtol=1e-9, atol=1e-12)


def test_without_axis_every_function_keeps_its_meaning():
    assert str(matcalc.derivative("x: vector(n); sum(x)", "x")) == "1ᵀ"
    assert str(matcalc.derivative("x: vector(n); logsumexp(x)", "x")) == "softmax(x)ᵀ"
    with pytest.raises(ShapeError, match="softmax needs a vector"):
        matcalc.derivative("X: matrix(m, n); softmax(X)", "X")
    three_ways("x: vector(n); log_softmax(x)", "x", "I − 1softmax(x)ᵀ", lambda v: _lsm(v["x"]))


def _lsm(x):
    return x - x.max() - np.log(np.exp(x - x.max()).sum())


@pytest.mark.parametrize(
    "query, message",
    [
        ("X: matrix(m, n); sum(X, axis=2)", "axis 2 is out of bounds"),
        ("x: vector(n); sum(x, axis=-2)", "axis -2 is out of bounds"),
        ("X: matrix(m, n); sum(X, axis=(1, -1))", "axis -1 is repeated"),
        ("X: matrix(m, n); softmax(X, keepdims=True)", "softmax takes no keyword argument"),
        ("X: matrix(m, n); sum(X, axes=1)", "sum takes no keyword argument 'axes'"),
        ("X: matrix(m, n); sum(X, keepdims=1)", "keepdims is True or False"),
        ("X: matrix(m, n); trace(X, axis=1)", "trace takes no keyword arguments"),
        ("X: matrix(m, n); sum(X, axis=X)", "must be an integer"),
        ("X: matrix(m, n); sum(axis=1, X)", "positional argument after a keyword"),
    ],
)
def test_bad_axes_are_errors_with_a_place(query, message):
    with pytest.raises(MatcalcError) as info:
        matcalc.derivative(query, "X" if "X" in query else "x")
    assert message in str(info.value) and info.value.column is not None


# ---------------------------------------------------------------- 3. constants
def test_a_dimension_is_a_number_inside_the_expression():
    q = "X: matrix(N, d); w: vector(d); sum(X @ w) / N"
    three_ways(q, "w", "(1/N)1ᵀX", lambda v: np.sum(v["X"] @ v["w"]) / v["X"].shape[0])
    q = "Q, K: matrix(n, d); sum(Q @ K.T) / sqrt(d)"
    three_ways(q, "Q", "(1/√d)1 1ᵀK", lambda v: np.sum(v["Q"] @ v["K"].T) / np.sqrt(2))


def test_eye_ones_zeros_and_I():
    q = "A: matrix(n, n); x: vector(n); sum((A + eye(n)) @ x + ones(n) + zeros(n))"
    three_ways(q, "x", "1ᵀA + 1ᵀ", lambda v: np.sum((v["A"] + np.eye(3)) @ v["x"] + 1))
    q = "A: matrix(n, n); trace(A @ (A + 2 * I))"
    three_ways(q, "A", "2Aᵀ + 2I", lambda v: np.trace(v["A"] @ (v["A"] + 2 * np.eye(3))))
    q = "X: matrix(m, n); sum(X * ones(m, n))"
    assert str(matcalc.derivative(q, "X")) == "1 1ᵀ"


def test_constants_need_declared_dimensions_and_a_size_for_I():
    with pytest.raises(ShapeError, match="declared in a shape"):
        matcalc.derivative("x: vector(n); sum(x + ones(k))", "x")
    with pytest.raises(ShapeError, match="size of I"):
        matcalc.derivative("z: scalar; sum(z * I)", "z")
    # I declared as a variable stays a variable
    assert str(matcalc.derivative("I: matrix(n, n); trace(I)", "I")) == "I"


def test_rowsimplex_rows_sum_to_one():
    q = "Y: rowsimplex(N, k); sum(Y, axis=1)"
    values = draw(q)
    np.testing.assert_allclose(value_of(q, values), np.ones(3))
    bad = {"Y": np.ones((3, 2))}
    with pytest.raises(MatcalcError, match="rowsimplex"):
        matcalc.derivative("Y: rowsimplex(N, k); sum(Y * Y)", "Y").evaluate(bad)


# ---------------------------------------------------------------- 4. .mT
def test_mT_swaps_the_last_two_axes():
    q = "A: matrix(m, n); B: matrix(m, n); trace(A.mT @ B)"
    three_ways(q, "A", "B", lambda v: np.trace(v["A"].T @ v["B"]))
    with pytest.raises(ShapeError, match=".mT swaps the last two axes"):
        matcalc.derivative("x: vector(n); sum(x.mT)", "x")
