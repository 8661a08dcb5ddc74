"""Scalars in generated code multiply the smallest operand also when the sizes are
symbolic (issue 11): where the best placement depends on them (1/√d on Q, N×d, or on
QKᵀ, N×N), the code compares the sizes at run time; both branches give the derivative
that `Derivative.evaluate` and central differences of an independent NumPy function give."""

from __future__ import annotations

import numpy as np
import pytest

import matcalc

ATTENTION = "Q, K, V, Y: matrix(N, d); sum((softmax(Q @ K.T / sqrt(d), axis=1) @ V - Y)^2)"


def _load(source):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    return namespace


def _attention(Q, K, V, Y):
    Z = Q @ K.T / np.sqrt(Q.shape[1])
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return np.sum((P @ V - Y) ** 2)


def _central(fun, values, wrt, eps=1e-6):
    x = values[wrt]
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        up = fun(**{**values, wrt: x + step})
        down = fun(**{**values, wrt: x - step})
        out[i] = (up - down) / (2 * eps)
    return out


def _f_text(source):
    return source.split("def f(", 1)[1].split("\ndef ", 1)[0]


def test_the_scale_of_attention_scores_is_chosen_at_run_time():
    d = matcalc.derivative(ATTENTION, "Q")
    text = _f_text(d.to_numpy())
    # 1/√d scales the N×N scores when N ≤ d, else Q (N×d), one branch on the sizes
    assert "t1 * (Q @ K.T) if N * N <= N * d else t1 * Q @ K.T" in text
    namespace = _load(d.to_numpy())
    for rows, width in ((7, 3), (3, 7), (4, 4)):  # Q scaled, QKᵀ scaled, a tie
        rng = np.random.default_rng(rows * 10 + width)
        values = {k: rng.normal(size=(rows, width)) for k in "QKVY"}
        value, gradient = namespace["f"](**values)
        np.testing.assert_allclose(value, _attention(**values), rtol=1e-12)
        np.testing.assert_allclose(gradient, d.evaluate(values), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            gradient, _central(_attention, values, "Q"), rtol=1e-6, atol=1e-8
        )


@pytest.mark.parametrize("m, n", [(2, 6), (6, 2)])
def test_a_scalar_on_a_product_takes_the_smaller_side_at_run_time(m, n):
    """3·(A B) with A: m×m, B: m×n scales A when m < n, else the product."""
    d = matcalc.derivative(
        "A: matrix(m, m); B: matrix(m, n); X: matrix(m, n); sum(X * (3 * (A @ B)))", "X"
    )
    text = _f_text(d.to_numpy())
    assert " if m * m <= m * n else " in text or " if m * n <= m * m else " in text
    rng = np.random.default_rng(m)
    values = {
        "A": rng.normal(size=(m, m)),
        "B": rng.normal(size=(m, n)),
        "X": rng.normal(size=(m, n)),
    }
    value, gradient = _load(d.to_numpy())["f"](**values)
    np.testing.assert_allclose(gradient, 3 * values["A"] @ values["B"], rtol=1e-13)
    np.testing.assert_allclose(gradient, d.evaluate(values), rtol=1e-13)


def test_square_sizes_keep_one_form():
    """With one size (n×n) the placements tie: no branch, the scalar where it was."""
    d = matcalc.derivative("A: matrix(n, n); x: vector(n); sum(2 * (A @ x))", "x")
    assert " if " not in _f_text(d.to_numpy())


def test_no_branch_when_every_place_is_a_vector():
    """2(g xᵀ) with g: h, x: n scales g or x, O(h) or O(n) beside the h×n outer product: one
    form, no run-time branch, the scalar on the column as at equal sizes."""
    d = matcalc.derivative(
        "W1: matrix(h, n); W2: matrix(k, h); x: vector(n); y: vector(k); "
        "sum((W2 @ tanh(W1 @ x) - y)^2)",
        "W1",
    )
    text = _f_text(d.to_numpy())
    assert " if " not in text and "_outer((2.0 * " in text
    rng = np.random.default_rng(5)
    values = {
        "W1": rng.normal(size=(4, 3)),
        "W2": rng.normal(size=(2, 4)),
        "x": rng.normal(size=3),
        "y": rng.normal(size=2),
    }

    def loss(W1, W2, x, y):
        return np.sum((W2 @ np.tanh(W1 @ x) - y) ** 2)

    gradient = _load(d.to_numpy())["f"](**values)[1]
    np.testing.assert_allclose(gradient, d.evaluate(values), rtol=1e-12)
    np.testing.assert_allclose(gradient, _central(loss, values, "W1"), rtol=1e-6, atol=1e-8)
