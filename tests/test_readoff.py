"""Reading derivatives off the differential (matcalc/readoff.py) through diag: `diag(x)`
inside a matrix function read off in closed form by the adjoint of dx ↦ diag(dx), which
is G ↦ diag(G), the column of G's diagonal (printed diag(G), as NumPy's np.diag of a
matrix); the diagonal itself differentiated; never `NotFactorable` in a user's hands.
Every case three ways (tests/helpers.py), and its generated NumPy code run."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_derivative, random_values

import matcalc
from matcalc import readoff
from matcalc.api import _parse
from matcalc.errors import MatcalcError
from matcalc.evaluate import bind, evaluate

DIAG = [
    #  query                                                      wrt  layout         expected
    ("r: vector(n); A: matrix(n, n); trace(diag(r) @ A)", "r", "numerator", "diag(A)ᵀ"),
    ("x: vector(n); sum(diag(x))", "x", "numerator", "1ᵀ"),
    ("x: vector(n); det(diag(x))", "x", "numerator", "det(diag(x))(1 ⊘ x)ᵀ"),
    (
        "x: vector(n); A: matrix(n, n); logdet(A + diag(x))",
        "x",
        "numerator",
        "diag((A + diag(x))⁻¹)ᵀ",
    ),
    (
        "x: vector(n); A: matrix(n, n); logdet(A + diag(x))",
        "x",
        "denominator",
        "diag((A + diag(x))⁻¹)",
    ),
    ("x: vector(n); trace(exp(diag(x)))", "x", "numerator", "exp(x)ᵀ"),
    (
        "σ: vector(n); Σ: matrix(n, n); logdet(Σ + diag(σ^2))",
        "σ",
        "numerator",
        "2(diag((Σ + diag(σ²))⁻¹)ᵀ ⊙ σᵀ)",
    ),
    ("x: vector(n); A: matrix(n, n); diag(A @ diag(x) @ A)", "x", "numerator", "A ⊙ Aᵀ"),
    ("x, u: vector(n); diag(x @ u.T)", "x", "numerator", "diag(u)"),
    ("A: matrix(n, n); x: vector(n); sum(diag(A) * x)", "A", "numerator", "diag(x)"),
    ("A: matrix(n, n); diag(A)", "A", "numerator", "d(diag(A)) = diag(dA)"),
    (
        "x: vector(n); trace([[x @ x, 1], [1, 1]])",
        "x",
        "numerator",
        "d(tr([[x·x, 1], [1, 1]])) = tr([[dx·x + x·dx, 0], [0, 0]])",
    ),
]


@pytest.mark.parametrize("query, wrt, layout, expected", DIAG)
def test_diag_inside_matrix_functions(query, wrt, layout, expected):
    heavy = "det" in query
    d = (
        assert_derivative(query, wrt, expected, layout=layout)
        if not heavy
        else _three_ways_small(query, wrt, expected, layout)
    )
    _generated_code_agrees(d, query)


def _three_ways_small(query, wrt, expected, layout):
    """assert_derivative, with SymPy's check at n = 2 (a symbolic 3×3 determinant of a
    sum is slow; finite differences still run at n = 3)."""
    from helpers import (
        check_problems,
        evaluate_problems,
        finite_difference,
        printed_problems,
    )

    d = matcalc.derivative(query, wrt, layout=layout)
    values = random_values(query)
    want = finite_difference(query, wrt, None, values, layout)
    _, variables = _parse(query, None)
    problems = (
        printed_problems(d, expected)
        + evaluate_problems(d, want, values, variables)
        + check_problems(d, n=2)
    )
    assert not problems, "\n".join(problems)
    return d


def _generated_code_agrees(d, query):
    """The generated NumPy function's derivative equals `evaluate`."""
    namespace: dict = {}
    exec(compile(d.to_numpy(), "<generated>", "exec"), namespace)  # noqa: S102
    values = random_values(query)
    _, derivative = namespace["f"](**{k: np.asarray(v, dtype=float) for k, v in values.items()})
    np.testing.assert_allclose(derivative, d.evaluate(values), rtol=1e-8, atol=1e-10)


def test_hessian_through_diag():
    """∂²logdet(A + diag(x))/∂x² = −(A + diag(x))⁻ᵀ ⊙ (A + diag(x))⁻¹ (element-wise),
    against second differences of the function and SymPy."""
    query = "x: vector(n); A: matrix(n, n); logdet(A + diag(x))"
    h = matcalc.hessian(query, "x")
    assert str(h) == "−(A + diag(x))⁻ᵀ ⊙ (A + diag(x))⁻¹"
    expr, variables = _parse(query, None)
    values = random_values(query)

    def f(x):
        arrays, dims = bind(variables, {**values, "x": x})
        return float(np.asarray(evaluate(expr, arrays, dims)).reshape(()))

    x, k = np.asarray(values["x"], dtype=float), 1e-4
    e = np.eye(x.size) * k
    want = np.array(
        [
            [(f(x + a + b) - f(x + a - b) - f(x - a + b) + f(x - a - b)) / (4 * k * k) for b in e]
            for a in e
        ]
    )
    np.testing.assert_allclose(h.evaluate(values), want, rtol=1e-4, atol=1e-5)
    h.check(n=2)


def test_diag_of_a_matrix_is_a_column_in_the_language():
    d = matcalc.derivative("A: matrix(n, n); x: vector(n); x @ diag(A)", "x")
    assert str(d) == "diag(A)ᵀ" and d.shape == ("n",)
    with pytest.raises(MatcalcError, match="square"):
        matcalc.derivative("A: matrix(m, n); x: vector(m); x @ diag(A)", "x")


def test_not_factorable_is_a_matcalc_error():
    """Internal to the read-off; should it ever escape, it is a MatcalcError (exit 2)."""
    assert issubclass(readoff.NotFactorable, MatcalcError)
