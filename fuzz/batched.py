"""Random queries of the batched language (issue 9, order ≤ 2), each with its own NumPy
function: broadcasting (a vector bias over the rows of a matrix, a keepdims column over its
columns, scalars everywhere), `axis=`/`keepdims=` reductions (sum, mean, max, min,
logsumexp, var, std, norm; softmax and log_softmax by rows and by columns), the constants
`eye`, `ones`, `zeros`, `.mT`, a `rowsimplex` label matrix, repeated subexpressions and
cancelling terms. The variables: X: matrix(m, n), b: vector(n), z: scalar, and the fixed
A: matrix(n, n), Y: rowsimplex(m, n) (m = 3, n = 4).

`compare(term, seed)` checks one query: its value against the NumPy function's, and its
derivative by X, by b and by z against central differences of that function (and the
simplified result against the raw read-off). tests/test_property_batched.py runs it on a
few hundred derandomized hypothesis examples; the long run:

    python -m fuzz.batched --n 3000      # random (not derandomized); prints each failure
"""

from __future__ import annotations

import os
import sys

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

if __package__ in (None, ""):  # `python fuzz/batched.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import matcalc
from fuzz.batched_numpy import (
    NUMPY,
    OPS,
    REDUCE,
    Gaps,
    M,
    N,
    Term,
    log_softmax,
    point,
    softmax,
)
from fuzz.long_run import run_cases
from matcalc import testing
from matcalc.api import _parse
from matcalc.evaluate import bind, evaluate

__all__ = [
    "SHAPES",
    "WRT",
    "columns",
    "compare",
    "main",
    "matrices",
    "queries",
    "rows",
    "scalars",
    "small",
    "value",
]

SHAPES = {
    "X": "matrix(m, n)",
    "b": "vector(n)",
    "z": "scalar",
    "A": "matrix(n, n)",
    "Y": "rowsimplex(m, n)",
}
WRT = ("X", "b", "z")
MARGIN = 1e-3  # no tie of a max/min, no std/norm this close to 0, at the drawn point
SMOOTH = ("exp", "sin", "cos", "tanh", "sigmoid", "softplus")


def _p(text: str) -> str:
    """Parenthesise unless the text is a name or a single call."""
    if text.isidentifier():
        return text
    head = text.split("(", 1)[0]
    if head.isidentifier() and text.endswith(")"):
        depth = 0
        for i, c in enumerate(text):
            depth += (c == "(") - (c == ")")
            if depth == 0 and c == ")" and i != len(text) - 1:
                break
        else:
            return text
    return f"({text})"


def _axis_kw(axis, keepdims: bool) -> str:
    return f", axis={axis}" + (", keepdims=True" if keepdims else "")


# ---------------------------------------------------------------- generators
def _unary(draw, inner: Term) -> Term:
    """Element-wise functions of any shape; log and sqrt only of positive things."""
    kind = draw(st.sampled_from(("function", "function", "log-square", "sqrt", "negate", "power")))
    u, f = inner.text, inner.fn
    if kind == "function":
        name = draw(st.sampled_from(SMOOTH))
        g = NUMPY[name]
        return Term(f"{name}({u})", lambda V: g(f(V)))
    if kind == "log-square":
        return Term(f"log(1 + {_p(u)}^2)", lambda V: np.log(1 + f(V) ** 2))
    if kind == "sqrt":
        return Term(f"sqrt(1 + {_p(u)}^2)", lambda V: np.sqrt(1 + f(V) ** 2))
    if kind == "power":
        k = draw(st.sampled_from((2, 3)))
        return Term(f"{_p(u)}^{k}", lambda V: f(V) ** k)
    return Term(f"-{_p(u)}", lambda V: -f(V))


def _binary(draw, a: Term, b: Term) -> Term:
    op = draw(st.sampled_from(tuple(OPS)))
    g = OPS[op]
    left = _p(a.text) if op == "*" else a.text
    return Term(f"{left} {op} {_p(b.text)}", lambda V: g(a.fn(V), b.fn(V)))


def _divide(a: Term, b: Term) -> Term:
    return Term(f"{_p(a.text)} / (1 + {_p(b.text)}^2)", lambda V: a.fn(V) / (1 + b.fn(V) ** 2))


def _cancel(draw, a: Term, b: Term) -> Term:
    """a + b − b (or b − b + a): a term that cancels, leaving a's value and shape."""
    if draw(st.booleans()):
        return Term(
            f"{a.text} + {_p(b.text)} - {_p(b.text)}", lambda V: a.fn(V) + b.fn(V) - b.fn(V)
        )
    return Term(
        f"{_p(b.text)} - {_p(b.text)} + {_p(a.text)}", lambda V: b.fn(V) - b.fn(V) + a.fn(V)
    )


def _repeat(draw, a: Term) -> Term:
    """The same subexpression twice (hash-consed into one node)."""
    g = draw(st.sampled_from(SMOOTH))
    op = draw(st.sampled_from(tuple(OPS)))
    h, o = NUMPY[g], OPS[op]
    return Term(f"{_p(a.text)} {op} {g}({a.text})", lambda V: o(a.fn(V), h(a.fn(V))))


def _reduce(draw, inner: Term, axis, keepdims: bool) -> Term:
    name = draw(st.sampled_from(tuple(REDUCE)))
    g, f = REDUCE[name], inner.fn
    np_axis = axis if axis is None or isinstance(axis, int) else tuple(axis)
    kw = "" if axis is None else _axis_kw(axis, keepdims)
    return Term(f"{name}({inner.text}{kw})", lambda V: g(f(V), axis=np_axis, keepdims=keepdims))


def _softmaxes(draw, inner: Term) -> Term:
    name = draw(st.sampled_from(("softmax", "log_softmax")))
    axis = draw(st.sampled_from((1, -1, 0, -2)))
    g, f = {"softmax": softmax, "log_softmax": log_softmax}[name], inner.fn
    return Term(f"{name}({inner.text}, axis={axis})", lambda V: g(f(V), axis))


MATRIX_LEAVES = (
    Term("X", lambda V: V["X"]),
    Term("X + b", lambda V: V["X"] + V["b"]),  # a bias over every row
    Term("z * X", lambda V: V["z"] * V["X"]),
    Term("X @ A", lambda V: V["X"] @ V["A"]),
    Term("X - mean(X, axis=1, keepdims=True)", lambda V: V["X"] - V["X"].mean(1, keepdims=True)),
)
MATRIX_KINDS = (
    "leaf", "unary", "unary", "binary", "binary", "row", "row", "column", "column", "scalar",
    "softmax", "matmul", "eye", "mT", "constant", "cancel", "repeat", "divide", "normalise",
)  # fmt: skip


@st.composite
def matrices(draw, depth: int = 2) -> Term:
    """An (m, n) matrix."""
    if depth == 0:
        return draw(st.sampled_from(MATRIX_LEAVES))
    kind = draw(st.sampled_from(MATRIX_KINDS))
    m, v, c, s = matrices(depth - 1), rows(depth - 1), columns(depth - 1), scalars(depth - 1)
    if kind == "leaf":
        return draw(st.sampled_from(MATRIX_LEAVES))
    if kind == "unary":
        return _unary(draw, draw(m))
    if kind == "binary":
        return _binary(draw, draw(m), draw(m))
    if kind in ("row", "column", "scalar"):  # broadcast: (n,), (m, 1) or () against (m, n)
        other = draw({"row": v, "column": c, "scalar": s}[kind])
        a = draw(m)
        return _binary(draw, *((a, other) if draw(st.booleans()) else (other, a)))
    if kind == "softmax":
        return _softmaxes(draw, draw(m))
    if kind == "matmul":
        a = draw(m)
        return Term(f"{_p(a.text)} @ A", lambda V: a.fn(V) @ V["A"])
    if kind == "eye":
        a = draw(m)
        if draw(st.booleans()):
            return Term(f"eye(m) @ {_p(a.text)}", lambda V: np.eye(M) @ a.fn(V))
        b = draw(m)  # the diagonal of a·bᵀ, as a matrix, times a
        return Term(
            f"({_p(a.text)} @ {_p(b.text)}.mT * eye(m)) @ {_p(a.text)}",
            lambda V: (a.fn(V) @ b.fn(V).T * np.eye(M)) @ a.fn(V),
        )
    if kind == "mT":  # .mT (the last two axes) or .T (all): the same for a matrix
        a, t = draw(m), draw(st.sampled_from((".mT", ".T")))
        return Term(f"(A @ {_p(a.text)}{t}){t}", lambda V: (V["A"] @ a.fn(V).T).T)
    if kind == "constant":
        a = draw(m)
        if draw(st.booleans()):
            return Term(f"{_p(a.text)} + zeros(m, n)", a.fn)
        return Term(f"ones(m, n) * {_p(a.text)}", a.fn)
    if kind == "cancel":
        return _cancel(draw, draw(m), draw(m))
    if kind == "repeat":
        return _repeat(draw, draw(m))
    if kind == "divide":
        return _divide(draw(m), draw(m))
    a, axis = draw(m), draw(st.sampled_from((1, -1, 0)))  # layer norm (axis 1), batch norm (0)
    kd = _axis_kw(axis, True)

    def normalised(V):
        u = a.fn(V)
        centred = u - u.mean(axis=axis, keepdims=True)
        return centred / np.sqrt(u.var(axis=axis, keepdims=True) + 0.5)

    return Term(f"({_p(a.text)} - mean({a.text}{kd})) / sqrt(var({a.text}{kd}) + 0.5)", normalised)


ROW_LEAVES = (
    Term("b", lambda V: V["b"]),
    Term("sum(X, axis=0)", lambda V: V["X"].sum(0)),
    Term("z * b", lambda V: V["z"] * V["b"]),
    Term("ones(m) @ X", lambda V: np.ones(M) @ V["X"]),  # a 1-D left operand: a row
    Term("b @ eye(n) + zeros(n)", lambda V: V["b"]),
)


@st.composite
def rows(draw, depth: int = 2) -> Term:
    """An (n,) vector: b, or a reduction of a matrix over its rows (axis 0)."""
    if depth == 0:
        return draw(st.sampled_from(ROW_LEAVES))
    kind = draw(
        st.sampled_from(
            ("leaf", "reduce", "reduce", "unary", "binary", "matmul", "scalar", "softmax", "cancel")
        )
    )
    v = rows(depth - 1)
    if kind == "leaf":
        return draw(st.sampled_from(ROW_LEAVES))
    if kind == "reduce":
        return _reduce(draw, draw(matrices(depth - 1)), draw(st.sampled_from((0, -2))), False)
    if kind == "unary":
        return _unary(draw, draw(v))
    if kind == "binary":
        return _binary(draw, draw(v), draw(v))
    if kind == "matmul":  # a vector on the left of a matrix acts as a row
        a = draw(v)
        return Term(f"{_p(a.text)} @ A", lambda V: a.fn(V) @ V["A"])
    if kind == "scalar":
        a, s = draw(v), draw(scalars(depth - 1))
        return _binary(draw, s, a)
    if kind == "softmax":
        a = draw(v)
        return Term(f"softmax({a.text})", lambda V: softmax(a.fn(V), 0))
    return _cancel(draw, draw(v), draw(v))


@st.composite
def columns(draw, depth: int = 2) -> Term:
    """An (m, 1) keepdims column: a reduction of a matrix over its columns (axis 1)."""
    kinds = ("reduce", "reduce", "ones", "unary", "binary")
    kind = "reduce" if depth == 0 else draw(st.sampled_from(kinds))
    if kind == "reduce":
        inner = draw(matrices(max(depth - 1, 0)))
        return _reduce(draw, inner, draw(st.sampled_from((1, -1))), True)
    if kind == "ones":  # the row sums as a product with a ones column
        a = draw(matrices(depth - 1))
        return Term(f"{_p(a.text)} @ ones(n, 1)", lambda V: a.fn(V) @ np.ones((N, 1)))
    c = columns(depth - 1)
    if kind == "unary":
        return _unary(draw, draw(c))
    return _binary(draw, draw(c), draw(c))


SCALAR_LEAVES = (
    Term("z", lambda V: V["z"]),
    Term("sum(X)", lambda V: V["X"].sum()),
    Term("mean(X * b)", lambda V: (V["X"] * V["b"]).mean()),
)


@st.composite
def scalars(draw, depth: int = 2) -> Term:
    """A scalar: full reductions, sums of vectors and columns, dot products, cross-entropy."""
    if depth == 0:
        return draw(st.sampled_from(SCALAR_LEAVES))
    kind = draw(
        st.sampled_from(
            (
                "leaf",
                "reduce",
                "reduce",
                "axes",
                "row",
                "column",
                "dot",
                "entropy",
                "unary",
                "binary",
                "divide",
            )
        )
    )
    s = scalars(depth - 1)
    if kind == "leaf":
        return draw(st.sampled_from(SCALAR_LEAVES))
    if kind == "reduce":
        return _reduce(draw, draw(matrices(depth - 1)), None, False)
    if kind == "axes":  # a tuple of axes: every entry
        a = draw(matrices(depth - 1))
        name = draw(st.sampled_from(("sum", "mean", "logsumexp")))
        g = REDUCE[name]
        return Term(f"{name}({a.text}, axis=(0, 1))", lambda V: g(a.fn(V), axis=(0, 1)))
    if kind == "row":
        a = draw(rows(depth - 1))
        return Term(f"sum({a.text})", lambda V: np.sum(a.fn(V)))
    if kind == "column":
        a = draw(columns(depth - 1))
        return Term(f"mean({a.text})", lambda V: np.mean(a.fn(V)))
    if kind == "dot":  # two m-vectors: row sums without keepdims
        a, b = draw(matrices(depth - 1)), draw(matrices(depth - 1))
        return Term(
            f"sum({a.text}, axis=1) @ sum({b.text}, axis=-1)",
            lambda V: a.fn(V).sum(1) @ b.fn(V).sum(-1),
        )
    if kind == "entropy":  # batched cross-entropy against rowsimplex labels
        a = draw(matrices(depth - 1))
        return Term(
            f"-sum(Y * log_softmax({a.text}, axis=1))",
            lambda V: -np.sum(V["Y"] * log_softmax(a.fn(V), 1)),
        )
    if kind == "unary":
        return _unary(draw, draw(s))
    if kind == "binary":
        return _binary(draw, draw(s), draw(s))
    return _divide(draw(s), draw(s))


def _as_evaluated(t: Term, column: bool) -> Term:
    """A keepdims (m, 1) result is returned by `evaluate` as (m,) (README "Batches and axes")."""
    return Term(t.text, (lambda V: t.fn(V)[:, 0]) if column else t.fn)


queries = st.one_of(
    matrices(3),
    rows(3),
    scalars(3),
    columns(3).map(lambda t: _as_evaluated(t, True)),
)

small = st.one_of(matrices(1), rows(1), scalars(1))  # for SymPy's check


# ---------------------------------------------------------------- the comparison
def value(term: Term, values: dict) -> np.ndarray:
    """The NumPy side's value; hypothesis draws again if the point is near a kink."""
    Gaps.least = np.inf
    out = np.asarray(term.fn(values), dtype=float)
    assume(Gaps.least > MARGIN)
    assume(np.all(np.isfinite(out)) and np.max(np.abs(out), initial=0.0) < 1e6)
    return out


def _close(got, want, scale, what: str):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * max(1.0, scale), err_msg=what)


def compare(term: Term, seed: int) -> None:
    """The query's value and its derivatives by X, b and z against the NumPy function
    (AssertionError naming the query and the derivative printed)."""
    values = point(seed)
    want_value = value(term, values)
    expr, variables = _parse(term.text, SHAPES)
    arrays, dims = bind(variables, values)
    got_value = np.asarray(evaluate(expr, arrays, dims), dtype=float)
    _close(got_value.reshape(want_value.shape), want_value, 1.0, f"value of {term.text}")
    scale = float(np.max(np.abs(want_value), initial=0.0))
    for wrt in WRT:
        d = matcalc.derivative(term.text, wrt, shapes=SHAPES)
        want = testing.jacobian(term.fn, values, wrt)
        got = np.asarray(d.evaluate(values), dtype=float)
        what = f"{term.text} by {wrt}: {d}"
        assert got.shape == want.shape, what
        _close(got, want, scale, what)
        if d.raw is None:  # a linear map (matrix by matrix): no read-off to simplify
            continue
        raw = np.asarray(evaluate(d.raw, arrays, dims), dtype=float)
        result = np.asarray(evaluate(d.result, arrays, dims), dtype=float)
        assert raw.shape == result.shape, f"{what}: raw {d.raw}"
        _close(result, raw, float(np.max(np.abs(raw), initial=0.0)), f"{what}: raw {d.raw}")


def main(argv: list[str] | None = None) -> int:
    """Random (not derandomized) cases; every failure printed; exit status 1 if any."""
    import argparse

    ap = argparse.ArgumentParser(description="random batched queries against NumPy")
    ap.add_argument("--n", type=int, default=3000, help="cases (default 3000)")
    args = ap.parse_args(argv)
    return run_cases(queries, compare, args.n)


if __name__ == "__main__":
    sys.exit(main())
