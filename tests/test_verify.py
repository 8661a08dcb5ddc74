"""`matcalc.verify`: hand-derived claims judged right or wrong, with the correction.

The seeds' errata (spec/tutorial-rules.md, "Errata in the two seed files") as a table: each
wrong formula of the seeds is rejected with the right correction, each right one accepted.
"""

from __future__ import annotations

import io

import pytest

import matcalc
from matcalc.cli import run
from matcalc.errors import LimitError, MatcalcError
from matcalc.verify import VerifyReport, parse_claim

VEC = "x: vector(n); z: scalar; "  # scalar expansion
WX = "w, x: vector(n); "  # element-wise operators, dot products
LOSS = "X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; "
LOSS_EXPR = "mean((y - max(0, X @ w + b))^2)"
STEP = "(X @ w + b > 0)"
ERR = "(X @ w + b - y)"

CORRECT, VALUE, SHAPE = "correct", "wrong value", "shape error"

# ---------------------------------------------------------------- the seeds' errata
#  claim                                                       verdict  matcalc's form
ERRATA = [
    # 000: ∂(x + z)/∂z written diag(1) = I; it is the column 1 (002 has it right)
    (VEC + "d/dz (x + z) = I", SHAPE, "1"),
    (VEC + "d/dz (x + z) = diag(ones)", SHAPE, "1"),
    (VEC + "d/dz (x + z) = ones", CORRECT, "1"),
    (VEC + "d/dz (x + z) = 1", CORRECT, "1"),
    (VEC + "∂(x + z)/∂z = ones", CORRECT, "1"),
    # 000: the row of w - x by w is labelled ∂(w + x)/∂w; its result I is right
    (WX + "d/dw (w - x) = I", CORRECT, "I"),
    (WX + "d/dx (w - x) = -I", CORRECT, "−I"),
    (WX + "d/dx (w - x) = I", VALUE, "−I"),
    (WX + "d/dw (w + x) = I", CORRECT, "I"),
    # 000: the bias gradient with one factor 2 too many
    (LOSS + f"d/db {LOSS_EXPR} = (2/N) * sum(2*({ERR} * {STEP}))", VALUE, None),
    (LOSS + f"d/db {LOSS_EXPR} = (2/N) * sum({ERR} * {STEP})", CORRECT, None),
    # 002: g(x, y) = 2x + y² with the gradient component 8y⁷ (the tutorial's g is 2x + y⁸)
    ("d/dy (2*x + y^2) = 8*y^7", VALUE, "2y"),
    ("d/dy (2*x + y^2) = 2*y", CORRECT, "2y"),
    ("d/dy (2*x + y^8) = 8*y^7", CORRECT, "8y⁷"),
    ("d/dx (2*x + y^2) = 2", CORRECT, "2"),
    # both: the condition w·xᵢ + b > 0 moved outside the sum (it belongs to each sample)
    (LOSS + f"d/db {LOSS_EXPR} = (2/N) * sum({ERR}) * (sum(X @ w + b) > 0)", VALUE, None),
    (LOSS + f"d/dw {LOSS_EXPR} = (2/N) * (sum(X @ w + b) > 0) * ({ERR} @ X)", VALUE, None),
    (LOSS + f"d/dw {LOSS_EXPR} = (2/N) * ({ERR} @ X)", VALUE, None),
    (LOSS + f"d/dw {LOSS_EXPR} = (2/N) * ({ERR} * {STEP}) @ X", CORRECT, None),
    (LOSS + f"d/dw {LOSS_EXPR} = (2/N) * ({ERR} * {STEP}).T @ X", CORRECT, None),
    # 000: the vector chain rule's matrix and the steps of ln(sin(x³)²)
    ("d/dx ln(sin(x^3)^2) = 6*x^2*cos(x^3)/sin(x^3)", CORRECT, "6x²cos(x³)/sin(x³)"),
    ("d/dx ln(sin(x^3)^2) = 2*cos(x^3)/sin(x^3)", VALUE, "6x²cos(x³)/sin(x³)"),
    ("d/dx [ln(x^2), sin(3*x)] = [2/x, 3*cos(3*x)]", CORRECT, "[2/x, 3cos(3x)]"),
    ("d/dx [ln(x^2), sin(3*x)] = [2/x, cos(3*x)]", VALUE, "[2/x, 3cos(3x)]"),
]


@pytest.mark.parametrize("claim, kind, correct_form", ERRATA)
def test_errata(claim, kind, correct_form):
    report = matcalc.verify(claim)
    assert isinstance(report, VerifyReport)
    assert report.kind == kind, str(report)
    assert report.correct is (kind == CORRECT)
    assert bool(report) is report.correct
    if correct_form is not None:
        assert report.correct_form == correct_form
    text = str(report)
    assert text.startswith("✓ correct:" if report.correct else "✗ wrong")
    assert report.correct_form in text
    if kind == VALUE:
        assert report.counterexample is not None
        assert report.counterexample["values"]
    else:
        assert report.counterexample is None


# ---------------------------------------------------------------- the tutorial's rules
RULES = [
    ("d/dw (w @ x) = x.T", CORRECT),
    ("d/dw (w @ x) = xᵀ", CORRECT),
    ("d/dx (w @ x) = w.T", CORRECT),
    ("d/dw (w @ x) = x", SHAPE),
    (WX + "∂(w * x)/∂w = diag(x)", CORRECT),
    (WX + "∂(w * x)/∂w = diag(w)", VALUE),
    (WX + "∂(w⊗x)/∂x = diag(w)", CORRECT),
    (WX + "d/dx (w / x) = diag(-w / x^2)", CORRECT),
    (WX + "d/dx (w / x) = -diag(w / x^2)", CORRECT),
    (WX + "d/dx (w / x) = diag(w / x^2)", VALUE),
    (VEC + "d/dx (x * z) = I * z", CORRECT),
    (VEC + "d/dx (x * z) = z", SHAPE),
    (VEC + "d/dz (x * z) = x", CORRECT),
    (VEC + "d/dz (x - z) = -1", CORRECT),
    (VEC + "d/dz (z - x) = ones", CORRECT),
    (VEC + "d/dz (x / z) = -x / z^2", CORRECT),
    (VEC + "d/dx sum(x) = 1ᵀ", CORRECT),
    (VEC + "d/dx sum(x) = ones.T", CORRECT),
    (VEC + "d/dx sum(x) = ones", SHAPE),
    (VEC + "d/dx sum(x) = 1", SHAPE),
    (VEC + "d/dx sum(x * z) = z * 1ᵀ", CORRECT),
    (VEC + "d/dx sum(x * z) = z", SHAPE),
    (VEC + "d/dz sum(x * z) = sum(x)", CORRECT),
    (VEC + "d/dx exp(sin(x)) = diag(exp(sin(x)) * cos(x))", CORRECT),
    (VEC + "d/dx exp(sin(x)) = diag(exp(cos(x)))", VALUE),
    (VEC + "d/dx max(0, x) = diag(x > 0)", CORRECT),
    (VEC + "d/dx (x^2 + 1) = 0", VALUE),
    (VEC + "d/dz (x^2 + 1) = 0", CORRECT),
    (WX + "b: scalar; d/dw max(0, w @ x + b) = (w @ x + b > 0) * x.T", CORRECT),
    (WX + "b: scalar; d/db max(0, w @ x + b) = (w @ x + b > 0)", CORRECT),
    (WX + "b: scalar; d/db max(0, w @ x + b) = 1", VALUE),
    ("d/dx sin(x^2) = 2*x*cos(x^2)", CORRECT),
    ("d/dx (x + x^2) = 1 + 2*x", CORRECT),
    ("d/dx 9*(x + x^2) = 9*(1 + 2*x)", CORRECT),
    ("∂/∂x (x^2 * x) = 3*x^2", CORRECT),
    ("∂x^3/∂x = 3*x^2", CORRECT),
    ("x: scalar; d/dx 99 = 0", CORRECT),
    # matrices
    ("A: matrix(m, n); x: vector(n); d/dx (A @ x) = A", CORRECT),
    ("A: matrix(m, n); x: vector(n); d/dx (A @ x) = A.T", SHAPE),
    ("d/dX log(det(X)) = inv(X).T", CORRECT),
    ("d/dX log(det(X)) = inv(X)", VALUE),
    ("d/dX trace(A @ X @ B) = A.T @ B.T", CORRECT),
    ("d/dX (a @ X @ b) = a @ b.T", CORRECT),
    ("d/dX (a @ X @ b) = b @ a.T", SHAPE),
    ("d/dX (a @ X @ b) = X", VALUE),
    ("A: matrix(n, n); d/dx (x @ A @ x) = x @ (A + A.T)", CORRECT),
    ("A: matrix(m, n); z: scalar; d/dz (A * z) = A", CORRECT),
    ("A: matrix(n, n); d/dx (x @ A @ x) = 2 * x @ A", VALUE),
    ("A: symmetric(n); d/dx (x @ A @ x) = 2 * x @ A", CORRECT),
]


@pytest.mark.parametrize("claim, kind", RULES)
def test_rules(claim, kind):
    report = matcalc.verify(claim)
    assert report.kind == kind, str(report)


# ---------------------------------------------------------------- the reports
def test_shape_error_report_says_what_is_due():
    report = matcalc.verify(VEC + "d/dz (x + z) = I")
    assert (report.correct, report.kind) == (False, "shape error")
    assert report.claimed == "I" and report.correct_form == "1"
    assert report.due_shape == "a column vector(n)"
    assert report.claimed_shape == "a matrix(n, n)"
    text = str(report)
    assert text.splitlines()[0] == (
        "✗ wrong shape: ∂(x + z)/∂z is a column vector(n), but the claim I is a matrix(n, n)."
    )
    assert "∂(x + z)/∂z = 1" in text and "1 is a column of ones" in text


def test_a_number_is_a_column_only_where_a_column_is_due():
    report = matcalc.verify(VEC + "d/dx sum(x) = 1")
    assert report.kind == "shape error" and report.claimed_shape == "a scalar"
    assert "1ᵀ" in str(report) and report.hint
    assert matcalc.verify(VEC + "d/dz (x + z) = 1").correct
    assert matcalc.verify(VEC + "d/dz (x + 2*z) = 2").correct
    assert matcalc.verify(VEC + "d/dz (x + 2*z) = 1").kind == "wrong value"
    assert matcalc.verify(VEC + "d/dx (3 * x) = 3").kind == "shape error"


def test_correct_report():
    report = matcalc.verify(WX + "∂(w⊗x)/∂w = diag(x)")
    assert report.correct and report.kind == "correct"
    assert report.claimed == "diag(x)" == report.correct_form
    text = str(report)
    assert text.splitlines()[0] == "✓ correct: ∂(w ⊙ x)/∂w = diag(x)"
    assert "SymPy proves all 9 entries equal" in text


def test_correct_in_another_form_shows_both():
    report = matcalc.verify(WX + "d/dx (w / x) = diag(-w / x^2)")
    assert report.correct
    assert report.correct_form in str(report)


def test_wrong_value_counterexample():
    report = matcalc.verify(LOSS + f"d/db {LOSS_EXPR} = (2/N) * sum(2*({ERR} * {STEP}))")
    assert (report.correct, report.kind) == (False, "wrong value")
    c = report.counterexample
    assert c["sizes"] == {"N": 3, "n": 2}
    assert set(c["values"]) == {"X", "w", "y", "b"}
    assert len(c["values"]["X"]) == 3 and len(c["values"]["X"][0]) == 2
    assert isinstance(c["values"]["b"], float)
    assert c["claimed"] == pytest.approx(2 * c["true"], abs=1e-3)  # one factor 2 too many
    text = str(report)
    assert text.startswith("✗ wrong value: ∂(")
    assert "/∂b = " + report.correct_form in text
    assert "the claim differs at N=3, n=2: " in text and "X=[[" in text and "b=" in text
    assert f"claim {c['claimed']:.4g}, true {c['true']:.4g}" in text


def test_counterexample_values_reproduce_the_difference():
    """The counterexample's values give the values it reports (rounding aside)."""
    report = matcalc.verify("d/dy (2*x + y^2) = 8*y^7")
    c = report.counterexample
    y = c["values"]["y"]
    assert c["claimed"] == pytest.approx(8 * y**7, rel=1e-3)
    assert c["true"] == pytest.approx(2 * y, rel=1e-3)
    assert c["sizes"] == {}
    assert str(report).splitlines()[1].startswith("  the claim differs at x=")


def test_vector_counterexample():
    report = matcalc.verify(WX + "∂(w * x)/∂w = diag(w)")
    c = report.counterexample
    assert c["sizes"] == {"n": 3}
    assert len(c["values"]["w"]) == 3
    assert len(c["claimed"]) == 3 and len(c["true"]) == 3


def test_counterexample_values_are_short_decimals():
    c = matcalc.verify(LOSS + f"d/dw {LOSS_EXPR} = (2/N) * ({ERR} @ X)").counterexample
    flat = [v for row in c["values"]["X"] for v in row] + c["values"]["w"] + c["values"]["y"]
    assert all(round(v, 1) == v and 0.2 <= abs(v) <= 2 for v in flat)


def test_sizes_vary_between_points():
    """A claim right at the first sizes only (n = 3) is caught at the next ones."""
    report = matcalc.verify(VEC + "d/dz sum(x + z) = 3")
    assert report.kind == "wrong value"
    assert report.correct_form == "n"
    assert report.counterexample["sizes"] == {"n": 2}
    assert report.counterexample["claimed"] == 3 and report.counterexample["true"] == 2
    right = matcalc.verify(VEC + "d/dz sum(x + z) = n")
    assert right.correct and "equal at 6 random points (n = 3, 2, 4)" in str(right)
    two = matcalc.verify("A: matrix(m, n); x: vector(n); d/dx (A @ x) = A")
    assert "(m, n) = (3, 2), (2, 4), (4, 5)" in str(two)
    assert "SymPy proves all 6 entries equal at m=3, n=2" in str(two)


def test_layouts():
    claim = "d/dw (w @ x) = x"
    numerator = matcalc.verify(claim)
    assert numerator.kind == "shape error"
    assert numerator.due_shape == "a row vector(n)"
    assert numerator.claimed_shape == "a column vector(n)"
    assert numerator.correct_form == "xᵀ"
    assert "denominator layout" in str(numerator)  # the hint
    assert matcalc.verify(claim, layout="denominator").correct
    assert matcalc.verify(claim, layout="mixed").correct
    assert matcalc.verify("d/dw (w @ x) = x.T", layout="denominator").kind == "shape error"
    assert matcalc.verify(
        "A: matrix(m, n); x: vector(n); d/dx (A @ x) = A.T", layout="denominator"
    ).correct


def test_shapes_argument_and_declarations_agree():
    by_api = matcalc.verify("d/dz (x + z) = ones", shapes={"x": "vector(n)", "z": "scalar"})
    assert by_api.correct
    undeclared = matcalc.verify("d/dz (x + z) = ones")  # x a scalar: ones is 1
    assert undeclared.correct and undeclared.correct_form == "1"
    assert matcalc.verify("d/dz (x + z) = I").correct  # the 1×1 identity
    assert (
        matcalc.verify("d/dz (x + z) = I", shapes={"x": "vector", "z": "scalar"}).kind
        == "shape error"
    )


def test_names_I_and_ones_declared_as_variables_are_variables():
    assert matcalc.verify("I: matrix(n, n); x: vector(n); d/dx (I @ x) = I").correct
    report = matcalc.verify("I: matrix(n, n); x: vector(n); d/dI sum(I) = I")
    assert report.kind == "wrong value"  # I the variable, not the identity
    assert matcalc.verify("ones: vector(n); d/dones sum(ones) = 1ᵀ").correct


def test_dimension_names_are_sizes():
    assert matcalc.verify("x: vector(n); d/dx (n * sum(x)) = n * ones.T").correct
    assert matcalc.verify("x: vector(n); d/dx mean(x) = ones.T / n").correct
    assert matcalc.verify("x: vector(n); d/dx mean(x) = ones.T").kind == "wrong value"


def test_zero_is_sized_to_fit():
    assert matcalc.verify(WX + "d/dw sum(x) = 0").correct
    assert matcalc.verify(WX + "d/dw (2 * x) = 0").correct
    assert matcalc.verify("A: matrix(m, n); z: scalar; d/dz (A * 3) = 0").correct


def test_multiline_claim_with_comments():
    claim = (
        "x: vector(n)   # the input\nz: scalar\nd/dz (x + z)   # the bias, broadcast\n  = ones\n"
    )
    assert matcalc.verify(claim).correct


def test_parse_claim_spans():
    text = "x: vector(n); z: scalar; d/dz (x + z) = ones"
    c = parse_claim(text)
    assert c.var == "z"
    assert text[c.head[0] : c.head[1]] == "d/dz"
    assert text[slice(*c.expression)].strip() == "(x + z)"
    assert text[slice(*c.claimed)].strip() == "ones"
    assert text[c.equals] == "="
    q = parse_claim("∂(x >= 0)/∂x = 0")
    assert (q.var, "∂(x >= 0)/∂x = 0"[slice(*q.expression)]) == ("x", "(x >= 0)")


def test_comparisons_are_not_the_equals_sign():
    assert matcalc.verify(VEC + "d/dx (x >= 0) = 0").correct
    assert matcalc.verify(VEC + "d/dx max(0, x) = diag(x >= 0)").correct  # equal off the kink


# ---------------------------------------------------------------- bad claims
BAD = [
    # claim                                        line col  message
    (VEC + "d/dz (x + z) ones", 1, 43, "missing '='"),
    (VEC + "d/dz (x + z) = q", 1, 41, "unknown name 'q'"),
    (VEC + "d/dq (x + z) = 1", 1, 29, "'q' does not appear"),
    ("d/dx 99 = 0", 1, 4, "'x' does not appear"),
    (VEC + "d/dz (x + z) = (1 +", 1, 45, "missing operand"),
    (VEC + "d/dz (x + z) = 1 2", 1, 43, "two operands"),
    (VEC + "d/dz (x + ) = 1", 1, 36, "missing operand"),
    (VEC + "d/dz (x + z) = foo(z)", 1, 41, "unknown function 'foo'"),
    (VEC + "d/dx sum(x) = x + [1, 2]", 1, 42, "+ needs operands of one shape"),
    ("x + z = 1", 1, 1, "needs a derivative"),
    ("x: scalar d/dx x = 1", 1, 11, "must start a statement"),
    ("d/dx = 1", 1, 1, "nothing to differentiate"),
    ("d/dx x^2 =", 1, 10, "missing the claimed derivative"),
    ("d/dx x^2 = 2*x = 2*x", 1, 16, "more than one '='"),
    ("d/dx x^2 == 2*x", 1, 10, "'=='"),
    ("d/dx (x^2 = 2*x)", 1, 11, "'=' inside brackets"),
    ("∂(x^2) = 2*x", 1, 8, "missing /∂VAR"),
    ("d/dx x^2 = y: scalar; y", 1, 15, "declarations go before"),
    ("d/dx x: scalar; x = 1", 1, 9, "declarations go before"),
    ("x: vektor; d/dx sum(x) = 1", 1, 4, "bad declaration"),
    ("X: matrix(n, n); d/dX X = I", 1, 18, "linear map"),
    (VEC + "d/dx sum(x) = sum(ones) * x.T", 1, 44, "cannot tell the size of ones"),
    ("x: vector(n); z: scalar;\nd/dz (x + z)\n   = 1 + * 2", 3, 10, "missing operand"),
    ("", 1, 1, "empty claim"),
]


@pytest.mark.parametrize("claim, line, column, message", BAD)
def test_bad_claims_are_located(claim, line, column, message):
    with pytest.raises(MatcalcError) as info:
        matcalc.verify(claim)
    error = info.value
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    assert error.text == claim  # located in the original text
    shown = str(error).splitlines()
    source_line = claim.split("\n")[line - 1] if claim else ""
    assert shown[-2] == "  " + source_line
    assert shown[-1].index("^") == column + 1  # the caret under the column


def test_unknown_layout():
    with pytest.raises(MatcalcError, match="unknown layout"):
        matcalc.verify("d/dx x = 1", layout="sideways")


# ---------------------------------------------------------------- command line
def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(["verify", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_correct_exits_0():
    code, out, err = _cli(VEC + "d/dz (x + z) = ones")
    assert code == 0 and out.startswith("✓ correct: ∂(x + z)/∂z = 1") and not err


def test_cli_wrong_exits_1():
    code, out, err = _cli(VEC + "d/dz (x + z) = I")
    assert code == 1 and out.startswith("✗ wrong shape:") and not err
    code, out, _ = _cli("d/dy (2*x + y^2) = 8*y^7")
    assert code == 1 and "✗ wrong value: ∂(2x + y²)/∂y = 2y, not 8y⁷" in out
    assert "the claim differs at x=" in out


def test_cli_bad_input_exits_2():
    code, out, err = _cli(VEC + "d/dz (x + z) = (1 +")
    assert code == 2 and not out
    assert "line 1, column 45" in err and "^" in err
    assert _cli("x + z = 1")[0] == 2


def test_cli_flags():
    assert _cli("d/dz (x + z) = ones", "--vector", "x", "--scalar", "z")[0] == 0
    assert _cli("d/dw (w @ x) = x")[0] == 1
    assert _cli("d/dw (w @ x) = x", "--layout", "denominator")[0] == 0


# ---------------------------------------------------------------- structured variables
# The derivative by a symmetric matrix or a simplex vector is the unconstrained gradient at
# a point of the set (README, "Layouts"); it is fixed up to a direction normal to the set
# (an antisymmetric matrix; a multiple of 1), so a claim differing by one alone is right.
SYM = "A: symmetric(n); x: vector(n); B: matrix(n, n); "
SPX = "y: simplex(n); x: vector(n); "
STRUCTURED = [
    #  claim                                                       verdict  note
    (SYM + "d/dA (x @ A @ x) = x @ x.T", CORRECT, False),
    (SYM + "d/dA (x @ A @ x) = 2 * x @ x.T", VALUE, False),
    (SYM + "d/dA (x @ A @ x) = 2 * x @ x.T - diag(x^2)", VALUE, False),
    (SYM + "d/dA trace(A @ B) = B.T", CORRECT, False),
    (SYM + "d/dA trace(A @ B) = B", CORRECT, True),  # tr(AᵀB)'s
    (SYM + "d/dA trace(A @ B) = B + B.T", VALUE, False),
    ("A: symmetric(n); d/dA logdet(A) = inv(A)", CORRECT, False),
    (SPX + "d/dy (y @ x) = x.T", CORRECT, False),
    (SPX + "d/dy (y @ x) = x.T + 1ᵀ", CORRECT, True),
    (SPX + "d/dy (y @ x) = 2 * x.T", VALUE, False),
    ("y: simplex(n); d/dy sum(y) = 1ᵀ", CORRECT, True),  # as written
    ("y: simplex(n); d/dy sum(y) = 0", CORRECT, False),
    ("y: simplex(n); A: matrix(m, n); d/dy (A @ y) = A", CORRECT, False),
    ("y: simplex(n); A: matrix(m, n); d/dy (A @ y) = 2 * A", VALUE, False),
    (
        (
            "y: simplex(m); W: matrix(m, n); x: vector(n); "
            "d/dy -(y @ log(softmax(W @ x))) = -log(softmax(W @ x)).T"
        ),
        CORRECT,
        False,
    ),
]


@pytest.mark.parametrize("claim, kind, note", STRUCTURED)
def test_structured_variables_follow_the_convention(claim, kind, note):
    report = matcalc.verify(claim)
    assert report.kind == kind, str(report)
    assert ("fixed up to" in str(report)) == note, str(report)


def test_structured_variables_in_other_layouts():
    assert matcalc.verify(SPX + "d/dy (y @ x) = x + 1", layout="denominator").correct
    assert matcalc.verify(SPX + "d/dy (y @ x) = x + 1", layout="mixed").correct
    assert not matcalc.verify(SPX + "d/dy (y @ x) = 2 * x", layout="denominator").correct
    claim = "y: simplex(n); A: matrix(m, n); d/dy (A @ y) = A.T"
    assert matcalc.verify(claim, layout="denominator").correct


def test_cli_verify_structured_never_crashes():
    assert _cli(SYM + "d/dA (x @ A @ x) = x @ x.T")[0] == 0
    assert _cli(SPX + "d/dy (y @ x) = x.T")[0] == 0
    code, out, err = _cli(SPX + "d/dy (y @ x) = 2 * x.T")
    assert code == 1 and "Traceback" not in out + err


# ---------------------------------------------------------------- cancelled names, diag
def test_a_cancelled_variable_keeps_its_dimension():
    assert matcalc.verify("x: vector(n); t: scalar; d/dt sum(x - x + t) = n").correct
    assert matcalc.verify("x: vector(n); t: scalar; d/dx (sum(x - x) + t) = 0").correct


def test_claims_through_diag():
    q = "r: vector(n); A: matrix(n, n); "
    assert matcalc.verify(q + "d/dr trace(diag(r) @ A) = diag(A).T").correct
    assert matcalc.verify(q + "d/dr trace(diag(r) @ A) = diag(A.T).T").correct
    assert matcalc.verify(q + "d/dr trace(diag(r) @ A) = sum(A) * onesᵀ").kind == VALUE
    x = "x: vector(n); A: matrix(n, n); "
    assert matcalc.verify(x + "d/dx logdet(A + diag(x)) = diag(inv(A + diag(x))).T").correct


def test_the_sympy_confirmation_is_bounded():
    """A 6×6 symbolic determinant would take SymPy minutes: the claim is settled by values."""
    import time

    started = time.monotonic()
    report = matcalc.verify(
        "a: matrix(p, q); b: matrix(q, r); c: vector(s); X: matrix(k, k); d/dX logdet(X) = inv(X).T"
    )
    assert report.correct and "SymPy" not in report.checks
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("claim", ["d/dx x = 1e999", "d/dx 1e999 * x = 1e999"])
def test_a_constant_past_the_floats_is_an_error_not_a_traceback(claim):
    with pytest.raises(LimitError, match="float64"):
        matcalc.verify(claim)
    out, err = io.StringIO(), io.StringIO()
    assert run(["verify", claim], out, err) == 2
    assert "Traceback" not in err.getvalue() and "float64" in err.getvalue()


def test_a_declared_size_past_the_limits_is_refused_before_sampling():
    claim = "x: vector(99999999999999999999); d/dx sum(x) = ones.T"
    with pytest.raises(LimitError, match="EVALUATE_MAX_BYTES"):
        matcalc.verify(claim)
    out, err = io.StringIO(), io.StringIO()
    assert run(["verify", claim], out, err) == 2
    assert "Traceback" not in err.getvalue()
    assert matcalc.verify("x: vector(4); d/dx sum(x) = ones.T").correct


def test_verify_exact_constants_and_limits():
    # a claim equal within the float tolerance but not exactly is wrong; 1e999 and a huge
    # dimension are limit errors; a claim that is not a str is a MatcalcError
    from matcalc.errors import LimitError, MatcalcError

    report = matcalc.verify("d/dx x = 1 + 1e-999")
    assert not report.correct and report.kind == "wrong value"
    assert "exact nonzero constant" in str(report)
    assert not matcalc.verify("d/dx x^2 = 2*x + 1e-12").correct
    assert matcalc.verify("d/dx x^2 = 2*x").correct
    for claim in (
        "d/dx x = 1e999",
        "d/dx 1e999 * x = 1e999",
        "x: vector(99999999999999999999); d/dx sum(x) = ones.T",
    ):
        with pytest.raises(LimitError):
            matcalc.verify(claim)
    for claim in (None, 3):
        with pytest.raises(MatcalcError):
            matcalc.verify(claim)


# ---------------------------------------------------------------- registered domains
def test_arcsin_claims_are_compared_inside_its_domain():
    """The sampler takes arcsin's (−1, 1) from the registry: a right claim is equal at every
    point compared (before, values in ±[0.2, 2] left one matrix point of six inside), a
    wrong one is a wrong value."""
    right = matcalc.verify("d/dx arcsin(x) = 1/sqrt(1 - x^2)", {"x": "scalar"})
    assert right.correct and right.checks.startswith("equal at 6 random points")
    wrong = matcalc.verify("d/dx arcsin(x) = 1/sqrt(1 + x^2)", {"x": "scalar"})
    assert not wrong.correct and wrong.kind == "wrong value"
    matrix = matcalc.verify(
        "A: matrix; d/dA sum(arcsin(A)) = 1 / sqrt(1 - A^2)", layout="denominator"
    )
    assert matrix.correct and matrix.checks.startswith("equal at 6 random points")
    assert not matcalc.verify(
        "A: matrix; d/dA sum(arccos(A)) = 1 / sqrt(1 - A^2)", layout="denominator"
    ).correct


@pytest.mark.parametrize(
    "claim, correct",
    [
        ("A: matrix; d/dA sum(log1p(A)) = 1 / (1 + A)", True),
        ("A: matrix; d/dA sum(log1p(A)) = 1 / (2 + A)", False),
        ("x, y: vector; d/dx sum(min(x, y)) = (y > x)", True),
        ("x, y: vector; d/dx sum(min(x, y)) = (y < x)", False),
        ("x: vector; d/dx norm1(x) = sign(x)", True),
        ("x: vector; d/dx norm1(x) = abs(x)", False),
    ],
)
def test_registered_domains_and_kinks_are_honoured(claim, correct):
    report = matcalc.verify(claim, layout="denominator")
    assert report.correct is correct
    if correct:
        assert report.checks.startswith("equal at 6 random points")


def test_the_samplers_read_domains_from_the_registry():
    from matcalc import expr as E
    from matcalc import sampling

    x = E.Var("x")
    assert sampling.radius(E.walk(E.Func("arcsin", x))) == 1.0
    assert sampling.radius(E.walk(E.Func("log1p", x))) == 1.0
    assert sampling.radius(E.walk(E.Func("exp", x))) == float("inf")
    assert sampling.needs_positive(E.walk(E.Func("log", x)))
    assert not sampling.needs_positive(E.walk(E.Func("log1p", x)))
    A = E.Var("A", matcalc.shapes.Shape("n", "n"))
    assert sampling.needs_invertible(E.walk(E.Det(A)))
    assert sampling.kink_arguments(E.walk(E.Func("min", x, E.Var("y"))))
