#!/usr/bin/env python3
"""matcalc core benchmark: prints figures (medians); exits 1 when any run fails.

Run from the repository root:   python benchmarks/bench_core.py   [--runs 7] [--quick]

  1. CLI cold start: every tutorial query (tutorial-rules.md, inline declarations) run as a
     fresh `python -m matcalc QUERY --wrt V` process, `python` being this interpreter
     (sys.executable, never one found on PATH); plus the `python -c pass` baseline,
     the import time of matcalc, a cold-start breakdown, and whether sympy gets imported.
  2. In-process `matcalc.derivative(query, wrt)` (parse + differentiate + simplify, no
     check), "warm" (the same query again: hash-consed nodes are still interned) and
     "fresh" (variables renamed each repetition, so nothing can be reused).
  2b. The batched queries (issue 9: softmax cross-entropy, attention, layer and batch norm, a
      two-layer MLP over a mini-batch), timed as in 2 beside the vector ones, each result
      checked against central finite differences at small distinct sizes.
  3. SymPy's matrix-expression `.diff` side by side with matcalc on the cases SymPy can
     express, with both printed results and a finite-difference check of each.

Everything is a median; the whole run takes about 2-3 minutes on a 2-core machine. A CLI
run that exits non-zero, a tutorial or batched query matcalc refuses, or a matcalc result
that disagrees with finite differences is a failure: it is printed (`FAIL: …`), and the
script exits 1.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import sys
import time
from pathlib import Path

from _common import (
    Failures,
    calibrate,
    git_rev,
    hr,
    loadavg,
    median,
    pkg_version,
    print_platform,  # (benchmarks/ is on sys.path)
    rename,
    short,
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INPROC_TARGET_MS = 5.0

from _core_batched import BATCHED, fd_verdict  # noqa: E402
from _core_cli import section_cli  # noqa: E402
from _core_queries import REPRESENTATIVE, TUTORIAL, api_wrt, label  # noqa: E402
from _core_sympy import section_sympy  # noqa: E402

# ------------------------------------------------------------------------------------------
# 0. machine info


def machine_info() -> None:
    print("matcalc core benchmark")
    print(f"date            : {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print_platform()
    print(
        f"CPU calibration : {calibrate():.1f} ms for a fixed pure-Python loop (median of 5; "
        f"compare runs by it)"
    )
    print(
        f"load average    : {loadavg()}  (1, 5, 15 min; other work on the machine inflates "
        f"every figure)"
    )
    print(
        f"packages        : sympy {pkg_version('sympy')}, lark {pkg_version('lark')}, "
        f"numpy {pkg_version('numpy')}"
    )
    rev = git_rev(ROOT)
    print(f"matcalc tree    : {ROOT} (git {rev or '?'})")
    print(f"CLI launcher    : {sys.executable} -m matcalc  [sys.executable]")
    flags = {
        k: os.environ[k]
        for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONOPTIMIZE")
        if k in os.environ
    }
    print(f"python env vars : {flags or 'none that affect start-up'}")


# ------------------------------------------------------------------------------------------
# 2. in-process derivation


def section_inprocess(reps: int, failures: Failures):
    hr(
        "2. In-process `matcalc.derivative(query, wrt)`: parse + differentiate + simplify (no check)"
    )
    t0 = time.perf_counter()
    import matcalc

    print(f"import matcalc (in this process): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    t0 = time.perf_counter()
    matcalc.derivative(*REPRESENTATIVE)
    print(
        f"first derivative in this process (builds the Lark parser): "
        f"{(time.perf_counter() - t0) * 1e3:.1f} ms"
    )
    print("warm  = the same query again (its previous result kept alive, so its interned nodes")
    print(
        "        are reused); fresh = variables renamed each time (x -> x_17, ...), nothing to reuse."
    )
    print(
        f"{reps} of each per query, interleaved round-robin over all queries (the machine's speed"
    )
    print("drifts; interleaving spreads that drift over every query alike).")
    print()
    slow, _, medians = time_queries(matcalc, TUTORIAL, reps, failures, "in-process")
    print(f"'sympy' in sys.modules after section 2: {'sympy' in sys.modules}")
    return slow, medians


def time_queries(matcalc, queries: list, reps: int, failures: Failures, what: str, target=True):
    """Warm and fresh medians of each (section, query, wrt), printed as a table; returns
    (the queries above INPROC_TARGET_MS when `target`, {index: the last Derivative},
    (the median warm ms, the median fresh ms))."""
    items, results, last = [], {}, {}
    for i, (sec, q, w) in enumerate(queries, 1):
        try:
            for _ in range(3):
                last[i] = matcalc.derivative(q, api_wrt(w))
            results[i] = str(last[i])
            items.append((i, q, w))
        except Exception as e:  # noqa: BLE001 -- reported as a failure, keep going
            results[i] = f"error: {type(e).__name__}: {e}"
            failures.add(f"{what} {label(q, w)}: {results[i]}")
    warm = {i: [] for i, _, _ in items}
    fresh = {i: [] for i, _, _ in items}
    counter = 0
    for _ in range(reps):
        for i, q, w in items:
            wrt = api_wrt(w)
            t0 = time.perf_counter()
            d = matcalc.derivative(q, wrt)
            warm[i].append(time.perf_counter() - t0)
            last[i] = d
            counter += 1
            q2, w2 = rename(q, w, f"_{counter}")
            wrt2 = api_wrt(w2)
            t0 = time.perf_counter()
            d = matcalc.derivative(q2, wrt2)
            fresh[i].append(time.perf_counter() - t0)
            del d
    print(f"{'#':>2}  {'query':<56} {'warm ms':>8} {'fresh ms':>9}  result")
    warm_meds, fresh_meds, slow = [], [], []
    for i, (sec, q, w) in enumerate(queries, 1):
        if i not in warm:
            print(
                f"{i:>2}  {short(label(q, w), 56):<56} {'error':>8} {'':>9}  "
                f"{short(results[i], 60)}"
            )
            continue
        mw, mf = median(warm[i]) * 1e3, median(fresh[i]) * 1e3
        warm_meds.append(mw)
        fresh_meds.append(mf)
        flag = "  >5ms" if target and max(mw, mf) > INPROC_TARGET_MS else ""
        if flag:
            slow.append((label(q, w), mw, mf))
        print(
            f"{i:>2}  {short(label(q, w), 56):<56} {mw:>8.3f} {mf:>9.3f}  "
            f"{short(results[i], 38)}{flag}"
        )
    print()
    if not warm_meds:
        failures.add(f"{what}: no query could be derived")
        return slow, last, None
    verdict = f"{'OK' if not slow else f'{len(slow)} ABOVE TARGET'}"
    print(
        f"median over queries: warm {median(warm_meds):.3f} ms, fresh {median(fresh_meds):.3f} ms"
        f"   (max warm {max(warm_meds):.3f}, max fresh {max(fresh_meds):.3f})"
        + (f"; target ≤ {INPROC_TARGET_MS} ms per query -> {verdict}" if target else "")
    )
    return slow, last, (median(warm_meds), median(fresh_meds))


# ------------------------------------------------------------------------------------------
# 2b. batched derivations


def section_batched(reps: int, failures: Failures, vector_medians=None):
    hr("2b. Batched queries (issue 9), in process as in 2, each checked by finite differences")
    import matcalc

    print(f"{reps} of each per query, interleaved round-robin (no target: the 5 ms is the")
    print("tutorial's; these are whole layers of a network).")
    print()
    _, last, medians = time_queries(matcalc, BATCHED, reps, failures, "batched", target=False)
    if medians and vector_medians:
        print(
            f"batched over the tutorial's vector queries (medians of this run): warm "
            f"{medians[0] / vector_medians[0]:.1f}x, fresh {medians[1] / vector_medians[1]:.1f}x"
        )
    print()
    print("finite differences (central, at distinct small sizes) against `evaluate`:")
    for i, (sec, q, w) in enumerate(BATCHED, 1):
        if i in last:
            verdict = fd_verdict(last[i], i)
            print(f"{i:>2}  {short(label(q, w), 56):<56} {verdict}")
            if verdict != "ok":
                failures.add(f"batched {label(q, w)}: {verdict}")


# ------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--runs",
        type=int,
        default=0,
        help="CLI runs per query (default: 7, fewer if over the time budget)",
    )
    ap.add_argument(
        "--cli-budget",
        type=float,
        default=95.0,
        help="seconds for the timed CLI runs when --runs is not given (default 95)",
    )
    ap.add_argument("--reps", type=int, default=21, help="in-process repetitions (default 21)")
    ap.add_argument("--quick", action="store_true", help="a few CLI queries only (smoke test)")
    ap.add_argument(
        "--skip", default="", help="comma list of sections to skip: cli,inproc,batched,sympy"
    )
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    gc.collect()
    start = time.perf_counter()
    failures = Failures()
    machine_info()
    if "cli" not in skip:
        section_cli(args.runs, args.cli_budget, args.quick, failures)
    vector_medians = None
    if "inproc" not in skip:
        _, vector_medians = section_inprocess(args.reps, failures)
    if "batched" not in skip:
        section_batched(args.reps, failures, vector_medians)
    if "sympy" not in skip:
        section_sympy(max(3, min(7, args.reps // 2)), failures)
    print(
        f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s; at the end: load average "
        f"{loadavg()}, CPU calibration {calibrate():.1f} ms"
    )
    return failures.finish("bench_core")


if __name__ == "__main__":
    sys.exit(main())
