"""Seeded property tests on random well-shaped queries over a vector x (n = 3), a scalar z
and a fixed 3×3 matrix A, generated as query text (so the parser is exercised too):

- the derivative by x and by z evaluates to the central finite differences;
- simplification never changes the value (the raw read-off against the result, and the
  expression itself against its simplified form);
- simplification is idempotent.
"""

from __future__ import annotations

import numpy as np
from helpers import finite_difference
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc
from matcalc.api import _parse
from matcalc.evaluate import bind, evaluate
from matcalc.simplify import simplify

SHAPES = {"x": "vector(n)", "z": "scalar", "A": "matrix(n, n)"}
A_VALUE = np.array([[0.6, -0.3, 0.2], [0.1, 0.5, -0.4], [-0.2, 0.3, 0.7]])
SMOOTH = ("exp", "sin", "cos", "tanh", "sigmoid", "softplus")
DEPTH = 3
SETTINGS = settings(derandomize=True, max_examples=60, deadline=None, database=None)


def _p(text: str) -> str:
    """Parenthesise unless the text is a name or a call."""
    if text.isidentifier() or (
        text.endswith(")") and text.split("(", 1)[0].isidentifier() and _balanced_call(text)
    ):
        return text
    return f"({text})"


def _balanced_call(text: str) -> bool:
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth == 0 and c == ")" and i != len(text) - 1:
            return False
    return True


OPS = ("+", "-", "*")


def _unary(draw, kind, inner):
    """Element-wise functions of one argument; log and sqrt only of positive things."""
    u = draw(inner)
    if kind == "function":
        return f"{draw(st.sampled_from(SMOOTH))}({u})"
    if kind == "log-exp":
        return f"log(exp({u}))"
    if kind == "log-square":
        return f"log(1 + {_p(u)}^2)"
    if kind == "sqrt":
        return f"sqrt(1 + {_p(u)}^2)"
    return f"-{_p(u)}"


UNARY = ("function", "function", "log-exp", "log-square", "sqrt", "negate")
VECTOR_KINDS = UNARY + ("binary", "binary", "divide", "divide-exp", "matmul", "expand", "power")
SCALAR_KINDS = UNARY + ("sum", "dot", "binary", "binary", "divide")


@st.composite
def vectors(draw, depth: int = 3):
    """Query text whose value is an n-vector."""
    leaf = st.sampled_from(["x", "A @ x", "x * z", "z - x"])
    if depth == 0:
        return draw(leaf)
    kind = draw(st.sampled_from(("leaf",) + VECTOR_KINDS))
    v, s = vectors(depth - 1), scalars(depth - 1)
    if kind == "leaf":
        return draw(leaf)
    if kind in UNARY:
        return _unary(draw, kind, v)
    if kind == "binary":
        return f"{draw(v)} {draw(st.sampled_from(OPS))} {_p(draw(v))}"
    if kind == "divide":
        return f"{_p(draw(v))} / (1 + {_p(draw(v))}^2)"
    if kind == "divide-exp":
        return f"{_p(draw(v))} / exp({draw(s)})"
    if kind == "matmul":
        return f"A @ {_p(draw(v))}"
    if kind == "expand":  # scalar expansion
        return f"{_p(draw(s))} {draw(st.sampled_from(OPS))} {_p(draw(v))}"
    return f"{_p(draw(v))}^{draw(st.sampled_from([2, 3]))}"


@st.composite
def scalars(draw, depth: int = 3):
    """Query text whose value is a scalar."""
    leaf = st.sampled_from(["z", "sum(x)", "x @ x", "x @ A @ x"])
    if depth == 0:
        return draw(leaf)
    kind = draw(st.sampled_from(("leaf",) + SCALAR_KINDS))
    v, s = vectors(depth - 1), scalars(depth - 1)
    if kind == "leaf":
        return draw(leaf)
    if kind in UNARY:
        return _unary(draw, kind, s)
    if kind == "sum":
        return f"sum({draw(v)})"
    if kind == "dot":
        return f"{_p(draw(v))} @ {_p(draw(v))}"
    if kind == "binary":
        return f"{draw(s)} {draw(st.sampled_from(OPS))} {_p(draw(s))}"
    return f"{_p(draw(s))} / (1 + {_p(draw(s))}^2)"


queries = st.one_of(vectors(DEPTH), scalars(DEPTH))


def _point(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, 3) * rng.choice([-1.0, 1.0], 3)
    return {"x": x, "z": float(rng.uniform(0.5, 1.5)), "A": A_VALUE}


def _close(got, want, scale):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * max(1.0, scale))


@SETTINGS
@given(queries, st.integers(0, 2**16))
def test_derivative_matches_finite_differences(query, seed):
    values = _point(seed)
    expr, variables = _parse(query, SHAPES)
    arrays, dims = bind(variables, values)
    scale = float(np.max(np.abs(evaluate(expr, arrays, dims))))
    for wrt in ("x", "z"):
        d = matcalc.derivative(query, wrt, shapes=SHAPES)
        want = finite_difference(query, wrt, SHAPES, values)
        got = np.asarray(d.evaluate(values))
        assert got.shape == want.shape, f"{query} by {wrt}: {d}"
        _close(got, want, scale)


@SETTINGS
@given(queries, st.integers(0, 2**16))
def test_simplification_preserves_value(query, seed):
    values = _point(seed)
    expr, variables = _parse(query, SHAPES)
    arrays, dims = bind(variables, values)
    before = evaluate(expr, arrays, dims)
    _close(evaluate(simplify(expr), arrays, dims), before, float(np.max(np.abs(before))))
    for wrt in ("x", "z"):
        d = matcalc.derivative(query, wrt, shapes=SHAPES)
        raw, result = evaluate(d.raw, arrays, dims), evaluate(d.result, arrays, dims)
        assert raw.shape == result.shape, f"{query} by {wrt}: raw {d.raw}, result {d.result}"
        _close(result, raw, float(np.max(np.abs(raw))))


@SETTINGS
@given(queries)
def test_simplification_is_idempotent(query):
    expr, _ = _parse(query, SHAPES)
    once = simplify(expr)
    assert simplify(once) is once, f"{query}: {once} → {simplify(once)}"
    for wrt in ("x", "z"):
        d = matcalc.derivative(query, wrt, shapes=SHAPES)
        assert simplify(d.result) is d.result, f"{query} by {wrt}: {d} → {simplify(d.result)}"
        once = simplify(d.raw)
        assert simplify(once) is once, f"{query} by {wrt}: {once} → {simplify(once)}"
