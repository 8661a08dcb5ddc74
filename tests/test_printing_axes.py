"""Regressions in how axis derivatives print (issue 9):

- a linear map whose output is a vector printed a column index it does not have:
  `sum(X, axis=0)` by X was `∂(Xᵀ1)ᵢⱼ/∂Xₖₗ = δᵢₗ(1)ₖⱼ` (render/tensor.py indexed the ones
  vector and the output with two indices each); now `∂(Xᵀ1)ᵢ/∂Xₖₗ = δᵢₗ`;
- the steps of an intermediate with several arguments that depend on the variable
  listed one differential line per argument (`du₆ = du₁`, then `du₆ = du₅`, each the
  differential by one argument only): they are one line, the total differential
  `du₆ = du₁ + du₅` (render/steps_text.py).

Each derivative also three ways (printed form, central differences, SymPy's check, the
generated code against evaluate).
"""

from __future__ import annotations

import numpy as np
import pytest
from batched_helpers import three_ways

import matcalc

VECTOR_OUTPUTS = [
    ("X: matrix(m, n); sum(X, axis=0)", "∂(Xᵀ1)ᵢ/∂Xₖₗ = δᵢₗ", lambda v: v["X"].sum(0)),
    (
        "X: matrix(m, n); A: matrix(n, p); sum(X @ A, axis=0)",
        "∂(AᵀXᵀ1)ᵢ/∂Xₖₗ = Aₗᵢ",
        lambda v: (v["X"] @ v["A"]).sum(0),
    ),
    ("X: matrix(m, n); b: vector(m); X.T @ b", "∂(Xᵀb)ᵢ/∂Xₖₗ = δᵢₗbₖ", lambda v: v["X"].T @ v["b"]),
    (
        "X: matrix(m, n); logsumexp(X, axis=1)",
        "∂(logsumexp(X, axis=1))ᵢ/∂Xₖₗ = δᵢₖSᵢₗ, where S = softmax(X, axis=1)",
        lambda v: np.log(np.exp(v["X"]).sum(1)),
    ),
]


@pytest.mark.parametrize(
    "query, expected, fn", VECTOR_OUTPUTS, ids=[q for q, _, _ in VECTOR_OUTPUTS]
)
def test_a_vector_output_has_one_index(query, expected, fn):
    three_ways(query, "X", expected, fn)


def test_a_vector_output_has_one_index_in_latex():
    d = matcalc.derivative("X: matrix(m, n); sum(X, axis=0)", "X")
    assert d.latex() == (
        "\\frac{\\partial (X^\\top \\mathbf{1})_{i}}{\\partial X_{kl}} = \\delta_{il}"
    )


def test_a_matrix_output_keeps_both_indices():
    three_ways("X: matrix(m, n); X.T", "X", "∂(Xᵀ)ᵢⱼ/∂Xₖₗ = δᵢₗδₖⱼ", lambda v: v["X"].T)


ENTROPY = (
    "X: matrix(N, d); W: matrix(d, k); b: vector(k); Y: rowsimplex(N, k); "
    "-sum(Y * log_softmax(X @ W + b, axis=1)) / N"
)


def _entropy(v):
    z = v["X"] @ v["W"] + v["b"]
    top = z.max(axis=1, keepdims=True)
    log_s = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return -np.sum(v["Y"] * log_s) / v["X"].shape[0]


def _differentials(query: str, wrt: str, of: str) -> list[str]:
    """The lines `d<of> = …` of the steps, without their rule notes."""
    steps = str(matcalc.derivative(query, wrt).steps)
    return [x.split("[")[0].strip() for x in steps.splitlines() if x.strip().startswith(f"d{of} =")]


def test_steps_give_an_intermediate_of_two_arguments_one_total_differential():
    three_ways(ENTROPY, "W", "(1/N)Xᵀ(S − Y)  where S = softmax(XW + 1bᵀ, axis=1)", _entropy)
    assert "u₆ = u₁ + 1bᵀ + u₅" in str(matcalc.derivative(ENTROPY, "W").steps)
    assert _differentials(ENTROPY, "W", "u₆") == ["du₆ = du₁ + du₅"]


SUM3 = "X: matrix(m, n); A: matrix(n, n); sum(tanh(X @ A) + X @ A + exp(X))"
PRODUCT = "X: matrix(m, n); A: matrix(n, n); sum(X * tanh(X @ A))"


def test_steps_of_a_three_term_sum_are_one_line():
    three_ways(
        SUM3,
        "X",
        "exp(X) + (2 − tanh(XA)²)Aᵀ",
        lambda v: np.sum(np.tanh(v["X"] @ v["A"]) + v["X"] @ v["A"] + np.exp(v["X"])),
    )
    assert _differentials(SUM3, "X", "u₄") == ["du₄ = du₂ + du₁ + du₃"]


def test_steps_of_a_product_of_two_dependent_factors_are_one_line():
    three_ways(
        PRODUCT,
        "X",
        "(X ⊙ (1 − h²))Aᵀ + h  where h = tanh(XA)",
        lambda v: np.sum(v["X"] * np.tanh(v["X"] @ v["A"])),
    )
    assert _differentials(PRODUCT, "X", "u₃") == ["du₃ = dX ⊙ u₂ + du₂ ⊙ X"]


# A tensor query whose derivative by a shared value is 0 printed `∂f/∂W = Σₐ (0)  for each
# a = 1…h` (and `(1/h)Σₐ (0)` under a mean): now the 0 alone.
TENSOR = "Q, K: tensor(h, n, d); W: matrix(d, d); u: vector(d); "
ZEROS = [
    ("sum(tanh(Q + u))", "W", "∂f/∂W = 0", (4, 4)),
    ("mean(softmax(Q @ K.mT, axis=-1) @ K)", "W", "∂f/∂W = 0", (4, 4)),
    ("sum(Q @ W)", "u", "∂f/∂u = 0ᵀ", (4,)),
    ("mean(tanh(Q + u))", "K", "∂f/∂Kₐ = 0  for each a = 1…h", (2, 3, 4)),
]


@pytest.mark.parametrize(
    "body, wrt, expected, shape", ZEROS, ids=[z[0] + " " + z[1] for z in ZEROS]
)
def test_a_zero_tensor_derivative_prints_0(body, wrt, expected, shape):
    d = matcalc.derivative(TENSOR + body, wrt)
    assert str(d) == expected
    rng = np.random.default_rng(0)
    values = {"Q": rng.normal(size=(2, 3, 4)), "K": rng.normal(size=(2, 3, 4))}
    values.update(W=rng.normal(size=(4, 4)), u=rng.normal(size=4))
    got = d.evaluate(values)
    assert got.shape == shape and not np.any(got)
    d.check(n=2)


def test_a_vector_variable_has_one_index():
    """Was ∂(xxᵀ)ᵢⱼ/∂xₖₗ = δᵢₖ(xᵀ)ₗⱼ + xᵢₗδₖⱼ: an index l of x's single column."""
    three_ways(
        "x: vector(n); A: matrix(n, n); (A @ x) @ x.T",
        "x",
        "∂(Axxᵀ)ᵢⱼ/∂xₖ = Aᵢₖxⱼ + (Ax)ᵢδₖⱼ",
        lambda v: np.outer(v["A"] @ v["x"], v["x"]),
    )
