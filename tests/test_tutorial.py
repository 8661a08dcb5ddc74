"""Every rule and worked example of the tutorial ("The Matrix Calculus You Need For Deep
Learning", Parr & Howard), one row each: the query, what it is differentiated by, the
shapes, and matcalc's printed result in numerator layout. Each row is checked three ways (helpers.assert_derivative): the printed
form, `evaluate` against finite differences of the expression, and SymPy's check.

Where matcalc prints an equal form as simple as the tutorial's, that form is the expected
one: `zI` for the tutorial's `Iz`, `[a, b]ᵀ` for the row gradient [a, b] (in matcalc's
language [a, b] is a column), `(w·x + b > 0)xᵀ` for "0ᵀ where w·x + b ≤ 0, else xᵀ".
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_derivative, finite_difference, random_values

import matcalc

SCALARS = None  # undeclared lower-case names are scalars
X_ONLY = {"x": "scalar"}  # x declared: d99/dx needs an x
VEC = {"x": "vector(n)"}
WX = {"w": "vector(n)", "x": "vector(n)"}
XZ = {"x": "vector(n)", "z": "scalar"}
NEURON = {"w": "vector(n)", "x": "vector(n)", "b": "scalar"}
LOSS = {"X": "matrix(N, n)", "y": "vector(N)", "w": "vector(n)", "b": "scalar"}
LOSS_QUERY = "mean((y - max(0, X @ w + b))^2)"

TUTORIAL = [
    # query                        wrt         shapes   expected
    # -- Review: scalar derivative rules
    ("99", "x", X_ONLY, "0"),
    ("3*x", "x", SCALARS, "3"),
    ("x^3", "x", SCALARS, "3x²"),
    ("x^2 + 3*x", "x", SCALARS, "2x + 3"),
    ("x^2 * x", "x", SCALARS, "3x²"),
    ("ln(x^2)", "x", SCALARS, "2/x"),
    ("9*(x + x^2)", "x", SCALARS, "9(1 + 2x)"),
    # -- Partial derivatives, gradient, Jacobian
    ("3*x^2*y", "x", SCALARS, "6xy"),
    ("3*x^2*y", "y", SCALARS, "3x²"),
    ("3*x^2*y", ["x", "y"], SCALARS, "[6xy, 3x²]ᵀ"),
    ("[3*x^2*y, 2*x + y^8]", ["x", "y"], SCALARS, "[[6xy, 3x²], [2, 8y⁷]]"),
    ("x", "x", VEC, "I"),
    # -- Derivatives of vector element-wise binary operators
    ("w + x", "w", WX, "I"),
    ("w + x", "x", WX, "I"),
    ("w - x", "w", WX, "I"),
    ("w - x", "x", WX, "−I"),
    ("w * x", "w", WX, "diag(x)"),
    ("w * x", "x", WX, "diag(w)"),
    ("w / x", "w", WX, "diag(1 ⊘ x)"),
    ("w / x", "x", WX, "−diag(w ⊘ x²)"),
    # -- ... the general rule: f(w) ○ g(x) has the diagonal Jacobian diag(∂(fᵢ ○ gᵢ)/∂wᵢ)
    ("sin(w) * exp(x)", "w", WX, "diag(cos(w) ⊙ exp(x))"),
    ("sin(w) * exp(x)", "x", WX, "diag(exp(x) ⊙ sin(w))"),
    ("sin(w) * exp(w)", "w", WX, "diag(exp(w) ⊙ (sin(w) + cos(w)))"),
    # -- Derivatives involving scalar expansion (and the reference table's other operators)
    ("x + z", "x", XZ, "I"),
    ("x + z", "z", XZ, "1"),
    ("x * z", "x", XZ, "zI"),
    ("x * z", "z", XZ, "x"),
    ("x - z", "x", XZ, "I"),
    ("x - z", "z", XZ, "−1"),
    ("z - x", "x", XZ, "−I"),
    ("z - x", "z", XZ, "1"),
    ("x / z", "x", XZ, "I/z"),
    ("x / z", "z", XZ, "−x/z²"),
    ("z / x", "x", XZ, "−z diag(1 ⊘ x²)"),
    ("z / x", "z", XZ, "1 ⊘ x"),
    # -- Vector sum reduction
    ("sum(x)", "x", XZ, "1ᵀ"),
    ("sum(x * z)", "x", XZ, "z1ᵀ"),
    ("sum(x * z)", "z", XZ, "sum(x)"),
    ("w @ x", "w", WX, "xᵀ"),
    ("w @ x", "x", WX, "wᵀ"),
    ("w @ x + b", "w", NEURON, "xᵀ"),
    ("w @ x + b", "b", NEURON, "1"),
    # -- The chain rules
    ("sin(x^2)", "x", SCALARS, "2x cos(x²)"),
    ("ln(sin(x^3)^2)", "x", SCALARS, "6x²cos(x³)/sin(x³)"),
    ("x + x^2", "x", SCALARS, "1 + 2x"),
    ("sin(x + x^2)", "x", SCALARS, "cos(x + x²)(1 + 2x)"),
    ("x * x^2", "x", SCALARS, "3x²"),
    ("[ln(x^2), sin(3*x)]", "x", SCALARS, "[2/x, 3cos(3x)]"),
    ("exp(sin(x))", "x", VEC, "diag(exp(sin(x)) ⊙ cos(x))"),
    # -- The gradient of neuron activation
    ("max(0, w @ x + b)", "w", NEURON, "(w·x + b > 0)xᵀ"),
    ("max(0, w @ x + b)", "b", NEURON, "(w·x + b > 0)"),
    ("max(0, x)", "x", VEC, "diag(x > 0)"),
    # -- The gradient of the neural network loss function
    (LOSS_QUERY, "w", LOSS, "(2/N)((Xw + b − y) ⊙ (Xw + b > 0))ᵀX"),
    (LOSS_QUERY, "b", LOSS, "2mean((Xw + b − y) ⊙ (Xw + b > 0))"),
]


def _id(row):
    query, wrt, _, _ = row
    return f"{query} by {','.join(wrt) if isinstance(wrt, list) else wrt}"


@pytest.mark.parametrize("query, wrt, shapes, expected", TUTORIAL, ids=map(_id, TUTORIAL))
def test_tutorial(query, wrt, shapes, expected):
    assert_derivative(query, wrt, expected, shapes)


@pytest.mark.parametrize("query, wrt, shapes, expected", TUTORIAL, ids=map(_id, TUTORIAL))
def test_tutorial_denominator_layout(query, wrt, shapes, expected):
    """The same derivative in denominator layout: wrt axes first, value unchanged."""
    d = matcalc.derivative(query, wrt, shapes=shapes, layout="denominator")
    values = random_values(query, shapes)
    want = finite_difference(query, wrt, shapes, values, layout="denominator")
    got = np.asarray(d.evaluate(values))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- errata in the seed files
def test_erratum_w_minus_x_by_w_is_the_identity():
    """000: the row for w − x wrt w writes ∂(w + x)/∂w on its left; the result I is right."""
    d = matcalc.derivative("w - x", "w", shapes=WX)
    values = random_values("w - x", WX)
    np.testing.assert_array_equal(d.evaluate(values), np.eye(len(values["w"])))


def test_erratum_x_plus_z_by_z_is_the_column_of_ones_not_I():
    """000 writes ∂(x + z)/∂z = diag(1) = I; it is the column 1 (shape (n,))."""
    d = matcalc.derivative("x + z", "z", shapes=XZ)
    values = random_values("x + z", XZ)
    n = len(values["x"])
    got = d.evaluate(values)
    assert got.shape == (n,)
    np.testing.assert_array_equal(got, np.ones(n))
    assert str(d) == "1"


def test_erratum_g_is_2x_plus_y8():
    """002 writes g = 2x + y² but uses 8y⁷: the tutorial's g is 2x + y⁸."""
    d = matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"])
    x, y = 0.7, 1.3
    np.testing.assert_allclose(
        d.evaluate({"x": x, "y": y}), [[6 * x * y, 3 * x**2], [2, 8 * y**7]], rtol=1e-12
    )


def test_erratum_vector_chain_rule_second_row():
    """000 starts the second row of the vector chain rule with ∂f₁/∂g₁ (read ∂f₂/∂g₁):
    ∂[ln(x²), sin(3x)]/∂x = [2/x, 3cos(3x)]."""
    d = matcalc.derivative("[ln(x^2), sin(3*x)]", "x")
    x = 0.8
    np.testing.assert_allclose(d.evaluate({"x": x}), [2 / x, 3 * np.cos(3 * x)], rtol=1e-12)


def test_erratum_four_links_chain():
    """000 writes d/du₃ u₅ in step 2 of ln(sin(x³)²) (read u₄): the result 6x²cos(x³)/sin(x³)."""
    d = matcalc.derivative("ln(sin(x^3)^2)", "x")
    x = 0.9
    np.testing.assert_allclose(
        d.evaluate({"x": x}), 6 * x**2 * np.cos(x**3) / np.sin(x**3), rtol=1e-12
    )


def _loss_point(seed=0):
    """A point of the loss where some samples are active (zᵢ > 0) and some are not."""
    for s in range(seed, seed + 100):
        values = random_values(LOSS_QUERY, LOSS, seed=s)
        z = values["X"] @ values["w"] + values["b"]
        if (z > 0).any() and (z <= 0).any():
            return values
    raise AssertionError("no point with active and inactive samples")


def test_erratum_bias_gradient_has_no_extra_factor_2():
    """000 writes (2/N) Σ 2(w·xᵢ + b − yᵢ): one factor 2 too many. It is (2/N) Σ eᵢ stepᵢ."""
    values = _loss_point()
    X, y, w, b = values["X"], values["y"], values["w"], values["b"]
    z = X @ w + b
    e = z - y
    N = len(y)
    expected = 2 / N * np.sum(e * (z > 0))
    got = matcalc.derivative(LOSS_QUERY, "b", shapes=LOSS).evaluate(values)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert not np.isclose(got, 2 * expected)


def test_erratum_the_step_belongs_to_each_sample():
    """Both seeds move the condition w·xᵢ + b > 0 outside the sum; it belongs to each sample:
    ∂L/∂w = (2/N) Σᵢ [zᵢ > 0] eᵢ xᵢᵀ, at a point with active and inactive samples."""
    values = _loss_point()
    X, y, w, b = values["X"], values["y"], values["w"], values["b"]
    z = X @ w + b
    e = z - y
    N = len(y)
    per_sample = 2 / N * sum(e[i] * X[i] for i in range(N) if z[i] > 0)
    got = matcalc.derivative(LOSS_QUERY, "w", shapes=LOSS).evaluate(values)
    np.testing.assert_allclose(got, per_sample, rtol=1e-12)
    assert not np.allclose(got, 2 / N * e @ X)  # not the condition-free sum


def test_neuron_both_branches():
    """max(0, w·x + b) by w: 0ᵀ where w·x + b ≤ 0, else xᵀ; by b: 0 or 1."""
    by_w = matcalc.derivative("max(0, w @ x + b)", "w", shapes=NEURON)
    by_b = matcalc.derivative("max(0, w @ x + b)", "b", shapes=NEURON)
    seen = set()
    for seed in range(40):
        values = random_values("max(0, w @ x + b)", NEURON, seed=seed, signed=True)
        active = values["w"] @ values["x"] + values["b"] > 0
        seen.add(bool(active))
        x = values["x"]
        np.testing.assert_array_equal(by_w.evaluate(values), x if active else np.zeros_like(x))
        assert by_b.evaluate(values) == (1.0 if active else 0.0)
    assert seen == {True, False}
