"""Generated code for row-wise softmax losses (render/array_plan.py's ones-matrix and sign
rules, render/array_code.py's shared row exponentials): batched softmax cross-entropy and
attention by Q, K and V agree with `Derivative.evaluate` and with central differences of
an independent NumPy function, in float64 and float32, in every installed backend; the
text is what an expert writes (one shifted exp per softmax argument, no product with a
ones matrix, (Y − z)Vᵀ and (z − Y)Vᵀ one product, the forward pass shared)."""

from __future__ import annotations

import ast
import importlib.util
import re
import textwrap

import numpy as np
import pytest

import matcalc
from matcalc.codegen import argument_order

SIZES = {"N": 5, "n": 4, "k": 3, "M": 6, "d": 4, "e": 3, "h": 5}
BACKENDS = ["numpy"] + [t for t in ("jax", "torch") if importlib.util.find_spec(t) is not None]

CE = "X: matrix(N, n); W: matrix(n, k); Y: matrix(N, k); -sum(Y * log_softmax(X @ W, axis=1)) / N"
ATTENTION = (
    "Q: matrix(N, d); K: matrix(M, d); V: matrix(M, e); Y: matrix(N, e); "
    "sum((softmax(Q @ K.T / sqrt(d), axis=1) @ V - Y)^2)"
)


def _softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _ce(X, W, Y):
    Z = X @ W
    lse = np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.sum(Y * (Z - lse)) / X.shape[0]


def _attention(Q, K, V, Y):
    return np.sum((_softmax_rows(Q @ K.T / np.sqrt(Q.shape[1])) @ V - Y) ** 2)


CASES = [
    ("ce-by-W", CE, "W", _ce),
    ("attention-by-Q", ATTENTION, "Q", _attention),
    ("attention-by-K", ATTENTION, "K", _attention),
    ("attention-by-V", ATTENTION, "V", _attention),
]
IDS = [c[0] for c in CASES]


def _load(source):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    return namespace


def _point(d, seed=0):
    rng = np.random.default_rng(seed)
    values = {v.name: rng.normal(size=v.shape.numpy(SIZES)) for v in argument_order(d)}
    if "Y" in values and "X" in values:  # soft labels, rows not summing to one
        values["Y"] = rng.uniform(0.0, 1.0, size=values["Y"].shape)
    return values


def _central(fun, values, wrt, eps=1e-6):
    x = values[wrt]
    out = np.zeros(x.shape)
    for k in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[k] = eps
        up = fun(**{**values, wrt: x + step})
        down = fun(**{**values, wrt: x - step})
        out[k] = (up - down) / (2 * eps)
    return out


def _body(source):
    body = source.split("def f(")[1].split("\ndef ")[0].split('"""')[2]
    return "\n".join(line for line in body.splitlines() if "assert" not in line)


@pytest.mark.parametrize("target", BACKENDS)
@pytest.mark.parametrize("query, wrt, independent", [c[1:] for c in CASES], ids=IDS)
def test_agrees_with_evaluate_and_central_differences(query, wrt, independent, target):
    d = matcalc.derivative(query, wrt)
    values = _point(d)
    expected = d.evaluate(values)
    fd = _central(independent, values, wrt)
    np.testing.assert_allclose(expected, fd, rtol=1e-6, atol=1e-7)
    for dtype, rtol, atol in (("float64", 1e-10, 1e-12), ("float32", 2e-4, 2e-5)):
        value, derivative = _load(d.to_source(target, dtype=dtype))["f"](**values)
        value, derivative = np.asarray(value), np.asarray(derivative)
        assert derivative.dtype == np.dtype(dtype) and derivative.shape == values[wrt].shape
        np.testing.assert_allclose(value, independent(**values), rtol=rtol * 10, atol=atol)
        np.testing.assert_allclose(derivative, expected, rtol=rtol, atol=atol)
    if target == "numpy":
        check = _load(d.to_numpy())["check"]
        assert check(*(values[v.name] for v in argument_order(d))) < 1e-5


def _products(text) -> int:
    """The matrix products one call computes: of a run-time choice (`a if cost else b`,
    the options of a chain's order or of a scalar's place), one option's."""

    def count(node) -> int:
        if isinstance(node, ast.IfExp):
            return count(node.body)
        own = isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)
        return own + sum(count(c) for c in ast.iter_child_nodes(node))

    return count(ast.parse(textwrap.dedent(text)))


@pytest.mark.parametrize(
    "query, wrt, products",
    [(CE, "W", 2), (ATTENTION, "Q", 4), (ATTENTION, "K", 4), (ATTENTION, "V", 3)],
    ids=IDS,
)
def test_text_is_the_expert_backward_pass(query, wrt, products):
    """One shifted exp per softmax argument, shared by the value (its logsumexp) and the
    derivative (the softmax); no product with a ones matrix (row sums are np.sum(…,
    axis=1), spread by broadcasting); as many matrix products as the hand-written backward
    pass (cross-entropy 2: XW, Xᵀ(·); attention 4 by Q or K: QKᵀ, SV, (SV − Y)Vᵀ, (·)K;
    3 by V: QKᵀ, SV, Sᵀ(SV − Y))."""
    d = matcalc.derivative(query, wrt)
    text = _body(d.to_numpy())
    assert text.count("np.exp(") == 1, text
    assert text.count("np.amax(") == 1, text
    assert "np.ones(" not in text, text
    assert _products(text) == products, text
    assert "axis=1, keepdims=True" in text


def test_row_sums_and_spreads_outside_an_elementwise_product():
    """M 1 1ᵀ on its own is a full, fresh array (never a view of the row sums); M 1 is the
    row sums; 1 1ᵀ M the column sums spread down the rows."""
    for query, expect in (
        ("X: matrix(n, m); Y: matrix(n, m); sum(X @ Y.T)", "np.sum("),  # by X: 1 1ᵀ Y
        ("X: matrix(n, m); Y: matrix(m, n); sum(X @ Y)", "np.sum("),  # by X: 1 1ᵀ Yᵀ
    ):
        d = matcalc.derivative(query, "X")
        source = d.to_numpy()
        text = _body(source)
        assert expect in text and " @ np.ones(" not in text, text
        rng = np.random.default_rng(1)
        values = {
            v.name: rng.normal(size=v.shape.numpy({"n": 4, "m": 3})) for v in argument_order(d)
        }
        _, derivative = _load(source)["f"](**values)
        np.testing.assert_allclose(derivative, d.evaluate(values), rtol=1e-12)
        assert derivative.shape == (4, 3) and derivative.flags.writeable
        assert derivative.flags.owndata or derivative.base is not None
        derivative[0, 0] += 1.0  # a real array, not a read-only broadcast


def test_a_difference_and_its_negation_are_one_value():
    """(A − B)C and (B − A)C in one module: one product, the other its negation."""
    query = "A, B, C, D: matrix(n, n); trace((A - B) @ C @ D) + sum(((B - A) @ C) * D)"
    d = matcalc.derivative(query, "D")
    text = _body(d.to_numpy())
    assert text.count("@ C") == 1, text
    rng = np.random.default_rng(2)
    values = {v: rng.normal(size=(4, 4)) for v in "ABCD"}
    _, derivative = _load(d.to_numpy())["f"](**values)
    np.testing.assert_allclose(derivative, d.evaluate(values), rtol=1e-12, atol=1e-14)
    A, B, C = values["A"], values["B"], values["C"]
    np.testing.assert_allclose(derivative, ((A - B) @ C).T + (B - A) @ C, atol=1e-12)


@pytest.mark.parametrize("wrt", ["Q", "K"])
def test_row_sums_move_to_the_narrow_factor(wrt):
    """rowsum(S ⊙ ((z − Y)Vᵀ)) is rowsum((z − Y) ⊙ SV) with SV = z computed already: the
    element-wise product and the sums over N×e entries, not N×M (FlashAttention's
    rowsum(dO ⊙ O))."""
    d = matcalc.derivative(ATTENTION, wrt)
    text = _body(d.to_numpy())
    assert re.search(r"np\.sum\(z \* \w+, axis=1, keepdims=True\)", text), text
    assert not re.search(r"np\.sum\(S \*", text), text
    values = _point(d, seed=5)
    _, derivative = _load(d.to_numpy())["f"](**values)
    np.testing.assert_allclose(derivative, d.evaluate(values), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("target", [t for t in BACKENDS if t != "jax"])
def test_weights_of_both_signs_give_two_symmetric_products(target):
    """Gᵀdiag(c)G with c of both signs (the MLP Hessian's curvature term) is PᵀP − NᵀN, the
    rows of G split by the sign of c: two symmetric products, never a general one."""
    query = "W1: matrix(h, n); W2: matrix(k, h); x: vector(n); y: vector(k); "
    d = matcalc.hessian(query + "sum((W2 @ tanh(W1 @ x) - y)^2)", "x")
    text = _body(d.to_source(target))
    grams = re.findall(r"\b(\w+)\.T @ \1\b", text)
    assert len(grams) >= 3 and "[:, 0] > 0" in text, text
    for seed in range(3):
        values = _point(d, seed=seed)
        c = np.tanh(values["W1"] @ values["x"])
        weights = c * (values["W2"].T @ (values["W2"] @ c - values["y"])) * (1 - c * c)
        if seed == 0:
            assert (weights > 0).any() and (weights < 0).any()  # both branches' rows
        _, hessian = _load(d.to_source(target))["f"](**values)
        np.testing.assert_allclose(np.asarray(hessian), d.evaluate(values), rtol=1e-10, atol=1e-12)
