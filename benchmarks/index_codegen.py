"""Generated code for index-notation Jacobians: the batched form (render/array_index.py)
against the basis loop it replaces, side by side in one process (ratios, not absolute
times: the machine is shared).

    PYTHONPATH=$PWD python benchmarks/index_codegen.py
"""

from __future__ import annotations

import sys
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
        matcalc.codegen_linear.batchable = lambda *a: False  # the loop, as before
        try:
            slow = compile_f(d.to_numpy())
        finally:
            matcalc.codegen_linear.batchable = original
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


def heads() -> None:
    """Multi-head attention by Q in JAX: f over the heads by jax.vmap against the loop."""
    try:
        import jax  # noqa: F401
    except ImportError:
        print("JAX multi-head attention: not run, JAX is not installed (the bench extra)")
        return
    d = matcalc.derivative(
        "Q, K, V: tensor(h, n, d); softmax(Q @ K.mT / sqrt(d), axis=-1) @ V", "Q"
    )
    source = d.to_source("jax")
    call = "jax.vmap(f_slice, in_axes=(0, 0, 0))(Q_slices, K_slices, V_slices)"
    assert call in source
    loop = (
        "[f_slice(Q_slices[i], K_slices[i], V_slices[i]) for i in range(count)]\n"
        "    values = jnp.stack([v for v, _ in pairs])\n"
        "    parts = jnp.stack([p for _, p in pairs])"
    )
    looped = source.replace(f"values, parts = {call}", "pairs = " + loop)
    fast, slow = compile_f(source), compile_f(looped)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((8, 16, 8)) for _ in range(3)]
    np.testing.assert_allclose(
        np.asarray(fast(*args)[1]), np.asarray(slow(*args)[1]), rtol=1e-9, atol=1e-12
    )
    t_fast, t_slow = [], []
    for _ in range(3):
        t_slow.append(best(slow, args, 2))
        t_fast.append(best(fast, args, 2))
    ratio = min(t_slow) / min(t_fast)
    print(
        f"JAX multi-head attention by Q, h=8 n=16 d=8: loop {min(t_slow) * 1e3:.1f} ms, vmap {min(t_fast) * 1e3:.1f} ms, {ratio:.1f}× faster"
    )


if __name__ == "__main__":
    try:
        main()
        heads()
    except Exception as e:  # noqa: BLE001 -- a disagreement or a crash fails the run loudly
        print(f"FAIL: {type(e).__name__}: {e}")
        sys.exit(1)
