"""The algebra core (expr, simplify): identity of hash-consed nodes, signs through rewrites,
shapes through cancellation, bounds on constant folding, and the simplifier's budget.

Regression cases are checked three ways (printed form, central differences, SymPy check);
the property tests build random trees rich in the motifs the rewrites act on (tests/
algebra_trees.py) and compare `evaluate` with central differences of an independent NumPy
function of the same tree, and the simplified form with the unsimplified one.
ALGEBRA_EXAMPLES=n (environment) runs n examples per property instead of the CI's few.
"""

from __future__ import annotations

import io
import os
import time
from fractions import Fraction

import numpy as np
import pytest
from algebra_trees import SHAPES as TREE_SHAPES
from algebra_trees import central_differences, point, trees
from helpers import assert_derivative, random_values
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc
from matcalc import expr as E
from matcalc.api import _parse
from matcalc.cli import run
from matcalc.errors import LimitError, MatcalcError
from matcalc.evaluate import bind, evaluate
from matcalc.limits import MAX_CONSTANT_DIGITS
from matcalc.shapes import SCALAR, Shape
from matcalc.simplify import BudgetExceeded, Trials, apply_rule, simplify
from matcalc.simplify.rewrites import distribute_when_it_cancels, inverse_of_product

AB = {"A": "matrix(n, n)", "B": "matrix(n, n)", "s": "scalar", "x": "vector(n)", "y": "vector(n)"}

# ---------------------------------------------------------------- regressions (issue 7)
# A product with a repeated difference keeps its sign: `negated-difference` rewrote the one
# hash-consed (A − B), so both occurrences flipped and the sign was lost.
SIGNS = [
    ("(A - B) @ (A - B) / s", "s", "−(1/s²)(A − B)(A − B)"),
    ("-s * ((A - B) @ (A - B))", "s", "−(A − B)(A − B)"),
    ("cos(s) * ((A - B) @ (A - B))", "s", "−sin(s)(A − B)(A − B)"),
    ("-(x @ (A - B) @ (A - B) @ y)", "y", "−xᵀ(A − B)(A − B)"),
    ("-(x @ (A - B) @ (B - A) @ y)", "y", "xᵀ(B − A)(B − A)"),
    ("-s * (x - y)", "s", "y − x"),  # a single difference still flips
]
# Terms that cancel leave a scalar expanded to the array's shape (t + 1)·1, never the scalar
# t + 1 itself (hash-consing keyed by class and arguments only made them one node). The
# SymPy check takes a term that keeps A alive: with A cancelled entirely, check() cannot
# size n (matcalc/check.py, reported).
SHAPES_KEPT = [
    (
        "(t + 1) * sum(A + t + 1 - A) + trace(A)",
        "t",
        "2n²(t + 1)",
        {"A": "matrix(n, n)", "t": "scalar"},
    ),
    (
        "sum(A + s + 1 - A) * s + trace(A)",
        "s",
        "n²(2s + 1)",
        {"A": "matrix(n, n)", "s": "scalar"},
    ),
    (
        "(1.5 + x.T @ relu(z)) * (y + 1.5 + x.T @ relu(z) - y)",
        "x",
        "2(3/2 + x·h)1hᵀ  where h = max(0, z)",  # named: render/names.py
        {"x": "vector(n)", "y": "vector(n)", "z": "vector(n)"},
    ),
    ("x * (x - x + t)", "x", "tI", {"x": "vector(n)", "t": "scalar"}),
]


@pytest.mark.parametrize("query, wrt, expected", SIGNS, ids=[q for q, _, _ in SIGNS])
def test_sign_of_a_repeated_difference(query, wrt, expected):
    assert_derivative(query, wrt, expected, AB)


@pytest.mark.parametrize(
    "query, wrt, expected, shapes", SHAPES_KEPT, ids=[q for q, *_ in SHAPES_KEPT]
)
def test_cancelled_terms_keep_the_shape(query, wrt, expected, shapes):
    assert_derivative(query, wrt, expected, shapes)


def test_the_scalar_and_its_expansion_are_two_nodes():
    """Whichever is built first, t + 1 stays a scalar and A + t + 1 − A an n×n array."""
    A, t = E.Var("A", Shape("n", "n")), E.Var("t")
    expanded = E.sub(E.Add(A, t, E.Const(1)), A)
    scalar = E.Add(t, E.Const(1))
    assert scalar.shape == SCALAR and expanded.shape == Shape("n", "n")
    assert str(expanded) == "(t + 1)1 1ᵀ"
    assert E.Sum(expanded) is E.Mul(E.Pow(E.DimSize("n"), E.Const(2)), scalar)
    assert E.sub(E.Add(A, t, E.Const(1)), A) is expanded


def test_the_issue_value_at_n_3():
    """(t + 1) sum(A + t + 1 − A) by t at n = 3, t = 0.4 is 2·9·1.4 = 25.2 (was 2.8), even
    after t + 1 was built as a scalar elsewhere."""
    matcalc.derivative("t + 1", "t")
    d = matcalc.derivative(
        "(t + 1) * sum(A + t + 1 - A)", "t", shapes={"A": "matrix(n, n)", "t": "scalar"}
    )
    assert str(d) == "2n²(t + 1)"
    assert float(d.evaluate({"A": np.ones((3, 3)), "t": 0.4})) == pytest.approx(25.2)


def test_the_issue_shape_of_a_cancelled_vector():
    query = "(1.5 + x.T @ relu(z)) * (y + 1.5 + x.T @ relu(z) - y)"
    d = matcalc.derivative(
        query, "x", shapes={"x": "vector(n)", "y": "vector(n)", "z": "vector(n)"}
    )
    assert d.shape == ("n", "n")
    assert d.evaluate(
        random_values(query, {"x": "vector(n)", "y": "vector(n)", "z": "vector(n)"})
    ).shape == (3, 3)


def test_generated_code_of_a_cancelled_sum():
    """The generated f of sum(A + s + 1 − A) returns n²(s + 1) and its derivative n²."""
    d = matcalc.derivative("sum(A + s + 1 - A)", "s", shapes={"A": "matrix(n, n)", "s": "scalar"})
    namespace: dict = {}
    exec(compile(d.to_numpy(), "<generated>", "exec"), namespace)  # noqa: S102
    value, derivative = namespace["f"](np.ones((3, 3)), 0.5)
    assert float(value) == pytest.approx(13.5) and float(derivative) == pytest.approx(9.0)


def test_the_printed_order_does_not_depend_on_the_session():
    """Factors that tie on category, height and name were ordered by creation: building
    sin(x + 2) first printed sin(x + 2)sin(x + 1). Ties now go by structure."""
    kept = [E.Func("sin", E.Add(E.Var("x"), E.Const(2))), matcalc.derivative("sin(x + 2)", "x")]
    assert_derivative(
        "sin(x + 1) * sin(x + 2) * x",
        "x",
        "sin(x + 1)sin(x + 2) + x cos(x + 1)sin(x + 2) + x cos(x + 2)sin(x + 1)",
    )
    assert kept


def test_a_rewrite_changes_one_occurrence_only():
    """negated-difference on −(a − b)(a − b) keeps the sign in front (the factor occurs
    twice); on −(a − b)(c − d) it flips one difference, not both."""
    from matcalc.simplify import negated_difference

    A, B, C, D = (E.Var(n, Shape("n", "n")) for n in "ABCD")
    twice = E.neg(E.MatMul(E.sub(A, B), E.sub(A, B)))
    assert negated_difference(twice) is None
    once = negated_difference(E.neg(E.MatMul(E.sub(A, B), E.sub(C, D))))
    assert str(once) == "(B − A)(C − D)"


# ---------------------------------------------------------------- limits and zero division
@pytest.mark.parametrize(
    "query",
    [
        "10^10^10 * x",
        "10^100000 * x",
        "0.5^(10^10) * x",
        "(x^(10^600))^(10^600)",
        "10^1001 * x",
        "(1/3)^100000 * x",
    ],
)
def test_constant_folding_is_bounded(query):
    start = time.perf_counter()
    with pytest.raises(LimitError, match="MAX_CONSTANT_DIGITS"):
        matcalc.derivative(query, "x")
    assert time.perf_counter() - start < 10.0  # bounded, not hanging (a loaded machine)


def test_the_largest_constant_is_allowed():
    d = matcalc.derivative(f"10^{MAX_CONSTANT_DIGITS} * x", "x")
    assert str(d) == str(10**MAX_CONSTANT_DIGITS)


def test_a_long_sum_or_product_of_constants_is_bounded():
    """1/2 + 1/3 + … + 1/k: the denominator grows with every term; 10^999 · 10^999: the
    product; both refused once too large, before the work grows."""
    start = time.perf_counter()
    with pytest.raises(LimitError):
        E.Add(*(E.Const(Fraction(1, k)) for k in range(2, 5000)))
    with pytest.raises(LimitError):
        E.Mul(E.Const(10**999), E.Const(10**999), E.Var("x"))
    with pytest.raises(LimitError):
        E.Mul(
            E.Pow(E.Var("x"), E.Const(Fraction(1, 10**999))),
            E.Pow(E.Var("x"), E.Const(Fraction(1, 10**999 - 1))),
        )
    assert time.perf_counter() - start < 10.0  # bounded, not hanging (a loaded machine)


@pytest.mark.parametrize(
    "query", ["x/0", "0/0 * x", "x / (y - y)", "x * 0^(-2)", "sum(inv(A - A) @ x)"]
)
def test_division_by_an_exact_zero(query):
    with pytest.raises(MatcalcError, match="division by zero"):
        matcalc.derivative(
            query, "x", shapes={"x": "vector(n)", "y": "vector(n)"} if "A" in query else None
        )


@pytest.mark.parametrize(
    "query, column, message",
    [
        ("10^10^10 * x", 3, "limit at line 1, column 3: constant too large"),
        ("10^100000 * x", 3, "limit at line 1, column 3: constant too large"),
        ("x/0", 2, "error at line 1, column 2: division by zero"),
        ("0/0 * x", 2, "error at line 1, column 2: division by zero"),
    ],
)
def test_the_command_line_points_at_the_operator(query, column, message):
    """Exit status 2, one message with a caret under the operator, no traceback."""
    out, err = io.StringIO(), io.StringIO()
    assert run([query, "--wrt", "x"], out=out, err=err) == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(message) and "Traceback" not in err.getvalue()
    source = [line for line in lines[1:] if not line.startswith("expected ")]
    assert source == ["  " + query, "  " + " " * (column - 1) + "^"]


def test_zero_to_a_positive_power_is_zero():
    assert_derivative("sqrt(0 * x) + x", "x", "1")


def test_budget_exceeded_is_a_limit_error():
    assert issubclass(BudgetExceeded, LimitError)
    root = matcalc.derivative("sum(diag(x) @ (y / x))", "x", shapes=AB).raw
    with pytest.raises(LimitError, match="rewrites"):
        simplify(root, budget=0)


def test_trial_rules_by_an_explicit_parameter():
    """distribute-when-it-cancels runs only where trials are allowed: diag(s)(y ⊘ s) → y."""
    x, y = E.Var("x", Shape("n", 1)), E.Var("y", Shape("n", 1))
    root = E.MatMul(E.Add(E.Diag(x), E.Var("A", Shape("n", "n"))), E.div(y, x))
    assert simplify(root, trials=False) is root
    assert str(simplify(root)) == "y + A(y ⊘ x)"
    assert simplify(root, trials=False) is root  # no state left behind


def _cancelling(name="x"):
    x, y = E.Var(name, Shape("n", 1)), E.Var("y", Shape("n", 1))
    return E.MatMul(E.Add(E.Diag(x), E.Var("A", Shape("n", "n"))), E.div(y, x))


def test_a_guarded_rule_returns_its_trial():
    """A guarded rule's answer carries the rules its trial applied (explicit data flow, no
    side channel): the step names them after it, in every run and every thread."""
    root = _cancelling()
    answer = distribute_when_it_cancels(root, Trials())
    assert str(answer.expr) == "y + A(y ⊘ x)" and answer.rules == ("diag-vector",)
    assert str(apply_rule(distribute_when_it_cancels, root)) == "y + A(y ⊘ x)"
    for _ in range(2):  # a second run names them as the first
        log: list = []
        simplify(root, log=log)
        assert [r.rule for r in log] == ["distribute-when-it-cancels; diag-vector"]
    a, b = E.Var("A", Shape("n", "n")), E.Var("B", Shape("n", "n"))
    X = E.Var("X", Shape("n", "n"))
    inverse = E.MatMul(E.Transpose(a), E.Transpose(E.Inv(E.MatMul(a, X, b))), E.Transpose(b))
    logs: dict = {}

    def run(key, node):
        for _ in range(20):
            log: list = []
            simplify(node, log=log)
            logs.setdefault(key, set()).add(tuple(r.rule for r in log))

    import threading

    threads = [
        threading.Thread(target=run, args=(k, n))
        for k, n in (("distribute", _cancelling("s")), ("inverse", inverse))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert logs == {
        "distribute": {("distribute-when-it-cancels; diag-vector",)},
        "inverse": {("inverse-of-product; inverse-cancels",)},
    }
    assert str(apply_rule(inverse_of_product, inverse)) == "X⁻ᵀ"


def test_a_trial_is_decided_once_per_run():
    """The same (candidate, guard) asked again within one run is the remembered answer;
    a refused one (no smaller) too."""
    trials = Trials()
    root = _cancelling()
    first = distribute_when_it_cancels(root, trials)
    assert len(trials.decided) == 1
    again = distribute_when_it_cancels(root, trials)
    assert again.expr is first.expr and again.rules == first.rules
    assert len(trials.decided) == 1
    x = E.Var("x", Shape("n", 1))
    plain = E.MatMul(E.Add(E.Diag(x), E.Var("A", Shape("n", "n"))), x)
    assert distribute_when_it_cancels(plain, trials) is None
    decided = dict(trials.decided)
    assert distribute_when_it_cancels(plain, trials) is None and trials.decided == decided


# ---------------------------------------------------------------- property tests
EXAMPLES = int(os.environ.get("ALGEBRA_EXAMPLES", "120"))
SETTINGS = settings(derandomize=True, max_examples=EXAMPLES, deadline=None, database=None)
SIZES = {"n": 3, "m": 2}
queries = st.sampled_from(("s", "v", "M", "w", "r")).flatmap(lambda k: trees(k, 3))


def _close(got, want, what, value=0.0):
    """Equal up to central differences' error: relative, and absolute against the size of
    the derivative and (rounding of f divided by the step) of the function's value."""
    scale = max(
        1.0,
        float(np.max(np.abs(want), initial=0.0)),
        1e-2 * float(np.max(np.abs(value), initial=0.0)),
    )
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6 * scale, err_msg=what)


def _matcalc_value(expr, variables, values):
    arrays, dims = bind(variables, values)
    return np.asarray(evaluate(expr, arrays, dims)).reshape(expr.shape.numpy(dims))


@SETTINGS
@given(queries, st.data(), st.integers(0, 2**16))
def test_derivative_matches_the_numpy_oracle(tree, data, seed):
    """value, shape and derivative (every layout) against the tree's own NumPy function."""
    names = sorted(tree.names) or ["s"]
    wrt = data.draw(st.sampled_from(names), label="wrt")
    layout = data.draw(st.sampled_from(("numerator", "denominator", "mixed")), label="layout")
    values = point(seed)
    what = f"∂({tree.text})/∂{wrt} [{layout}]"
    expr, variables = _parse(tree.text, TREE_SHAPES)
    oracle = np.asarray(tree.fn(values))
    value = _matcalc_value(expr, variables, values)
    assert value.shape == oracle.shape, f"{what}: value shape {value.shape} ≠ {oracle.shape}"
    _close(value, oracle, f"{what}: value")
    d = matcalc.derivative(tree.text, wrt, shapes=TREE_SHAPES, layout=layout)
    want = central_differences(tree.fn, values, wrt)
    if layout == "denominator":
        k = oracle.ndim
        want = np.transpose(want, tuple(range(k, want.ndim)) + tuple(range(k)))
    got = np.asarray(d.evaluate(values))
    assert got.shape == want.shape, f"{what} = {d}: shape {got.shape} ≠ {want.shape}"
    assert tuple(SIZES.get(s, s) for s in d.shape) == want.shape, f"{what}: d.shape {d.shape}"
    _close(got, want, f"{what} = {d}", oracle)


@SETTINGS
@given(queries, st.data(), st.integers(0, 2**16))
def test_simplification_keeps_value_and_shape(tree, data, seed):
    """simplify(e) ≡ e for the expression and for the raw read-off; simplify is idempotent."""
    values = point(seed)
    expr, variables = _parse(tree.text, TREE_SHAPES)
    once = simplify(expr)
    assert once.shape == expr.shape and simplify(once) is once, tree.text
    _close(
        _matcalc_value(once, variables, values), _matcalc_value(expr, variables, values), tree.text
    )
    wrt = data.draw(st.sampled_from(sorted(tree.names) or ["s"]), label="wrt")
    d = matcalc.derivative(tree.text, wrt, shapes=TREE_SHAPES)
    if d.raw is None:
        return
    raw, result = (_matcalc_value(e, variables, values) for e in (d.raw, d.result))
    assert d.raw.shape == d.result.shape, f"{tree.text} by {wrt}: {d.raw} → {d}"
    _close(result, raw, f"{tree.text} by {wrt}: {d.raw} → {d}")


def test_a_sum_of_100000_terms_is_collected_and_derived():
    """Issue 11: a flat sum of MAX_TERMS terms is built in one step and its like terms are
    collected by hashing (linear in the number of terms; the timing is in
    benchmarks/_matrix_scaling.py). The expected coefficients are counted here from the terms."""
    xs = [E.Var(f"x{j}") for j in range(997)]
    terms = [
        E.Mul(E.Const(i % 5 + 1), xs[i % 997]) if i % 2 == 0 else E.Pow(xs[i % 997], E.Const(2))
        for i in range(100_000)
    ]
    total = E.Add(*terms)
    linear = sum(i % 5 + 1 for i in range(0, 100_000, 2) if i % 997 == 7)
    squares = sum(1 for i in range(1, 100_000, 2) if i % 997 == 7)
    assert E.size_of(total) < 5 * 997  # collected: one term per variable and power
    d = matcalc.derivative(total, "x7")
    assert str(d) == f"{2 * squares}x7 + {linear}"
    assert float(d.evaluate({x.name: 0.5 for x in xs})) == 2 * squares * 0.5 + linear


def test_a_long_sum_typed_as_text_three_ways():
    """The parser's left-deep chain `a + b + …` is one level of nesting, however long: 1,000
    terms (past the nesting limit of 200) derive; printed, finite differences, SymPy."""
    query = " + ".join(f"{k % 3 + 1}*x*y^{k % 4}" for k in range(1_000))
    assert_derivative(query, "x", _collected(query))


def _collected(query: str) -> str:
    """∂/∂x of Σ c_k x y^p as matcalc prints it: the coefficients of y^p summed, from the text."""
    coefficient: dict = {}
    for term in query.split(" + "):
        c, _, power = term.partition("*x*y^")
        coefficient[int(power)] = coefficient.get(int(power), 0) + int(c)
    parts = []
    for p, c in coefficient.items():
        parts.append(f"{c}" if p == 0 else f"{c}y" if p == 1 else f"{c}y{'²³'[p - 2]}")
    return " + ".join(parts)


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_size_difference_is_the_difference_of_sizes(data):
    """expr.size_difference (the trial rules' guard) walks only where two DAGs differ; it is
    exactly size_of(a) − size_of(b), shared parts or not."""
    xs = [E.Var(n) for n in "xyzw"]

    def tree(depth):
        if depth == 0:
            return data.draw(st.sampled_from(xs))
        kind = data.draw(st.sampled_from(["add", "mul", "sin", "pow"]))
        if kind == "sin":
            return E.Func("sin", tree(depth - 1))
        if kind == "pow":
            return E.Pow(tree(depth - 1), E.Const(data.draw(st.integers(2, 4))))
        make = E.Add if kind == "add" else E.Mul
        return make(tree(depth - 1), tree(depth - 1))

    a = tree(data.draw(st.integers(0, 5)))
    b = data.draw(
        st.sampled_from(["fresh", "above", "beside"]).map(
            lambda how: tree(3) if how == "fresh" else E.Add(a, tree(2)) if how == "above" else a
        )
    )
    assert E.size_difference(a, b) == E.size_of(a) - E.size_of(b)
    assert E.size_difference(b, a) == E.size_of(b) - E.size_of(a)
