"""Seeded property tests on random head-wise queries over order-3 tensors (README
"Tensors"), drawn by fuzz/batched_tensors.py with their own NumPy functions: stacked `@`
(tensor @ tensor.mT, tensor @ a shared weight, score matrices @ tensors), `.mT`, element-wise
functions with broadcasting (a shared vector, a keepdims column, a scalar), softmax,
log_softmax, sum, mean and logsumexp over axis=-1, repeated and cancelling terms; at the
top a sum or mean of every entry, a sum of row reductions, a sum over the batch axis, or
the stack itself.

- the derivative by Q and K (tensors) and by W and u (shared by every slice) agree with
  central differences of the NumPy function, and the generated NumPy code's value and
  derivative with the NumPy function and `evaluate`;
- on a sample of small queries, SymPy's component check (of the slice) passes.
"""

from __future__ import annotations

import os
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import matcalc  # noqa: E402
from fuzz.batched_tensors import SHAPES, WRT, compare, point, queries, small, value  # noqa: E402

SETTINGS = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(queries(), st.integers(0, 2**16))
def test_tensor_derivatives_match_numpy(term, seed):
    compare(term, seed)


@settings(SETTINGS, max_examples=6)
@given(small, st.sampled_from(WRT))
def test_sympy_agrees_on_a_sample_of_tensor_queries(term, wrt):
    value(term, point(0))
    matcalc.derivative(term.text, wrt, shapes=SHAPES).check(n=2)
