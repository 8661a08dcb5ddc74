#!/usr/bin/env python3
"""matcalc kernel benchmark: the generated NumPy against hand-written expert NumPy, jax.jit
and torch.func, on one pinned core, in CPU time. Fails (exit 1) on any error or any
disagreement between the four.

Run from the repository root, with the `bench` extra installed (jax, jaxlib, torch):

    python benchmarks/bench_kernels.py                  # n = 100, 1000, 2000
    python benchmarks/bench_kernels.py --quick          # n = 100, 3 rounds (smoke test)
    python benchmarks/bench_kernels.py --sizes 1000 --only MLP
    python benchmarks/bench_kernels.py --check-targets  # also fail when a target is missed
    python benchmarks/bench_kernels.py --suite batched  # attention, batched CE: N = 256, d

`--suite batched` (issue 9's benchmark, benchmarks/_kernel_batched.py) runs attention by Q
and V and batched softmax cross-entropy by W with N = 256 rows and width d (the size column,
d = 64, 128, 256, 512 by default); its targets (`--check-targets`) apply at every d.

For every workload of benchmarks/_kernel_workloads.py and every n, four columns compute the
same thing, the value and the derivative:

  generated  `f` of matcalc.derivative(query, var).to_source("numpy") (a Hessian workload:
             matcalc.hessian), exec'd, called with keyword arguments;
  hand       the expert NumPy of benchmarks/_kernel_experts.py;
  jax        jax.jit(jax.value_and_grad(g)) (a Hessian workload: g and jax.hessian(g) in one
             jit), float64, compiled ahead of time, every call .block_until_ready();
  torch      torch.func.grad_and_value(g) (a Hessian workload: g and
             torch.func.jacrev(torch.func.jacrev(g)), 3-7x faster here (n = 1000) than
             torch.func.hessian's jacfwd(jacrev); `--torch-hessian hessian` times that one),
             float64, eager, torch.set_num_threads(1).

Figures are CPU seconds (time.process_time, every thread of the process) per call, the
median of `--reps` rounds that interleave the four columns (fewer, at least 3, when a row
would take more than `--budget` CPU seconds); the process is pinned to one
CPU before numpy, jax or torch is imported. %peak is the expert algorithm's flop count over
the CPU time, as a fraction of the core's peak measured with a large float64 matmul.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from pathlib import Path

from _common import Failures, cpu_seconds, hr, loadavg, median, pin_to_one_core, pinned_threads


def _cpu_from_argv(argv) -> int | None:
    for i, a in enumerate(argv):
        if a.startswith("--cpu="):
            return int(a.split("=", 1)[1])
        if a == "--cpu" and i + 1 < len(argv):
            return int(argv[i + 1])
    return None


CPU = pin_to_one_core(_cpu_from_argv(sys.argv[1:]))  # before numpy, jax and torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from _common import git_rev, pkg_version, print_platform  # noqa: E402
from _kernel_batched import BATCH, BATCHED  # noqa: E402
from _kernel_workloads import WORKLOADS, frameworks  # noqa: E402

COLUMNS = ("generated", "hand", "jax", "torch")
TARGET_GEN_HAND = 1.15  # generated / hand-written at most this, n >= TARGET_N
TARGET_JAX_GEN = 1.0  # jax.jit / generated at least this, n >= TARGET_N
TARGET_N = 1000


def measure_peak(n: int, rounds: int = 5) -> tuple[float, float]:
    """(GFLOP/s of an n×n float64 matmul on this core, the best of `rounds`; the CPU/wall
    ratio of those calls, at most 1 on one core)."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    a @ b
    ts, w0, c0 = [], time.perf_counter(), time.process_time()
    for _ in range(rounds):
        ts.append(cpu_seconds(lambda: a @ b, 1))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return 2 * n**3 / min(ts) / 1e9, cpu / wall


def generate(matcalc, w):
    """The generated module's `f` for workload w (its source exec'd: our own generated code,
    no user text)."""
    d = (matcalc.hessian if w.kind == "hessian" else matcalc.derivative)(w.query, w.wrt)
    src = d.to_source("numpy")
    ns: dict = {"__name__": "matcalc_generated"}
    exec(compile(src, f"<matcalc {w.kind} {w.query}>", "exec"), ns)  # noqa: S102
    return d, ns["f"]


def columns_for(w, f, inputs, jax, torch, ops, torch_hessian):
    """{column: a call returning (value, derivative) as NumPy}; jax compiled here."""
    k = w.names.index(w.wrt)
    args = [inputs[a] for a in w.names]
    jg = functools.partial(w.scalar, ops["jax"])
    tg = functools.partial(w.scalar, ops["torch"])
    jargs = [jax.numpy.asarray(a) for a in args]
    targs = [torch.from_numpy(a) for a in args]
    if w.kind == "hessian":
        jh = jax.hessian(jg, argnums=k)
        jfun = jax.jit(lambda *a: (jg(*a), jh(*a))).lower(*jargs).compile()
        if torch_hessian == "hessian":
            th = torch.func.hessian(tg, argnums=k)  # jacfwd(jacrev)
        else:
            th = torch.func.jacrev(torch.func.jacrev(tg, argnums=k), argnums=k)

        def tcall():
            return tg(*targs), th(*targs)
    else:
        jfun = jax.jit(jax.value_and_grad(jg, argnums=k)).lower(*jargs).compile()
        tgv = torch.func.grad_and_value(tg, argnums=k)

        def tcall():
            g, v = tgv(*targs)
            return v, g

    return {
        "generated": lambda: f(**inputs),
        "hand": lambda: w.expert(**inputs),
        "jax": lambda: jax.block_until_ready(jfun(*jargs)),
        "torch": tcall,
    }


def as_numpy(out) -> tuple[float, np.ndarray]:
    value, deriv = out
    if hasattr(deriv, "detach"):
        value, deriv = value.detach(), deriv.detach()
    return float(np.asarray(value)), np.asarray(deriv)


def disagreement(ref, out) -> tuple[float, str]:
    """(relative error of `out` against `ref`, '' or what is wrong with its shape)."""
    (v0, d0), (v1, d1) = ref, out
    if d1.shape != d0.shape:
        return math.inf, f"derivative shape {d1.shape}, expected {d0.shape}"
    ev = abs(v1 - v0) / max(abs(v0), 1.0)
    ed = float(np.max(np.abs(d1 - d0))) / max(float(np.max(np.abs(d0))), 1e-300)
    return max(ev, ed), ""


def run_size(w, f, n, args, jax, torch, ops, failures):
    """One row: the four columns at size n, checked against each other, then timed."""
    inputs = w.inputs(np.random.default_rng(n), n)
    try:
        calls = columns_for(w, f, inputs, jax, torch, ops, args.torch_hessian)
    except Exception as e:  # noqa: BLE001 -- reported, the script fails
        failures.add(f"{w.name} n={n}: building the jax/torch functions raised {e!r:.300}")
        return None
    outs, err, per = {}, {}, {}
    for col, call in calls.items():
        try:
            t0 = time.process_time()
            outs[col] = as_numpy(call())
            per[col] = time.process_time() - t0
        except Exception as e:  # noqa: BLE001
            failures.add(f"{w.name} n={n}: {col} raised {e!r:.300}")
            return None
    for col in ("generated", "jax", "torch"):
        rel, why = disagreement(outs["hand"], outs[col])
        err[col] = rel
        if why or not rel <= args.tol:
            failures.add(
                f"{w.name} n={n}: {col} disagrees with the hand-written NumPy: "
                f"{why or f'relative error {rel:.2e} > {args.tol:g}'}"
            )
    # calls per sample: enough for --sample CPU seconds (timer and call overheads amortised)
    # (the first call's time, or a second call's when the first was short: warm-up costs)
    per = {col: t if t > 0.05 else cpu_seconds(calls[col], 1) for col, t in per.items()}
    k = {col: max(1, min(1000, math.ceil(args.sample / max(t, 1e-7)))) for col, t in per.items()}
    per_round = sum(per[col] * k[col] for col in COLUMNS)
    rounds = max(3, min(args.reps, int(args.budget / max(per_round, 1e-9))))
    samples = {col: [] for col in COLUMNS}
    for r in range(rounds):
        order = COLUMNS[r % 4 :] + COLUMNS[: r % 4]
        for col in order:
            samples[col].append(cpu_seconds(calls[col], k[col]))
    row = {"workload": w.name, "n": n, "err": max(err.values()), "rounds": rounds}
    row.update({col: median(samples[col]) for col in COLUMNS})
    return row


def fmt_ms(t) -> str:
    v = t * 1e3
    return f"{v:9.3f}" if v < 10 else f"{v:9.1f}" if v < 1000 else f"{v:9.0f}"


def print_table(rows, peak, flops) -> None:
    head = (
        f"{'workload':<18} {'n':>5} | {'generated':>9} {'hand':>9} {'jax':>9} {'torch':>9} ms | "
        f"{'gen/hand':>8} {'jax/gen':>7} {'trch/gen':>8} | %peak {'gen':>5} {'hand':>5} "
        f"{'jax':>5} {'torch':>5} | {'max rel':>7}"
    )
    print(head)
    print("-" * len(head))
    prev = None
    for r in rows:
        if prev is not None and r["workload"] != prev:
            print()
        prev = r["workload"]
        fl = flops[r["workload"]](r["n"])
        pk = " ".join(f"{100 * fl / r[c] / 1e9 / peak:5.1f}" for c in COLUMNS)
        print(
            f"{r['workload']:<18} {r['n']:>5} | "
            + " ".join(fmt_ms(r[c]) for c in COLUMNS)
            + f"    | {r['generated'] / r['hand']:8.2f} {r['jax'] / r['generated']:7.2f} "
            f"{r['torch'] / r['generated']:8.2f} |       {pk} | {r['err']:7.1e}"
        )


def check_targets(rows, least: int = TARGET_N) -> list[str]:
    missed = []
    for r in rows:
        if r["n"] < least:
            continue
        gh, jg = r["generated"] / r["hand"], r["jax"] / r["generated"]
        if gh > TARGET_GEN_HAND:
            missed.append(
                f"{r['workload']} n={r['n']}: generated/hand-written {gh:.2f} > {TARGET_GEN_HAND}"
            )
        if jg < TARGET_JAX_GEN:
            missed.append(
                f"{r['workload']} n={r['n']}: jax.jit/generated {jg:.2f} < {TARGET_JAX_GEN}"
            )
    return missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--suite",
        choices=("square", "batched"),
        default="square",
        help="square: every workload at n×n (default); batched: attention and batched CE, "
        f"N = {BATCH} rows, width d = the sizes",
    )
    ap.add_argument(
        "--sizes",
        default=None,
        help="comma list of n (d); default 100,1000,2000 (batched: 64,128,256,512)",
    )
    ap.add_argument("--quick", action="store_true", help="n = 100, 3 rounds (smoke test)")
    ap.add_argument("--reps", type=int, default=7, help="interleaved rounds (median; default 7)")
    ap.add_argument(
        "--sample", type=float, default=0.02, help="CPU seconds per sample (default 0.02)"
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="CPU seconds per row; fewer rounds (≥ 3) when --reps would exceed it (default 60)",
    )
    ap.add_argument(
        "--torch-hessian",
        choices=("jacrev", "hessian"),
        default="jacrev",
        help="torch's Hessian: jacrev(jacrev(g)) (default, the faster here) or torch.func.hessian",
    )
    ap.add_argument("--only", default="", help="comma list of workload names (substring)")
    ap.add_argument("--cpu", type=int, default=None, help="the CPU to pin to (default: the last)")
    ap.add_argument("--tol", type=float, default=1e-8, help="relative agreement (default 1e-8)")
    ap.add_argument("--peak-n", type=int, default=2000, help="matmul size for the peak")
    ap.add_argument(
        "--check-targets",
        action="store_true",
        help=f"fail when, at n ≥ {TARGET_N}, generated/hand-written > {TARGET_GEN_HAND} or "
        f"jax.jit/generated < {TARGET_JAX_GEN} (issue 11's done-criteria)",
    )
    args = ap.parse_args()
    batched = args.suite == "batched"
    if args.sizes is None:
        args.sizes = "64,128,256,512" if batched else "100,1000,2000"
    sizes = (100,) if args.quick else tuple(int(s) for s in args.sizes.split(","))
    suite = BATCHED if batched else WORKLOADS
    least = 0 if batched else TARGET_N  # the targets apply from this size on
    if args.quick:
        args.reps, args.peak_n = min(args.reps, 3), min(args.peak_n, 1000)
    failures = Failures()
    start = time.perf_counter()

    import jax

    jax.config.update("jax_enable_x64", True)
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    import matcalc

    ops = frameworks(jax, jax.numpy, torch)
    print("matcalc kernel benchmark: generated NumPy vs hand-written vs jax.jit vs torch.func")
    print_platform()
    print(
        f"versions        : numpy {np.__version__}, jax {jax.__version__}, jaxlib "
        f"{pkg_version('jaxlib')}, torch {torch.__version__}, matcalc git {git_rev(ROOT)}"
    )
    print(f"load average    : {loadavg()} (figures are CPU time; the load adds cache noise)")
    peak, ratio = measure_peak(args.peak_n)
    jax.numpy.ones(3).sum().block_until_ready()  # jax's runtime threads exist from here
    torch.ones(3).sum()
    count, bad = pinned_threads(CPU)
    print(
        f"pinned          : CPU {CPU}; {count} threads, "
        + ("every one pinned to it" if not bad else f"{len(bad)} NOT pinned")
        + f"; torch threads {torch.get_num_threads()}"
    )
    for b in bad:
        failures.add(f"not on one core: {b}")
    print(
        f"peak            : {peak:.1f} GFLOP/s (float64 {args.peak_n}² matmul, numpy, CPU time);"
        f" CPU/wall during it {ratio:.2f}"
    )
    if ratio > 1.05:
        failures.add(f"the peak matmul used more than one core (CPU/wall {ratio:.2f})")
    print(
        f"settings        : sizes {', '.join(map(str, sizes))}; median of {args.reps} "
        f"interleaved rounds (≥ 3, fewer if a row would exceed {args.budget:g} CPU s), "
        f"≥ {args.sample} CPU s per sample; agreement ≤ {args.tol:g}; torch Hessian: "
        f"{'torch.func.hessian' if args.torch_hessian == 'hessian' else 'jacrev(jacrev)'}"
    )

    chosen = [
        w for w in suite if not args.only or any(o and o in w.name for o in args.only.split(","))
    ]
    hr("matcalc's derivatives (the generated code computes these)", 118)
    gen = {}
    for w in chosen:
        try:
            d, f = generate(matcalc, w)
        except matcalc.MatcalcError as e:
            failures.add(f"{w.name}: matcalc refused {w.query!r} by {w.wrt}: {e}")
            continue
        except Exception as e:  # noqa: BLE001 -- a crash is a failure
            failures.add(f"{w.name}: generating code raised {e!r:.300}")
            continue
        gen[w.name] = f
        print(f"{w.name:<18} {w.kind} of {w.query.rsplit(';', 1)[-1].strip()} by {w.wrt}: {d}")

    hr("CPU ms per call (value + derivative), median of interleaved rounds, one core", 118)
    rows = []
    for w in chosen:
        if w.name not in gen:
            continue
        for n in sizes:
            row = run_size(w, gen[w.name], n, args, jax, torch, ops, failures)
            if row:
                rows.append(row)
            print(
                f"  … {w.name} n={n}: {row['rounds'] if row else 'no'} rounds "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    print()
    if batched:
        print(f"batched suite: N = {BATCH} rows; the n column is the width d (CE: k = d classes)")
    print_table(rows, peak, {w.name: w.flops for w in suite})
    print(
        "\ngen/hand: generated / hand-written (target ≤ 1.15); jax/gen: jax.jit / generated "
        "(target ≥ 1.0; > 1: the generated code is faster); max rel: the largest relative "
        "difference of any column from the hand-written one."
    )
    missed = check_targets(rows, least)
    big = [r for r in rows if r["n"] >= least]
    print(
        f"targets at n ≥ {least}: "
        + (
            f"no row at n ≥ {least}"
            if not big
            else f"{len(missed)} missed"
            if missed
            else "all met"
        )
    )
    for m in missed:
        print(f"  missed: {m}")
    if args.check_targets:
        for m in missed:
            failures.add(f"target missed: {m}")
        if not big:
            failures.add(f"--check-targets: no row at n ≥ {least} to check")
    print(f"\ntotal time {time.perf_counter() - start:.0f} s; load average {loadavg()}")
    return failures.finish("bench_kernels")


if __name__ == "__main__":
    sys.exit(main())
