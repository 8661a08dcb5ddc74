"""bench_codegen's parts: the benchmarked functions (matcalc query, JAX and PyTorch forms),
their inputs, the timer and the formatting of its figures. Imported by bench_codegen.py
after it has set the thread counts (numpy, jax and torch read them at import)."""

from __future__ import annotations

import math
import re
import time

import numpy as np
from _common import median

# ------------------------------------------------------------------------------------------
# The functions: matcalc query (declarations inline), the variable, argument names in
# sorted order (the order of the generated f), and the same function for jax and torch.


def jax_funcs(jnp, jax):
    return {
        "quadratic": lambda A, x: x @ A @ x,
        "least squares": lambda A, b, x: jnp.linalg.norm(A @ x - b) ** 2,
        "logistic": lambda X, w, y: jnp.sum(jax.nn.softplus(X @ w) - y * (X @ w)),
        "2-layer MLP": lambda W1, W2, x, y: jnp.sum((W2 @ jnp.tanh(W1 @ x) - y) ** 2),
    }


def torch_funcs(torch):
    F = torch.nn.functional
    return {
        "quadratic": lambda A, x: x @ A @ x,
        "least squares": lambda A, b, x: torch.linalg.norm(A @ x - b) ** 2,
        # threshold above any |Xw| here, so torch's softplus is exactly log(1 + e^z)
        "logistic": lambda X, w, y: torch.sum(F.softplus(X @ w, threshold=50.0) - y * (X @ w)),
        "2-layer MLP": lambda W1, W2, x, y: torch.sum((W2 @ torch.tanh(W1 @ x) - y) ** 2),
    }


FUNCTIONS = [
    # name, matcalc query, wrt, argument names (sorted), written as
    ("quadratic", "A: matrix(n, n); x: vector(n); x @ A @ x", "x", ("A", "x"), "xᵀAx"),
    (
        "least squares",
        "A: matrix(n, n); x, b: vector(n); norm(A @ x - b)^2",
        "x",
        ("A", "b", "x"),
        "‖Ax − b‖²",
    ),
    (
        "logistic",
        "X: matrix(n, n); w, y: vector(n); sum(softplus(X @ w) - y * (X @ w))",
        "w",
        ("X", "w", "y"),
        "sum(softplus(Xw) − y⊗Xw)",
    ),
    (
        "2-layer MLP",
        "W1, W2: matrix(n, n); x, y: vector(n); sum((W2 @ tanh(W1 @ x) - y)^2)",
        "x",
        ("W1", "W2", "x", "y"),
        "sum((W2 tanh(W1 x) − y)²)",
    ),
]


def make_inputs(name: str, n: int, seed: int = 0) -> dict:
    """Well-scaled data: entries of products are O(1), tanh and softplus are not saturated."""
    rng = np.random.default_rng(seed + n)
    s = 1.0 / math.sqrt(n)
    if name == "quadratic":
        return {"A": rng.normal(size=(n, n)) * s, "x": rng.normal(size=n)}
    if name == "least squares":
        return {"A": rng.normal(size=(n, n)) * s, "b": rng.normal(size=n), "x": rng.normal(size=n)}
    if name == "logistic":
        return {
            "X": rng.normal(size=(n, n)) * s,
            "w": rng.normal(size=n),
            "y": rng.integers(0, 2, size=n).astype(float),
        }
    return {
        "W1": rng.normal(size=(n, n)) * s,
        "W2": rng.normal(size=(n, n)) * s,
        "x": rng.normal(size=n),
        "y": rng.normal(size=n),
    }


# ------------------------------------------------------------------------------------------
# helpers


def blas_info() -> str:
    try:
        cfg = np.show_config(mode="dicts")
        b = cfg["Build Dependencies"]["blas"]
        return f"{b.get('name')} {b.get('version')}"
    except Exception:  # noqa: BLE001
        return "?"


def timeit(fn, budget: float, max_reps: int, min_reps: int = 3):
    """Median seconds per call of fn(), every call timed on its own (a median of single
    calls shrugs off the multi-millisecond stalls a busy 2-core machine gives a threaded
    BLAS call now and then; a mean over a loop would not). One warm-up call first, then as
    many calls as fit in `budget` seconds, within [min_reps, max_reps].
    Returns (median, calls timed, warm-up seconds)."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    per = first
    if first < 0.05:  # the first call is often the slowest
        t0 = time.perf_counter()
        fn()
        per = time.perf_counter() - t0
    reps = int(min(max_reps, max(min_reps, budget / max(per, 1e-9))))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return median(samples), reps, first


def ms(v) -> str:
    if v is None:
        return f"{'—':>8}"
    if isinstance(v, str):
        return f"{v:>8}"
    return f"{v * 1e3:8.3f}" if v < 0.01 else f"{v * 1e3:8.2f}" if v < 1 else f"{v * 1e3:8.0f}"


def ratio(a, b) -> str:
    if not isinstance(a, float) or not isinstance(b, float) or b <= 0:
        return f"{'—':>6}"
    r = a / b
    return f"{r:6.2f}" if r < 10 else f"{r:6.1f}"


# ------------------------------------------------------------------------------------------
# one-time costs: matcalc derivation + source generation + exec


def generate(matcalc, query, wrt):
    t0 = time.perf_counter()
    h = matcalc.hessian(query, wrt)
    t_hess = time.perf_counter() - t0
    t0 = time.perf_counter()
    src = h.to_source("numpy")
    t_src = time.perf_counter() - t0
    t0 = time.perf_counter()
    ns: dict = {"__name__": "matcalc_generated"}
    exec(compile(src, f"<matcalc hessian {query}>", "exec"), ns)  # noqa: S102  (our own generated code)
    t_exec = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = matcalc.derivative(query, wrt)
    t_der = time.perf_counter() - t0
    t0 = time.perf_counter()
    dsrc = d.to_source("numpy")
    t_dsrc = time.perf_counter() - t0
    dns: dict = {"__name__": "matcalc_generated"}
    exec(compile(dsrc, f"<matcalc derivative {query}>", "exec"), dns)  # noqa: S102
    return dict(
        h=h,
        d=d,
        src=src,
        dsrc=dsrc,
        ns=ns,
        dns=dns,
        t_hess=t_hess,
        t_src=t_src,
        t_exec=t_exec,
        t_der=t_der,
        t_dsrc=t_dsrc,
    )


def code_lines(src: str, func: str) -> list[str]:
    """The computing lines of one generated function (no docstring, conversions, shape
    assertions or reshapes of the inputs)."""
    skip = re.compile(
        r"^(assert |return |\w+ = np\.asarray\(|\w+ = \w+\.reshape\(\w+, 1\)$"
        r"|[\w, ]+ = \w+\.shape(\[\d\])?$)"
    )
    out, inside, in_doc = [], False, False
    for line in src.splitlines():
        if line.startswith("def "):
            inside = line.startswith(f"def {func}(")
            continue
        s = line.strip()
        if not inside or not s:
            continue
        if s.startswith('"""'):
            in_doc = not (len(s) > 3 and s.endswith('"""'))
            continue
        if in_doc:
            in_doc = not s.endswith('"""')
            continue
        if not skip.match(s):
            out.append(s)
    return out


# ------------------------------------------------------------------------------------------
