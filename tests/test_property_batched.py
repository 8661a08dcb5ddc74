"""Seeded property tests on random queries of the batched language (issue 9, order ≤ 2),
drawn by fuzz/batched.py with their own NumPy functions (fuzz/batched_numpy.py): broadcast
biases, keepdims columns and scalars; sum, mean, max, min, logsumexp, var, std and norm
over an axis, both or all; softmax and log_softmax by rows and by columns; eye, ones,
zeros, .mT; rowsimplex labels; repeated and cancelling terms.

- the value, and the derivative by X (a matrix), b (a vector broadcast over X's rows) and
  z (a scalar), agree with the NumPy function and its central differences; the simplified
  result with the raw read-off (fuzz.batched.compare);
- on a sample of small queries, SymPy's component check passes;
- the regressions the generator found, each checked three ways.

A point where a max/min ties, or a std/norm is near 0, is not differentiable there: the
NumPy side notes how close it is, and hypothesis draws another case.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from batched_helpers import three_ways
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import matcalc  # noqa: E402
from fuzz.batched import SHAPES, WRT, compare, queries, small, value  # noqa: E402
from fuzz.batched_numpy import log_softmax, point, softmax  # noqa: E402

SETTINGS = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(queries, st.integers(0, 2**16))
def test_value_and_derivatives_match_numpy(term, seed):
    compare(term, seed)


@settings(SETTINGS, max_examples=20)
@given(small, st.sampled_from(WRT))
def test_sympy_agrees_on_a_sample(term, wrt):
    value(term, point(0))  # not at a kink of the points the check draws, as far as one shows
    matcalc.derivative(term.text, wrt, shapes=SHAPES).check(n=2)


# ---------------------------------------------------------------- regressions
# Found by the generator above: a NumPy 1-D value that matcalc holds as a row (`v @ A`,
# `v.T`) was refused by the functions that take a vector ("softmax needs a vector: b @ A
# is a row vector(n)"), though NumPy computes softmax(b @ A), np.dot(b @ A, b) and
# np.diag(b @ A). They now take its column.
ROW_ARGUMENTS = [
    (
        "softmax(b @ A)",
        "(diag(s) − ssᵀ)Aᵀ  where s = softmax(Aᵀb)",
        lambda v: softmax(v["b"] @ v["A"], 0),
    ),
    ("log_softmax(b @ A)", "(A − A softmax(Aᵀb)1ᵀ)ᵀ", lambda v: log_softmax(v["b"] @ v["A"], 0)),
    ("softmax(b.T)", "diag(s) − ssᵀ  where s = softmax(b)", lambda v: softmax(v["b"], 0)),
    ("dot(b @ A, b)", "bᵀ(Aᵀ + A)", lambda v: np.dot(v["b"] @ v["A"], v["b"])),
    (
        "sum(diag(b @ A) @ b)",
        "bᵀ(Aᵀ + A)",
        lambda v: np.sum(np.diag(v["b"] @ v["A"]) @ v["b"]),
    ),
]


@pytest.mark.parametrize("body, expected, fn", ROW_ARGUMENTS, ids=[r[0] for r in ROW_ARGUMENTS])
def test_a_one_dimensional_row_is_a_vector_argument(body, expected, fn):
    three_ways("b: vector(n); A: matrix(n, n); " + body, "b", expected, fn)
