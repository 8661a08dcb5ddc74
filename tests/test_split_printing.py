"""Printing details: an entry picked by unit vectors prints as the entry (render/text.py),
a transposed variable in index notation as the variable with its indices swapped
(render/index_form.py). Each printed form is checked three ways (batched_helpers.three_ways:
central differences of NumPy's own indexing, SymPy's component check, the generated code)."""

from __future__ import annotations

import numpy as np
import pytest
from batched_helpers import three_ways

import matcalc


def _a(v, name):
    return np.asarray(v[name], dtype=float)


# query, by, printed derivative, the NumPy function (NumPy's own indexing)
ENTRIES = [
    # eₖᵀx is x[k], as the query wrote it (was (e₀·x)e₋₁ᵀ + (e₋₁·x)e₀ᵀ)
    (
        "x: vector(n); x[0] * x[-1]",
        "x",
        "x[0]e₋₁ᵀ + x[-1]e₀ᵀ",
        lambda v: _a(v, "x")[0] * _a(v, "x")[-1],
    ),
    ("x: vector(n); sin(x[2])", "x", "cos(x[2])e₂ᵀ", lambda v: np.sin(_a(v, "x")[2])),
    # eᵢᵀX eⱼ is X[i, j] (was 2(e₁ᵀX e₂)e₁ e₂ᵀ); inside a longer chain the entry, a
    # scalar, prints in front of the unit vectors
    ("X: matrix(m, 4); X[1, 2]^2", "X", "2X[1, 2]e₁ e₂ᵀ", lambda v: _a(v, "X")[1, 2] ** 2),
    (
        "X: matrix(n, n); X[0, 1] * X[1, 0]",
        "X",
        "X[0, 1]e₁ e₀ᵀ + X[1, 0]e₀ e₁ᵀ",
        lambda v: _a(v, "X")[0, 1] * _a(v, "X")[1, 0],
    ),
    # eᵢᵀXᵀeⱼ is X[j, i]
    ("X: matrix(n, n); (X.T)[0, 1]^2", "X", "2X[1, 0]e₁ e₀ᵀ", lambda v: _a(v, "X")[1, 0] ** 2),
    # the entry of an expression: the expression in parentheses, then the index
    (
        "x, y: vector(n); (y - x)[0]^2",
        "x",
        "2(x − y)[0]e₀ᵀ",
        lambda v: (_a(v, "y") - _a(v, "x"))[0] ** 2,
    ),
    # a slice and a row are not entries: they keep their unit vectors
    ("x: vector(n); sum(exp(x[1:3]))", "x", "exp(I[:, 1:3]ᵀx)ᵀI[:, 1:3]ᵀ", None),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), ENTRIES)
def test_an_entry_picked_by_unit_vectors_prints_as_the_entry(query, wrt, expected, fn):
    if fn is None:
        fn = lambda v: np.exp(_a(v, "x")[1:3]).sum()  # noqa: E731
    three_ways(query, wrt, expected, fn)


def test_an_entry_in_latex_is_subscripted():
    d = matcalc.derivative("x: vector(n); x[0] * x[-1]", "x")
    assert d.latex() == "x_{0} e_{-1}^\\top + x_{-1} e_{0}^\\top"
    # a name with a subscript of its own is braced before the entry's: no double subscript
    d = matcalc.derivative("W1: matrix(n, n); W1[0, 1]^2", "W1")
    assert d.latex() == "2 {W_{1}}_{0,1} e_{0} e_{1}^\\top"


def test_the_steps_name_the_entries():
    steps = str(matcalc.derivative("x: vector(n); x[0] * x[-1]", "x").steps)
    assert "u₁ = x[-1]" in steps and "∂y/∂x = x[0]e₋₁ᵀ + x[-1]e₀ᵀ" in steps


# index notation: a transposed variable is the variable, its indices swapped
INDEXED = [
    # (xᵀ)ⱼ is xⱼ (was δᵢₖ(xᵀ)ⱼ + xᵢδₖⱼ)
    (
        "x: vector(n); x @ x.T",
        "x",
        "∂(xxᵀ)ᵢⱼ/∂xₖ = δᵢₖxⱼ + xᵢδₖⱼ",
        lambda v: np.outer(v["x"], v["x"]),
    ),
    # (Aᵀ)ᵢₗ is Aₗᵢ: test_printing_axes.py's ∂(AᵀXᵀ1)ᵢ/∂Xₖₗ; a product stays in parentheses
    (
        "X: matrix(m, n); B: matrix(n, n); X @ B.T @ X.T",
        "X",
        "∂(XBᵀXᵀ)ᵢⱼ/∂Xₖₗ = δᵢₖ(BᵀXᵀ)ₗⱼ + (XBᵀ)ᵢₗδₖⱼ",
        lambda v: v["X"] @ v["B"].T @ v["X"].T,
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), INDEXED)
def test_a_transposed_variable_is_indexed_as_the_variable(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn)


def test_a_transposed_variable_in_latex():
    d = matcalc.derivative("x: vector(n); x @ x.T", "x")
    assert d.latex().endswith("= \\delta_{ik}x_{j} + x_{i}\\delta_{kj}")


# a top sum or mean over the slices of a tensor: the left side is the query's, the reduction
# of the slices (it was the slice's, ∂(tanh(Qₐ W))ᵢⱼ/∂Wₖₗ = Σₐ (…); in LaTeX the mean's 1/h
# was missing)
HEADS = {"Q": ("h", "n", "d"), "W": ("d", "d")}
REDUCED = [
    (
        "Q: tensor(h, n, d); W: matrix(d, d); mean(tanh(Q @ W), axis=0)",
        "W",
        "∂((1/h)Σₐ tanh(Qₐ W))ᵢⱼ/∂Wₖₗ = (1/h)Σₐ (δⱼₗQₐᵢₖSᵢⱼ, where S = 1 − tanh(Qₐ W)²)"
        "  for each a = 1…h",
        lambda v: np.tanh(v["Q"] @ v["W"]).mean(axis=0),
    ),
    # by a tensor, the slice index a is free: the sum runs over b
    (
        "Q: tensor(h, n, d); W: matrix(d, d); sum(Q @ W + Q, axis=0)",
        "Q",
        "∂vec(Σᵦ (Qᵦ W + Qᵦ))/∂vec(Qₐ) = Wᵀ ⊗ I + I ⊗ I  for each a = 1…h",
        lambda v: (v["Q"] @ v["W"] + v["Q"]).sum(axis=0),
    ),
    (
        "Q: tensor(h, n, d); W: matrix(d, d); sum(Q @ W, axis=0)",
        "W",
        "∂vec(Σₐ Qₐ W)/∂vec(W) = Σₐ (I ⊗ Qₐ)  for each a = 1…h",
        lambda v: (v["Q"] @ v["W"]).sum(axis=0),
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), REDUCED)
def test_a_top_sum_over_slices_has_the_whole_left_side(query, wrt, expected, fn):
    from test_tensors import draw
    from test_tensors import three_ways as tensor_three_ways

    tensor_three_ways(query, wrt, expected, fn, draw(HEADS), check_n=2)


def test_a_top_mean_over_slices_in_latex():
    d = matcalc.derivative(REDUCED[0][0], "W")
    assert d.latex() == (
        "\\frac{\\partial (\\frac{1}{h}\\sum_{a} \\tanh\\left(Q_{a} W\\right))_{ij}}"
        "{\\partial W_{kl}} = \\frac{1}{h}\\sum_{a} \\left(\\delta_{jl}{Q_{a}}_{ik}S_{ij},"
        "\\quad\\text{where } S = 1 - \\tanh\\left(Q_{a} W\\right)^{2}\\right)"
    )
    # no equation to put it in (∂f/∂x = …): the rule in front, with the mean's 1/h
    d = matcalc.derivative("Q: tensor(h, n, d); x: vector(d); mean(Q @ x, axis=0)", "x")
    assert d.latex() == "\\frac{1}{h}\\sum_aQ_{a}"


# the sum and the trace of a Kronecker product are products of its factors' (sum-of-kron,
# trace-of-kron), so equal sums collect: sum(S ⊗ S ⊗ S) is sum(S)³, its gradient
# 3sum(S)²1 1ᵀ (was (sum(S ⊗ S) + 2sum(S)²)1 1ᵀ, correct but not collected)
KRON = [
    (
        "S: matrix(n, n); sum(kron(kron(S, S), S))",
        "S",
        "3sum(S)²1 1ᵀ",
        lambda v: np.kron(np.kron(v["S"], v["S"]), v["S"]).sum(),
    ),
    (
        "S: matrix(n, n); trace(kron(kron(S, S), S))",
        "S",
        "3tr(S)²I",
        lambda v: np.trace(np.kron(np.kron(v["S"], v["S"]), v["S"])),
    ),
    (
        "A: matrix(m, n); B: matrix(p, q); sum(kron(A, B)) * sum(B)",
        "B",
        "2sum(A)sum(B)1 1ᵀ",
        lambda v: np.kron(v["A"], v["B"]).sum() * v["B"].sum(),
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), KRON)
def test_sums_and_traces_of_kronecker_products_collect(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn)
