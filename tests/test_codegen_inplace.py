"""In-place NumPy in the generated code (render/array_planned.py: `in_place`,
`scaled_softmax`): the row softmax divides its own exp temporary in place
(`np.divide(e, total, out=e)`) and column factors meet the row sums before the broadcast
(`e * (c / total)`). An `out=` writes only a temporary the function itself assigned, never
an argument, and nothing reads it afterwards; every workload of bench_kernels (square and
batched) leaves its inputs unchanged and agrees with `Derivative.evaluate` and with the
hand-written expert."""

from __future__ import annotations

import ast
import os
import sys
import textwrap

import numpy as np
import pytest

import matcalc

_BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
if _BENCH not in sys.path:
    sys.path.insert(0, _BENCH)

from _kernel_batched import BATCHED  # noqa: E402
from _kernel_workloads import WORKLOADS  # noqa: E402

ALL = [(w, 7) for w in WORKLOADS] + [(w, 5) for w in BATCHED]
IDS = [("batched " if w in BATCHED else "") + w.name for w, _ in ALL]


def _derive(w):
    return (matcalc.hessian if w.kind == "hessian" else matcalc.derivative)(w.query, w.wrt)


def _function_f(source) -> ast.FunctionDef:
    tree = ast.parse(source)
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")


def _names(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _in_place_writes(f: ast.FunctionDef) -> list:
    """(statement index, the name written with out=) for every out= in f's body."""
    found = []
    for i, stmt in enumerate(f.body):
        for call in ast.walk(stmt):
            if isinstance(call, ast.Call):
                for kw in call.keywords:
                    if kw.arg == "out":
                        assert isinstance(kw.value, ast.Name), ast.unparse(stmt)
                        found.append((i, kw.value.id))
    return found


def _assert_owned_and_dead(source):
    """Every out= target is a temporary f assigned (from an expression, not a parameter
    or a view of one) and read by no later statement except through the name the
    in-place result is assigned to."""
    f = _function_f(source)
    params = {a.arg for a in f.args.args + f.args.kwonlyargs}
    for i, target in _in_place_writes(f):
        assert target not in params, ast.unparse(f.body[i])
        earlier = [
            s
            for s in f.body[:i]
            if isinstance(s, ast.Assign)
            and target in {t.id for t in s.targets if isinstance(t, ast.Name)}
        ]
        assert earlier, ast.unparse(f.body[i])
        fresh = earlier[-1].value
        assert isinstance(fresh, (ast.Call, ast.BinOp)), ast.unparse(earlier[-1])
        views = ("reshape", "broadcast_to", "asarray", "transpose", "diag")
        assert not (isinstance(fresh, ast.Call) and ast.unparse(fresh.func).endswith(views))
        for later in f.body[i + 1 :]:
            assert target not in _names(later), (target, ast.unparse(later))


@pytest.mark.parametrize("w, n", ALL, ids=IDS)
def test_inputs_unchanged_and_values_agree(w, n):
    d = _derive(w)
    source = d.to_numpy()
    _assert_owned_and_dead(source)
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    inputs = w.inputs(np.random.default_rng(3), n)
    kept = {k: v.copy() for k, v in inputs.items()}
    value, derivative = namespace["f"](**inputs)
    for k, v in inputs.items():
        assert np.array_equal(v, kept[k]), f"f wrote its argument {k}"
    expert_value, expert_derivative = w.expert(**kept)
    np.testing.assert_allclose(value, expert_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(derivative, expert_derivative, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(derivative, d.evaluate(kept), rtol=1e-9, atol=1e-11)
    # a second call on the same arrays gives the same result (nothing shared was consumed)
    again = namespace["f"](**inputs)
    np.testing.assert_array_equal(again[1], derivative)


def _body(source) -> str:
    f = _function_f(source)
    return textwrap.dedent("\n".join(ast.unparse(s) for s in f.body))


@pytest.mark.parametrize("wrt", ["Q", "K", "V"])
def test_attention_softmax_divides_its_exp_in_place(wrt):
    """S = softmax(QKᵀ/√d) is read twice (SV and the backward pass): it is named, and its
    division writes the exp temporary it owns."""
    query = next(w.query for w in BATCHED if "attention" in w.name)
    text = _body(matcalc.derivative(query, wrt).to_numpy())
    (line,) = [s for s in text.splitlines() if s.startswith("S = ")]
    assert line.startswith("S = np.divide(") and ", out=" in line, text
    e = line.split("out=")[1].rstrip(")")
    assert f"{e} = np.exp(" in text, text


def test_cross_entropy_column_factor_before_the_broadcast():
    """softmax(XW) ⊙ (Y 1 1ᵀ): the row sums of Y meet the softmax's row sums first,
    `e * (rowsum(Y) / total)`, one N×k pass fewer than `e / total * rowsum(Y)`."""
    query = next(w.query for w in BATCHED if "CE" in w.name)
    text = _body(matcalc.derivative(query, "W").to_numpy())
    assert "* (np.sum(Y, axis=1, keepdims=True) / " in text, text
    assert "out=" not in text, text  # the softmax is inline, read once: no division of its own


def test_other_backends_are_unchanged():
    """JAX and PyTorch fuse the element-wise passes themselves: no out=, no reordering."""
    query = next(w.query for w in BATCHED if "attention" in w.name)
    d = matcalc.derivative(query, "V")
    for target in ("jax", "torch"):
        text = d.to_source(target)
        assert "out=" not in text and "divide(" not in text, text
