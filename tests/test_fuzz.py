"""The random-expression fuzzer (fuzz/) in CI: a few hundred generated queries, and every
failure it has shrunk so far as an explicit regression case.

Each case is a query rendered from a random typed tree together with its own NumPy lowering
(not matcalc's evaluator); `Derivative.shape` and `evaluate` are compared with the complex
step of that lowering, `to_numpy`'s `f` with its value and with `evaluate`, `hessian` (scalar
by scalar or vector) with central differences of its gradient; `str`, `latex` and `steps`
must not raise; `check()` runs on a deterministic sample. A MatcalcError on these well-shaped
queries is a failure too, unless it is an honest "unsupported"/limit refusal.
`python -m fuzz.run --n 100000` runs the long version and prints counts per class.
"""

from __future__ import annotations

import os
import sys
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from fuzz.case import Case, draw_case  # noqa: E402
from fuzz.generate import HypothesisChooser  # noqa: E402
from fuzz.harness import run_case  # noqa: E402
from matcalc import testing as T  # noqa: E402

EXAMPLES = 250
CHECK_EVERY = 40  # one case in this many (by a hash of its query) also runs check()
CHECK_SECONDS = 10  # … with this bound (a timeout is reported by fuzz.run, not here)


@st.composite
def cases(draw):
    return draw_case(HypothesisChooser(draw))


def _report(case, outcome) -> str:
    lines = [
        f"query={case.query!r} wrt={case.wrt!r} shapes={case.shapes!r} layout=" + repr(case.layout),
        f"oracle: {case.oracle}",
    ]
    lines += [f"  {f.key}: {f.detail[:600]}" for f in outcome.failing]
    return "\n".join(lines)


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(cases())
def test_random_queries_agree_with_their_oracle(case):
    check = CHECK_SECONDS if zlib.crc32(case.query.encode()) % CHECK_EVERY == 0 else False
    outcome = run_case(case, seed=0, check=check)
    assert not outcome.failing, _report(case, outcome)


# Shrunk failures of `python -m fuzz.run` (and the issue's own examples), one per cause:
# the query, how it is declared, by what, the layout, the true shapes (for sampling), the
# NumPy lowering (O: matcalc.testing.Ops, V: the variables as 2-D arrays), the output's
# (rows, cols), the point's seed, and whether check() runs too.
REGRESSIONS = [
    # steps raise ShapeError on a scalar-expanded term (issue 7)
    {
        "query": "W1: matrix(n, m); z: scalar; W1 * z",
        "wrt": "z",
        "shapes": None,
        "layout": "numerator",
        "specs": {"W1": "matrix(n, m)", "z": "scalar"},
        "oracle": "(V['W1'] * V['z'])",
        "out": ["n", "m"],
        "seed": 438,
    },
    # negated-difference flips a shared factor: the sign is lost (issue 7)
    {
        "query": "W, C: matrix(3, 3); t: scalar; (W - C) @ (W - C) / t",
        "wrt": "t",
        "shapes": None,
        "layout": "numerator",
        "specs": {"W": "matrix(3, 3)", "C": "matrix(3, 3)", "t": "scalar"},
        "oracle": "O.div(((V['W'] - V['C']) @ (V['W'] - V['C'])), V['t'])",
        "out": [3, 3],
        "seed": 121,
    },
    # diag(x) inside a matrix function: NotFactorable traceback (issue 7)
    {
        "query": "x: vector(n); det(diag(x))",
        "wrt": "x",
        "shapes": None,
        "layout": "numerator",
        "specs": {"x": "vector(n)"},
        "oracle": "O.det(O.diag(V['x']))",
        "out": [1, 1],
        "seed": 375,
    },
    # stacked scalar wrt with a matrix output: "a literal stacks …" (issue 7)
    {
        "query": "s, b_0: scalar; A: matrix(n, n); s * b_0 + A",
        "wrt": ["s", "b_0"],
        "shapes": None,
        "layout": "numerator",
        "specs": {"s": "scalar", "b_0": "scalar", "A": "matrix(n, n)"},
        "oracle": "((V['s'] * V['b_0']) + V['A'])",
        "out": ["n", "n"],
        "seed": 884,
    },
    # `symmetric` without a dimension is not square: P @ x is a shape error
    {
        "query": "q: simplex; P: symmetric; w: vector; q @ P @ w",
        "wrt": "q",
        "shapes": None,
        "layout": "numerator",
        "specs": {"q": "simplex(n)", "P": "symmetric(n)", "w": "vector(n)"},
        "oracle": "((V['q'].T @ V['P']) @ V['w'])",
        "out": [1, 1],
        "seed": 204,
    },
    # cancelled array terms lose their shape (issue 7)
    {
        "query": "A: matrix(n, n); t: scalar; (t + 1) * sum(A + t + 1 - A)",
        "wrt": "t",
        "shapes": None,
        "layout": "numerator",
        "specs": {"A": "matrix(n, n)", "t": "scalar"},
        "oracle": "((V['t'] + O.const('1')) * O.sum((((V['A'] + V['t']) + O.const('1')) - V['A'])))",
        "out": [1, 1],
        "seed": 1,
    },
    # generated code for a linear map does not broadcast a scalar term (issue 7)
    {
        "query": "y: vector(n); y + det(diag(y))",
        "wrt": "y",
        "shapes": None,
        "layout": "numerator",
        "specs": {"y": "vector(n)"},
        "oracle": "(V['y'] + O.det(O.diag(V['y'])))",
        "out": ["n", 1],
        "seed": 2,
    },
    # negated-difference under −α and abs (fuzz seed 7, #1136)
    {
        "query": "α: scalar; X, W1: matrix(2, 2); abs(sum(-α * ((X - W1) @ (X - W1))))",
        "wrt": "W1",
        "shapes": None,
        "layout": "numerator",
        "specs": {"α": "scalar", "X": "matrix(2, 2)", "W1": "matrix(2, 2)"},
        "oracle": "O.abs(O.sum(((-V['α']) * ((V['X'] - V['W1']) @ (V['X'] - V['W1'])))))",
        "out": [1, 1],
        "seed": 1136,
    },
    # … by a symmetric matrix, inside exp (#2069)
    {
        "query": "v: vector(2); P: symmetric(2); X: matrix(2, 2); exp(-(v @ (P - X) @ (P - X) @ v))",
        "wrt": "P",
        "shapes": None,
        "layout": "numerator",
        "specs": {"v": "vector(2)", "P": "symmetric(2)", "X": "matrix(2, 2)"},
        "oracle": "O.exp((-(((V['v'].T @ (V['P'] - V['X'])) @ (V['P'] - V['X'])) @ V['v'])))",
        "out": [1, 1],
        "seed": 2069,
    },
    # … and in the Hessian of a norm (#1151)
    {
        "query": "x: vector(n); A, C: matrix(n, n); norm(transpose(x) @ (A - C))",
        "wrt": "x",
        "shapes": None,
        "layout": "numerator",
        "specs": {"x": "vector(n)", "A": "matrix(n, n)", "C": "matrix(n, n)"},
        "oracle": "O.norm((V['x'].T @ (V['A'] - V['C'])))",
        "out": [1, 1],
        "seed": 1151,
    },
    # logdet(diag(p)): NotFactorable (#2902)
    {
        "query": "p: simplex(n); logdet(diag(p))",
        "wrt": "p",
        "shapes": None,
        "layout": "numerator",
        "specs": {"p": "simplex(n)"},
        "oracle": "O.logdet(O.diag(V['p']))",
        "out": [1, 1],
        "seed": 2902,
    },
    # stacked scalar wrt with a row output (#57)
    {
        "query": "p: simplex(n); A: matrix(n, n); b_0, α: scalar; p.T @ (A < b_0) + α",
        "wrt": ["b_0", "α"],
        "shapes": None,
        "layout": "numerator",
        "specs": {"p": "simplex(n)", "A": "matrix(n, n)", "b_0": "scalar", "α": "scalar"},
        "oracle": "((V['p'].T @ O.compare('<', V['A'], V['b_0'])) + V['α'])",
        "out": [1, "n"],
        "seed": 57,
    },
    # generated code: a cancelled array term leaves a scalar that is not broadcast (#2213)
    {
        "query": "z: scalar; C: matrix(m, n); 2 - z + C - C",
        "wrt": "z",
        "shapes": None,
        "layout": "numerator",
        "specs": {"z": "scalar", "C": "matrix(m, n)"},
        "oracle": "(((O.const('2') - V['z']) + V['C']) - V['C'])",
        "out": ["m", "n"],
        "seed": 2213,
    },
    # check(): a symmetric variable by itself fails a correct answer (#1979)
    {
        "query": "S: symmetric(3); S",
        "wrt": "S",
        "shapes": None,
        "layout": "numerator",
        "specs": {"S": "symmetric(3)"},
        "oracle": "V['S']",
        "out": [3, 3],
        "seed": 1979,
        "check": True,
    },
    # check(): ValueError for a simplex variable (#1820)
    {
        "query": "q: simplex(k); log(sigmoid(ln(exp(q))))",
        "wrt": "q",
        "shapes": None,
        "layout": "denominator",
        "specs": {"q": "simplex(k)"},
        "oracle": "O.log(O.sigmoid(O.log(O.exp(V['q']))))",
        "out": ["k", 1],
        "seed": 1820,
        "check": True,
    },
    # check(): KeyError when a variable cancels but its dimension remains (#196, seed 1)
    {
        "query": "z: scalar; C, B: matrix(4, m); z * ((C - B) * (C - C)).T",
        "wrt": "z",
        "shapes": None,
        "layout": "denominator",
        "specs": {"z": "scalar", "C": "matrix(4, m)", "B": "matrix(4, m)"},
        "oracle": "(V['z'] * ((V['C'] - V['B']) * (V['C'] - V['C'])).T)",
        "out": ["m", 4],
        "seed": 196,
        "check": True,
    },
    # a literal matrix with an entry that depends on the variable, under trace:
    # NotFactorable from readoff._adjoint (fuzz seed 11, #1083)
    {
        "query": "s, α: scalar; q: simplex(2); w: vector(2); trace([[s, α], [dot(q, w), 2]])",
        "wrt": "q",
        "shapes": None,
        "layout": "numerator",
        "specs": {"s": "scalar", "α": "scalar", "q": "simplex(2)", "w": "vector(2)"},
        "oracle": "O.trace(O.block([[V['s'], V['α']], [O.dot(V['q'], V['w']), O.const('2')]]))",
        "out": [1, 1],
        "seed": 1083,
    },
    # generated code: S + (2 + α) − S loses its matrix shape inside a product (#60)
    {
        "query": "b_vec, x: vector(m); S: symmetric(m); α: scalar; b_vec · (S + (2 + α) - S) · x",
        "wrt": "α",
        "shapes": None,
        "layout": "numerator",
        "specs": {"b_vec": "vector(m)", "S": "symmetric(m)", "α": "scalar", "x": "vector(m)"},
        "oracle": "((V['b_vec'].T @ ((V['S'] + (O.const('2') + V['α'])) - V['S'])) @ V['x'])",
        "out": [1, 1],
        "seed": 60,
    },
    # stacked scalar wrt with a row-vector output (#183)
    {
        "query": "t, z: scalar; u: vector(m); t + u.T / z",
        "wrt": ["t", "z"],
        "shapes": None,
        "layout": "numerator",
        "specs": {"t": "scalar", "u": "vector(m)", "z": "scalar"},
        "oracle": "(V['t'] + O.div(V['u'].T, V['z']))",
        "out": [1, "m"],
        "seed": 183,
    },
    # negated-difference inside relu: the step is taken of the flipped argument (#1091)
    {
        "query": "u: vector(m); X, C: matrix(m, m); relu(-(u @ (X - C) @ (X - C) @ u))",
        "wrt": "X",
        "shapes": None,
        "layout": "numerator",
        "specs": {"u": "vector(m)", "X": "matrix(m, m)", "C": "matrix(m, m)"},
        "oracle": "O.maximum(O.const('0'), (-(((V['u'].T @ (V['X'] - V['C'])) @ (V['X'] - V['C'])) @ V['u'])))",
        "out": [1, 1],
        "seed": 1091,
    },
    # generated code: v.T − (2 + b_0) − v.T leaves a scalar where a row is due (seed 0, #1479)
    {
        "query": "v: vector(n); b_0: scalar; v.T - (2 + b_0) - v.T",
        "wrt": "v",
        "shapes": None,
        "layout": "numerator",
        "specs": {"v": "vector(n)", "b_0": "scalar"},
        "oracle": "((V['v'].T - (O.const('2') + V['b_0'])) - V['v'].T)",
        "out": [1, "n"],
        "seed": 1479,
    },
    # generated code: the value of sum(C w + (1.5 + b) − C w) is wrong (#1871)
    {
        "query": "C: matrix(4, n); w: vector(n); b: scalar; sum(C @ w + (1.5 + b) - C @ w)",
        "wrt": "C",
        "shapes": None,
        "layout": "numerator",
        "specs": {"C": "matrix(4, n)", "w": "vector(n)", "b": "scalar"},
        "oracle": "O.sum((((V['C'] @ V['w']) + (O.const('1.5') + V['b'])) - (V['C'] @ V['w'])))",
        "out": [1, 1],
        "seed": 1871,
    },
    # `symmetric` without a dimension: tr(S @ B) by B is a shape error (#1796)
    {
        "query": "S: symmetric; B: matrix; tr(S @ B)",
        "wrt": "B",
        "shapes": None,
        "layout": "numerator",
        "specs": {"S": "symmetric(m)", "B": "matrix(m, m)"},
        "oracle": "O.trace((V['S'] @ V['B']))",
        "out": [1, 1],
        "seed": 1796,
    },
    # hessian: a gradient read off as a linear map is refused, "no closed-form gradient to
    # differentiate again" (seed 0, #718)
    {
        "query": "C: matrix(n, n); trace([[2, 3], [1e-1, det(C)]])",
        "wrt": "C",
        "shapes": None,
        "layout": "numerator",
        "specs": {"C": "matrix(n, n)"},
        "oracle": "O.trace(O.block([[O.const('2'), O.const('3')], [O.const('1e-1'), O.det(V['C'])]]))",
        "out": [1, 1],
        "seed": 718,
    },
]


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: f"{c['query']} by {c['wrt']}")
def test_regression(case):
    c = dict(case)
    seed, check = c.pop("seed"), c.pop("check", False)
    c["out"] = tuple(c["out"])
    regression = Case(**c)
    outcome = run_case(regression, seed=seed, check=check)
    assert outcome.skipped is None, f"no valid point: {outcome.skipped}"
    assert not outcome.failing, _report(regression, outcome)


# ---------------------------------------------------------------- the helpers themselves
def test_complex_step_and_central_differences_agree_with_calculus():
    x = np.array([0.3, -0.7, 1.1])
    fun = lambda v: T.natural(T.Ops().exp(T.as_2d(v["x"], "vector(n)")), (3, 1))  # noqa: E731
    exact = np.diag(np.exp(x))
    assert np.allclose(T.complex_step(fun, {"x": x}, "x"), exact, rtol=1e-14)
    assert np.allclose(T.central_difference(fun, {"x": x}, "x"), exact, rtol=1e-8)


def test_ops_record_kinks_and_domains():
    ops = T.Ops()
    ops.abs(np.array([[0.5], [-0.2]]))
    assert ops.valid
    ops.maximum(np.array([[0.1]]), np.array([[0.1 + 1e-5]]))
    assert not ops.valid and ops.problems == ["max kink"]
    ops = T.Ops()
    with np.errstate(invalid="ignore"):
        ops.log(np.array([[-1.0]]))
    assert ops.problems == ["log of a non-positive"]
    # piecewise operations keep the complex step exact: d|x|/dx = sign(x)
    assert T.Ops(record=False).abs(np.array([[-2.0 + 1e-20j]])).imag[0, 0] == -1e-20


def test_random_values_honour_structure():
    specs = {"S": "symmetric(n)", "p": "simplex(n)", "A": "matrix(n, 3)", "s": "scalar"}
    sizes = T.sizes_for(specs)
    values = T.random_values(specs, sizes, np.random.default_rng(0))
    assert sizes == {"n": 2}  # 3 is taken by the numeric dimension
    assert np.allclose(values["S"], values["S"].T) and np.linalg.det(values["S"]) > 0
    assert np.isclose(values["p"].sum(), 1) and np.all(values["p"] > 0)
    assert values["A"].shape == (2, 3) and isinstance(values["s"], float)


def test_ops_refuse_ill_conditioned_trig_points():
    """sin/cos/tan of |u| ≳ 1e8: one ulp of u is a visible part of a period, so neither the
    complex step nor central differences can judge a derivative there. The 100k fuzz run
    flagged sin(3e9·x) as 'silent-wrong' before the harness refused such points."""
    for f in ("sin", "cos", "tan"):
        ops = T.Ops()
        getattr(ops, f)(np.array([[0.3], [2.0 * T.TRIG_MAX_ARGUMENT]]))
        assert ops.problems == ["trig of a huge argument"], f
        ops = T.Ops()
        getattr(ops, f)(np.array([[0.3], [-0.5 * T.TRIG_MAX_ARGUMENT]]))
        assert ops.valid, f
