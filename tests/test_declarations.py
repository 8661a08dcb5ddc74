"""Declarations: undeclared names take the shape their use gives them, declared dimensions
are numbers, every inferred shape is reported, and conflicting declarations are errors."""

from __future__ import annotations

import pytest
from helpers import assert_derivative

import matcalc
from matcalc import expr as E
from matcalc.errors import MatcalcError, NameError_, ShapeError
from matcalc.shapes import Shape


# ---------------------------------------------------------------- element-wise operands
@pytest.mark.parametrize(
    "query, wrt, expected, inferred",
    [
        # the case: y was a scalar and the answer looked like the textbook's
        (
            "norm(X @ w - y)^2",
            "w",
            "2(Xw − y)ᵀX",
            {"X": "matrix(n, m)", "w": "vector(m)", "y": "vector(n)"},
        ),
        # the README's: X @ w + y makes y as long as X is tall
        ("sum(X @ w + y)", "y", "1ᵀ", {"X": "matrix(n, m)", "w": "vector(m)", "y": "vector(n)"}),
        ("sum(y + X @ w)", "y", "1ᵀ", {"y": "vector(n)", "X": "matrix(n, m)", "w": "vector(m)"}),
        # every undeclared operand of one flat sum takes the sum's shape
        (
            "sum(a + b + X @ w)",
            "a",
            "1ᵀ",
            {"a": "vector(n)", "b": "vector(n)", "X": "matrix(n, m)", "w": "vector(m)"},
        ),
        # a matrix operand: t is a matrix of the same shape
        ("sum(A * t)", "t", "A", {"A": "matrix(n, m)", "t": "matrix(n, m)"}),
        # through signs, + - * / and powers: the whole scalar-looking operand
        (
            "norm(X @ w - 2*y)^2",
            "y",
            "4(2y − Xw)ᵀ",
            {"X": "matrix(n, m)", "w": "vector(m)", "y": "vector(n)"},
        ),
        (
            "sum(X @ w - (a + b)/c)",
            "c",
            "((a + b) ⊘ c²)ᵀ",
            {
                "X": "matrix(n, m)",
                "w": "vector(m)",
                "a": "vector(n)",
                "b": "vector(n)",
                "c": "vector(n)",
            },
        ),
        (
            "sum(-y^2 + X @ w)",
            "y",
            "−2yᵀ",
            {"y": "vector(n)", "X": "matrix(n, m)", "w": "vector(m)"},
        ),
        # comparisons and max
        (
            "sum(max(b, X @ w))",
            "b",
            "(b ≥ Xw)ᵀ",
            {"b": "vector(n)", "X": "matrix(n, m)", "w": "vector(m)"},
        ),
    ],
)
def test_an_undeclared_elementwise_operand_takes_the_array_shape(query, wrt, expected, inferred):
    d = assert_derivative(query, wrt, expected)
    assert d.inferred == inferred and d.declarations == inferred


def test_a_declared_scalar_is_not_promoted():
    d = assert_derivative("x: vector(n); c: scalar; c * x", "c", "x")
    assert d.inferred == {} and d.declarations == {"x": "vector(n)", "c": "scalar"}


def test_scalars_among_scalars_stay_scalars():
    d = assert_derivative("x * y + sin(x)", "x", "y + cos(x)")
    assert d.inferred == {"x": "scalar", "y": "scalar"}


def test_a_name_inside_a_call_is_not_promoted():
    """A function's argument does not take the shape: exp(t) * x scales x."""
    d = assert_derivative("x: vector(n); exp(t) * x", "t", "exp(t)x")
    assert d.inferred == {"t": "scalar"}


# ---------------------------------------------------------------- dimensions as numbers
def test_a_declared_dimension_is_a_number():
    d = assert_derivative("X: matrix(N, n); sum(X @ w) / N", "w", "(1/N)1ᵀX")
    assert d.declarations == {"X": "matrix(N, n)", "w": "vector(n)"}
    assert d.inferred == {"w": "vector(n)"}
    assert "N" not in d.variables


def test_a_dimension_given_by_shapes_is_a_number():
    d = assert_derivative("sum(X @ w) / N", "w", "(1/N)1ᵀX", shapes={"X": "matrix(N, n)"})
    assert d.inferred == {"w": "vector(n)"}
    assert any(isinstance(n, E.DimSize) for n in E.walk(d.expression))


def test_a_dimension_differentiates_as_a_constant():
    assert_derivative("x: vector(n); n * sum(x)", "x", "n1ᵀ")


def test_a_dimension_is_not_a_variable():
    with pytest.raises(NameError_, match="'N' is a dimension"):
        matcalc.derivative("X: matrix(N, n); sum(X @ w) / N", "N")


def test_a_variable_that_is_also_a_dimension_is_an_error():
    with pytest.raises(ShapeError, match="N is declared as a variable and is also a dimension"):
        matcalc.derivative("N: scalar; X: matrix(N, n); sum(X @ w) / N", "w")


def test_inferred_dimensions_avoid_the_names_the_query_uses():
    d = matcalc.derivative("x: vector; n + sum(x)", "x")
    assert d.declarations == {"n": "scalar", "x": "vector(m)"}


# ---------------------------------------------------------------- what is reported
def test_all_declared_reports_nothing_inferred():
    d = matcalc.derivative("w, x: vector(n); b: scalar; max(0, w·x + b)", "w")
    assert d.inferred == {}
    assert d.declarations == {"w": "vector(n)", "x": "vector(n)", "b": "scalar"}


def test_structures_and_open_declarations_are_reported():
    d = matcalc.derivative("x @ S @ x + p @ x", "x", shapes={"S": "symmetric", "p": "simplex(n)"})
    assert d.declarations == {"x": "vector(n)", "S": "symmetric(n)", "p": "simplex(n)"}
    assert d.inferred == {"x": "vector(n)"}


def test_hessian_and_stacked_results_carry_the_declarations():
    h = matcalc.hessian("x @ A @ x", "x")
    assert h.inferred == {"x": "vector(n)", "A": "matrix(n, n)"}
    s = matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"])
    assert s.inferred == {"x": "scalar", "y": "scalar"}


def test_an_expr_argument_has_declarations_and_nothing_inferred():
    x = E.Var("x", Shape("n", 1))
    d = matcalc.derivative(E.Sum(x), "x")
    assert (d.declarations, d.inferred) == ({"x": "vector(n)"}, {})


def test_steps_and_jupyter_show_the_inferred_shapes():
    d = matcalc.derivative("norm(X @ w - y)^2", "w")
    where = "where X: matrix(n, m), w: vector(m), y: vector(n)"
    assert str(d.steps).splitlines()[1] == where
    assert f"\n\n{where}\n\n*gradient" in d._repr_markdown_()
    assert "\\text{where }" in d.steps.latex()
    declared = matcalc.derivative("x: vector(n); sum(x)", "x")
    assert "where" not in str(declared.steps) and "where" not in declared._repr_markdown_()


# ---------------------------------------------------------------- conflicts and bad shapes=
@pytest.mark.parametrize(
    "query, shapes, message",
    [
        ("x: scalar; x", {"x": "vector"}, "conflicting declarations of x: scalar here, vector"),
        ("x: vector(n); sum(x)", {"x": "vector(m)"}, "conflicting declarations of x"),
        ("x", ["x"], "shapes= must be a dict"),
        ("x", "vector", "shapes= must be a dict"),
        ("x", {"x": 3}, "3 is not a shape"),
        ("x", {"x": "vektor"}, "unknown shape 'vektor'"),
        ("x", {"1x": "vector"}, "bad name '1x'"),
        ("x", {1: "vector"}, "bad name 1"),
        ("x", {"x": "matrix(m)"}, "matrix takes two dimensions"),
    ],
)
def test_bad_declarations_are_clear_errors(query, shapes, message):
    with pytest.raises(MatcalcError, match=message.replace("(", r"\(").replace(")", r"\)")):
        matcalc.derivative(query, "x", shapes=shapes)


def test_an_inline_conflict_points_at_the_declaration():
    with pytest.raises(ShapeError) as info:
        matcalc.derivative("x: scalar; x", "x", shapes={"x": "vector"})
    assert (info.value.line, info.value.column) == (1, 4)


def test_compatible_declarations_merge():
    d = matcalc.derivative("x: vector(n); sum(x)", "x", shapes={"x": "vector"})
    assert d.declarations == {"x": "vector(n)"} and d.inferred == {}


def test_names_combined_among_scalars_are_promoted_together_in_one_retyping():
    """sum(a0 + a1) + … + sum(a400 + X @ w): every aᵢ a vector, typed in two passes, not 400."""
    import time

    n = 400
    query = " + ".join(f"sum(a{i} + a{i + 1})" for i in range(n)) + f" + sum(a{n} + X @ w)"
    start = time.perf_counter()
    d = matcalc.derivative(query, "a0")
    assert time.perf_counter() - start < 10
    assert str(d) == "1ᵀ" and {d.inferred[f"a{i}"] for i in range(n + 1)} == {"vector(n)"}


@pytest.mark.parametrize(
    "query, wrt, expected",
    [
        ("S: symmetric; B: matrix; tr(S @ B)", "B", "S"),
        ("P: symmetric; v, w: vector; v @ P @ w", "v", "wᵀP"),
        ("x: vector; P: symmetric; x @ P @ x", "x", "2xᵀP"),
    ],
)
def test_symmetric_without_a_dimension_is_square(query, wrt, expected):
    # `P: symmetric` took two fresh dimensions (a non-square "symmetric" matrix)
    _, variables = matcalc.api._parse(query, None)
    P = next(v for v in variables.values() if v.symmetric)
    assert P.shape.rows == P.shape.cols
    assert_derivative(query, wrt, expected)
