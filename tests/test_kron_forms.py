"""The derivatives through kron(A, B) printed as derivatives: a matrix form where one
exists (the gradient of sum(A ⊗ B), tr(A ⊗ B), sum((D ⊗ E) ⊙ (A ⊗ B))), else index
notation with the composite indices explained (readoff_kron, render.index_kron); each
checked three ways (printed, evaluate vs central differences of np.kron, SymPy, the code)."""

from __future__ import annotations

import numpy as np
import pytest

import matcalc
from tests.batched_helpers import three_ways

KRON = "A: matrix(2, 3); B: matrix(3, 2); C: matrix(6, 6); D: matrix(2, 3); E: matrix(3, 2); "
SQUARE = "S: matrix(2, 2); T: matrix(3, 3); "
LEGEND = "  ((i, r) = i·3 + r, (j, s) = j·2 + s)"


def _k(v, a="A", b="B"):
    return np.kron(np.asarray(v[a], dtype=float), np.asarray(v[b], dtype=float))


CASES = [
    (KRON + "sum(kron(A, B))", "A", "sum(B)1 1ᵀ", lambda v: _k(v).sum()),
    (KRON + "sum(kron(A, B))", "B", "sum(A)1 1ᵀ", lambda v: _k(v).sum()),
    (
        KRON + "3*sum(kron(A, B)) + sum(A)",
        "A",
        "(1 + 3sum(B))1 1ᵀ",
        lambda v: 3 * _k(v).sum() + v["A"].sum(),
    ),
    (SQUARE + "sum(kron(S, S))", "S", "2sum(S)1 1ᵀ", lambda v: _k(v, "S", "S").sum()),
    (
        KRON + "sum(kron(D, E) * kron(A, B))",
        "A",
        "sum(B ⊙ E)D",
        lambda v: (_k(v, "D", "E") * _k(v)).sum(),
    ),
    (KRON + "sum(kron(A, B) * kron(A, B))", "A", "2sum(B²)A", lambda v: (_k(v) ** 2).sum()),
    (SQUARE + "trace(kron(S, T))", "S", "tr(T)I", lambda v: np.trace(_k(v, "S", "T"))),
    (KRON + "kron(A, B)", "A", "∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗBᵣₛ" + LEGEND, _k),
    (KRON + "kron(A, B)", "B", "∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗAᵢⱼ" + LEGEND, _k),
    (
        KRON + "2*kron(A.T, E.T)",
        "A",
        "∂(2(Aᵀ ⊗ Eᵀ))₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = 2δⱼₖδᵢₗEₛᵣ  ((i, r) = i·2 + r, (j, s) = j·3 + s)",
        lambda v: 2 * np.kron(v["A"].T, v["E"].T),
    ),
    (
        KRON + "kron(A @ A.T, B)",
        "A",
        "∂(AAᵀ ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = Bᵣₛ(δᵢₖAⱼₗ + δⱼₖAᵢₗ)" + LEGEND,
        lambda v: np.kron(v["A"] @ v["A"].T, v["B"]),
    ),
    (
        KRON + "sum(C * kron(A, B))",
        "A",
        "∂(sum(C ⊙ (A ⊗ B)))/∂Aₖₗ = Σᵣ Σₛ C₍ₖᵣ₎₍ₗₛ₎Bᵣₛ  ((k, r) = k·3 + r, (l, s) = l·2 + s)",
        lambda v: (v["C"] * _k(v)).sum(),
    ),
    (
        KRON + "kron(A, B).T",
        "A",
        "∂((A ⊗ B)ᵀ)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δⱼₖδᵢₗBₛᵣ  ((i, r) = i·2 + r, (j, s) = j·3 + s)",
        lambda v: _k(v).T,
    ),
    (
        KRON + "C * kron(A, B) + kron(A, B)",
        "B",
        "∂(C ⊙ (A ⊗ B) + A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗAᵢⱼ(C₍ᵢᵣ₎₍ⱼₛ₎ + 1)" + LEGEND,
        lambda v: v["C"] * _k(v) + _k(v),
    ),
    (
        KRON + "exp(kron(A, B))",
        "A",
        "∂(exp(A ⊗ B))₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗS₍ᵢᵣ₎₍ⱼₛ₎Bᵣₛ" + LEGEND + ", where S = exp(A ⊗ B)",
        lambda v: np.exp(_k(v)),
    ),
    (
        KRON + "sum(C * kron(A, B)) * sum(A)",
        "B",
        "∂(sum(C ⊙ (A ⊗ B))sum(A))/∂Bₖₗ = sum(A)Σᵢ Σⱼ C₍ᵢₖ₎₍ⱼₗ₎Aᵢⱼ"
        "  ((i, k) = i·3 + k, (j, l) = j·2 + l)",
        lambda v: (v["C"] * _k(v)).sum() * v["A"].sum(),
    ),
    (
        SQUARE + "G: matrix(4, 4); sum(G * kron(S, S))",
        "S",
        "∂(sum(G ⊙ (S ⊗ S)))/∂Sₖₗ = Σᵣ Σₛ G₍ₖᵣ₎₍ₗₛ₎Sᵣₛ + Σᵢ Σⱼ G₍ᵢₖ₎₍ⱼₗ₎Sᵢⱼ"
        "  ((k, r) = k·2 + r, (l, s) = l·2 + s, (i, k) = i·2 + k, (j, l) = j·2 + l)",
        lambda v: (v["G"] * _k(v, "S", "S")).sum(),
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), CASES)
def test_kron_derivative_forms(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn, check_n=2)


def test_kron_index_form_latex_says_the_composite_indices():
    d = matcalc.derivative("A: matrix(m, n); B: matrix(p, q); kron(A, B)", "B")
    assert d.latex() == (
        "\\frac{\\partial (A \\otimes B)_{(ir)(js)}}{\\partial B_{kl}} = "
        "\\delta_{rk}\\delta_{sl}A_{ij}\\quad ((i, r) = i \\cdot p + r, (j, s) = j \\cdot q + s)"
    )


PROD = KRON + "F: matrix(6, 4); H: matrix(5, 6); c: vector(6); "
PRODUCTS = [  # a product after (or before) the Kronecker one: its rows (columns) summed
    (
        PROD + "kron(A, B) @ F",
        "A",
        "∂((A ⊗ B)F)₍ᵢᵣ₎ⱼ/∂Aₖₗ = Σₛ δᵢₖBᵣₛF₍ₗₛ₎ⱼ  ((i, r) = i·3 + r, (l, s) = l·2 + s)",
        lambda v: _k(v) @ v["F"],
    ),
    (
        PROD + "kron(A, B) @ F",
        "B",
        "∂((A ⊗ B)F)₍ᵢᵣ₎ⱼ/∂Bₖₗ = Σₘ δᵣₖAᵢₘF₍ₘₗ₎ⱼ  ((i, r) = i·3 + r, (m, l) = m·2 + l)",
        lambda v: _k(v) @ v["F"],
    ),
    (PROD + "kron(A, B) @ F", "F", "∂vec((A ⊗ B)F)/∂vec(F) = I ⊗ A ⊗ B", lambda v: _k(v) @ v["F"]),
    (
        PROD + "kron(A, B) @ c",
        "A",
        "∂((A ⊗ B)c)₍ᵢᵣ₎/∂Aₖₗ = Σₛ δᵢₖBᵣₛc₍ₗₛ₎  ((i, r) = i·3 + r, (l, s) = l·2 + s)",
        lambda v: _k(v) @ v["c"],
    ),
    (
        PROD + "H @ kron(A, B)",
        "B",
        "∂(H(A ⊗ B))ᵢ₍ⱼₛ₎/∂Bₖₗ = Σₘ δₛₗAₘⱼHᵢ₍ₘₖ₎  ((j, s) = j·2 + s, (m, k) = m·3 + k)",
        lambda v: v["H"] @ _k(v),
    ),
    (
        PROD + "H @ kron(A, B) @ F",
        "A",
        "∂(H(A ⊗ B)F)ᵢⱼ/∂Aₖₗ = Σᵣ Σₛ BᵣₛHᵢ₍ₖᵣ₎F₍ₗₛ₎ⱼ  ((k, r) = k·3 + r, (l, s) = l·2 + s)",
        lambda v: v["H"] @ _k(v) @ v["F"],
    ),
    (
        PROD + "kron(A, B).T @ H.T",
        "A",
        "∂((A ⊗ B)ᵀHᵀ)₍ᵢᵣ₎ⱼ/∂Aₖₗ = Σₛ δᵢₗBₛᵣHⱼ₍ₖₛ₎  ((i, r) = i·2 + r, (k, s) = k·3 + s)",
        lambda v: _k(v).T @ v["H"].T,
    ),
    (
        PROD + "kron(A @ A.T, B) @ F.T",
        "A",
        "∂((AAᵀ ⊗ B)Fᵀ)₍ᵢᵣ₎ⱼ/∂Aₖₗ = Σₘ Σₛ δᵢₖAₘₗBᵣₛFⱼ₍ₘₛ₎ + Σₛ AᵢₗBᵣₛFⱼ₍ₖₛ₎"
        "  ((i, r) = i·3 + r, (m, s) = m·2 + s, (k, s) = k·2 + s)",
        lambda v: np.kron(v["A"] @ v["A"].T, v["B"]) @ v["F"].T,
    ),
    (
        PROD + "kron(A, B) @ F - 3 * kron(D, B) @ F",
        "B",
        "∂((A ⊗ B)F − 3(D ⊗ B)F)₍ᵢᵣ₎ⱼ/∂Bₖₗ = δᵣₖ(Σₘ AᵢₘF₍ₘₗ₎ⱼ − 3 Σₙ DᵢₙF₍ₙₗ₎ⱼ)"
        "  ((i, r) = i·3 + r, (m, l) = m·2 + l, (n, l) = n·2 + l)",
        lambda v: _k(v) @ v["F"] - 3 * _k(v, "D") @ v["F"],
    ),
    (
        PROD + "exp(kron(A, B) @ F)",
        "A",
        "∂(exp((A ⊗ B)F))₍ᵢᵣ₎ⱼ/∂Aₖₗ = Σₛ δᵢₖS₍ᵢᵣ₎ⱼBᵣₛF₍ₗₛ₎ⱼ"
        "  ((i, r) = i·3 + r, (l, s) = l·2 + s), where S = exp((A ⊗ B)F)",
        lambda v: np.exp(_k(v) @ v["F"]),
    ),
    (
        PROD + "sum(kron(A, B) @ F)",
        "A",
        "∂(sum((A ⊗ B)F))/∂Aₖₗ = Σₛ Σᵣ Σⱼ BᵣₛF₍ₗₛ₎ⱼ  ((l, s) = l·2 + s)",
        lambda v: (_k(v) @ v["F"]).sum(),
    ),
    (
        PROD + "c @ kron(A, B) @ c",
        "A",
        "∂(cᵀ(A ⊗ B)c)/∂Aₖₗ = Σᵣ Σₛ Bᵣₛc₍ₖᵣ₎c₍ₗₛ₎  ((k, r) = k·3 + r, (l, s) = l·2 + s)",
        lambda v: v["c"] @ _k(v) @ v["c"],
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), PRODUCTS)
def test_a_product_with_a_kronecker_product(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn, check_n=2)


def test_a_product_with_a_kronecker_product_in_latex():
    d = matcalc.derivative(PROD + "kron(A, B) @ F", "A")
    assert d.latex() == (
        "\\frac{\\partial (\\left(A \\otimes B\\right) F)_{(ir)j}}{\\partial A_{kl}} = "
        "\\sum_{s} \\delta_{ik}B_{rs}F_{(ls)j}\\quad ((i, r) = i \\cdot 3 + r, "
        "(l, s) = l \\cdot 2 + s)"
    )


def test_no_index_form_keeps_the_differential():
    """Both factors of the Kronecker product depend on the variable: neither form here,
    the differential stays."""
    d = matcalc.derivative(PROD + "kron(A, A.T) @ F", "A")
    assert str(d) == "d((A ⊗ Aᵀ)F) = (dA ⊗ Aᵀ + A ⊗ dAᵀ)F"
