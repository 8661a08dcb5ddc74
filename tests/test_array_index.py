"""Generated code for the derivatives that print in index notation (render/array_index.py):
the linear map applied to all basis directions at once (a leading batch axis), no Python
loop over directions, for NumPy, JAX and PyTorch; values against `evaluate` and central
differences of an independent NumPy function. Maps with a node the batch cannot carry (a
trace of dX) keep the loop."""

from __future__ import annotations

import importlib.util
import inspect

import numpy as np
import pytest

import matcalc
from matcalc import testing
from tests import test_tensors as T
from tests.batched_helpers import ATOL, RTOL, draw


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    (
        "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V",
        "Q",
        lambda v: _softmax(v["Q"] @ v["K"].T / np.sqrt(v["Q"].shape[1]), 1) @ v["V"],
    ),
    (
        "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V",
        "K",
        lambda v: _softmax(v["Q"] @ v["K"].T / np.sqrt(v["Q"].shape[1]), 1) @ v["V"],
    ),
    ("X: matrix(m, n); softmax(X, axis=1)", "X", lambda v: _softmax(v["X"], 1)),
    ("X: matrix(m, n); softmax(X, axis=0)", "X", lambda v: _softmax(v["X"], 0)),
    ("X: matrix(m, n); log(softmax(X, axis=1))", "X", lambda v: np.log(_softmax(v["X"], 1))),
    (
        "X: matrix(m, n); logsumexp(X, axis=1)",
        "X",
        lambda v: np.log(np.exp(v["X"]).sum(axis=1)),
    ),
]
TARGETS = ["numpy"] + [t for t in ("jax", "torch") if importlib.util.find_spec(t)]


def _run(source: str, values: dict) -> np.ndarray:
    scope: dict = {}
    exec(compile(source, "<generated>", "exec"), scope)  # noqa: S102 - our own output
    f = scope["f"]
    names = list(inspect.signature(f).parameters)
    return np.asarray(f(*(values[n] for n in names))[1], dtype=float)


def _body(source: str) -> str:
    return source.split("def _finite_differences")[0]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("query, wrt, fn", CASES)
def test_index_notation_jacobians_have_no_basis_loop_and_are_right(query, wrt, fn, target):
    d = matcalc.derivative(query, wrt)
    source = d.to_source(target)
    body = _body(source)
    assert "for " not in body and "basis" not in body and "cols" not in body
    values = draw(query)
    got = _run(source, values)
    np.testing.assert_allclose(got, np.asarray(d.evaluate(values)), rtol=1e-9, atol=1e-12)
    want = testing.jacobian(fn, values, wrt)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_a_transpose_of_a_batched_value_swaps_the_last_two_axes():
    d = matcalc.derivative(CASES[1][0], "K")
    body = _body(d.to_numpy())
    assert "np.swapaxes(" in body


@pytest.mark.parametrize("target", TARGETS)
def test_a_map_with_a_trace_of_dX_keeps_the_loop_and_is_right(target):
    query = "X: matrix(n, n); det(X) * X"
    d = matcalc.derivative(query, "X")
    source = d.to_source(target)
    assert "for k in range(" in _body(source)
    values = draw(query)
    got = _run(source, values)
    np.testing.assert_allclose(got, np.asarray(d.evaluate(values)), rtol=1e-9, atol=1e-12)
    want = testing.jacobian(lambda v: np.linalg.det(v["X"]) * v["X"], values, "X")
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- tensors: JAX vmaps the slice
TENSOR_CASES = [  # (query, wrt, hessian, shapes) over the kinds tests/test_tensors.py covers
    (T.MHA, "Q", False, T.QKV),
    (T.MHA, "K", False, T.QKV),
    (T.MHA, "V", False, T.QKV),
    (T.LOSS, "Q", False, {**T.QKV, "Y": ("h", "n", "d")}),
    (T.SHARED, "W", False, {"Q": ("h", "n", "d"), "Y": ("h", "n", "d"), "W": ("d", "d")}),
    (T.MEAN, "W", False, {"Q": ("h", "n", "d"), "W": ("d", "d")}),
    (T.HEADSUM, "W", False, {"Q": ("h", "n", "d"), "W": ("d", "d")}),
    (T.HEADSUM, "Q", False, {"Q": ("h", "n", "d"), "W": ("d", "d")}),
    (T.FOUR, "T", False, {"T": ("a", "b", "n", "d"), "x": ("d",)}),
    (T.FOUR, "x", False, {"T": ("a", "b", "n", "d"), "x": ("d",)}),
    ("Q: tensor(h, n, d); sum(Q * Q * Q)", "Q", True, {"Q": ("h", "n", "d")}),
    (
        "Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W))",
        "W",
        True,
        {"Q": ("h", "n", "d"), "W": ("d", "d")},
    ),
]


@pytest.mark.parametrize("query, wrt, hessian, shapes", TENSOR_CASES)
def test_jax_tensor_code_vmaps_the_slice_and_agrees_with_evaluate(query, wrt, hessian, shapes):
    d = (matcalc.hessian if hessian else matcalc.derivative)(query, wrt)
    source = d.to_source("jax")
    whole = source[source.index("\ndef f(") :]
    assert "jax.vmap(f_slice" in whole and "f_slice(" not in whole.replace("vmap(f_slice", "")
    assert "range(count)" not in whole.split("rows = ")[0]  # only the block-diagonal assembly
    code = compile(source, "<jax>", "exec")
    if "jax" not in TARGETS:  # the bench extra (CI installs the test extra): compiled only
        return
    values = T.draw(shapes)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - our own output
    names = list(inspect.signature(scope["f"]).parameters)
    args = [values[n] for n in names]
    got = np.asarray(scope["f"](*args)[1], dtype=float)
    np.testing.assert_allclose(got, np.asarray(d.evaluate(values)), rtol=1e-9, atol=1e-12)
    assert scope["check"](*args) < 1e-6  # central differences of f's value (and gradient)
