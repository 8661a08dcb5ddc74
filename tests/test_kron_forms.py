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


def test_no_index_form_keeps_the_differential():
    """A product after the Kronecker one has neither form here: the differential stays."""
    d = matcalc.derivative(KRON + "kron(A, B) @ C", "A")
    assert str(d) == "d((A ⊗ B)C) = (dA ⊗ B)C"
