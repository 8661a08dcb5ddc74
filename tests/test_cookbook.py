"""The Matrix Cookbook's derivative identities (Petersen & Pedersen, Nov 2012, section 2),
plus the deep-learning ones of our issue and Hessians, each row checked three ways:

  (1) `str(d)` is the expected text: matcalc's form, as simple as the Cookbook's;
  (2) `d.evaluate(values)` agrees with central finite differences of the expression's own
      value at a random point with a distinct size per dimension (shape output + wrt);
  (3) `d.check()` (SymPy's component check) passes.

Equation numbers are the Cookbook's; "=" after a number means a special case of it. The
Cookbook writes a gradient by a vector as a column; matcalc's default (numerator) layout
prints it as a row, so (B + Bᵀ)x appears as xᵀ(Bᵀ + B). A scalar by a matrix is shaped like
the matrix, as in the Cookbook; a matrix by a matrix prints as ∂vec(Y)/∂vec(X) = Kronecker,
or in index notation. Shapes are non-square wherever the identity allows (m ≠ n ≠ k), so
that a transposition error cannot hide.

Where matcalc's current output is right but clearly less simple than the Cookbook's (not
factored, a cancellation X⁻ᵀXᵀ left in, …), the expected text is the Cookbook's form and
the row fails until the simplifier learns it: those rows are the to-do list.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    ATOL,
    RTOL,
    check_problems,
    dimension_sizes,
    evaluate_problems,
    finite_difference,
    printed_problems,
    random_values,
)

import matcalc
from matcalc import expr as E
from matcalc.api import _parse
from matcalc.evaluate import bind, evaluate


def _row(eq, query, wrt, expected):
    return pytest.param(query, wrt, expected, id=eq)


# ------------------------------------------------------------------ 2.4.1 linear forms
LINEAR = [
    #    eq/name           query                                                           wrt  expected
    _row("(69) xᵀa", "a, x: vector(n); x @ a", "x", "aᵀ"),
    _row("(69) aᵀx", "a, x: vector(n); a @ x", "x", "aᵀ"),
    _row("(70) aᵀXb", "a: vector(m); b: vector(n); X: matrix(m, n); a @ X @ b", "X", "abᵀ"),
    _row("(71) aᵀXᵀb", "a: vector(n); b: vector(m); X: matrix(m, n); a @ X.T @ b", "X", "baᵀ"),
    _row("(72) aᵀXa", "a: vector(n); X: matrix(n, n); a @ X @ a", "X", "aaᵀ"),
    _row("(72) aᵀXᵀa", "a: vector(n); X: matrix(n, n); a @ X.T @ a", "X", "aaᵀ"),
    _row("(74) XA", "X: matrix(m, n); A: matrix(n, k); X @ A", "X", "∂vec(XA)/∂vec(X) = Aᵀ ⊗ I"),
    _row("(75) XᵀA", "X: matrix(m, n); A: matrix(m, k); X.T @ A", "X", "∂(XᵀA)ᵢⱼ/∂Xₖₗ = δᵢₗAₖⱼ"),
    _row(
        "(520) vec(AXB)",
        "A: matrix(k, m); X: matrix(m, n); B: matrix(n, l); A @ X @ B",
        "X",
        "∂vec(AXB)/∂vec(X) = Bᵀ ⊗ A",
    ),
]

# ------------------------------------------------------------------ 2.4.2-2.4.4 quadratic and higher forms
QUADRATIC = [
    #    eq/name                query                                                                     wrt  expected
    _row("(76) (ΣX)²", "X: matrix(m, n); sum(X)^2", "X", "2sum(X)1 1ᵀ"),
    _row("(77) bᵀXᵀXc", "b, c: vector(n); X: matrix(m, n); b @ X.T @ X @ c", "X", "X(bcᵀ + cbᵀ)"),
    _row(
        "(78) (Bx+b)ᵀC(Dx+d)",
        "x: vector(n); B: matrix(m, n); b: vector(m); C: matrix(m, k); "
        "D: matrix(k, n); d: vector(k); (B @ x + b) @ C @ (D @ x + d)",
        "x",
        "(Dx + d)ᵀCᵀB + (Bx + b)ᵀCD",
    ),
    _row(
        "(80) XᵀBX",
        "X: matrix(m, n); B: matrix(m, m); X.T @ B @ X",
        "X",
        "∂(XᵀBX)ᵢⱼ/∂Xₖₗ = δᵢₗ(BX)ₖⱼ + (XᵀB)ᵢₖδₗⱼ",
    ),
    _row("(81) xᵀBx", "x: vector(n); B: matrix(n, n); x @ B @ x", "x", "xᵀ(Bᵀ + B)"),
    _row("(81) xᵀBx, B = Bᵀ", "x: vector(n); B: symmetric(n); x @ B @ x", "x", "2xᵀB"),
    _row(
        "(82) bᵀXᵀDXc",
        "b, c: vector(n); D: matrix(m, m); X: matrix(m, n); b @ X.T @ D @ X @ c",
        "X",
        "DᵀXbcᵀ + DXcbᵀ",
    ),
    _row(
        "(83) (Xb+c)ᵀD(Xb+c)",
        "b: vector(n); c: vector(m); D: matrix(m, m); X: matrix(m, n); "
        "(X @ b + c) @ D @ (X @ b + c)",
        "X",
        "(Dᵀ + D)(Xb + c)bᵀ",
    ),
    _row(
        "(84) by s",
        "x: vector(m); A: matrix(m, n); s: vector(n); W: symmetric(m); "
        "(x - A @ s) @ W @ (x - A @ s)",
        "s",
        "2(As − x)ᵀWA",
    ),
    _row("(85) by x", "x, s: vector(n); W: symmetric(n); (x - s) @ W @ (x - s)", "x", "2(x − s)ᵀW"),
    _row("(86) by s", "x, s: vector(n); W: symmetric(n); (x - s) @ W @ (x - s)", "s", "2(s − x)ᵀW"),
    _row(
        "(87) by x",
        "x: vector(m); A: matrix(m, n); s: vector(n); W: symmetric(m); "
        "(x - A @ s) @ W @ (x - A @ s)",
        "x",
        "2(x − As)ᵀW",
    ),
    _row(
        "(88) by A",
        "x: vector(m); A: matrix(m, n); s: vector(n); W: symmetric(m); "
        "(x - A @ s) @ W @ (x - A @ s)",
        "A",
        "2W(As − x)sᵀ",
    ),
    _row("(85)= ‖x − a‖²", "x, a: vector(n); norm(x - a)^2", "x", "2(x − a)ᵀ"),
    _row("(91) aᵀX²b", "a, b: vector(n); X: matrix(n, n); a @ X @ X @ b", "X", "Xᵀabᵀ + abᵀXᵀ"),
    _row(
        "(93) sᵀAr",
        "x: vector(n); A: matrix(m, k); X: matrix(m, n); Y: matrix(k, n); (X @ x) @ A @ (Y @ x)",
        "x",
        "xᵀ(YᵀAᵀX + XᵀAY)",
    ),
    _row(
        "(94) Rayleigh-type",
        "A: matrix(m, n); B: matrix(k, n); x: vector(n); (A @ x) @ (A @ x) / ((B @ x) @ (B @ x))",
        "x",
        "(2/(xᵀBᵀBx))xᵀAᵀA − (2(xᵀAᵀAx)/(xᵀBᵀBx)²)xᵀBᵀB",
    ),
    _row(
        "(96) ∇(xᵀAx + bᵀx)",
        "x, b: vector(n); A: matrix(n, n); x @ A @ x + b @ x",
        "x",
        "xᵀ(Aᵀ + A) + bᵀ",
    ),
]

# ------------------------------------------------------------------ 2.5 traces
TRACES = [
    #    eq/name                      query                                                                              wrt  expected
    _row("(99) Tr(X)", "X: matrix(n, n); trace(X)", "X", "I"),
    _row("(100) Tr(XA)", "X: matrix(m, n); A: matrix(n, m); trace(X @ A)", "X", "Aᵀ"),
    _row(
        "(101) Tr(AXB)",
        "A: matrix(k, m); X: matrix(m, n); B: matrix(n, k); trace(A @ X @ B)",
        "X",
        "AᵀBᵀ",
    ),
    _row(
        "(102) Tr(AXᵀB)",
        "A: matrix(k, n); X: matrix(m, n); B: matrix(m, k); trace(A @ X.T @ B)",
        "X",
        "BA",
    ),
    _row("(103) Tr(XᵀA)", "X, A: matrix(m, n); trace(X.T @ A)", "X", "A"),
    _row("(104) Tr(AXᵀ)", "X, A: matrix(m, n); trace(A @ X.T)", "X", "A"),
    _row("(106) Tr(X²)", "X: matrix(n, n); trace(X @ X)", "X", "2Xᵀ"),
    _row("(107) Tr(X²B)", "X, B: matrix(n, n); trace(X @ X @ B)", "X", "(BX + XB)ᵀ"),
    _row(
        "(108) Tr(XᵀBX)", "X: matrix(m, n); B: matrix(m, m); trace(X.T @ B @ X)", "X", "(Bᵀ + B)X"
    ),
    _row(
        "(108) Tr(XᵀBX), B = Bᵀ", "X: matrix(m, n); B: symmetric(m); trace(X.T @ B @ X)", "X", "2BX"
    ),
    _row(
        "(109) Tr(BXXᵀ)", "X: matrix(m, n); B: matrix(m, m); trace(B @ X @ X.T)", "X", "(B + Bᵀ)X"
    ),
    _row(
        "(110) Tr(XXᵀB)", "X: matrix(m, n); B: matrix(m, m); trace(X @ X.T @ B)", "X", "(B + Bᵀ)X"
    ),
    _row(
        "(111) Tr(XBXᵀ)", "X: matrix(m, n); B: matrix(n, n); trace(X @ B @ X.T)", "X", "X(B + Bᵀ)"
    ),
    _row(
        "(112) Tr(BXᵀX)", "X: matrix(m, n); B: matrix(n, n); trace(B @ X.T @ X)", "X", "X(Bᵀ + B)"
    ),
    _row(
        "(113) Tr(XᵀXB)", "X: matrix(m, n); B: matrix(n, n); trace(X.T @ X @ B)", "X", "X(Bᵀ + B)"
    ),
    _row(
        "(114) Tr(AXBX)",
        "A: matrix(n, m); X: matrix(m, n); B: matrix(n, m); trace(A @ X @ B @ X)",
        "X",
        "(AXB + BXA)ᵀ",
    ),
    _row("(115) Tr(XᵀX)", "X: matrix(m, n); trace(X.T @ X)", "X", "2X"),
    _row("(115) Tr(XXᵀ)", "X: matrix(m, n); trace(X @ X.T)", "X", "2X"),
    _row(
        "(116) Tr(BᵀXᵀCXB)",
        "B: matrix(n, k); X: matrix(m, n); C: matrix(m, m); trace(B.T @ X.T @ C @ X @ B)",
        "X",
        "(Cᵀ + C)XBBᵀ",
    ),
    _row(
        "(117) Tr(XᵀBXC)",
        "X: matrix(m, n); B: matrix(m, m); C: matrix(n, n); trace(X.T @ B @ X @ C)",
        "X",
        "BᵀXCᵀ + BXC",
    ),
    _row(
        "(118) Tr(AXBXᵀC)",
        "A: matrix(k, m); X: matrix(m, n); B: matrix(n, n); C: matrix(m, k); "
        "trace(A @ X @ B @ X.T @ C)",
        "X",
        "CAXB + AᵀCᵀXBᵀ",
    ),
    _row(
        "(119) Tr[(AXB+C)(AXB+C)ᵀ]",
        "A: matrix(k, m); X: matrix(m, n); B: matrix(n, l); C: matrix(k, l); "
        "trace((A @ X @ B + C) @ (A @ X @ B + C).T)",
        "X",
        "2Aᵀ(AXB + C)Bᵀ",
    ),
    _row("(120) Tr(X)Tr(X)", "X: matrix(n, n); trace(X) * trace(X)", "X", "2tr(X)I"),
    _row("(121) Tr(X³)", "X: matrix(n, n); trace(X @ X @ X)", "X", "3XᵀXᵀ"),
    _row("(122) Tr(AX²)", "A, X: matrix(n, n); trace(A @ X @ X)", "X", "(AX + XA)ᵀ"),
    _row("(124)= Tr(X⁻¹A)", "X, A: matrix(n, n); trace(inv(X) @ A)", "X", "−X⁻ᵀAᵀX⁻ᵀ"),
]

# ------------------------------------------------------------------ 2.2 inverses
INVERSES = [
    #    eq/name                   query                                               wrt  expected
    _row("(60) X⁻¹", "X: matrix(n, n); inv(X)", "X", "∂vec(X⁻¹)/∂vec(X) = −X⁻ᵀ ⊗ X⁻¹"),
    _row("(61) aᵀX⁻¹b", "X: matrix(n, n); a, b: vector(n); a @ inv(X) @ b", "X", "−X⁻ᵀabᵀX⁻ᵀ"),
    _row("(62) det(X⁻¹)", "X: matrix(n, n); det(inv(X))", "X", "−det(X⁻¹)X⁻ᵀ"),
    _row(
        "(63) = (124) Tr(AX⁻¹B)",
        "X: matrix(n, n); A: matrix(m, n); B: matrix(n, m); trace(A @ inv(X) @ B)",
        "X",
        "−X⁻ᵀAᵀBᵀX⁻ᵀ",
    ),
    _row("(64) Tr((X+A)⁻¹)", "X, A: matrix(n, n); trace(inv(X + A))", "X", "−(X + A)⁻ᵀ(X + A)⁻ᵀ"),
]

# ------------------------------------------------------------------ 2.1 determinants
DETERMINANTS = [
    #    eq/name                        query                                                 wrt  expected
    _row("(49) det(X)", "X: matrix(n, n); det(X)", "X", "det(X)X⁻ᵀ"),
    _row("(51) det(AXB)", "A, X, B: matrix(n, n); det(A @ X @ B)", "X", "det(AXB)X⁻ᵀ"),
    _row("(52) det(XᵀAX), X square", "X, A: matrix(n, n); det(X.T @ A @ X)", "X", "2det(XᵀAX)X⁻ᵀ"),
    _row(
        "(53) det(XᵀAX), A = Aᵀ",
        "X: matrix(m, n); A: symmetric(m); det(X.T @ A @ X)",
        "X",
        "2det(XᵀAX)AX(XᵀAX)⁻¹",
    ),
    _row(
        "(54) det(XᵀAX)",
        "X: matrix(m, n); A: matrix(m, m); det(X.T @ A @ X)",
        "X",
        "det(XᵀAX)(AᵀX(XᵀAX)⁻ᵀ + AX(XᵀAX)⁻¹)",
    ),
    _row("(55) ln det(XᵀX)", "X: matrix(m, n); logdet(X.T @ X)", "X", "2X(XᵀX)⁻¹"),
    _row("(55)= ln det(XᵀX), X square", "X: matrix(n, n); logdet(X.T @ X)", "X", "2X⁻ᵀ"),
    _row("(57) ln det(X) (logdet)", "X: matrix(n, n); logdet(X)", "X", "X⁻ᵀ"),
    _row("(57) ln det(X) (log∘det)", "X: matrix(n, n); log(det(X))", "X", "X⁻ᵀ"),
    _row("(58) det(X²)", "X: matrix(n, n); det(X @ X)", "X", "2det(XX)X⁻ᵀ"),
]

# ------------------------------------------------------------------ 2.6, 2.7 norms
NORMS = [
    #    eq/name                   query                                                             wrt  expected
    _row("(129) ‖x − a‖₂", "x, a: vector(n); norm(x - a)", "x", "(x − a)ᵀ/‖x − a‖"),
    _row(
        "(130) (x − a)/‖x − a‖₂",
        "x, a: vector(n); (x - a) / norm(x - a)",
        "x",
        "I/‖x − a‖ − (1/‖x − a‖³)(x − a)(x − a)ᵀ",
    ),
    _row("(131) ‖x‖₂²", "x: vector(n); norm(x)^2", "x", "2xᵀ"),
    _row("(129)= ‖x‖₂", "x: vector(n); norm(x)", "x", "xᵀ/‖x‖"),
    _row("(132) ‖X‖_F²", "X: matrix(m, n); norm(X)^2", "X", "2X"),
    _row(
        "(132)= ‖AXB + C‖_F²",
        "A: matrix(k, m); X: matrix(m, n); B: matrix(n, l); C: matrix(k, l); norm(A @ X @ B + C)^2",
        "X",
        "2Aᵀ(AXB + C)Bᵀ",
    ),
    _row(
        "(87)= ‖Ax − b‖²",
        "A: matrix(m, n); x: vector(n); b: vector(m); norm(A @ x - b)^2",
        "x",
        "2(Ax − b)ᵀA",
    ),
]

# ------------------------------------------------------------------ deep learning (our issue)
LAYER = "W: matrix(m, n); x: vector(n); b: vector(m); "
CE = "W: matrix(m, n); x: vector(n); y: vector(m); -(y @ log(softmax(W @ x)))"
CE_SIMPLEX = "W: matrix(m, n); x: vector(n); y: simplex(m); -(y @ log(softmax(W @ x)))"
DEEP = [
    #    eq/name                      query                               wrt  expected
    _row(
        "softmax Jacobian",
        "x: vector(n); softmax(x)",
        "x",
        "diag(s) − ssᵀ  where s = softmax(x)",
    ),
    _row("logsumexp gradient", "x: vector(n); logsumexp(x)", "x", "softmax(x)ᵀ"),
    _row(
        "logsumexp(Wx) − yᵀWx by W",
        "W: matrix(m, n); x: vector(n); y: vector(m); logsumexp(W @ x) - y @ (W @ x)",
        "W",
        "(s − y)xᵀ  where s = softmax(Wx)",
    ),
    _row("sigmoid", "x: vector(n); sigmoid(x)", "x", "diag(σ(x) ⊙ (1 − σ(x)))"),
    _row("softplus", "x: vector(n); softplus(x)", "x", "diag(σ(x))"),
    _row("tanh", "x: vector(n); tanh(x)", "x", "diag(1 − tanh(x)²)"),
    _row(
        "sigmoid layer by x",
        LAYER + "sigmoid(W @ x + b)",
        "x",
        "diag(σ ⊙ (1 − σ))W  where σ = σ(Wx + b)",
    ),
    _row(
        "sigmoid layer by b",
        LAYER + "sigmoid(W @ x + b)",
        "b",
        "diag(σ ⊙ (1 − σ))  where σ = σ(Wx + b)",
    ),
    _row(
        "sigmoid layer by W",
        LAYER + "sigmoid(W @ x + b)",
        "W",
        "∂vec(σ(Wx + b))/∂vec(W) = xᵀ ⊗ diag(σ ⊙ (1 − σ))  where σ = σ(Wx + b)",
    ),
    _row("softplus layer by x", LAYER + "softplus(W @ x + b)", "x", "diag(σ(Wx + b))W"),
    _row("tanh layer by x", LAYER + "tanh(W @ x + b)", "x", "diag(1 − tanh(Wx + b)²)W"),
    _row(
        "tanh layer by W",
        LAYER + "tanh(W @ x + b)",
        "W",
        "∂vec(tanh(Wx + b))/∂vec(W) = xᵀ ⊗ diag(1 − tanh(Wx + b)²)",
    ),
    _row(
        "sum sigmoid layer by W",
        LAYER + "sum(sigmoid(W @ x + b))",
        "W",
        "(σ ⊙ (1 − σ))xᵀ  where σ = σ(Wx + b)",
    ),
    _row("sum softplus layer by W", LAYER + "sum(softplus(W @ x + b))", "W", "σ(Wx + b)xᵀ"),
    _row("sum tanh layer by W", LAYER + "sum(tanh(W @ x + b))", "W", "(1 − tanh(Wx + b)²)xᵀ"),
]

# Cross-entropy of a softmax layer: the true gradient is (softmax(Wx) − y)xᵀ when sum(y) = 1.
# For a general y matcalc prints the form that holds for every y; declared `simplex` it uses
# sum(y) = 1. Values: y on the simplex in every row (and compared with the closed form too).
CROSS_ENTROPY = [
    #    eq/name                      query       wrt  expected
    _row("cross-entropy by W", CE, "W", "(sum(y)s − y)xᵀ  where s = softmax(Wx)"),
    _row("cross-entropy by x", CE, "x", "(sum(y)s − y)ᵀW  where s = softmax(Wx)"),
    _row("cross-entropy by W, y ∈ Δ", CE_SIMPLEX, "W", "(s − y)xᵀ  where s = softmax(Wx)"),
    _row("cross-entropy by x, y ∈ Δ", CE_SIMPLEX, "x", "(s − y)ᵀW  where s = softmax(Wx)"),
]

# ------------------------------------------------------------------ by a symmetric matrix
# The Cookbook's main formulas hold for a symmetric X as the unconstrained gradient (the
# entries treated as independent, then X = Xᵀ), matcalc's convention (README, "Layouts"),
# not §2.8.1's 2G − diag(G) by the distinct entries. Values: X symmetric; differences and
# SymPy differentiate by every entry on its own.
SYMMETRIC_X = [
    #    eq/name                  query                                                      wrt  expected
    _row("(70) aᵀXb, X = Xᵀ", "X: symmetric(n); a, b: vector(n); a @ X @ b", "X", "abᵀ"),
    _row("(72) xᵀXx, X = Xᵀ", "X: symmetric(n); x: vector(n); x @ X @ x", "X", "xxᵀ"),
    _row("(100) Tr(AX), X = Xᵀ", "X: symmetric(n); A: matrix(n, n); trace(A @ X)", "X", "Aᵀ"),
    _row("Tr(X²), X = Xᵀ", "X: symmetric(n); trace(X @ X)", "X", "2X"),
    _row(
        "Tr(XBX), X, B sym.", "X: symmetric(n); B: symmetric(n); trace(X @ B @ X)", "X", "BX + XB"
    ),
    _row("‖X‖², X = Xᵀ", "X: symmetric(n); norm(X)^2", "X", "2X"),
    _row("(49) det(X), X = Xᵀ", "X: symmetric(n); det(X)", "X", "det(X)X⁻¹"),
    _row("(57) ln det(X), X = Xᵀ", "X: symmetric(n); logdet(X)", "X", "X⁻¹"),
    _row(
        "(61)= xᵀX⁻¹x, X = Xᵀ", "X: symmetric(n); x: vector(n); x @ inv(X) @ x", "X", "−X⁻¹xxᵀX⁻¹"
    ),
    _row(
        "(63)= Tr(X⁻¹A), X = Xᵀ",
        "X: symmetric(n); A: matrix(n, n); trace(inv(X) @ A)",
        "X",
        "−X⁻¹AᵀX⁻¹",
    ),
]

# ------------------------------------------------------------------ Hessians (matcalc.hessian)
HESSIANS = [
    #    eq/name              query                                                             wrt  expected
    _row("(97) xᵀAx", "x: vector(n); A: matrix(n, n); x @ A @ x", "x", "A + Aᵀ"),
    _row("(97) xᵀAx, A = Aᵀ", "x: vector(n); A: symmetric(n); x @ A @ x", "x", "2A"),
    _row("(97) xᵀAx + bᵀx", "x, b: vector(n); A: matrix(n, n); x @ A @ x + b @ x", "x", "A + Aᵀ"),
    _row(
        "‖Ax − b‖²", "A: matrix(m, n); x: vector(n); b: vector(m); norm(A @ x - b)^2", "x", "2AᵀA"
    ),
    _row("sum(exp(Ax))", "A: matrix(m, n); x: vector(n); sum(exp(A @ x))", "x", "Aᵀdiag(exp(Ax))A"),
    _row(
        "logistic loss",
        "X: matrix(m, n); w: vector(n); y: vector(m); sum(softplus(X @ w) - y * (X @ w))",
        "w",
        "Xᵀdiag(σ(Xw) ⊙ (1 − σ(Xw)))X",
    ),
    _row("logsumexp", "x: vector(n); logsumexp(x)", "x", "diag(s) − ssᵀ  where s = softmax(x)"),
    _row("sum(softplus(x))", "x: vector(n); sum(softplus(x))", "x", "diag(σ(x) ⊙ (1 − σ(x)))"),
]


# ------------------------------------------------------------------ the three-way check
HESSIAN_STEP = 1e-4  # second differences: error ~ h² + eps·|f|/h²
HESSIAN_RTOL, HESSIAN_ATOL = 1e-4, 1e-5


def _on_simplex(variables, values, names):
    """`values` with each of `names` and every variable declared simplex scaled to sum 1."""
    out = dict(values)
    for name, var in variables.items():
        if name in names or getattr(var, "structure", None) == "simplex":
            out[name] = np.asarray(values[name], dtype=float) / np.sum(values[name])
    return out


def _hessian_by_differences(expr, variables, wrt, values):
    """Second-order central differences of the function's own value (n × n)."""

    def f(point):
        arrays, dims = bind(variables, {**values, wrt: point})
        return float(np.asarray(evaluate(expr, arrays, dims)).reshape(()))

    x = np.asarray(values[wrt], dtype=float)
    n, h = x.size, HESSIAN_STEP
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h * h
            )
    return H


def _check_size(expr, variables) -> int:
    """SymPy's check runs at n = 3 (the first dimension; the others 2, 4, 5, …). A query
    over one dimension only, with det or inv, is checked at n = 2: the symbolic determinant
    of a product of 3×3 matrices takes SymPy 20-50 s, and with one dimension there is no
    transposition for distinct sizes to expose. Finite differences still use size 3."""
    dims = dimension_sizes(variables)
    heavy = any(isinstance(n, (E.Det, E.Inv)) for n in E.walk(expr))
    return 2 if heavy and len(dims) == 1 else 3


def assert_three_ways(query, wrt, expected, hessian=False, simplex=()):
    """∂query/∂wrt (or the Hessian) prints as `expected`, evaluates as finite differences of
    the expression's value say (shape output + wrt), and passes `check()`. All three are
    tried; every failure is reported together."""
    expr, variables = _parse(query, None)
    d = (matcalc.hessian if hessian else matcalc.derivative)(query, wrt)
    values = _on_simplex(variables, random_values(query), simplex)
    if hessian:
        assert d.function is not None, "a Hessian's Derivative carries its function"
        want = _hessian_by_differences(expr, variables, wrt, values)
        rtol, atol = HESSIAN_RTOL, HESSIAN_ATOL
    else:
        want = finite_difference(query, wrt, None, values)
        rtol, atol = RTOL, ATOL
    problems = (
        printed_problems(d, expected)
        + evaluate_problems(d, want, values, variables, rtol, atol)
        + check_problems(d, n=_check_size(expr, variables))
    )
    if problems:
        what = f"∂²({query})/∂{wrt}²" if hessian else f"∂({query})/∂{wrt}"
        raise AssertionError(what + ":\n  " + "\n  ".join(problems))
    return d


# ------------------------------------------------------------------ the tests
@pytest.mark.parametrize(
    "query, wrt, expected", LINEAR + QUADRATIC + TRACES + INVERSES + DETERMINANTS + NORMS + DEEP
)
def test_cookbook_identity(query, wrt, expected):
    assert_three_ways(query, wrt, expected)


@pytest.mark.parametrize("query, wrt, expected", SYMMETRIC_X)
def test_by_a_symmetric_matrix(query, wrt, expected):
    assert_three_ways(query, wrt, expected)


@pytest.mark.parametrize("query, wrt, expected", CROSS_ENTROPY)
def test_cross_entropy(query, wrt, expected):
    assert_three_ways(query, wrt, expected, simplex=("y",))


def test_cross_entropy_value_is_softmax_minus_y():
    """With y on the simplex the value is the textbook (softmax(Wx) − y)xᵀ, whichever way y
    is declared, and finite differences agree."""
    for query in (CE, CE_SIMPLEX):
        _, variables = _parse(query, None)
        values = _on_simplex(variables, random_values(query, seed=3), ("y",))
        W, x, y = (np.asarray(values[k], dtype=float) for k in "Wxy")
        e = np.exp(W @ x - (W @ x).max())
        textbook = np.outer(e / e.sum() - y, x)
        np.testing.assert_allclose(
            finite_difference(query, "W", None, values), textbook, rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(
            matcalc.derivative(query, "W").evaluate(values), textbook, rtol=RTOL, atol=ATOL
        )


@pytest.mark.parametrize("query, wrt, expected", HESSIANS)
def test_hessian(query, wrt, expected):
    assert_three_ways(query, wrt, expected, hessian=True)
