"""`Derivative.check()` (the SymPy cross-check) and `Derivative.evaluate`: never wrong
themselves, never a traceback, bounded.

One convention for structured variables (README, "Layouts"): the derivative by a symmetric
matrix or a simplex vector is the unconstrained gradient (entries independent) at a point
of the set. Each fixed situation is checked three ways (printed form, `evaluate` against
central differences, SymPy), and a deliberately wrong derivative must fail the check there,
so that the check cannot pass vacuously.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from helpers import (
    assert_derivative,
    check_problems,
    evaluate_problems,
    finite_difference,
    printed_problems,
    random_values,
)

import matcalc
from matcalc import check as check_module
from matcalc import expr as E
from matcalc.api import _parse
from matcalc.check import CheckFailed
from matcalc.cli import run
from matcalc.errors import LimitError, MatcalcError
from matcalc.records import replace


def three_ways(query, wrt, expected, layout="numerator", n=3):
    """assert_derivative, with every simplex variable's random value scaled onto the simplex
    (where `evaluate` requires it)."""
    _, variables = _parse(query, None)
    simplex = [k for k, v in variables.items() if v.structure == "simplex"]
    if not simplex:
        return assert_derivative(query, wrt, expected, layout=layout)
    d = matcalc.derivative(query, wrt, layout=layout)
    values = random_values(query)
    for k in simplex:
        values[k] = np.asarray(values[k]) / np.sum(values[k])
    want = finite_difference(query, wrt, None, values, layout)
    problems = (
        printed_problems(d, expected)
        + evaluate_problems(d, want, values, variables)
        + check_problems(d, n)
    )
    assert not problems, "\n".join(problems)
    return d


def wrong(d, **fields):
    """`d` with a deliberately wrong result or differential."""
    return replace(d, **fields)


def build(text, variables):
    """An expression over `variables` (hash-consing makes its Vars the derivative's own)."""
    expr, _ = _parse(text, {k: _spec(v) for k, v in variables.items()})
    return expr


def _spec(v):
    s = v.shape
    if v.structure == "symmetric":
        return f"symmetric({s.rows})"
    if v.structure == "simplex":
        return f"simplex({s.rows})"
    return (
        "scalar"
        if s.is_scalar
        else f"vector({s.rows})"
        if s.is_column
        else f"matrix({s.rows}, {s.cols})"
    )


# ---------------------------------------------------------------- symmetric variables
SYMMETRIC = [
    ("A: symmetric(n); x: vector(n); x @ A @ x", "A", "xxᵀ"),
    ("A: symmetric(n); logdet(A)", "A", "A⁻¹"),
    ("X: symmetric(n); trace(X @ X)", "X", "2X"),
    ("A: symmetric(n); B: matrix(n, n); trace(A @ B)", "A", "Bᵀ"),
    ("A: symmetric(n); x: vector(n); A @ x", "A", "∂vec(Ax)/∂vec(A) = xᵀ ⊗ I"),
]


@pytest.mark.parametrize("query, wrt, expected", SYMMETRIC)
def test_by_a_symmetric_matrix_is_the_unconstrained_gradient(query, wrt, expected):
    three_ways(query, wrt, expected, n=2 if "logdet" in query else 3)


@pytest.mark.parametrize("claimed", ["2 * x @ x.T", "2 * x @ x.T - diag(x^2)"])
def test_check_fails_a_wrong_derivative_by_a_symmetric_matrix(claimed):
    d = matcalc.derivative("A: symmetric(n); x: vector(n); x @ A @ x", "A")
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=build(claimed, d.variables)).check()


# ---------------------------------------------------------------- denominator, order 3 and 4
ORDER_3_4 = [
    ("A: matrix(m, n); X: matrix(n, k); A @ X", "X", "denominator", "∂vec(AX)/∂vec(X) = I ⊗ A"),
    ("X: matrix(n, n); inv(X)", "X", "denominator", "∂vec(X⁻¹)/∂vec(X) = −X⁻ᵀ ⊗ X⁻¹"),
    ("X: matrix(n, n); inv(X)", "X", "mixed", "∂vec(X⁻¹)/∂vec(X) = −X⁻ᵀ ⊗ X⁻¹"),
    ("x: vector(n); X: matrix(m, n); X @ x", "X", "denominator", "∂vec(Xx)/∂vec(X) = xᵀ ⊗ I"),
    ("x: vector(n); x @ x.T", "x", "denominator", "∂(xxᵀ)ᵢⱼ/∂xₖ = δᵢₖxⱼ + xᵢδₖⱼ"),
    ("A: symmetric(n); x: vector(n); A @ x", "A", "denominator", "∂vec(Ax)/∂vec(A) = xᵀ ⊗ I"),
    ("x: vector(n); X: matrix(m, n); sum(X) * X @ x", "x", "denominator", "sum(X)Xᵀ"),
]


@pytest.mark.parametrize("query, wrt, layout, expected", ORDER_3_4)
def test_order_3_and_4_in_every_layout(query, wrt, layout, expected):
    three_ways(query, wrt, expected, layout=layout, n=2 if "inv" in query else 3)


@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_check_fails_a_wrong_order_4_derivative(layout):
    d = matcalc.derivative("A, X: matrix(n, n); A @ X", "X", layout=layout)
    other = matcalc.derivative("A, X: matrix(n, n); X @ A", "X", layout=layout)
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, differential=other.differential).check()


def test_check_fails_a_wrong_order_3_derivative_in_denominator_layout():
    d = matcalc.derivative("x: vector(n); X: matrix(m, n); X @ x", "X", layout="denominator")
    dX, x = E.Differential(d.variables["X"]), d.variables["x"]
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, differential=E.MatMul(dX, E.Mul(E.Const(2), x))).check()


# ---------------------------------------------------------------- simplex variables
SIMPLEX = [
    ("y: simplex(n); x: vector(n); y @ x", "y", "numerator", "xᵀ"),
    ("y: simplex(n); x: vector(n); y @ x", "y", "denominator", "x"),
    ("y: simplex(n); sum(y * log(y))", "y", "numerator", "log(y)ᵀ + 1ᵀ"),
    ("y: simplex(n); A: matrix(m, n); A @ y * sum(y)", "y", "numerator", "A"),
    (
        "y: simplex(m); W: matrix(m, n); x: vector(n); -(y @ log(softmax(W @ x)))",
        "y",
        "numerator",
        "−log(softmax(Wx))ᵀ",
    ),
]


@pytest.mark.parametrize("query, wrt, layout, expected", SIMPLEX)
def test_by_a_simplex_vector_is_the_unconstrained_gradient(query, wrt, layout, expected):
    three_ways(query, wrt, expected, layout=layout)


def test_check_fails_a_wrong_derivative_by_a_simplex_vector():
    d = matcalc.derivative("y: simplex(n); x: vector(n); y @ x", "y")
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=build("2 * x.T", d.variables)).check()


# ---------------------------------------------------------------- domains
DOMAINS = [
    ("x: scalar; sqrt(x) * relu(x)", "x", "max(0, x)/(2√x) + √x(x > 0)"),
    (
        "x: vector(n); sum(sqrt(x) * max(x, 0))",
        "x",
        "((1/2)(max(x, 0) ⊘ √x) + √x ⊙ (x ≥ 0))ᵀ",
    ),
    ("x: vector(n); sum(log(x) * abs(x - 1))", "x", "(sign(x − 1) ⊙ log(x) + abs(x − 1) ⊘ x)ᵀ"),
]


@pytest.mark.parametrize("query, wrt, expected", DOMAINS)
def test_roots_and_logs_are_checked_inside_their_domain(query, wrt, expected):
    three_ways(query, wrt, expected)


def test_check_fails_a_wrong_derivative_inside_the_domain():
    d = matcalc.derivative("x: scalar; sqrt(x) * relu(x)", "x")
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=build("max(0, x) / sqrt(x) + sqrt(x) * (x > 0)", d.variables)).check()


def test_an_entry_undefined_where_sympys_is_defined_fails():
    """Complex (or infinite) where the function and SymPy's derivative are real: a
    difference, not a point to skip."""
    d = matcalc.derivative("x: scalar; sqrt(x) * relu(x)", "x")
    nowhere = build("sqrt(-1 - x^2) * (x > 0)", d.variables)  # defined nowhere
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=nowhere).check()


def test_an_undecidable_entry_is_an_error_not_a_pass():
    """The function is defined nowhere: no point to compare a wrong derivative at."""
    d = matcalc.derivative("x: scalar; sqrt(-1 - x^2)", "x")
    assert d.check().proved == 1  # the right one is proved without a point
    with pytest.raises(MatcalcError, match="cannot decide"):
        wrong(d, result=build("x / sqrt(-1 - x^2)", d.variables)).check()


# ---------------------------------------------------------------- cancelled variables
CANCELLED = [
    ("x: vector(n); t: scalar; sum(x - x + t)", "t", "n"),
    ("x: vector(n); t: scalar; t * (x - x + 1)", "t", "1"),
    ("x: vector(n); t: scalar; sum(x - x) + t", "x", "0ᵀ"),
    ("x: vector(n); t: scalar; sum(x - x) + t", "t", "1"),
]


@pytest.mark.parametrize("query, wrt, expected", CANCELLED)
def test_a_variable_that_cancels_leaves_its_dimension(query, wrt, expected):
    three_ways(query, wrt, expected)


def test_evaluate_asks_for_a_dimension_it_cannot_see():
    d = matcalc.derivative("x: vector(n); t: scalar; t * (x - x + 1)", "t")
    with pytest.raises(MatcalcError, match="dimension n"):
        d.evaluate({"t": 0.5})
    assert d.evaluate({"t": 0.5, "n": 4}).shape == (4,)


# ---------------------------------------------------------------- arguments and limits
@pytest.mark.parametrize("n", [0, -1, 1.5, True, "3"])
def test_check_rejects_a_bad_n(n):
    d = matcalc.derivative("x: vector(n); sum(x)", "x")
    with pytest.raises(MatcalcError, match="whole number"):
        d.check(n=n)


def test_check_at_n_1_compares_one_entry():
    report = matcalc.derivative("x: vector(n); sum(exp(x))", "x").check(n=1)
    assert report.entries == 1 and report.sizes == {"n": 1}


def test_check_refuses_an_n_past_the_limit():
    with pytest.raises(LimitError, match="CHECK_MAX_DIM"):
        matcalc.derivative("x: vector(n); sum(x)", "x").check(n=9)


def test_check_refuses_a_huge_declared_size_before_expanding_it():
    d = matcalc.derivative("x: vector(99999999999999999999); sum(x)", "x")
    started = time.monotonic()
    with pytest.raises(LimitError, match="CHECK_MAX_DIM"):
        d.check()
    assert time.monotonic() - started < 5


def test_check_refuses_too_many_entries(monkeypatch):
    monkeypatch.setattr(check_module, "CHECK_MAX_ENTRIES", 10)
    with pytest.raises(LimitError, match="CHECK_MAX_ENTRIES"):
        matcalc.derivative("A: matrix(n, n); x: vector(n); A @ x", "x").check(n=4)


def test_check_refuses_a_large_symbolic_determinant():
    with pytest.raises(LimitError, match="CHECK_MAX_DET_DIM"):
        matcalc.derivative("X: matrix(5, 5); det(X)", "X").check()


def test_check_has_a_time_budget(monkeypatch):
    monkeypatch.setattr(check_module, "CHECK_SECONDS", -1)
    with pytest.raises(LimitError, match="CHECK_SECONDS"):
        matcalc.derivative("x: vector(n); sum(exp(x))", "x").check()


def test_cli_check_past_the_limit_exits_2():
    out, err = io.StringIO(), io.StringIO()
    status = run(
        ["x: vector(99999999999999999999); sum(x)", "--wrt", "x", "--check"], out=out, err=err
    )
    assert status == 2 and "CHECK_MAX_DIM" in err.getvalue() and "Traceback" not in err.getvalue()


def test_evaluate_refuses_an_array_past_the_limit_before_building_it():
    d = matcalc.derivative("A, X: matrix(n, n); A @ X", "X")
    started = time.monotonic()
    with pytest.raises(LimitError, match="EVALUATE_MAX_BYTES"):
        d.evaluate({"A": np.eye(1000), "X": np.eye(1000)})
    assert time.monotonic() - started < 5


def test_evaluate_refuses_a_large_intermediate_array():
    d = matcalc.derivative("x: vector(n); sum(x @ x.T)", "x")
    with pytest.raises(LimitError, match="EVALUATE_MAX_BYTES"):
        d.evaluate({"x": np.ones(20_000)})


# ---------------------------------------------------------------- evaluate on the set
def test_evaluate_needs_a_symmetric_value_for_a_symmetric_variable():
    d = matcalc.derivative("A: symmetric(n); x: vector(n); x @ A @ x", "A")
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(d.evaluate({"A": np.eye(3), "x": x}), np.outer(x, x))
    with pytest.raises(MatcalcError, match="symmetric"):
        d.evaluate({"A": np.arange(9.0).reshape(3, 3), "x": x})


def test_evaluate_needs_a_simplex_value_for_a_simplex_variable():
    d = matcalc.derivative("y: simplex(n); x: vector(n); y @ x", "y")
    np.testing.assert_allclose(d.evaluate({"y": [0.2, 0.3, 0.5], "x": [1, 2, 3]}), [1, 2, 3])
    with pytest.raises(MatcalcError, match="simplex"):
        d.evaluate({"y": [1, 2, 3], "x": [1, 2, 3]})


def test_det_and_inv_dimensions_get_the_small_sizes():
    """The fourth dimension would be 5: the one under logdet takes a small size instead."""
    query = (
        "a: vector(p); b: vector(q); c: vector(r); X: matrix(k, k); "
        "logdet(X) + a @ a + b @ b + c @ c"
    )
    report = assert_derivative(query, "X", "X⁻ᵀ").check()
    assert report.sizes["k"] <= 4


def test_evaluate_rejects_values_that_are_not_real_arrays():
    # a string, None (np.asarray(None, float) is nan), a ragged list: a MatcalcError;
    # an exact constant past the float range: a LimitError
    from matcalc.errors import LimitError, MatcalcError

    d = matcalc.derivative("sin(x) * y", "x")
    for bad in ("abc", None, [1, [2]], 10**400):
        with pytest.raises(MatcalcError, match="value of x"):
            d.evaluate({"x": bad, "y": 3})
    with pytest.raises(MatcalcError, match="value of A"):
        matcalc.derivative("sum(A)", "A").evaluate({"A": [[1, 2], [3]]})
    with pytest.raises(LimitError, match="float64 range"):
        matcalc.derivative("1e999 * x", "x").evaluate({"x": 1.0})
    assert d.evaluate({"x": 0.0, "y": 3}) == pytest.approx(3.0)


BOUNDED = [
    ("x: vector(n); sum(arcsin(x))", "x", "(1 ⊘ √(1 − x²))ᵀ"),
    ("x: vector(n); sum(log1p(x))", "x", "(1 ⊘ (1 + x))ᵀ"),
    ("x, y: vector(n); sum(min(arcsin(x), y))", "x", "((y ≥ arcsin(x)) ⊘ √(1 − x²))ᵀ"),
]


@pytest.mark.parametrize("query, wrt, expected", BOUNDED)
def test_bounded_domains_are_checked_inside_them(query, wrt, expected):
    three_ways(query, wrt, expected)


def test_the_check_draws_from_the_registered_domain():
    """arcsin and log1p bound the check's random points to (−1, 1) (the registry's domain),
    not the ±[0.3, 1.7] where arcsin is undefined."""
    assert check_module._domain(matcalc.derivative("x: vector(n); sum(arcsin(x))", "x"))[2] == 1.0
    assert check_module._domain(matcalc.derivative("x: vector(n); sum(log(x))", "x")) == (
        True,
        False,
        float("inf"),
    )
    assert check_module._domain(matcalc.derivative("X: matrix(n, n); det(X)", "X"))[1]


def test_check_fails_a_wrong_derivative_inside_a_bounded_domain():
    d = matcalc.derivative("x, y: vector(n); sum(min(arcsin(x), y))", "x")
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=build("((y > arcsin(x)) / sqrt(1 + x^2)).T", d.variables)).check()


# ---------------------------------------------------------------- how entries are decided
def test_the_numeric_comparison_sees_a_difference_of_one_in_a_trillion():
    """Entries with a kink are compared at points, with 40 digits: an error of 1e-12 (far
    inside float64's tolerance) fails; the right derivative passes at several points."""
    d = matcalc.derivative("x: vector(n); sum(sqrt(x) * max(x, 0))", "x")
    report = d.check()
    assert (report.proved, report.numeric) == (0, 3)
    near = build("(max(x, 0) / (2 * sqrt(x)) + sqrt(x) * (x >= 0) + 1e-12).T", d.variables)
    with pytest.raises(CheckFailed, match="differs"):
        wrong(d, result=near).check()


def test_every_numeric_entry_agrees_at_several_points(monkeypatch):
    """An entry compared at fewer than POINTS points is undecided, not passed."""
    from matcalc import check_entries

    d = matcalc.derivative("x: vector(n); sum(sqrt(x) * max(x, 0))", "x")
    monkeypatch.setattr(check_entries, "TRIES", check_entries.POINTS - 1)
    with pytest.raises(MatcalcError, match="cannot decide"):
        d.check()


def test_a_nested_smooth_derivative_is_proved_not_sampled():
    """tanh(tanh(…)): SymPy's own derivative, proved entry by entry once expanded with each
    tanh(…) as a symbol (simplify on these took minutes)."""
    q = "W: matrix(n, n); x: vector(n); sum(tanh(W @ tanh(W @ x)))"
    report = matcalc.derivative(q, "W").check(n=3)
    assert (report.entries, report.proved, report.numeric) == (9, 9, 0)


def test_the_proof_budget_stops_a_runaway_cancel(monkeypatch):
    """The fuzzer's #109: cancel on this entry runs for minutes (its denominators multiply
    out); after the numeric comparison the proof is given up when the budget is spent, and
    the entry counts as compared at points. A trace function set before is put back."""
    import sys

    monkeypatch.setattr(check_module, "PROOF_SECONDS", 2.0)
    q = (
        "q: simplex(3); w: vector(3); α: scalar; dot((w + (w - w))**2 ⊘ exp(-w * w), "
        "softmax((exp(w) - q / exp(α)) * (q / exp(α) - exp(w))))"
    )
    d = matcalc.derivative(q, "α", layout="denominator")
    before = sys.gettrace()
    started = time.monotonic()
    report = d.check(n=2)
    assert time.monotonic() - started < 30
    assert (report.proved, report.numeric) == (0, 1)
    assert sys.gettrace() is before
