"""The cost-model lowering of generated code (render/array_plan.py) on issue 11's workloads:
every generated function agrees with `Derivative.evaluate` and with central differences
of an independent NumPy function (float64, and float32 at a looser tolerance); the text
has the structure the cost model promises (no dense diag in a product, no n×n sum applied
to a vector, the residual computed once, symmetric products, scalars on the vector);
stable forms do not overflow where the plain form does; arguments come in declaration
order and by keyword; one function returns the value and several gradients."""

from __future__ import annotations

import importlib.util
import io
import re

import numpy as np
import pytest

import matcalc
from matcalc.cli import run
from matcalc.codegen import argument_order
from matcalc.evaluate import bind, evaluate

SIZES = {"n": 5, "m": 4, "N": 6, "k": 3, "h": 4}


def _load(source):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    return namespace


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def _mlp(W1, W2, x, y):
    return np.sum((W2 @ np.tanh(W1 @ x) - y) ** 2)


def _mlp_grad_x(W1, W2, x, y):
    h = np.tanh(W1 @ x)
    return W1.T @ ((1 - h * h) * (W2.T @ (2 * (W2 @ h - y))))


MLP = "W1: matrix(h, n); W2: matrix(k, h); x: vector(n); y: vector(k); "
# id, query, wrt, hessian?, independent NumPy function of the keyword arguments (for a
# Hessian: its gradient), the variables' shapes
WORKLOADS = [
    ("quadratic", "x: vector(n); A: matrix(n, n); x @ A @ x", "x", False, lambda x, A: x @ A @ x),
    (
        "least-squares",
        "A: matrix(m, n); x: vector(n); b: vector(m); norm(A @ x - b)^2",
        "x",
        False,
        lambda A, x, b: np.sum((A @ x - b) ** 2),
    ),
    (
        "logistic-hessian",
        "X: matrix(N, n); w: vector(n); y: vector(N); sum(softplus(X @ w) - y * (X @ w))",
        "w",
        True,
        lambda X, w, y: X.T @ (_sigmoid(X @ w) - y),
    ),
    (
        "softmax-cross-entropy",
        "W: matrix(k, n); x: vector(n); y: simplex(k); -(y @ log(softmax(W @ x)))",
        "W",
        False,
        lambda W, x, y: -(y @ (W @ x - np.log(np.sum(np.exp(W @ x))))),
    ),
    ("mlp-by-W1", MLP + "sum((W2 @ tanh(W1 @ x) - y)^2)", "W1", False, _mlp),
    ("mlp-by-x", MLP + "sum((W2 @ tanh(W1 @ x) - y)^2)", "x", False, _mlp),
    ("mlp-hessian", MLP + "sum((W2 @ tanh(W1 @ x) - y)^2)", "x", True, _mlp_grad_x),
]
IDS = [w[0] for w in WORKLOADS]


def _derivative(query, wrt, hessian):
    return matcalc.hessian(query, wrt) if hessian else matcalc.derivative(query, wrt)


def _point(d, seed=0):
    rng = np.random.default_rng(seed)
    values = {}
    for v in argument_order(d):
        shape = v.shape.numpy(SIZES)
        a = rng.normal(size=shape) / np.sqrt(max(shape[-1:] or (1,)))
        if v.structure == "simplex":
            a = np.abs(a) / np.abs(a).sum()
        values[v.name] = a
    return values


def _central(fun, values, wrt, eps=1e-6):
    """∂fun/∂wrt by central differences, shaped output + wrt (numerator)."""
    x = values[wrt]
    cols = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = eps
        step = step.reshape(x.shape)
        up = np.asarray(fun(**{**values, wrt: x + step}))
        down = np.asarray(fun(**{**values, wrt: x - step}))
        cols.append((up - down) / (2 * eps))
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + x.shape)


@pytest.mark.parametrize("query, wrt, hessian, independent", [w[1:] for w in WORKLOADS], ids=IDS)
def test_workload_agrees_with_evaluate_and_central_differences(query, wrt, hessian, independent):
    d = _derivative(query, wrt, hessian)
    values = _point(d)
    namespace = _load(d.to_numpy())
    value, derivative = namespace["f"](**values)  # keyword-callable
    root = d.function if hessian else d.expression
    arrays, dims = bind(d.variables, values)
    np.testing.assert_allclose(value, np.asarray(evaluate(root, arrays, dims)).reshape(()))
    np.testing.assert_allclose(derivative, d.evaluate(values), rtol=1e-10, atol=1e-12)
    fd = _central(independent, values, wrt)
    np.testing.assert_allclose(derivative, fd, rtol=1e-6, atol=1e-7)
    if not hessian:
        np.testing.assert_allclose(value, independent(**values), rtol=1e-12)
    assert namespace["check"](*(values[v.name] for v in argument_order(d))) < 1e-5
    # float32: computed in float32, agreeing to its precision
    single = _load(d.to_source("numpy", dtype="float32"))
    value32, derivative32 = single["f"](**values)
    assert value32.dtype == np.float32 and derivative32.dtype == np.float32
    np.testing.assert_allclose(derivative32, derivative, rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(value32, value, rtol=2e-5, atol=1e-6)


def _f_text(source, function="f"):
    """The computing lines of one generated function."""
    body = source.split(f"def {function}(")[1].split("\ndef ")[0].split('"""')[2]
    return "\n".join(
        line for line in body.splitlines() if "assert" not in line and "asarray" not in line
    )


def _gram(text) -> bool:
    return re.search(r"\b(\w+)\.T @ \1\b", text) is not None


@pytest.mark.parametrize("wid", ["logistic-hessian", "mlp-by-x", "mlp-hessian"])
def test_diagonal_factors_are_broadcast_not_dense(wid):
    """diag(v) inside a product scales rows or columns (O(n²)); it is never built as a dense
    n×n matrix and multiplied (O(n³)). The text has no np.diag; the values agree."""
    _, query, wrt, hessian, _ = WORKLOADS[IDS.index(wid)]
    d = _derivative(query, wrt, hessian)
    assert "diag" in str(d)
    source = d.to_numpy()
    assert "np.diag(" not in source
    values = _point(d, seed=3)
    np.testing.assert_allclose(_load(source)["f"](**values)[1], d.evaluate(values), rtol=1e-10)


def test_hessians_use_the_symmetric_product():
    """XᵀDX and (W2 D W1)ᵀ(W2 D W1) are written G.T @ G (NumPy's symmetric path), with √d
    weighting for XᵀDX when d ≥ 0 at run time; both branches give the Hessian."""
    _, query, wrt, hessian, _ = WORKLOADS[IDS.index("logistic-hessian")]
    d = _derivative(query, wrt, hessian)
    text = _f_text(d.to_numpy())
    assert _gram(text) and "np.sqrt(" in text and "np.all(" in text
    _, query, wrt, hessian, _ = WORKLOADS[IDS.index("mlp-hessian")]
    d = _derivative(query, wrt, hessian)
    source = d.to_numpy()
    assert _gram(_f_text(source))
    f = _load(source)["f"]
    for seed in range(4):  # the weights of W1ᵀdiag(·)W1 take both signs and one sign
        values = _point(d, seed=seed)
        if seed % 2:
            values["y"] = values["y"] + 10.0  # every residual negative
        np.testing.assert_allclose(f(**values)[1], d.evaluate(values), rtol=1e-9, atol=1e-12)


def test_sum_applied_to_a_vector_is_distributed_and_products_are_shared():
    """xᵀ(Aᵀ + A) is Ax + Aᵀx with Ax shared with the value; ‖Ax − b‖²'s residual is
    computed once; 2(g xᵀ) scales g, not the n×n outer product."""
    quad = _f_text(matcalc.derivative("x: vector(n); A: matrix(n, n); x @ A @ x", "x").to_numpy())
    assert "A.T + A" not in quad and "A + A.T" not in quad
    assert quad.count("A @ x") == 1
    lsq = _f_text(matcalc.derivative(WORKLOADS[1][1], "x").to_numpy())
    assert lsq.count("A @ x") == 1 and "b.T" not in lsq
    _, query, wrt, _, _ = WORKLOADS[IDS.index("mlp-by-W1")]
    mlp = _f_text(matcalc.derivative(query, wrt).to_numpy())
    line = next(t for t in mlp.splitlines() if "derivative =" in t)
    # the outer product by the _outer helper (a row at a time), 2 on the column
    assert line.rstrip().endswith("[:, 0], x.T[0]), (h, n))") and "@ x.T" not in line
    assert "_outer((2.0 * " in line


def test_a_sum_with_an_expanded_scalar_is_not_distributed():
    """(A + s) in a chain: s is expanded over A's shape, not a matrix factor (the fuzzer
    found (w + v − w)ᵀ(A + s) failing with a ShapeError in to_numpy)."""
    query = "v: vector(m); A: matrix(m, n); s: scalar; x: vector(n); v @ (A + s) @ x"
    for wrt in ("s", "x"):
        d = matcalc.derivative(query, wrt)
        values = _point(d, seed=2)
        namespace = _load(d.to_numpy())
        np.testing.assert_allclose(namespace["f"](**values)[1], d.evaluate(values), rtol=1e-10)


def test_outer_products_broadcast():
    """xxᵀ (the gradient of xᵀAx by A) is an outer product, not a matrix product with inner
    size 1: NumPy's ufunc outer under a buffer shorter than two rows (the module's
    `_outer`, defined once, leaving the buffer size as it found it), a broadcast elsewhere."""
    d = matcalc.derivative("x: vector(n); A: matrix(n, n); x @ A @ x", "A")
    text = _f_text(d.to_numpy())
    assert "_outer(x[:, 0], x.T[0])" in text and "@ x.T" not in text
    source = d.to_numpy()
    assert source.count("def _outer(a, b):") == 1 and "np.setbufsize(16)" in source
    assert "_outer" not in d.to_source("jax") and "_outer" not in d.to_source("torch")
    size = np.getbufsize()
    x = np.random.default_rng(3).normal(size=1000)
    np.testing.assert_allclose(
        _load(source)["f"](x=x, A=np.ones((1000, 1000)))[1], np.outer(x, x), rtol=1e-15
    )
    assert np.getbufsize() == size  # restored
    assert "x * x.T" in _f_text(d.to_source("torch"))
    values = {"x": np.arange(3.0), "A": np.ones((3, 3))}
    np.testing.assert_allclose(
        _load(d.to_numpy())["f"](**values)[1], np.outer(values["x"], values["x"])
    )


def test_matrix_chain_order_is_chosen_at_run_time_when_it_depends_on_the_sizes():
    """ABC with four free sizes: (AB)C or A(BC), whichever costs fewer flops for the
    arrays given; both are right."""
    query = "A: matrix(m, n); B: matrix(n, p); C: matrix(p, q); s: scalar; s * (A @ B @ C)"
    d = matcalc.derivative(query, "s")
    source = d.to_numpy()
    assert " if " in _f_text(source) and " else " in _f_text(source)
    f = _load(source)["f"]
    rng = np.random.default_rng(0)
    for m, n, p, q in ((2, 9, 9, 9), (9, 9, 9, 2)):
        A, B, C = rng.normal(size=(m, n)), rng.normal(size=(n, p)), rng.normal(size=(p, q))
        value, tangent = f(A, B, C, 1.5)
        np.testing.assert_allclose(tangent, A @ B @ C, rtol=1e-12)
        np.testing.assert_allclose(value, 1.5 * A @ B @ C, rtol=1e-12)


def test_matrix_vector_chains_go_right_to_left():
    """W2ᵀ W1ᵀ … applied to a vector: matrix-vector products only, at every size."""
    d = matcalc.derivative("A: matrix(m, n); B: matrix(n, p); x: vector(p); A @ B @ x", "x")
    text = _f_text(d.to_numpy())
    assert "A @ (B @ x)" in text and " if " not in text


def test_inverse_times_a_vector_is_a_solve():
    d = matcalc.derivative("X: matrix(n, n); a, b: vector(n); a @ inv(X) @ b", "X")
    text = _f_text(d.to_numpy())
    assert "np.linalg.solve(X, b)" in text and "np.linalg.inv(" not in text
    values = {"X": np.eye(4) * 3 + 0.1, "a": np.arange(4.0), "b": np.ones(4)}
    np.testing.assert_allclose(_load(d.to_numpy())["f"](**values)[1], d.evaluate(values))


# ---------------------------------------------------------------- stable forms
BACKENDS = ["numpy"] + [t for t in ("jax", "torch") if importlib.util.find_spec(t) is not None]


def _run(d, target, values):
    namespace = _load(d.to_source(target))
    value, derivative = namespace["f"](**values)
    return np.asarray(value, dtype=float), np.asarray(derivative, dtype=float)


@pytest.mark.parametrize("target", BACKENDS)
@pytest.mark.parametrize("written", ["log(det(X))", "logdet(X)", "ln(det(X))"])
def test_log_det_does_not_overflow(written, target):
    """log det(1000·I) at n = 200 is 200 log 1000; det itself overflows (1e600)."""
    d = matcalc.derivative(f"X: matrix(n, n); {written}", "X")
    assert "slogdet" in d.to_source(target)
    X = 1e3 * np.eye(200)
    with np.errstate(over="ignore"):
        assert np.isinf(np.linalg.det(X))
    value, derivative = _run(d, target, {"X": X})
    np.testing.assert_allclose(value, 200 * np.log(1e3), rtol=1e-12)
    np.testing.assert_allclose(derivative, 1e-3 * np.eye(200), atol=1e-15)


@pytest.mark.parametrize("target", BACKENDS)
@pytest.mark.parametrize(
    "written", ["sum(softplus(x))", "sum(log(1 + exp(x)))", "sum(log(exp(x) + 1))"]
)
def test_softplus_does_not_overflow(written, target):
    d = matcalc.derivative(f"x: vector(n); {written}", "x")
    x = np.array([1000.0, -1000.0, 0.0])
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(1 + np.exp(x[0])))
    value, derivative = _run(d, target, {"x": x})
    np.testing.assert_allclose(value, 1000.0 + np.log(2.0), rtol=1e-12)
    np.testing.assert_allclose(derivative, [1.0, 0.0, 0.5], atol=1e-15)


@pytest.mark.parametrize("target", BACKENDS)
@pytest.mark.parametrize(
    "written, expected",
    [
        ("log(sum(exp(x)))", lambda x: x.max() + np.log(np.sum(np.exp(x - x.max())))),
        ("logsumexp(x)", lambda x: x.max() + np.log(np.sum(np.exp(x - x.max())))),
        ("-(y @ log(softmax(x)))", lambda x: np.log(2.0)),
    ],
)
def test_softmax_and_logsumexp_are_shifted(written, expected, target):
    d = matcalc.derivative(f"x: vector(n); y: simplex(n); {written}", "x")
    x = np.array([1000.0, 1000.0])
    values = {"x": x, "y": np.array([0.5, 0.5])}
    value, derivative = _run(d, target, {k: v for k, v in values.items() if k in d.variables})
    assert np.all(np.isfinite(derivative))
    np.testing.assert_allclose(value, expected(x), rtol=1e-12)


@pytest.mark.parametrize("target", BACKENDS)
def test_sigmoid_does_not_overflow(target):
    d = matcalc.derivative("x: vector(n); sum(sigmoid(x))", "x")
    value, derivative = _run(d, target, {"x": np.array([-1000.0, 1000.0, 0.0])})
    np.testing.assert_allclose(value, 1.5)
    np.testing.assert_allclose(derivative, [0.0, 0.0, 0.25], atol=1e-15)


# ---------------------------------------------------------------- arguments and dtype
def test_arguments_come_in_declaration_order_and_by_keyword():
    query = "x: vector(n); Σ: symmetric(n); μ: vector(n); (x - μ) @ inv(Σ) @ (x - μ)"
    d = matcalc.derivative(query, "x")
    source = d.to_numpy()
    assert "def f(x, Σ, μ):" in source
    assert "def f(x, A):" in matcalc.derivative("x @ A @ x", "x").to_numpy()  # as they appear
    f = _load(source)["f"]
    x, mu = np.array([1.0, 2.0, 0.5]), np.array([0.5, -1.0, 0.0])
    S = np.array([[2.0, 0.3, 0.0], [0.3, 1.5, 0.2], [0.0, 0.2, 1.0]])
    positional = f(x, S, mu)
    keywords = f(μ=mu, x=x, Σ=S)
    np.testing.assert_allclose(positional[1], keywords[1])
    np.testing.assert_allclose(positional[1], 2 * np.linalg.solve(S, x - mu))


def test_float32_and_unknown_dtype():
    d = matcalc.derivative("x: vector(n); A: matrix(n, n); x @ A @ x", "x")
    source = d.to_source("numpy", dtype="float32")
    assert "np.float32" in source and "float64" not in source
    out = io.StringIO()
    argv = ["x: vector(n); A: matrix(n, n); x @ A @ x", "--wrt", "x", "--emit", "numpy"]
    assert run([*argv, "--dtype", "float32"], out=out, err=io.StringIO()) == 0
    assert out.getvalue().rstrip() == source.rstrip()
    with pytest.raises(matcalc.MatcalcError, match="unknown dtype"):
        d.to_source("numpy", dtype="float16")
    # JAX computes in float32 by default: the float64 module switches x64 on, float32 not
    assert "jax_enable_x64" in d.to_source("jax")
    assert "jax_enable_x64" not in d.to_source("jax", dtype="float32")
    grads = matcalc.value_and_grad_source(
        "x: vector(n); A: matrix(n, n); x @ A @ x", ["x", "A"], target="jax", dtype="float32"
    )
    assert "jax_enable_x64" not in grads and "jnp.float32" in grads


# ---------------------------------------------------------------- value and gradients
TRAIN = (
    "W1: matrix(h, n); b1: vector(h); W2: matrix(k, h); x: vector(n); y: simplex(k);"
    " -(y @ log(softmax(W2 @ tanh(W1 @ x + b1))))"
)


@pytest.mark.parametrize("target", ["numpy"] + [t for t in BACKENDS if t == "torch"])
def test_value_and_gradients_of_several_variables(target):
    wrt = ["W1", "b1", "W2"]
    source = matcalc.value_and_grad_source(TRAIN, wrt, target=target)
    namespace = _load(source)
    d = matcalc.derivative(TRAIN, "W1")
    values = _point(d, seed=5)
    value, grads = namespace["f"](**values)
    assert len(grads) == 3
    arrays, dims = bind(d.variables, values)
    np.testing.assert_allclose(float(value), evaluate(d.expression, arrays, dims).item())
    for name, g in zip(wrt, grads):
        want = matcalc.derivative(TRAIN, name).evaluate(values)
        np.testing.assert_allclose(np.asarray(g), want.reshape(values[name].shape), rtol=1e-10)
    assert namespace["check"](*(values[v.name] for v in argument_order(d))) < 1e-5
    # the forward pass once: tanh(W1 x + b1) and the softmax are each computed once
    text = _f_text(source)
    assert text.count("tanh(") == 1 and text.count("exp(") == 1


def test_value_and_gradients_errors_and_cli():
    with pytest.raises(matcalc.MatcalcError, match="scalar function"):
        matcalc.value_and_grad_source("A: matrix(n, n); x: vector(n); A @ x", ["x"])
    with pytest.raises(matcalc.MatcalcError, match="does not appear"):
        matcalc.value_and_grad_source(TRAIN, ["W1", "nope"])
    out, err = io.StringIO(), io.StringIO()
    assert run([TRAIN, "--wrt", "W1,b1", "--value-and-grad"], out=out, err=err) == 0
    assert out.getvalue().rstrip() == matcalc.value_and_grad_source(TRAIN, ["W1", "b1"]).rstrip()
    err = io.StringIO()
    assert run([TRAIN, "--value-and-grad"], out=io.StringIO(), err=err) == 2
    assert "--wrt" in err.getvalue()
    err = io.StringIO()
    assert run([TRAIN, "--wrt", "W1", "--value-and-grad", "--hessian"], io.StringIO(), err) == 2


@pytest.mark.parametrize("target", BACKENDS)
def test_log_of_one_plus_is_log1p(target):
    """log(1 + u) keeps the digits of a tiny u (the plain form rounds 1 + 1e-18 to 1)."""
    d = matcalc.derivative("x: vector(n); sum(log(1 + x))", "x")
    assert np.log(1 + 1e-18) == 0.0
    value, derivative = _run(d, target, {"x": np.array([1e-18, 1e-18])})
    np.testing.assert_allclose(value, 2e-18, rtol=1e-12)
    np.testing.assert_allclose(derivative, [1.0, 1.0])


def test_magic_writes_value_and_gradients_and_float32(capsys):
    """%matcalc takes --value-and-grad and --dtype as the command line does."""
    from matcalc.jupyter import run_magic

    run_magic(f"'{TRAIN}' --wrt W1,b1 --value-and-grad --dtype float32")
    printed = capsys.readouterr().out
    assert (
        printed.rstrip()
        == matcalc.value_and_grad_source(TRAIN, ["W1", "b1"], dtype="float32").rstrip()
    )
