"""`value_and_grad_source` of a query the index engine derives (matcalc/tindex/grads.py):
one function returning the loss and its gradients by several variables, the forward pass
shared. Each case three ways — the printed form of every gradient, central differences of
an independent NumPy function, SymPy's component check — and the generated function
against each variable's `evaluate` and its own `check`; NumPy, JAX and PyTorch (where
those are not installed, the code is generated and compiled only)."""

from __future__ import annotations

import importlib.util
import inspect
import io

import numpy as np
import pytest

import matcalc
from matcalc import testing
from matcalc.errors import MatcalcError, NameError_

SIZES = {"h": 2, "n": 3, "d": 4, "m": 3, "p": 2}


def draw(dims: dict, seed: int) -> dict:
    """Values of the given shapes in (−0.8, 0.8), distinct sizes per dimension name."""
    rng = np.random.default_rng(seed)
    return {n: 0.8 * np.tanh(rng.normal(size=tuple(SIZES[d] for d in s))) for n, s in dims.items()}


ABC = "a: vector(n); b: vector(m); c: vector(p); "
P_T = ', where P = einsum("hnd,d->hn", T, x)'
P_ABC = ', where P = einsum("i,j,k->ijk", a, b, c)'
CASES = [  # (query, {variable: its gradient as derivative() prints it}, NumPy f, dims)
    (
        "T: tensor(h, n, d); x: vector(d); sum(T.T * T.T) + sum(einsum('hnd,d->hn', T, x)^2)",
        {"T": "∂f/∂Tₐᵢⱼ = 2Tₐᵢⱼ + 2Pₐᵢxⱼ" + P_T, "x": "∂f/∂xᵢ = 2Σⱼₖ PⱼₖTⱼₖᵢ" + P_T},
        lambda v: np.sum(v["T"].T * v["T"].T) + np.sum(np.einsum("hnd,d->hn", v["T"], v["x"]) ** 2),
        {"T": ("h", "n", "d"), "x": ("d",)},
    ),
    (
        ABC + "sum(tanh(einsum('i,j,k->ijk', a, b, c)))",
        {
            "a": "∂f/∂aᵢ = Σⱼₖ (1 − tanh(Pᵢⱼₖ)²)bⱼcₖ" + P_ABC,
            "b": "∂f/∂bᵢ = Σⱼₖ (1 − tanh(Pⱼᵢₖ)²)aⱼcₖ" + P_ABC,
            "c": "∂f/∂cᵢ = Σⱼₖ (1 − tanh(Pⱼₖᵢ)²)aⱼbₖ" + P_ABC,
        },
        lambda v: np.sum(np.tanh(np.einsum("i,j,k->ijk", v["a"], v["b"], v["c"]))),
        {"a": ("n",), "b": ("m",), "c": ("p",)},
    ),
]


def _module(source: str) -> dict:
    scope: dict = {}
    exec(compile(source, "<value_and_grad_source>", "exec"), scope)  # noqa: S102 - our own output
    return scope


def _call(scope: dict, values: dict):
    names = list(inspect.signature(scope["f"]).parameters)
    return names, scope["f"](*(values[n] for n in names))


@pytest.mark.parametrize("case", range(len(CASES)), ids=["tensor and vector", "order-3 einsum"])
def test_value_and_gradients_three_ways(case):
    query, printed, fn, dims = CASES[case]
    wrt = list(dims)
    values = draw(dims, seed=30 + case)
    scope = _module(matcalc.value_and_grad_source(query, wrt))
    names, (value, gradients) = _call(scope, values)
    assert names == list(dims)  # declaration order, as the 2-D module
    np.testing.assert_allclose(value, fn(values), rtol=1e-12, atol=1e-12)
    assert len(gradients) == len(wrt)
    for name, g in zip(wrt, gradients):
        d = matcalc.derivative(query, name)
        assert str(d) == printed[name]
        assert g.shape == values[name].shape
        np.testing.assert_allclose(g, testing.jacobian(fn, values, name), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g, d.evaluate(values), rtol=1e-9, atol=1e-12)
        d.check()
    assert scope["check"](*(values[n] for n in names)) < 1e-5


@pytest.mark.parametrize("target", ["jax", "torch"])
def test_value_and_gradients_in_jax_and_torch(target):
    query, _, fn, dims = CASES[0]
    source = matcalc.value_and_grad_source(query, list(dims), target=target)
    code = compile(source, f"<{target}>", "exec")
    assert "def f(T, x):" in source and "def check(" in source
    if importlib.util.find_spec(target) is None:  # CI's test extra: generated and compiled only
        return
    values = draw(dims, seed=33)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - our own output
    _, (value, gradients) = _call(scope, values)
    np.testing.assert_allclose(np.asarray(value), fn(values), rtol=1e-10)
    for name, g in zip(dims, gradients):
        want = matcalc.derivative(query, name).evaluate(values)
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-8, atol=1e-10, err_msg=name)


def test_one_variable_float32_and_the_errors():
    query = CASES[0][0]
    source = matcalc.value_and_grad_source(query, "x", dtype="float32")
    assert "return" in source and "(d_x,)" in source and "np.float32" in source
    with pytest.raises(MatcalcError, match="scalar function"):
        matcalc.value_and_grad_source(ABC + "einsum('i,j,k->ijk', a, b, c)", ["a"])
    with pytest.raises(NameError_, match="not a variable"):
        matcalc.value_and_grad_source(query, ["T", "nope"])
    with pytest.raises(MatcalcError, match="wrt is empty"):
        matcalc.value_and_grad_source(query, [])


def test_the_command_line_writes_the_module():
    from matcalc.cli import run

    out, err = io.StringIO(), io.StringIO()
    query = CASES[0][0]
    status = run([query, "--wrt", "T,x", "--value-and-grad"], out, err)
    assert status == 0, err.getvalue()
    assert out.getvalue().strip() == matcalc.value_and_grad_source(query, ["T", "x"]).strip()


# ---------------------------------------------------------------- ∇f(a, b): a list of scalars
STACKED = "T: tensor(h, n, d); a, b: scalar; sum(tanh(a * T.T) * T.T) + b^2 * sum(T[0])"


def _stacked_numpy(v):
    t = v["T"]
    return np.sum(np.tanh(v["a"] * t.T) * t.T) + v["b"] ** 2 * np.sum(t[0])


def test_a_list_of_scalars_stacks_the_gradient():
    """As the 2-D API's ∇f(x, y) (api._stacked): [∂f/∂a, ∂f/∂b], shape (2,)."""
    d = matcalc.derivative(STACKED, ["a", "b"])
    assert str(d) == (
        "∇f(a, b) = [∂f/∂a = Σᵢⱼₖ Tᵢⱼₖ²(1 − tanh(aTᵢⱼₖ)²); ∂f/∂b = 2Pb, where P = sum(T[0])]"
    )
    assert d.shape == (2,) and d.kind == "stacked"
    rng = np.random.default_rng(35)
    values = {"T": 0.8 * np.tanh(rng.normal(size=(2, 3, 4))), "a": 0.3, "b": -0.7}
    got = d.evaluate(values)
    want = [testing.jacobian(_stacked_numpy, values, name) for name in ("a", "b")]
    np.testing.assert_allclose(got, np.array(want, dtype=float), rtol=1e-5, atol=1e-6)
    report = d.check()
    assert report.entries == 2
    scope = _module(d.to_numpy())
    value, gradient = scope["f"](values["T"], values["a"], values["b"])
    np.testing.assert_allclose(value, _stacked_numpy(values), rtol=1e-12)
    np.testing.assert_allclose(gradient, got, rtol=1e-9, atol=1e-12)
    assert scope["check"](values["T"], values["a"], values["b"]) < 1e-5
    for target in ("jax", "torch"):  # compiled everywhere; run where installed
        code = compile(d.to_source(target), f"<{target}>", "exec")
        if importlib.util.find_spec(target) is not None:
            scope = {}
            exec(code, scope)  # noqa: S102 - our own output
            _, g = scope["f"](values["T"], values["a"], values["b"])
            np.testing.assert_allclose(np.asarray(g), got, rtol=1e-8, atol=1e-10)
    assert "nabla f(a, b)" in d.latex() and "u1 = " in d.steps.text()


def test_what_a_list_of_variables_may_not_be():
    with pytest.raises(MatcalcError, match="must be scalars .* T is not"):
        matcalc.derivative(STACKED, ["a", "T"])
    with pytest.raises(MatcalcError, match="derivatives of a scalar function .* shape"):
        matcalc.derivative(ABC + "s: scalar; einsum('i,j,k->ijk', s * a, b, c)", ["s"])
    with pytest.raises(NameError_, match="z is not a variable"):
        matcalc.derivative(STACKED, ["a", "z"])
    with pytest.raises(MatcalcError, match="Hessian by a list"):
        matcalc.hessian(STACKED, ["a", "b"])
