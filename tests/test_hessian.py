"""`hessian` by a scalar, a vector, a matrix (a fourth-order linear map) and a list of
scalars (the k×k matrix of ∂²f/∂xᵢ∂xⱼ), and `derivative` by a list of scalars (the
stacked gradient or Jacobian). Each result is checked three ways: its printed form,
`evaluate` against second (first) central differences of an independent NumPy function,
and SymPy's component check. Every input either works or is a MatcalcError that says what
is supported (issue 7: `hessian("x*y", ["x", "y"])` and a stacked matrix output raised
Python errors)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_derivative, random_values

import matcalc

H = 1e-4  # second differences: error ~ h² + eps·|f|/h²
RTOL, ATOL = 1e-4, 1e-5

DEEP_CHAIN_HESSIAN = (
    "−2W1ᵀ(diag(1 − tanh(W1 x)²)W2ᵀ(diag(tanh(W2 tanh(W1 x)) ⊙ (W3ᵀ(1 − tanh(W3 tanh(W2 t"
    "anh(W1 x)))²)) ⊙ (1 − tanh(W2 tanh(W1 x))²)) + diag(1 − tanh(W2 tanh(W1 x))²)W3ᵀdiag"
    "(tanh(W3 tanh(W2 tanh(W1 x))) ⊙ (1 − tanh(W3 tanh(W2 tanh(W1 x)))²))W3 diag(1 − tanh"
    "(W2 tanh(W1 x))²))W2 diag(1 − tanh(W1 x)²) + diag(tanh(W1 x) ⊙ (W2ᵀdiag(1 − tanh(W2 "
    "tanh(W1 x))²)W3ᵀ(1 − tanh(W3 tanh(W2 tanh(W1 x)))²)) ⊙ (1 − tanh(W1 x)²)))W1"
)

# query, wrt, printed, independent f(values) -> float
HESSIANS = [
    ("x*y", ["x", "y"], "[[0, 1], [1, 0]]", lambda v: v["x"] * v["y"]),
    (
        "x*y*z + x^2 + sin(y)*z",
        ["x", "y", "z"],
        "[[2, z, y], [z, −z sin(y), x + cos(y)], [y, x + cos(y), 0]]",
        lambda v: v["x"] * v["y"] * v["z"] + v["x"] ** 2 + np.sin(v["y"]) * v["z"],
    ),
    (
        "exp(x*y) + x^3",
        ["y", "x"],  # the list's order, not the names'
        "[[x²exp(xy), exp(xy)(1 + xy)], [exp(xy)(1 + xy), y²exp(xy) + 6x]]",
        lambda v: np.exp(v["x"] * v["y"]) + v["x"] ** 3,
    ),
    ("x: scalar; x^3", ["x"], "6x", lambda v: v["x"] ** 3),
    ("x^3 * y", "x", "6xy", lambda v: v["x"] ** 3 * v["y"]),
    (
        "x: vector(n); sum(exp(x)) * sum(x)",
        "x",
        "sum(x)diag(exp(x)) + exp(x)1ᵀ + 1exp(x)ᵀ",
        lambda v: np.sum(np.exp(v["x"])) * np.sum(v["x"]),
    ),
    (
        "X: matrix(n, n); trace(X @ X)",
        "X",
        "∂(2Xᵀ)ᵢⱼ/∂Xₖₗ = 2 δᵢₗδₖⱼ",
        lambda v: np.trace(v["X"] @ v["X"]),
    ),
    (
        "X: matrix(m, n); sum(X * X)",
        "X",
        "∂vec(2X)/∂vec(X) = 2 I ⊗ I",
        lambda v: np.sum(v["X"] ** 2),
    ),
    (
        "X: matrix(n, n); logdet(X)",
        "X",
        "∂(X⁻ᵀ)ᵢⱼ/∂Xₖₗ = −(X⁻ᵀ)ᵢₗ(X⁻ᵀ)ₖⱼ",
        lambda v: np.log(np.linalg.det(v["X"])),
    ),
    (
        "X: matrix(m, n); a: vector(m); b: vector(n); (a @ X @ b)^2",
        "X",
        "d(2(aᵀXb)abᵀ) = 2(aᵀdX b)abᵀ",
        lambda v: float(v["a"] @ v["X"] @ v["b"]) ** 2,
    ),
]


def _coordinates(wrt, values):
    """(name, index) of every scalar that the Hessian differentiates by, in its order."""
    if isinstance(wrt, str):
        return [(wrt, idx) for idx in np.ndindex(*np.shape(values[wrt]))]
    return [(name, ()) for name in wrt]


def _moved(values, steps):
    out = {k: np.array(v, dtype=float) for k, v in values.items()}
    for (name, idx), h in steps:
        out[name][idx] += h
    return {k: (float(v) if v.shape == () else v) for k, v in out.items()}


def second_differences(f, wrt, values):
    """∂²f/∂aᵢ∂aⱼ by central second differences, shaped as `evaluate` returns a Hessian:
    (k, k) for a list, the variable's shape twice for one variable."""
    coords = _coordinates(wrt, values)
    n = len(coords)
    out = np.empty((n, n))
    for i, a in enumerate(coords):
        for j, b in enumerate(coords):
            out[i, j] = (
                f(_moved(values, [(a, H), (b, H)]))
                - f(_moved(values, [(a, H), (b, -H)]))
                - f(_moved(values, [(a, -H), (b, H)]))
                + f(_moved(values, [(a, -H), (b, -H)]))
            ) / (4 * H * H)
    shape = (n,) if not isinstance(wrt, str) else np.shape(values[wrt])
    return out.reshape(shape + shape)


@pytest.mark.parametrize(
    "query, wrt, printed, f", HESSIANS, ids=[f"{q}-by-{w}" for q, w, _, _ in HESSIANS]
)
def test_hessian_three_ways(query, wrt, printed, f):
    d = matcalc.hessian(query, wrt)
    assert str(d) == printed
    values = random_values(query)
    np.testing.assert_allclose(
        np.asarray(d.evaluate(values)), second_differences(f, wrt, values), rtol=RTOL, atol=ATOL
    )
    d.check(n=2)
    assert d.function is not None and d.function.shape.is_scalar


def test_a_stacked_hessian_is_the_derivative_of_the_stacked_gradient():
    d = matcalc.hessian("x*y", ["x", "y"])
    assert str(matcalc.derivative(d.expression, ["x", "y"])) == str(d)
    assert d.shape == (2,) + (2,)
    assert d.kind == "stacked"
    assert [v.name for v in d.wrt] == ["x", "y"]


@pytest.mark.parametrize(
    "query, wrt, message",
    [
        ("x: vector(n); x", "x", "the Hessian needs a scalar function"),
        ("x: vector(n); y: scalar; y * sum(x)", ["x", "y"], "a Hessian by a list needs scalar"),
        ("x*y", 42, "wrt must be a variable name or a list of names"),
        ("x*y", [], "no variable to differentiate by"),
        ("x*y", ["x", "w"], "'w' does not appear in the expression"),
    ],
)
def test_what_a_hessian_cannot_be_is_a_clear_error(query, wrt, message):
    with pytest.raises(matcalc.MatcalcError, match=message):
        matcalc.hessian(query, wrt)


@pytest.mark.parametrize(
    "query, f",
    [
        ("sum(diag(x))", lambda v: np.sum(v["x"])),
        ("det(diag(x))", lambda v: np.prod(v["x"])),
        ("trace(exp(diag(x)))", lambda v: np.sum(np.exp(v["x"]))),
        ("logdet(A + diag(x))", lambda v: np.log(np.linalg.det(v["A"] + np.diag(v["x"])))),
    ],
)
def test_a_gradient_without_closed_form_works_or_says_so(query, f):
    """A Hessian differentiates the gradient; where matcalc can only write the gradient as
    a linear map it says so (it raised NotFactorable); where it reads the gradient off,
    the Hessian must be right."""
    query = "x: vector(n); A: matrix(n, n); " + query
    try:
        d = matcalc.hessian(query, "x")
    except matcalc.MatcalcError as error:
        assert "the Hessian by x needs the gradient of" in str(error)
        return
    values = random_values(query)
    np.testing.assert_allclose(
        np.asarray(d.evaluate(values)), second_differences(f, "x", values), rtol=RTOL, atol=ATOL
    )


# ---------------------------------------------------------------- derivative by a list
SCALARS = {"x": "scalar", "y": "scalar"}


@pytest.mark.parametrize(
    "query, layout, printed",
    [
        ("[x*y, x].T", "numerator", "[[y, x], [1, 0]]"),  # a row reads as a column
        ("[x*y, x].T", "denominator", "[[y, 1], [x, 0]]"),
        ("[x*y, x, y^2]", "numerator", "[[y, x], [1, 0], [0, 2y]]"),
        ("x^2 * y", "denominator", "[2xy, x²]"),
        ("x^2 * y", "mixed", "[2xy, x²]"),  # mixed: a gradient is a column
        ("x^2 * y", "numerator", "[2xy, x²]ᵀ"),
        ("[x*y, x]", "mixed", "[[y, x], [1, 0]]"),  # a Jacobian as in numerator
    ],
)
def test_stacked_jacobian_three_ways(query, layout, printed):
    assert_derivative(query, ["x", "y"], printed, shapes=SCALARS, layout=layout)


@pytest.mark.parametrize(
    "query, printed",
    [
        ("v: vector(n); x*v + y^2*v", "[[v, 2yv]]"),
        ("v: vector(n); x*v + y", "[[v, 1]]"),  # y's tangent: the column of ones
        ("v: vector(n); x*v.T + y", "[[v, 1]]"),  # a row reads as a column
    ],
)
def test_stacked_columns_of_a_vector_three_ways(query, printed):
    assert_derivative(query, ["x", "y"], printed, shapes=SCALARS)


@pytest.mark.parametrize(
    "query, wrt, message",
    [
        ("x, y: scalar; A: matrix(m, n); x*y*A", ["x", "y"], "third-order array"),
        ("x, y: scalar; [[x*y, x], [y, 1]]", ["x", "y"], "third-order array"),
        ("x: vector(n); y: scalar; y * sum(x)", ["x", "y"], "a list of variables must be scalars"),
    ],
)
def test_stacked_matrix_output_is_a_clear_error(query, wrt, message):
    with pytest.raises(matcalc.MatcalcError, match=message) as info:
        matcalc.derivative(query, wrt)
    if "third-order" in message:
        assert info.value.expected == "one scalar at a time (each gives ∂F/∂x, shaped like F)"


def test_gradient_and_hessian_of_the_trace_of_a_literal_block():
    # tr([[2, 3], [1e-1, det(C)]]) was a linear map only; trace-of-block folds it to 2 + det(C)
    query = "C: matrix(n, n); trace([[2, 3], [1e-1, det(C)]])"
    assert_derivative(query, "C", "det(C)C⁻ᵀ")
    d = matcalc.hessian(query, "C")
    assert str(d) == "d(det(C)C⁻ᵀ) = −det(C)C⁻ᵀdCᵀC⁻ᵀ + tr(C⁻¹dC)det(C)C⁻ᵀ"
    values = random_values(query)
    want = second_differences(lambda v: 2 + np.linalg.det(v["C"]), "C", values)
    np.testing.assert_allclose(
        np.asarray(d.evaluate(values)),
        want,
        rtol=RTOL,
        atol=1e-4 * max(1.0, float(np.max(np.abs(want)))),
    )
    d.check(n=2)


def test_the_hessian_of_a_deep_chain_three_ways():
    """Issue 11: a deep chain's Hessian (its simplification's trials took L^3; slopes in
    benchmarks/_matrix_scaling.py). Printed, second differences of an independent NumPy
    function, and SymPy's check at size 1 (a tanh chain at size 2 takes SymPy minutes)."""
    query = "x: vector(n); W1, W2, W3: matrix(n, n); sum(tanh(W3 @ tanh(W2 @ tanh(W1 @ x))))"
    d = matcalc.hessian(query, "x")
    assert d.text(names=False) == DEEP_CHAIN_HESSIAN
    # named: the layers h₁…h₃, their derivatives z₁…z₃, and no name for most of the body
    assert str(d) == (
        "−2W1ᵀ(diag(z₁)W2ᵀz₄ W2 diag(z₁) + diag(h₁ ⊙ (W2ᵀdiag(z₂)W3ᵀz₃) ⊙ z₁))W1  where "
        "h₁ = tanh(W1 x), h₂ = tanh(W2 h₁), z₁ = 1 − h₁², h₃ = tanh(W3 h₂), z₂ = 1 − h₂², "
        "z₃ = 1 − h₃², z₄ = diag(h₂ ⊙ (W3ᵀz₃) ⊙ z₂) + diag(z₂)W3ᵀdiag(h₃ ⊙ z₃)W3 diag(z₂)"
    )
    values = random_values(query)

    def f(v):
        return np.sum(np.tanh(v["W3"] @ np.tanh(v["W2"] @ np.tanh(v["W1"] @ v["x"]))))

    np.testing.assert_allclose(
        np.asarray(d.evaluate(values)), second_differences(f, "x", values), rtol=RTOL, atol=ATOL
    )
    d.check(n=1)
