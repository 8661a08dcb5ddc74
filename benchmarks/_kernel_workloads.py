"""bench_kernels' workloads: one entry each. An entry names the matcalc query and variable,
whether the derivative is a gradient or a Hessian, its arguments, its inputs at size n, the
hand-written expert NumPy (benchmarks/_kernel_experts.py), the same scalar function for
JAX and PyTorch, and its flop count (the expert's algorithm, for the fraction of peak).

A refusal of any workload is a failure. Every matrix is n×n and every vector has n entries (one size per row of the
table)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import _kernel_experts as X
import numpy as np

__all__ = ["WORKLOADS", "Workload", "batched_ce", "frameworks"]


@dataclass(frozen=True)
class Workload:
    name: str
    query: str  # declarations inline
    wrt: str
    kind: str  # "gradient" (matcalc.derivative) or "hessian" (matcalc.hessian)
    names: tuple  # the arguments, in the order the jax/torch forms take them
    inputs: Callable  # (rng, n) -> {name: ndarray}
    expert: Callable  # (**inputs) -> (value, derivative)
    scalar: Callable  # (F, *args) -> scalar; F: the framework's namespace (see frameworks)
    flops: Callable  # n -> flops of the expert's algorithm


def _mat(rng, n):
    """Entries N(0, 1/n): a product with an N(0, 1) vector has O(1) entries, so tanh and
    softplus are not saturated and the softmax is not one-hot."""
    return rng.normal(size=(n, n)) / math.sqrt(n)


def _vec(rng, n):
    return rng.normal(size=n)


def _one_hot_rows(rng, n):
    Y = np.zeros((n, n))
    Y[np.arange(n), rng.integers(0, n, size=n)] = 1.0
    return Y


MLP = "W1, W2: matrix(n, n); x, y: vector(n); sum((W2 @ tanh(W1 @ x) - y)^2)"
ATTENTION = "Q, K, V, Y: matrix(n, n); sum((softmax(Q @ K.T / sqrt(n), axis=1) @ V - Y)^2)"


def _mlp_inputs(rng, n):
    return {"W1": _mat(rng, n), "W2": _mat(rng, n), "x": _vec(rng, n), "y": _vec(rng, n)}


def _mlp(F, W1, W2, x, y):
    return F.sum((W2 @ F.tanh(W1 @ x) - y) ** 2)


def _attention_inputs(rng, n):
    return {k: rng.normal(size=(n, n)) for k in ("K", "Q", "V", "Y")}


def batched_ce(F, W, X_, Y):
    """The batched softmax cross-entropy in a framework's terms (F: jax or torch)."""
    return -F.sum(Y * F.log_softmax(X_ @ W, 1)) / X_.shape[0]


def _attention(F, K, Q, V, Y):
    P = F.softmax(Q @ K.T / math.sqrt(Q.shape[1]), 1)
    return F.sum((P @ V - Y) ** 2)


WORKLOADS = [
    Workload(
        "xᵀAx grad x",
        "A: matrix(n, n); x: vector(n); x @ A @ x",
        "x",
        "gradient",
        ("A", "x"),
        lambda rng, n: {"A": _mat(rng, n), "x": _vec(rng, n)},
        X.quadratic,
        lambda F, A, x: x @ (A @ x),
        lambda n: 4 * n * n + 2 * n,
    ),
    Workload(
        "‖Ax−b‖² grad x",
        "A: matrix(n, n); x, b: vector(n); norm(A @ x - b)^2",
        "x",
        "gradient",
        ("A", "b", "x"),
        lambda rng, n: {"A": _mat(rng, n), "b": _vec(rng, n), "x": _vec(rng, n)},
        X.least_squares,
        lambda F, A, b, x: F.sum((A @ x - b) ** 2),
        lambda n: 4 * n * n + 4 * n,
    ),
    Workload(
        "logistic Hess w",
        "X: matrix(n, n); w, y: vector(n); sum(softplus(X @ w) - y * (X @ w))",
        "w",
        "hessian",
        ("X", "w", "y"),
        lambda rng, n: {
            "X": _mat(rng, n),
            "w": _vec(rng, n),
            "y": rng.integers(0, 2, size=n).astype(float),
        },
        X.logistic_hessian,
        lambda F, X_, w, y: F.sum(F.softplus(X_ @ w) - y * (X_ @ w)),
        lambda n: n**3 + 3 * n * n,  # Xw, the scaled rows, syrk (n·n(n+1)/2 dot products)
    ),
    Workload(
        "softmax CE grad W",
        "W: matrix(n, n); x: vector(n); y: simplex(n); -y @ log(softmax(W @ x))",
        "W",
        "gradient",
        ("W", "x", "y"),
        lambda rng, n: {"W": _mat(rng, n), "x": _vec(rng, n), "y": rng.dirichlet(np.ones(n))},
        X.softmax_cross_entropy,
        lambda F, W, x, y: -(y @ F.log_softmax(W @ x, 0)),
        lambda n: 3 * n * n + 6 * n,
    ),
    Workload(
        "MLP grad W1",
        MLP,
        "W1",
        "gradient",
        ("W1", "W2", "x", "y"),
        _mlp_inputs,
        X.mlp_grad_w1,
        _mlp,
        lambda n: 7 * n * n + 8 * n,
    ),
    Workload(
        "MLP grad x",
        MLP,
        "x",
        "gradient",
        ("W1", "W2", "x", "y"),
        _mlp_inputs,
        X.mlp_grad_x,
        _mlp,
        lambda n: 8 * n * n + 8 * n,
    ),
    Workload(
        "MLP Hess x",
        MLP,
        "x",
        "hessian",
        ("W1", "W2", "x", "y"),
        _mlp_inputs,
        X.mlp_hessian_x,
        _mlp,
        lambda n: 4 * n**3 + 8 * n * n,  # C (2n³), two syrk over 2n rows in all (2n³)
    ),
    # -- the tensor/axis language of issue 9: skipped with a note until matcalc parses them
    Workload(
        "batched CE grad W",
        "X, W, Y: matrix(n, n); -sum(Y * log_softmax(X @ W, axis=1)) / n",
        "W",
        "gradient",
        ("W", "X", "Y"),
        lambda rng, n: {
            "W": _mat(rng, n),
            "X": rng.normal(size=(n, n)),
            "Y": _one_hot_rows(rng, n),
        },
        X.batched_cross_entropy,
        batched_ce,
        lambda n: 4 * n**3 + 8 * n * n,
    ),
    Workload(
        "attention grad Q",
        ATTENTION,
        "Q",
        "gradient",
        ("K", "Q", "V", "Y"),
        _attention_inputs,
        X.attention_by_q,
        _attention,
        lambda n: 8 * n**3 + 12 * n * n,
    ),
    Workload(
        "attention grad V",
        ATTENTION,
        "V",
        "gradient",
        ("K", "Q", "V", "Y"),
        _attention_inputs,
        X.attention_by_v,
        _attention,
        lambda n: 6 * n**3 + 10 * n * n,
    ),
]


def frameworks(jax, jnp, torch) -> dict:
    """The namespace F each workload's scalar form is written against, per framework: the
    same formula, each library's own (stable) softplus, log-softmax and softmax."""

    class JaxOps:
        sum = staticmethod(jnp.sum)
        tanh = staticmethod(jnp.tanh)
        softplus = staticmethod(jax.nn.softplus)

        @staticmethod
        def log_softmax(z, axis):
            return jax.nn.log_softmax(z, axis=axis)

        @staticmethod
        def softmax(z, axis):
            return jax.nn.softmax(z, axis=axis)

    class TorchOps:
        sum = staticmethod(torch.sum)
        tanh = staticmethod(torch.tanh)

        @staticmethod
        def softplus(z):
            # threshold above any |z| here, so it is exactly log(1 + eᶻ) (torch's default
            # of 20 switches to z, an error of e⁻²⁰ relative)
            return torch.nn.functional.softplus(z, threshold=50.0)

        @staticmethod
        def log_softmax(z, axis):
            return torch.log_softmax(z, dim=axis)

        @staticmethod
        def softmax(z, axis):
            return torch.softmax(z, dim=axis)

    return {"jax": JaxOps, "torch": TorchOps}
