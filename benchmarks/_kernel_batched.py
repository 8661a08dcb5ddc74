"""bench_kernels' `--suite batched` (issue 9's generated-code benchmark): attention by Q and
by V, and batched softmax cross-entropy by W, at realistic sizes: N = 256 rows (a batch of
tokens or examples) and width d (the size column of the table, 64-512 by default); the
cross-entropy has k = d classes. Same four columns, same agreement check as the square
suite; the hand-written experts of benchmarks/_kernel_experts.py take any shapes."""

from __future__ import annotations

import math

import _kernel_experts as X
from _kernel_workloads import Workload, _attention, batched_ce

__all__ = ["BATCH", "BATCHED"]

BATCH = 256  # N: the rows of Q, K, V, Y and X


def _attention_inputs(rng, d):
    return {k: rng.normal(size=(BATCH, d)) for k in ("K", "Q", "V", "Y")}


def _ce_inputs(rng, d):
    Y = rng.uniform(0.0, 1.0, size=(BATCH, d))  # soft labels, rows not summing to one
    return {"W": rng.normal(size=(d, d)) / math.sqrt(d), "X": rng.normal(size=(BATCH, d)), "Y": Y}


ATTENTION = "Q, K, V, Y: matrix(N, d); sum((softmax(Q @ K.T / sqrt(d), axis=1) @ V - Y)^2)"

BATCHED = [
    Workload(
        "batched CE grad W",
        "X: matrix(N, d); W: matrix(d, k); Y: matrix(N, k); "
        "-sum(Y * log_softmax(X @ W, axis=1)) / N",
        "W",
        "gradient",
        ("W", "X", "Y"),
        _ce_inputs,
        X.batched_cross_entropy,
        batched_ce,
        lambda d: 4 * BATCH * d * d + 8 * BATCH * d,
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
        lambda d: 8 * BATCH * BATCH * d + 12 * BATCH * BATCH,
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
        lambda d: 6 * BATCH * BATCH * d + 10 * BATCH * BATCH,
    ),
]
