"""Indexing and slicing with constant integers (matcalc/indexing.py): x[k] = eₖᵀx and its
kin, each derivative printed, checked against central differences of NumPy's own indexing,
SymPy's component check, and the generated NumPy code against `evaluate`."""

from __future__ import annotations

import numpy as np
import pytest
from batched_helpers import three_ways

import matcalc
from matcalc.errors import MatcalcError


def _a(v, name):
    return np.asarray(v[name], dtype=float)


# query, by, printed derivative, the NumPy function (NumPy's own indexing)
CASES = [
    ("x: vector(n); x[0]", "x", "e₀ᵀ", lambda v: _a(v, "x")[0]),
    ("x: vector(n); x[-1]", "x", "e₋₁ᵀ", lambda v: _a(v, "x")[-1]),
    ("x: vector(4); x[-1]", "x", "e₃ᵀ", lambda v: _a(v, "x")[-1]),
    ("x[1] * x[0]", "x", "x[1]e₀ᵀ + x[0]e₁ᵀ", lambda v: _a(v, "x")[1] * _a(v, "x")[0]),
    (
        "X: matrix(m, n); X[1]",
        "X",
        "∂(Xᵀe₁)ᵢ/∂Xₖₗ = δᵢₗ(e₁)ₖ",
        lambda v: _a(v, "X")[1],
    ),
    (
        "X: matrix(m, n); X[:, 1]",
        "X",
        "∂vec(X e₁)/∂vec(X) = e₁ᵀ ⊗ I",
        lambda v: _a(v, "X")[:, 1],
    ),
    ("X: matrix(m, 4); X[1, 2]", "X", "e₁ e₂ᵀ", lambda v: _a(v, "X")[1, 2]),
    ("X: matrix(m, n); X[1, -1]", "X", "e₁ e₋₁ᵀ", lambda v: _a(v, "X")[1, -1]),
    ("x: vector(n); x[1:3]", "x", "I[:, 1:3]ᵀ", lambda v: _a(v, "x")[1:3]),
    ("x: vector(5); x[1:]", "x", "I[:, 1:5]ᵀ", lambda v: _a(v, "x")[1:]),
    ("x: vector(n); x[-2:]", "x", "I[:, -2:]ᵀ", lambda v: _a(v, "x")[-2:]),
    (
        "X: matrix(m, n); X[:, 0:2]",
        "X",
        "∂vec(X I[:, 0:2])/∂vec(X) = I[:, 0:2]ᵀ ⊗ I",
        lambda v: _a(v, "X")[:, 0:2],
    ),
    (
        "x: vector(n); sum(exp(x[1:3]))",
        "x",
        "exp(I[:, 1:3]ᵀx)ᵀI[:, 1:3]ᵀ",
        lambda v: np.exp(_a(v, "x")[1:3]).sum(),
    ),
    (
        "X: matrix(m, n); w: vector(n); (X @ w)[0]",
        "X",
        "e₀ wᵀ",
        lambda v: (_a(v, "X") @ _a(v, "w"))[0],
    ),
    ("[a, b][1]", "b", "1", lambda v: v["b"]),
    # a part of a constant array is constant; a row of the identity a unit vector
    ("ones(3)[1] * x", "x", "1", lambda v: np.ones(3)[1] * v["x"]),
    ("x: vector(3); eye(3)[1] @ x", "x", "e₁ᵀ", lambda v: np.eye(3)[1] @ _a(v, "x")),
    ("[[a, b], [c, d]][:, 1]", "b", "[1, 0]", lambda v: np.array([v["b"], v["d"]])),
    ("[[a, b], [c, d]][1]", "d", "[0, 1]", lambda v: np.array([v["c"], v["d"]])),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), CASES)
def test_indexing_three_ways(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn)


# query, message, the text the caret underlines (its last occurrence in the query)
ERRORS = [
    ("x: vector(5); x[7]", "index 7 is out of range for an axis of length 5", "x[7]"),
    ("x: vector(5); x[-6]", "index -6 is out of range", "x[-6]"),
    ("x: vector(n); x[1:]", "length depends on the axis' symbolic length", "x[1:]"),
    ("x: vector(n); x[3:1]", "the slice is empty", "x[3:1]"),
    ("x: vector(n); x[0][0]", "x[0] is a scalar: it has no axes to index", "x[0][0]"),
    ("x: vector(n); x[0, 1]", "too many indices", "x[0, 1]"),
    ("x: vector(n); i: scalar; x[i]", "an index must be a constant integer", "i"),
    ("x: vector(n); x[0.5]", "an index must be a constant integer", "0.5"),
    ("x: vector(n); x[1:y]", "an index must be a constant integer", "y"),
]


@pytest.mark.parametrize(("query", "message", "marked"), ERRORS)
def test_indexing_errors_are_located(query, message, marked):
    with pytest.raises(MatcalcError) as info:
        matcalc.derivative(query, "x")
    err = info.value
    assert message in err.message
    assert (err.column, err.width) == (query.rindex(marked) + 1, len(marked))


def test_evaluate_refuses_an_axis_too_short():
    d = matcalc.derivative("x: vector(n); x[3]", "x")
    with pytest.raises(MatcalcError, match="out of range"):
        d.evaluate({"x": np.ones(2)})


def test_list_literals_still_parse():
    d = matcalc.derivative("[[a, b], [c, d]]", "a")
    assert str(d) == "[[1, 0], [0, 0]]"


# malformed indexing and strings: the syntax error, and where its caret points (column, width)
SYNTAX = [
    ("x[", "missing operand", (3, 1)),
    ("x[]", "missing operand", (3, 1)),
    ("x[1", "unclosed bracket", (2, 1)),
    ("X[:, 1:2", "unclosed bracket", (2, 1)),
    ("x[1:2:3]", "unexpected ':'", (6, 1)),
    ("x[1 2]", "two operands without an operator", (5, 1)),
    ('x["a"]', "an index must be a constant integer", (3, 3)),
    ("x[0.0]", "an index must be a constant integer", (3, 3)),
    ("x[1e2]", "an index must be a constant integer", (3, 3)),
    ('"abc', "unterminated string", (1, 1)),
    ("einsum('ij->i, A)", "unterminated string", (8, 1)),
    ("x: vector(n); x[1:2:3]", "unexpected ':'", (20, 1)),
]


@pytest.mark.parametrize(("query", "message", "caret"), SYNTAX)
def test_malformed_indexing_is_a_located_syntax_error(query, message, caret):
    from matcalc.errors import ParseError

    with pytest.raises(ParseError) as info:
        matcalc.derivative(query, "x")
    err = info.value
    assert err.message == message or message in err.message
    assert (err.column, err.width) == caret


# ---------------------------------------------------------------- JAX and PyTorch code
BACKEND_CASES = [
    ("x: vector(n); X: matrix(n, m); x[-2:] @ X[1:3, :]", "X"),
    ("X: matrix(n, n); X[1, -1] * X[:, 0] + X[0]", "X"),
    ("A: matrix(m, n); B: matrix(p, q); kron(A, B)", "B"),
    ("A: matrix(m, n); x: vector(n); y: vector(m); einsum('i,ij,j->', y, A, x)", "A"),
]


@pytest.mark.parametrize("target", ["jax", "torch"])
@pytest.mark.parametrize(("query", "wrt"), BACKEND_CASES)
def test_jax_and_torch_code_agrees_with_evaluate(target, query, wrt):
    import importlib.util
    import inspect

    from batched_helpers import draw

    if importlib.util.find_spec(target) is None:  # the bench extra: compiled only
        compile(matcalc.derivative(query, wrt).to_source(target), target, "exec")
        return
    d = matcalc.derivative(query, wrt)
    values = draw(query)
    scope: dict = {}
    exec(compile(d.to_source(target), f"<{target}>", "exec"), scope)  # noqa: S102 - our own code
    f = scope["f"]
    args = [values[n] for n in inspect.signature(f).parameters]
    _, derivative = f(*args)
    want = np.asarray(d.evaluate(values), dtype=float)
    np.testing.assert_allclose(np.asarray(derivative, dtype=float), want, rtol=1e-9, atol=1e-12)


def test_verify_sizes_an_axis_for_its_index():
    """verify draws each dimension at least as long as an index needs (x[5]: n ≥ 6)."""
    wrong = matcalc.verify("x: vector(n); d/dx x[5] = x.T")
    assert wrong.correct is False and wrong.counterexample["sizes"]["n"] >= 6
    assert matcalc.verify("x: vector(3); d/dx x[0] = [[1, 0, 0]]").correct is True
