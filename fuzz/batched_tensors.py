"""Random head-wise queries over order-3 tensors (issue 9, README "Tensors"), each with its
own NumPy function: `Q, K: tensor(h, n, d)` (h = 2 heads, n = 3, d = 4), a shared weight
`W: matrix(d, d)` and a shared vector `u: vector(d)` (a bias over every row of every slice);
stacked `@` (tensor @ tensor.mT, tensor @ W, an n×n score matrix @ tensor), `.mT`,
element-wise functions with broadcasting (a vector, a keepdims column, a scalar), softmax,
log_softmax, sum and logsumexp over `axis=-1`, repeated subexpressions and cancelling terms;
at the top a sum or mean over every axis (with a sign or divisor), a sum over the batch
axis, or nothing (the stacked value).

`compare(term, seed)` checks one query: its derivative by Q, K (tensors) and by W, u (shared)
against central differences of the NumPy function, and the generated NumPy code's value and
derivative against the NumPy function and `evaluate`.

    python -m fuzz.batched_tensors --n 1000      # random (not derandomized)
"""

from __future__ import annotations

import os
import sys

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

if __package__ in (None, ""):  # `python fuzz/batched_tensors.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import matcalc
from fuzz.batched import _cancel, _p, _repeat, _unary
from fuzz.batched_numpy import NUMPY, OPS, REDUCE, Term, log_softmax, softmax
from fuzz.long_run import run_cases
from matcalc import testing

__all__ = [
    "SHAPES",
    "WRT",
    "columns",
    "compare",
    "generated",
    "main",
    "point",
    "queries",
    "small",
    "squares",
    "tensors",
    "value",
]

H, N, D = 2, 3, 4  # distinct, so a swapped or mis-broadcast axis shows
SHAPES = {
    "Q": "tensor(h, n, d)",
    "K": "tensor(h, n, d)",
    "W": "matrix(d, d)",
    "u": "vector(d)",
    "z": "scalar",
}
WRT = ("Q", "K", "W", "u")
SMOOTH = ("exp", "sin", "cos", "tanh", "sigmoid", "softplus")


def point(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "Q": rng.uniform(-1.0, 1.0, (H, N, D)),
        "K": rng.uniform(-1.0, 1.0, (H, N, D)),
        "W": rng.uniform(-0.6, 0.6, (D, D)),
        "u": rng.uniform(-1.0, 1.0, D),
        "z": float(rng.uniform(0.5, 1.5)),
    }


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _lse(u, axis=-1, keepdims=False):
    return REDUCE["logsumexp"](u, axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------- generators
def _binary(draw, a: Term, b: Term) -> Term:
    op = draw(st.sampled_from(tuple(OPS)))
    g = OPS[op]
    left = _p(a.text) if op == "*" else a.text
    return Term(f"{left} {op} {_p(b.text)}", lambda V: g(a.fn(V), b.fn(V)))


TENSOR_LEAVES = (
    Term("Q", lambda V: V["Q"]),
    Term("K", lambda V: V["K"]),
    Term("Q @ W", lambda V: V["Q"] @ V["W"]),
    Term("K + u", lambda V: V["K"] + V["u"]),  # a bias over every row of every slice
    Term("z * Q", lambda V: V["z"] * V["Q"]),
)
TENSOR_KINDS = (
    "leaf", "unary", "unary", "binary", "binary", "vector", "column", "scalar", "weight",
    "attend", "attend", "softmax", "mT", "cancel", "repeat", "divide",
)  # fmt: skip


@st.composite
def tensors(draw, depth: int = 2) -> Term:
    """An (h, n, d) stack."""
    if depth == 0:
        return draw(st.sampled_from(TENSOR_LEAVES))
    kind = draw(st.sampled_from(TENSOR_KINDS))
    t = tensors(depth - 1)
    if kind == "leaf":
        return draw(st.sampled_from(TENSOR_LEAVES))
    if kind == "unary":
        return _unary(draw, draw(t))
    if kind == "binary":
        return _binary(draw, draw(t), draw(t))
    if kind in ("vector", "column", "scalar"):  # broadcast: (d,), (h, n, 1) or ()
        if kind == "vector":
            other = draw(
                st.sampled_from(
                    (Term("u", lambda V: V["u"]), Term("tanh(u)", lambda V: np.tanh(V["u"])))
                )
            )
        elif kind == "column":
            other = draw(columns(depth - 1))
        else:
            other = draw(
                st.sampled_from(
                    (Term("z", lambda V: V["z"]), Term("sqrt(d)", lambda V: np.sqrt(D)))
                )
            )
        a = draw(t)
        return _binary(draw, *((a, other) if draw(st.booleans()) else (other, a)))
    if kind == "weight":  # the shared weight, on the right (or transposed)
        a, tw = draw(t), draw(st.sampled_from(("W", "W.mT", "W.T")))
        w = (lambda V: V["W"]) if tw == "W" else (lambda V: V["W"].T)
        return Term(f"{_p(a.text)} @ {tw}", lambda V: a.fn(V) @ w(V))
    if kind == "attend":  # an (h, n, n) score matrix times a stack
        s, a = draw(squares(depth - 1)), draw(t)
        return Term(f"{_p(s.text)} @ {_p(a.text)}", lambda V: s.fn(V) @ a.fn(V))
    if kind == "softmax":
        name = draw(st.sampled_from(("softmax", "log_softmax")))
        g, a = {"softmax": softmax, "log_softmax": log_softmax}[name], draw(t)
        return Term(f"{name}({a.text}, axis=-1)", lambda V: g(a.fn(V), -1))
    if kind == "mT":  # (n, n) @ (n, d) through .mT twice: (aᵀ sᵀ)ᵀ = s a
        s, a = draw(squares(depth - 1)), draw(t)
        return Term(
            f"({_p(a.text)}.mT @ {_p(s.text)}.mT).mT", lambda V: _mT(_mT(a.fn(V)) @ _mT(s.fn(V)))
        )
    if kind == "cancel":
        return _cancel(draw, draw(t), draw(t))
    if kind == "repeat":
        return _repeat(draw, draw(t))
    a, b = draw(t), draw(t)
    return Term(f"{_p(a.text)} / (1 + {_p(b.text)}^2)", lambda V: a.fn(V) / (1 + b.fn(V) ** 2))


@st.composite
def squares(draw, depth: int = 1) -> Term:
    """An (h, n, n) stack of score matrices: a @ b.mT, scaled, through a softmax."""
    a, b = draw(tensors(max(depth - 1, 0))), draw(tensors(max(depth - 1, 0)))
    score = Term(f"{_p(a.text)} @ {_p(b.text)}.mT", lambda V: a.fn(V) @ _mT(b.fn(V)))
    kind = draw(st.sampled_from(("softmax", "softmax", "scaled", "plain", "function")))
    if kind == "softmax":
        return Term(
            f"softmax({score.text} / sqrt(d), axis=-1)",
            lambda V: softmax(score.fn(V) / np.sqrt(D), -1),
        )
    if kind == "scaled":
        return Term(f"({score.text}) / d", lambda V: score.fn(V) / D)
    if kind == "function":
        g = draw(st.sampled_from(("tanh", "sin", "sigmoid")))
        return Term(f"{g}({score.text})", lambda V: NUMPY[g](score.fn(V)))
    return score


@st.composite
def columns(draw, depth: int = 1) -> Term:
    """An (h, n, 1) keepdims column: a reduction over the last axis."""
    a = draw(tensors(max(depth - 1, 0)))
    name = draw(st.sampled_from(("sum", "mean", "logsumexp")))
    g = REDUCE[name]
    return Term(
        f"{name}({a.text}, axis=-1, keepdims=True)", lambda V: g(a.fn(V), axis=-1, keepdims=True)
    )


@st.composite
def queries(draw, depth: int = 2) -> Term:
    """A top over a stack: sum/mean of every entry (with a sign or divisor), the sum of
    an axis=-1 reduction, a sum over the batch axis, or the stack itself."""
    a = draw(tensors(depth))
    kind = draw(st.sampled_from(("sum", "sum", "mean", "signed", "rows", "batch", "stack")))
    if kind == "sum":
        return Term(f"sum({a.text})", lambda V: np.sum(a.fn(V)))
    if kind == "mean":
        return Term(f"mean({a.text})", lambda V: np.mean(a.fn(V)))
    if kind == "signed":
        return Term(f"-mean({a.text}) / 2", lambda V: -np.mean(a.fn(V)) / 2)
    if kind == "rows":
        name = draw(st.sampled_from(("sum", "logsumexp")))
        g = {"sum": np.sum, "logsumexp": _lse}[name]
        return Term(f"sum({name}({a.text}, axis=-1))", lambda V: np.sum(g(a.fn(V), axis=-1)))
    if kind == "batch":
        return Term(f"sum({a.text}, axis=0)", lambda V: np.sum(a.fn(V), axis=0))
    return a


small = queries(1)  # for SymPy's check


# ---------------------------------------------------------------- the comparison
def value(term: Term, values: dict) -> np.ndarray:
    out = np.asarray(term.fn(values), dtype=float)
    assume(np.all(np.isfinite(out)) and np.max(np.abs(out), initial=0.0) < 1e6)
    return out


def generated(d, values: dict) -> tuple:
    """The generated NumPy code's (value, derivative) at `values`."""
    import inspect

    scope: dict = {}
    exec(compile(d.to_numpy(), "<to_numpy>", "exec"), scope)  # noqa: S102 - our own output
    f = scope["f"]
    names = list(inspect.signature(f).parameters)
    v, g = f(*(values[n] for n in names))
    return np.asarray(v, dtype=float), np.asarray(g, dtype=float)


def _close(got, want, scale, what: str):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * max(1.0, scale), err_msg=what)


def compare(term: Term, seed: int, code: bool = True) -> None:
    """The query's derivatives by Q, K, W and u against central differences of the NumPy
    function; with `code`, the generated code's value and derivative (by one variable)
    against the NumPy function and `evaluate`."""
    values = point(seed)
    want_value = value(term, values)
    scale = float(np.max(np.abs(want_value), initial=0.0))
    for i, wrt in enumerate(WRT):
        d = matcalc.derivative(term.text, wrt, shapes=SHAPES)
        want = testing.jacobian(term.fn, values, wrt)
        got = np.asarray(d.evaluate(values), dtype=float)
        what = f"{term.text} by {wrt}: {d}"
        assert got.shape == want.shape, f"{what}: shape {got.shape}, not {want.shape}"
        _close(got, want, scale, what)
        if code and i == seed % len(WRT):
            v, g = generated(d, values)
            _close(v.reshape(want_value.shape), want_value, 1.0, f"generated value: {what}")
            _close(g, got, scale, f"generated derivative: {what}")


def main(argv: list[str] | None = None) -> int:
    """Random (not derandomized) cases; every failure printed; exit status 1 if any."""
    import argparse

    ap = argparse.ArgumentParser(description="random tensor queries against NumPy")
    ap.add_argument("--n", type=int, default=1000, help="cases (default 1000)")
    ap.add_argument("--depth", type=int, default=2, help="nesting depth (default 2)")
    args = ap.parse_args(argv)
    return run_cases(queries(args.depth), compare, args.n)


if __name__ == "__main__":
    sys.exit(main())
