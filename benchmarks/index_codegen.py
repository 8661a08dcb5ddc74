"""Generated code for index-notation Jacobians: the batched form (render/array_index.py)
against the basis loop it replaces, side by side in one process (ratios, not absolute
times: the machine is shared).

    PYTHONPATH=$PWD python benchmarks/index_codegen.py
"""

from __future__ import annotations

import time

import numpy as np

import matcalc
from matcalc.render import array_index

CASES = [
    (
        "attention by Q, n=64 d=32 p=32",
        "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V",
        "Q",
        {"n": 64, "d": 32, "p": 32},
        ("Q", "K", "V"),
    ),
    (
        "row softmax by X, 64×64",
        "X: matrix(m, n); softmax(X, axis=1)",
        "X",
        {"m": 64, "n": 64},
        ("X",),
    ),
]


def compile_f(source: str):
    scope: dict = {}
    exec(compile(source, "<generated>", "exec"), scope)  # noqa: S102 - matcalc's own output
    return scope["f"]


def best(fn, args, repeats=5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    original = array_index.batchable
    for title, query, wrt, sizes, names in CASES:
        d = matcalc.derivative(query, wrt)
        fast = compile_f(d.to_numpy())
        matcalc.codegen.batchable = lambda *a: False  # the loop, as before
        try:
            slow = compile_f(d.to_numpy())
        finally:
            matcalc.codegen.batchable = original
        shapes = {"Q": ("n", "d"), "K": ("n", "d"), "V": ("n", "p"), "X": ("m", "n")}
        args = [rng.standard_normal(tuple(sizes[s] for s in shapes[x])) for x in names]
        np.testing.assert_allclose(fast(*args)[1], slow(*args)[1], rtol=1e-9, atol=1e-12)
        t_fast, t_slow = [], []
        for _ in range(3):  # interleaved
            t_slow.append(best(slow, args, 2))
            t_fast.append(best(fast, args, 2))
        ratio = min(t_slow) / min(t_fast)
        print(
            f"{title}: loop {min(t_slow) * 1e3:.1f} ms, batched {min(t_fast) * 1e3:.1f} ms, {ratio:.1f}× faster"
        )


if __name__ == "__main__":
    main()
