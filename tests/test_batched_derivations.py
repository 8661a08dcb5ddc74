"""The batched derivations of CS231n, Goodfellow et al. and Bishop (issue 9): softmax
cross-entropy by W and b, single-head attention by Q, K and V, layer and batch norm, a
two-layer MLP, an RNN cell unrolled two steps, Bishop's evidence and PPCA; each checked
three ways (batched_helpers.three_ways) and its generated NumPy code against `evaluate`.
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
)

import matcalc
from matcalc import testing

# ---------------------------------------------------------------- 5. the batched derivations
CE = "X: matrix(N, d); W: matrix(d, k); Y: rowsimplex(N, k); "
CE_B = CE + "b: vector(k); "


def _ce(v):
    z = v["X"] @ v["W"] + v.get("b", 0.0)
    return -np.sum(v["Y"] * log_softmax_rows(z)) / v["X"].shape[0]


def test_batched_softmax_cross_entropy_by_the_weights():
    d = three_ways(
        CE + "-sum(Y * log_softmax(X @ W, axis=1)) / N",
        "W",
        "(1/N)Xᵀ(S − Y)  where S = softmax(XW, axis=1)",
        _ce,
    )
    values = draw(CE + "W")  # the textbook form Xᵀ(softmax(XW) − Y)/N
    x, w, y = values["X"], values["W"], values["Y"]
    textbook = x.T @ (softmax_rows(x @ w) - y) / x.shape[0]
    np.testing.assert_allclose(d.evaluate(values), textbook, rtol=1e-12)


def test_batched_softmax_cross_entropy_by_the_bias():
    three_ways(
        CE_B + "-sum(Y * log_softmax(X @ W + b, axis=1)) / N",
        "b",
        "(1/N)1ᵀ(S − Y)  where S = softmax(XW + 1bᵀ, axis=1)",
        _ce,
    )


ATTENTION = "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V"


def _attention(v):
    q, k = v["Q"], v["K"]
    return softmax_rows(q @ k.T / np.sqrt(q.shape[1])) @ v["V"]


def test_attention_by_the_values_is_a_kronecker_product():
    three_ways(
        ATTENTION,
        "V",
        "∂vec(softmax((1/√d)QKᵀ, axis=1)V)/∂vec(V) = I ⊗ softmax((1/√d)QKᵀ, axis=1)",
        _attention,
    )


@pytest.mark.parametrize("wrt", ["Q", "K"])
def test_attention_by_the_queries_and_keys(wrt):
    d = matcalc.derivative(ATTENTION, wrt)
    values = draw(ATTENTION)
    want = testing.jacobian(_attention, values, wrt)
    got = d.evaluate(values)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    report = d.check(n=3)  # 72 entries, each with exps: all proved (exp(…) as symbols)
    assert (report.entries, report.proved) == (72, 72)
    np.testing.assert_allclose(generated(d, values), got, rtol=1e-9, atol=1e-12)
    assert str(d) == ATTENTION_BY[wrt]


S = "softmax((1/√d)QKᵀ, axis=1)"
ATTENTION_BY = {  # index notation: no matrix form exists
    "Q": f"∂({S}V)ᵢⱼ/∂Qₖₗ = (1/√d) δᵢₖ(Σₘ KₘₗSᵢₘVₘⱼ − Σₚ Σₘ KₚₗSᵢₚSᵢₘVₘⱼ), where S = {S}",
    "K": f"∂({S}V)ᵢⱼ/∂Kₖₗ = (1/√d) QᵢₗSᵢₖ(Vₖⱼ − Σₘ SᵢₘVₘⱼ), where S = {S}",
}


def test_the_row_softmax_jacobian_in_index_notation():
    """∂softmax(X)ᵢⱼ/∂Xₖₗ = δᵢₖSᵢⱼ(δⱼₗ − Sᵢₗ): no matrix form, so index notation."""
    q = "X: matrix(m, n); softmax(X, axis=1)"
    three_ways(
        q,
        "X",
        "∂(softmax(X, axis=1))ᵢⱼ/∂Xₖₗ = δᵢₖSᵢⱼ(δⱼₗ − Sᵢₗ), where S = softmax(X, axis=1)",
        lambda v: softmax_rows(v["X"]),
    )
    d = matcalc.derivative(q, "X")
    assert d.latex().endswith(
        r"\text{where } S = \operatorname{softmax}_{\mathrm{rows}}\left(X\right)"
    )


NORM = "X, C: matrix(N, d); g, b: vector(d); eps: scalar; "
LAYER_NORM = NORM + (
    "sum(C * ((X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + eps)"
    " * g + b))"
)
BATCH_NORM = NORM + "sum(C * ((X - mean(X, axis=0)) / sqrt(var(X, axis=0) + eps) * g + b))"


def _layer_norm(v):
    x = v["X"]
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return np.sum(v["C"] * ((x - mu) / np.sqrt(var + v["eps"]) * v["g"] + v["b"]))


def _batch_norm(v):
    x = v["X"]
    return np.sum(
        v["C"] * ((x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + v["eps"]) * v["g"] + v["b"])
    )


def _norm_values(query):
    values = draw(query)
    values["eps"] = 0.1
    return values


NORMS = [
    (
        LAYER_NORM,
        "g",
        "1ᵀ(C ⊙ z ⊘ (√((1/d)z²1 + eps)1ᵀ))  where z = X − (1/d)X1·1ᵀ",
        _layer_norm,
    ),
    (LAYER_NORM, "b", "1ᵀC", _layer_norm),
    (
        BATCH_NORM,
        "g",
        "1ᵀ(C ⊙ z ⊘ (1(√((1/N)(z²)ᵀ1 + eps))ᵀ))  where z = X − (1/N)1·1ᵀX",
        _batch_norm,
    ),
    (BATCH_NORM, "b", "1ᵀC", _batch_norm),
]


@pytest.mark.parametrize("query, wrt, expected, fn", NORMS, ids=["LN-g", "LN-b", "BN-g", "BN-b"])
def test_layer_and_batch_norm_by_scale_and_shift(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn, values=_norm_values(query))


@pytest.mark.parametrize("query, fn", [(LAYER_NORM, _layer_norm), (BATCH_NORM, _batch_norm)])
def test_layer_and_batch_norm_by_the_input(query, fn):
    """By X the printed form is long (the centring's 1ᵀ(X − 1·1ᵀX/N) = 0 is not yet a
    rewrite): its value is checked three ways but its text only for its pieces."""
    d = matcalc.derivative(query, "X")
    values = _norm_values(query)
    want = testing.jacobian(fn, values, "X")
    got = d.evaluate(values)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    d.check()
    np.testing.assert_allclose(generated(d, values), got, rtol=1e-9, atol=1e-12)
    assert "eps" in str(d) and "1gᵀ" in str(d)


MLP = (
    "X: matrix(N, d); W1: matrix(d, h); b1: vector(h); W2: matrix(h, k); b2: vector(k); "
    "Y: rowsimplex(N, k); -sum(Y * log_softmax(tanh(X @ W1 + b1) @ W2 + b2, axis=1)) / N"
)


def _mlp(v):
    hidden = np.tanh(v["X"] @ v["W1"] + v["b1"])
    z = hidden @ v["W2"] + v["b2"]
    return -np.sum(v["Y"] * log_softmax_rows(z)) / v["X"].shape[0]


H1 = "tanh(X W1 + 1b1ᵀ)"
WHERE = f"  where a = {H1}, S = softmax(a W2 + 1b2ᵀ, axis=1)"  # the layers, named


@pytest.mark.parametrize(
    "wrt, expected",
    [
        ("W1", f"(1/N)Xᵀ(((S − Y)W2ᵀ) ⊙ (1 − a²)){WHERE}"),
        ("b1", f"(1/N)1ᵀ(((S − Y)W2ᵀ) ⊙ (1 − a²)){WHERE}"),
        ("W2", f"(1/N)aᵀ(S − Y){WHERE}"),
        ("b2", f"(1/N)1ᵀ(S − Y)  where S = softmax({H1}W2 + 1b2ᵀ, axis=1)"),
    ],
)
def test_a_batched_two_layer_mlp_by_each_weight_and_bias(wrt, expected):
    three_ways(MLP, wrt, expected, _mlp, check_n=2)  # SymPy at N=2, k=3, d=4, h=5


RNN = (
    "X1, X2: matrix(N, d); H0: matrix(N, h); W: matrix(h, h); U: matrix(d, h); b: vector(h); "
    "sum(tanh(tanh(H0 @ W + X1 @ U + b) @ W + X2 @ U + b))"
)


def _rnn(v):
    h1 = np.tanh(v["H0"] @ v["W"] + v["X1"] @ v["U"] + v["b"])
    return np.sum(np.tanh(h1 @ v["W"] + v["X2"] @ v["U"] + v["b"]))


def test_an_rnn_cell_unrolled_two_steps_by_the_shared_weight():
    """Checked three ways at N=2, h=3, d=4 (SymPy differentiates the nested tanh itself;
    every entry is proved once expanded, tanh(…) as a symbol); and the one step it is
    built from (broadcast bias, tanh, @), the same way."""
    h1 = "tanh(H0 W + X1 U + 1bᵀ)"
    expected = f"aᵀz + H0ᵀ((zWᵀ) ⊙ (1 − a²))  where a = {h1}, z = 1 − tanh(aW + X2 U + 1bᵀ)²"
    three_ways(RNN, "W", expected, _rnn, check_n=2)
    one_step = RNN.split("sum(")[0] + "sum(tanh(H0 @ W + X1 @ U + b))"

    def step(v):
        return np.sum(np.tanh(v["H0"] @ v["W"] + v["X1"] @ v["U"] + v["b"]))

    three_ways(one_step, "W", f"H0ᵀ(1 − {h1}²)", step, check_n=2)


def test_the_rnn_check_proves_every_entry_of_the_two_step_derivative():
    """Not compared at points only: each of the 9 entries (W is 3×3) is proved."""
    report = matcalc.derivative(RNN, "W").check(n=2)
    assert (report.entries, report.proved, report.numeric) == (9, 9, 0)
    assert report.sizes == {"N": 2, "h": 3, "d": 4}


EVIDENCE = "Phi: matrix(N, M); alpha, beta: scalar; logdet(alpha * I + beta * Phi.T @ Phi)"


def _evidence_values():
    values = draw(EVIDENCE)
    values["alpha"], values["beta"] = 0.7, 1.3
    return values


def test_bishops_evidence_by_alpha_and_its_second_derivative():
    def f(v):
        p = v["Phi"]
        return np.linalg.slogdet(v["alpha"] * np.eye(p.shape[1]) + v["beta"] * p.T @ p)[1]

    def gradient(v):
        p = v["Phi"]
        return np.trace(np.linalg.inv(v["alpha"] * np.eye(p.shape[1]) + v["beta"] * p.T @ p))

    values = _evidence_values()
    three_ways(EVIDENCE, "alpha", "tr((alpha I + beta PhiᵀPhi)⁻¹)", f, values=values)
    three_ways(
        EVIDENCE,
        "alpha",
        "−tr(z⁻¹z⁻¹)  where z = alpha I + beta PhiᵀPhi",
        gradient,
        values=values,
        hessian=True,
    )


def test_ppca_log_determinant_by_the_loadings():
    q = "W: matrix(d, q); s: scalar; logdet(W @ W.T + s^2 * I)"

    def f(v):
        w = v["W"]
        return np.linalg.slogdet(w @ w.T + v["s"] ** 2 * np.eye(w.shape[0]))[1]

    three_ways(q, "W", "2(WWᵀ + s²I)⁻¹W", f)
