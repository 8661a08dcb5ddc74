"""`value_and_grad_source` of a query over tensors (matcalc/tensor_grads.py): a training
step of multi-head attention, the loss and its gradients by Q, K, V, or by weights shared
by every head, in one function. Each gradient against central differences of an
independent NumPy function and against `derivative(...).evaluate`; the module's own
`check`; NumPy, JAX and PyTorch."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import matcalc
from matcalc import testing
from matcalc.errors import MatcalcError

H, N, D = 2, 3, 4


def softmax_last(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention(q, k, v):
    return softmax_last(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])) @ v


MHA = "Q, K, V, Y: tensor(h, n, d); mean(Y * (softmax(Q @ K.mT / sqrt(d), axis=-1) @ V))"
SHARED = (
    "X, Y: tensor(h, n, d); Wq, Wk, Wv: matrix(d, d); "
    "sum(Y * (softmax((X @ Wq) @ (X @ Wk).mT / sqrt(d), axis=-1) @ (X @ Wv)))"
)
CASES = [
    (
        MHA,
        ["Q", "K", "V"],
        lambda v: np.mean(v["Y"] * attention(v["Q"], v["K"], v["V"])),
        "QKVY",
    ),
    (
        SHARED,
        ["Wq", "Wk", "Wv", "X"],
        lambda v: np.sum(v["Y"] * attention(v["X"] @ v["Wq"], v["X"] @ v["Wk"], v["X"] @ v["Wv"])),
        ("X", "Y", "Wq", "Wk", "Wv"),
    ),
]


def _values(names) -> dict:
    rng = np.random.default_rng(1)
    return {n: rng.normal(size=(D, D) if n.startswith("W") else (H, N, D)) * 0.7 for n in names}


def _module(source: str) -> dict:
    scope: dict = {}
    exec(compile(source, "<value_and_grad_source>", "exec"), scope)  # noqa: S102 - our own output
    return scope


@pytest.mark.parametrize("query, wrt, fn, order", CASES, ids=["heads by Q K V", "shared weights"])
def test_training_step_over_tensors(query, wrt, fn, order):
    values = _values(order)
    scope = _module(matcalc.value_and_grad_source(query, wrt))
    args = [values[n] for n in order]
    value, gradients = scope["f"](*args)
    np.testing.assert_allclose(value, fn(values), rtol=1e-12, atol=1e-12)
    assert len(gradients) == len(wrt)
    for name, g in zip(wrt, gradients):
        assert g.shape == values[name].shape
        want = testing.jacobian(fn, values, name)
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-7, err_msg=name)
        got = matcalc.derivative(query, name).evaluate(values)
        np.testing.assert_allclose(g, got, rtol=1e-9, atol=1e-12, err_msg=name)
    assert scope["check"](*args) < 1e-6


@pytest.mark.parametrize("target", ["jax", "torch"])
def test_training_step_over_tensors_in_jax_and_torch(target):
    query, wrt, fn, order = CASES[1]
    source = matcalc.value_and_grad_source(query, wrt, target=target)
    code = compile(source, f"<{target}>", "exec")
    assert "def f_slice(" in source and "def f(" in source
    if importlib.util.find_spec(target) is None:  # the bench extra (CI: test extra): compiled only
        return
    values = _values(order)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - our own output
    value, gradients = scope["f"](*(values[n] for n in order))
    np.testing.assert_allclose(np.asarray(value), fn(values), rtol=1e-10)
    for name, g in zip(wrt, gradients):
        want = matcalc.derivative(query, name).evaluate(values)
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-8, atol=1e-10, err_msg=name)


def test_a_stacked_value_has_no_gradient():
    with pytest.raises(MatcalcError, match="sum or mean of every slice"):
        matcalc.value_and_grad_source("Q, K: tensor(h, n, d); tanh(Q @ K.mT)", ["Q"])


def test_verify_refuses_tensors_with_a_located_reason():
    """Was 'unknown shape tensor(h,n,d)' (expected: … or tensor(h, n, d)): the claim's
    side has no notation for the slice index or the Σ over slices yet."""
    claim = "Q, Y: tensor(h, n, d); W: matrix(d, d); d/dW sum(Y * tanh(Q @ W)) = 0"
    with pytest.raises(MatcalcError, match="verify does not take tensors yet") as e:
        matcalc.verify(claim)
    assert (e.value.line, e.value.column) == (1, 7)
