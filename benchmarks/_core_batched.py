"""bench_core, section 2b: the batched queries of issue 9 and their finite-difference check."""

from __future__ import annotations

import numpy as np

from matcalc import testing
from matcalc.jupyter import finite_differences

__all__ = ["BATCHED", "fd_verdict"]

CE = "X: matrix(N, d); W: matrix(d, k); b: vector(k); Y: rowsimplex(N, k); "
ATTENTION = "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V"
NORM = "X, C: matrix(N, d); g, b: vector(d); eps: scalar; "
LAYER_NORM = NORM + (
    "sum(C * ((X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + eps)"
    " * g + b))"
)
BATCH_NORM = NORM + "sum(C * ((X - mean(X, axis=0)) / sqrt(var(X, axis=0) + eps) * g + b))"
MLP = (
    "X: matrix(N, d); W1: matrix(d, h); b1: vector(h); W2: matrix(h, k); b2: vector(k); "
    "Y: rowsimplex(N, k); -sum(Y * log_softmax(tanh(X @ W1 + b1) @ W2 + b2, axis=1)) / N"
)

# (section, query, wrt), as bench_core's TUTORIAL
BATCHED = [
    ("cross-entropy", CE + "-sum(Y * log_softmax(X @ W + b, axis=1)) / N", "W"),
    ("cross-entropy", CE + "-sum(Y * log_softmax(X @ W + b, axis=1)) / N", "b"),
    ("attention", ATTENTION, "Q"),
    ("attention", ATTENTION, "K"),
    ("attention", ATTENTION, "V"),
    ("layer norm", LAYER_NORM, "X"),
    ("layer norm", LAYER_NORM, "g"),
    ("layer norm", LAYER_NORM, "b"),
    ("batch norm", BATCH_NORM, "X"),
    ("batch norm", BATCH_NORM, "g"),
    ("MLP", MLP, "W1"),
    ("MLP", MLP, "b1"),
    ("MLP", MLP, "W2"),
    ("MLP", MLP, "b2"),
]


def _values(d, seed: int) -> dict:
    """Random values at distinct sizes per dimension (rowsimplex rows summing to 1; a
    positive eps)."""
    sizes = testing.dimension_sizes(d.variables)
    rng = np.random.default_rng(seed)
    out = {}
    for name, var in d.variables.items():
        shape = var.shape.numpy(sizes)
        if var.structure == "rowsimplex":
            a = rng.uniform(0.2, 1.0, shape)
            out[name] = a / a.sum(axis=1, keepdims=True)
        elif name == "eps":
            out[name] = 0.1
        else:
            out[name] = rng.normal(size=shape) if shape else float(rng.normal())
    return out


def fd_verdict(d, seed: int) -> str:
    """'ok', or what went wrong, comparing `d.evaluate` with central differences."""
    try:
        values = _values(d, seed)
        got, want = np.asarray(d.evaluate(values)), finite_differences(d, values)
    except Exception as e:  # noqa: BLE001 -- reported as a failure by the caller
        return f"error: {type(e).__name__}: {e}"
    if got.shape != want.shape:
        return f"WRONG shape {got.shape}, differences {want.shape}"
    if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        return f"WRONG (largest difference {float(np.max(np.abs(got - want))):.2e})"
    return "ok"
