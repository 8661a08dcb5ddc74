#!/usr/bin/env python3
"""matcalc code-generation benchmark: the generated NumPy gradient and Hessian against
JAX and PyTorch autodiff on CPU. Prints figures (medians); exits 1 when a run fails or the
results disagree.

Run from the repository root, with the `bench` extra installed (jax, jaxlib, torch):

    python benchmarks/bench_codegen.py            # about 4 minutes on a 2-core machine
    python benchmarks/bench_codegen.py --quick    # n = 10, 30, 100 only (smoke test)
    python benchmarks/bench_codegen.py --sizes 10,100,1000 --budget 0.5

For each function below and each n, in the same process:

  matcalc  `matcalc.hessian(query, var).to_source("numpy")`, exec'd into a namespace: its
           `gradient(...)` (gradient only) and `f(...)` (value and Hessian); plus `f` of
           `matcalc.derivative(query, var).to_source("numpy")` (value and gradient).
  jax      `jax.jit(jax.grad(g, argnums=k))`, `jax.jit(jax.hessian(g, argnums=k))`, compiled
           ahead of time (`.lower(...).compile()`), timed after compilation with
           `.block_until_ready()`.
  torch    `torch.func.grad(g, argnums=k)`, `torch.func.hessian(g, argnums=k)` (eager).

float64 everywhere (jax_enable_x64). All three Hessians (and gradients) are compared
numerically at every size: a relative difference above 1e-8 (of the largest entry), a
generation that fails or a call that raises is a failure. The generated functions are
called with keyword arguments (their positional order is the generator's business).
`--threads 1` (the default) pins the process to one CPU before anything is imported and
checks that every thread is on it. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _threads_from_argv(argv) -> int:
    """--threads must act before numpy, jax or torch is imported (they read it at import)."""
    for i, a in enumerate(argv):
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
    return 1


THREADS = _threads_from_argv(sys.argv[1:])
CPU = None
if THREADS == 1:
    # one core for real: the thread variables and XLA's flag, AND the process pinned to one
    # CPU, all before numpy/jax/torch start their thread pools (XLA sizes its pools by the
    # CPUs it may use; its flag alone left jax on two cores)
    from _common import pin_to_one_core

    CPU = pin_to_one_core()
elif THREADS > 1:
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(THREADS)

import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    Failures,
    calibrate,
    git_rev,
    loadavg,
)
from _common import hr as _hr  # noqa: E402  (benchmarks/ is on sys.path)


def hr(title: str) -> None:
    _hr(title, 118)


SIZES = (10, 30, 100, 300, 1000, 2000)
LIMIT_S = 20.0  # an autodiff call predicted or measured slower than this is dropped


from _codegen_machine import print_machine  # noqa: E402
from _codegen_parts import (  # noqa: E402
    FUNCTIONS,
    code_lines,
    generate,
    jax_funcs,
    make_inputs,
    ms,
    ratio,
    timeit,
    torch_funcs,
)
from _codegen_report import print_compile_costs, print_summary  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma list of n")
    ap.add_argument("--quick", action="store_true", help="n = 10, 30, 100 only")
    ap.add_argument(
        "--budget",
        type=float,
        default=0.4,
        help="seconds of timed calls per measurement (at least 3 calls; default 0.4)",
    )
    ap.add_argument("--max-reps", type=int, default=101, help="samples per measurement (max)")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for numpy's BLAS, XLA and torch (default 1; 0: each library's own default)",
    )
    ap.add_argument(
        "--limit",
        type=float,
        default=LIMIT_S,
        help=f"seconds per autodiff call above which larger sizes are dropped "
        f"(default {LIMIT_S:.0f})",
    )
    ap.add_argument("--only", default="", help="comma list of function names (substring match)")
    args = ap.parse_args()
    failures = Failures()
    sizes = (10, 30, 100) if args.quick else tuple(int(s) for s in args.sizes.split(","))
    start = time.perf_counter()

    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import torch

    torch.set_default_dtype(torch.float64)
    if THREADS > 0:
        torch.set_num_threads(THREADS)
    import matcalc

    print_machine(jax, torch, failures, THREADS, CPU)
    rev = git_rev(ROOT)
    print(f"matcalc tree    : {ROOT} (git {rev or '?'})")
    print(
        f"settings        : sizes {', '.join(map(str, sizes))}; {args.budget} s of timed calls "
        f"per measurement, 3..{args.max_reps} single calls, medians; drop an autodiff size when a "
        f"call is predicted (cubic from the previous size) or measured > {args.limit:g} s"
    )

    jfuncs, tfuncs = jax_funcs(jnp, jax), torch_funcs(torch)
    functions = [
        f
        for f in FUNCTIONS
        if not args.only or any(o.strip() and o.strip() in f[0] for o in args.only.split(","))
    ]

    # ---------------------------------------------------------------- generation
    hr("1. One-time cost: matcalc derivation + code generation (per function, independent of n)")
    matcalc.derivative("w, x: vector(n); w @ x", "w")  # builds the parser once
    gen = {}
    print(
        f"{'function':<15} {'hessian()':>10} {'to_source':>10} {'exec':>8} "
        f"{'derivative()':>13} {'to_source':>10}   matcalc's Hessian (printed)"
    )
    for name, query, wrt, names, written in functions:
        try:
            g = generate(matcalc, query, wrt)
            gen[name] = g
            print(
                f"{name:<15} {g['t_hess'] * 1e3:8.1f}ms {g['t_src'] * 1e3:8.1f}ms "
                f"{g['t_exec'] * 1e3:6.1f}ms {g['t_der'] * 1e3:11.1f}ms "
                f"{g['t_dsrc'] * 1e3:8.1f}ms   {g['h']}"
            )
        except Exception as e:  # noqa: BLE001 -- reported as a failure
            gen[name] = None
            failures.add(f"{name}: generating code raised {type(e).__name__}: {e}")
    print(
        "\n(hessian(): parse + 2nd derivative + simplify; exec: compile() + exec of the "
        "generated module; derivative()/to_source: the first-order module)"
    )
    print("\nWhat the generated NumPy code computes (the lines after conversions/assertions):")
    for name, query, wrt, names, written in functions:
        g = gen.get(name)
        if not g:
            continue
        print(f"  {name}: {query}   by {wrt}")
        print(f"    derivative f : gradient {g['d']}")
        for line in code_lines(g["dsrc"], "f"):
            print(f"        {line}")
        print("    hessian gradient():")
        for line in code_lines(g["src"], "gradient"):
            print(f"        {line}")
        print("    hessian f():")
        for line in code_lines(g["src"], "f"):
            print(f"        {line}")

    # ---------------------------------------------------------------- timings
    hr("2. Gradient and Hessian evaluation, median ms per call (float64, CPU)")
    print("mc grad  = generated gradient() of the Hessian module (gradient only, like jax.grad);")
    print("mc f+∂   = generated f() of matcalc.derivative(...) (value and gradient, row);")
    print("mc Hess  = generated f() of matcalc.hessian(...) (value and Hessian);")
    print("jax      = jax.jit(jax.grad / jax.hessian), AOT-compiled, + block_until_ready();")
    print("torch    = torch.func.grad / torch.func.hessian (eager); ratios: autodiff / matcalc;")
    print(
        "max|ΔH|  = largest abs difference between any two of the three Hessians (|H|max: "
        "the largest entry); max|Δg| likewise for the four gradients."
    )
    rows, compile_rows, notes = [], [], []
    skipped = {}  # (function, side) -> reason
    last = {}  # (function, side) -> (n, seconds)
    for name, query, wrt, names, written in functions:
        g = gen.get(name)
        k = names.index(wrt)
        for n in sizes:
            gc.collect()
            vals = make_inputs(name, n)
            kw = {a: vals[a] for a in names}
            j_args = [jnp.asarray(vals[a]) for a in names]
            t_args = [torch.as_tensor(vals[a], dtype=torch.float64) for a in names]
            row = {"function": name, "n": n}
            H, G = {}, {}
            # -- matcalc
            if g is not None:
                mg, mf, mh = g["ns"]["gradient"], g["dns"]["f"], g["ns"]["f"]
                try:
                    G["matcalc"] = np.asarray(mg(**kw))
                    G["matcalc f"] = np.asarray(mf(**kw)[1]).reshape(-1)
                    H["matcalc"] = np.asarray(mh(**kw)[1])
                    row["mc_grad"] = timeit(lambda: mg(**kw), args.budget, args.max_reps)[0]
                    row["mc_f"] = timeit(lambda: mf(**kw), args.budget, args.max_reps)[0]
                    row["mc_hess"] = timeit(lambda: mh(**kw), args.budget, args.max_reps)[0]
                except Exception as e:  # noqa: BLE001
                    notes.append(
                        f"{name} n={n}: matcalc's generated code raised {type(e).__name__}: {e}"
                    )
            # -- jax and torch
            jf, tf = jfuncs[name], tfuncs[name]
            for side in ("jax", "torch"):
                for what in ("grad", "hess"):
                    key = (name, side, what)
                    if key in skipped:
                        row[f"{side}_{what}"] = "dropped"
                        continue
                    if key in last:
                        n0, t0_ = last[key]
                        predicted = t0_ * (n / n0) ** 3
                        if predicted > args.limit:
                            skipped[key] = f"from n={n}: predicted {predicted:.3g} s per call"
                            row[f"{side}_{what}"] = "dropped"
                            row[f"{side}_{what}"] = "dropped"
                            continue
                    try:
                        if side == "jax":
                            tr = (
                                jax.grad(jf, argnums=k)
                                if what == "grad"
                                else jax.hessian(jf, argnums=k)
                            )
                            t0 = time.perf_counter()
                            lowered = jax.jit(tr).lower(*j_args)
                            t_lower = time.perf_counter() - t0
                            t0 = time.perf_counter()
                            compiled = lowered.compile()
                            t_compile = time.perf_counter() - t0
                            compile_rows.append((name, n, what, t_lower, t_compile))

                            def call(compiled=compiled):
                                return compiled(*j_args).block_until_ready()
                        else:
                            tr = (
                                torch.func.grad(tf, argnums=k)
                                if what == "grad"
                                else torch.func.hessian(tf, argnums=k)
                            )

                            def call(tr=tr):
                                return tr(*t_args)

                        t0 = time.perf_counter()
                        out = call()
                        first = time.perf_counter() - t0
                        arr = np.asarray(out.detach().numpy() if side == "torch" else out)
                        (G if what == "grad" else H)[side] = arr
                        if first > args.limit:
                            skipped[key] = f"above n={n}: one call at n={n} took {first:.3g} s"
                            row[f"{side}_{what}"] = first
                            row[f"{side}_{what}_once"] = True
                            last[key] = (n, first)
                            continue
                        t, reps, _ = timeit(call, args.budget, args.max_reps)
                        row[f"{side}_{what}"] = t
                        last[key] = (n, t)
                    except Exception as e:  # noqa: BLE001
                        row[f"{side}_{what}"] = "error"
                        notes.append(
                            f"{name} n={n}: {side} {what} raised {type(e).__name__}: {str(e)[:200]}"
                        )

            # -- agreement
            def spread(d):
                arrs = list(d.values())
                if len(arrs) < 2:
                    return None, None
                pair = 0.0
                for i in range(len(arrs)):
                    for j in range(i + 1, len(arrs)):
                        if arrs[i].size != arrs[j].size:
                            return float("inf"), None
                        pair = max(
                            pair, float(np.max(np.abs(arrs[i].reshape(arrs[j].shape) - arrs[j])))
                        )
                return pair, float(max(np.max(np.abs(a)) for a in arrs))

            row["dH"], row["Hmax"] = spread(H)
            row["dG"], gmax = spread(G)
            for what, diff, big in (
                ("Hessians", row["dH"], row["Hmax"]),
                ("gradients", row["dG"], gmax),
            ):
                if diff is not None and not diff <= 1e-8 * max(big or 0.0, 1e-300):
                    failures.add(
                        f"{name} n={n}: the {what} of {' / '.join(H if what == 'Hessians' else G)} "
                        f"disagree: max difference {diff:.2e}, largest entry {big}"
                    )
            row["H_sides"] = "+".join(H)
            rows.append(row)
            print(
                f"  … {name:<14} n={n:<5} done ({time.perf_counter() - start:5.0f} s)", flush=True
            )

    print()
    head = (
        f"{'function':<14} {'n':>5} | {'mc grad':>8} {'mc f+∂':>8} {'jax grad':>8} "
        f"{'torchgrd':>8} {'jax/mc':>6} {'trch/mc':>7} | {'mc Hess':>8} {'jax Hess':>8} "
        f"{'trchHess':>8} {'jax/mc':>6} {'trch/mc':>7} | {'max|ΔH|':>8} {'|H|max':>7} "
        f"{'max|Δg|':>8}"
    )
    print(head)
    print("-" * len(head))
    prev = None
    for r in rows:
        if prev is not None and r["function"] != prev:
            print()
        prev = r["function"]
        dh = "—" if r["dH"] is None else f"{r['dH']:8.1e}"
        dg = "—" if r["dG"] is None else f"{r['dG']:8.1e}"
        hm = "—" if r["Hmax"] is None else f"{r['Hmax']:7.2g}"

        def cell(key):
            text = ms(r.get(key))
            return text[1:] + "*" if r.get(key + "_once") else text

        print(
            f"{r['function']:<14} {r['n']:>5} | {ms(r.get('mc_grad'))} {ms(r.get('mc_f'))} "
            f"{cell('jax_grad')} {cell('torch_grad')} "
            f"{ratio(r.get('jax_grad'), r.get('mc_grad'))} "
            f"{ratio(r.get('torch_grad'), r.get('mc_grad')):>7} | "
            f"{ms(r.get('mc_hess'))} {cell('jax_hess')} {cell('torch_hess')} "
            f"{ratio(r.get('jax_hess'), r.get('mc_hess'))} "
            f"{ratio(r.get('torch_hess'), r.get('mc_hess')):>7} | {dh:>8} {hm:>7} {dg:>8}"
        )
    if any(k.endswith("_once") for r in rows for k in r):
        print(f"* one call only, not a median: it took more than the {args.limit:g} s limit")
    for key, why in skipped.items():
        print(
            f"dropped: {key[0]} {key[1]} {'Hessian' if key[2] == 'hess' else 'gradient'} "
            f"{why} (limit {args.limit:g} s)"
        )
    for note in notes:
        failures.add(note)

    print_compile_costs(compile_rows, hr)
    print_summary(rows, functions, hr)
    print(
        f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s; at the end: load "
        f"average {loadavg()}, CPU calibration {calibrate():.1f} ms"
    )
    return failures.finish("bench_codegen")


if __name__ == "__main__":
    sys.exit(main())
