"""The textbook's forms (issue 10, "Canonical, simplest forms"): each case prints as the book
writes it, agrees with central differences of an independent NumPy function of the inputs
(and of the expression, `assert_derivative`), and passes SymPy's check."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ATOL, RTOL, STEP, assert_derivative, random_values

import matcalc
from matcalc import testing


def _sig(u):
    return 1.0 / (1.0 + np.exp(-u))


LOGISTIC = "X: matrix(N, n); t: vector(N); w: vector(n); "
BCE = "-sum(t*log(sigmoid(X@w)) + (1-t)*log(1-sigmoid(X@w)))"
CASES = [
    # name, query, wrt, printed, an independent NumPy function of the values
    (
        "logistic loss: t − σ, the label terms cancel",
        LOGISTIC + BCE,
        "w",
        "(σ − t)ᵀX  where σ = σ(Xw)",
        lambda v: (
            -np.sum(
                v["t"] * np.log(_sig(v["X"] @ v["w"]))
                + (1 - v["t"]) * np.log(1 - _sig(v["X"] @ v["w"]))
            )
        ),
    ),
    (
        "exp(u)/(1 + exp(u)) is σ(u)",
        "u: vector(n); exp(u)/(1+exp(u))",
        "u",
        "diag(σ(u) ⊙ (1 − σ(u)))",
        lambda v: np.exp(v["u"]) / (1 + np.exp(v["u"])),
    ),
    (
        "exp(−u)/(1 + exp(−u)) is σ(−u), and σ(−u) − 1 = −σ(u)",
        "u: vector(n); exp(-u)/(1+exp(-u))",
        "u",
        "−diag(σ(−u) ⊙ σ(u))",
        lambda v: np.exp(-v["u"]) / (1 + np.exp(-v["u"])),
    ),
    (
        "σ(−u) + σ(u) = 1",
        "u: vector(n); sum(sigmoid(-u) + sigmoid(u))",
        "u",
        "0ᵀ",
        lambda v: np.sum(_sig(-v["u"]) + _sig(v["u"])),
    ),
    (
        "sum(I ⊙ X) = tr(X), traces collected: 3tr(X)²I",
        "X: matrix(n, n); trace(trace(trace(X) * X) * X)",
        "X",
        "3tr(X)²I",
        lambda v: np.trace(np.trace(np.trace(v["X"]) * v["X"]) * v["X"]),
    ),
    (
        "least squares: transposes gathered",
        "A: matrix(m, n); x: vector(n); b: vector(m); (A@x - b) @ (A@x - b)",
        "x",
        "2(Ax − b)ᵀA",
        lambda v: (v["A"] @ v["x"] - v["b"]) @ (v["A"] @ v["x"] - v["b"]),
    ),
    (
        "Gaussian by Σ: the sign kept in front (Cookbook)",
        "x, mu: vector(n); S: matrix(n, n); 0.5*(x-mu)@inv(S)@(x-mu)",
        "S",
        "−(1/2)S⁻ᵀ(x − mu)(x − mu)ᵀS⁻ᵀ",
        lambda v: 0.5 * (v["x"] - v["mu"]) @ np.linalg.inv(v["S"]) @ (v["x"] - v["mu"]),
    ),
    (
        "GMM responsibility: γ(1 − γ) factored",
        "a, b, p: scalar; p*exp(a)/(p*exp(a) + (1-p)*exp(b))",
        "a",
        "p exp(a)(1 − p exp(a)/(p exp(a) + exp(b) − p exp(b)))/(p exp(a) + exp(b) − p exp(b))",
        lambda v: (
            v["p"] * np.exp(v["a"]) / (v["p"] * np.exp(v["a"]) + (1 - v["p"]) * np.exp(v["b"]))
        ),
    ),
    (
        "layer norm: no zero sum left, the outer product v₁ v₁ᵀ, mean printed as mean",
        "x: vector(n); e: scalar; (x - mean(x)) / sqrt(mean((x - mean(x))^2) + e)",
        "x",
        "(1/(n(mean(v₁²) + e)^(3/2)))v₁ v₁ᵀ(1/n − I) + (1/√(mean(v₁²) + e))(I − 1/n)"
        "  where v₁ = x − mean(x)",
        lambda v: (
            (v["x"] - v["x"].mean()) / np.sqrt(np.mean((v["x"] - v["x"].mean()) ** 2) + v["e"])
        ),
    ),
    (
        "the sum of a centred vector is constant",
        "x: vector(n); sum(x - mean(x))",
        "x",
        "0ᵀ",
        lambda v: np.sum(v["x"] - v["x"].mean()),
    ),
    (
        "softplus of −Wx: σ folded",
        "x: vector(n); W: matrix(n, n); sum(log(1 + exp(-W@x)))",
        "x",
        "−σ(−Wx)ᵀW",
        lambda v: np.sum(np.log(1 + np.exp(-v["W"] @ v["x"]))),
    ),
]


@pytest.mark.parametrize("name, query, wrt, printed, f", CASES, ids=[c[0] for c in CASES])
def test_textbook_form(name, query, wrt, printed, f):
    d = assert_derivative(query, wrt, printed)
    values = random_values(query)
    want = testing.jacobian(lambda at: np.asarray(f(at)), values, wrt, h=STEP)
    np.testing.assert_allclose(np.asarray(d.evaluate(values)), want, rtol=RTOL, atol=ATOL)


def test_the_logistic_hessian_has_no_label_terms():
    d = matcalc.hessian(LOGISTIC + BCE, "w")
    assert str(d) == "Xᵀdiag(σ(Xw) ⊙ (1 − σ(Xw)))X"
    d.check(n=2)


@pytest.mark.parametrize(
    "query, wrt, rule",
    [
        ("x: vector(n); log(sigmoid(x))", "x", "diag-diag-cancels"),
        (
            "y: simplex(m); W: matrix(m, n); x: vector(n); -(y @ log(softmax(W @ x)))",
            "x",
            "simplex-sum",
        ),
        ("A: matrix(m, n); x: vector(n); b: vector(m); (A@x - b) @ (A@x - b)", "x", None),
    ],
)
def test_every_rewrite_is_named_in_the_steps(query, wrt, rule):
    """No cancellation is silent: the rewrite that makes it is a step of its own."""
    d = matcalc.derivative(query, wrt)
    text = str(d.steps)
    steps = [line.rsplit("[", 1)[1].rstrip("]") for line in text.splitlines() if line.endswith("]")]
    named = {n for s in steps for n in s.split("; ")}
    assert rule is None or rule in named, text
    for r in d.rewrites:
        assert f"[{r.rule}]" in text


@pytest.mark.parametrize(
    ("query", "wrt", "printed", "f"),
    [
        ("x: vector(n); mean(x)^2", "x", "2mean(x)1ᵀ/n", lambda v: np.mean(v["x"]) ** 2),
        (
            "X: matrix(m, n); mean(X)^2",
            "X",
            "(2mean(X)/(mn))1 1ᵀ",
            lambda v: np.mean(v["X"]) ** 2,
        ),
        # a sum over fewer entries than its divisor counts stays a sum
        (
            "x: vector(n); y: vector(m); sum(x) / m",
            "x",
            "1ᵀ/m",
            lambda v: np.sum(v["x"]) / v["y"].size,
        ),
    ],
)
def test_mean_prints_as_mean(query, wrt, printed, f):
    """Issue 10: sum(u)/(m·n) of an m×n u prints mean(u), as the query wrote it (printing
    only: the node is sum(u)/(mn)); three ways."""
    d = assert_derivative(query, wrt, printed)
    values = random_values(query)
    want = testing.jacobian(lambda at: np.asarray(f(at)), values, wrt, h=STEP)
    np.testing.assert_allclose(np.asarray(d.evaluate(values)), want, rtol=RTOL, atol=ATOL)
