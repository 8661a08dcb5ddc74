#!/usr/bin/env python3
"""matcalc matrix benchmark: prints figures (medians); exits 1 when anything fails.

Run from the repository root:   python benchmarks/bench_matrix.py   [--reps 9] [--quick]

  1. The Matrix Cookbook suite (the rows of tests/test_cookbook.py, imported as data, so
     pytest must be installed: without it the script fails and says so): matcalc's derivation time for every
     row, and side by side SymPy's `MatrixExpr.diff` on the rows SymPy can express (linear
     and quadratic forms, traces, inverses, determinants, log det, ‖Ax − b‖² as
     (Ax − b)ᵀ(Ax − b)), each result evaluated numerically at distinct sizes per dimension
     against central finite differences.
  2. Scaling with expression size: the chain tanh(W_L @ … tanh(W_1 @ x)) for L = 1 … 32,
     differentiated as a scalar (sum of it) by x and by W_1, and as a vector by x; median
     derivation time, result size (distinct DAG nodes), a per-stage breakdown (parse,
     differentiate, read-off, simplify), and the log-log slope between L = 4 and L = 32.
     If a slope exceeds 1.2, a cProfile of the L = 32 case is printed.

Everything is a median; the whole run takes about 1-2 minutes on a 2-core machine. A row
matcalc refuses or gets wrong, a chain that fails, or a missing Cookbook table is a
failure: printed, and the script exits 1.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)


from _common import (  # noqa: E402
    Failures,
    calibrate,
    git_rev,
    loadavg,
    pkg_version,
    print_platform,  # (benchmarks/ is on sys.path)
)
from _matrix_cookbook import section_cookbook  # noqa: E402
from _matrix_scaling import section_scaling  # noqa: E402

# ------------------------------------------------------------------------------------------
# helpers (the same conventions as bench_core.py)


def machine_info() -> None:
    print("matcalc matrix benchmark")
    print(f"date            : {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print_platform()
    print(
        f"CPU calibration : {calibrate():.1f} ms for a fixed pure-Python loop (median of 5; "
        f"the same loop as bench_core.py)"
    )
    print(f"load average    : {loadavg()}  (1, 5, 15 min)")
    print(
        f"packages        : sympy {pkg_version('sympy')}, lark {pkg_version('lark')}, "
        f"numpy {pkg_version('numpy')}"
    )
    rev = git_rev(ROOT)
    print(f"matcalc tree    : {ROOT} (git {rev or '?'}; the working tree, edits included)")


# ------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--reps",
        type=int,
        default=21,
        help="matcalc repetitions per row / per (case, L) (default 21)",
    )
    ap.add_argument(
        "--sympy-reps", type=int, default=9, help="SymPy repetitions per row (default 9)"
    )
    ap.add_argument("--quick", action="store_true", help="a quarter of the rows, L ≤ 8")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: cookbook,scaling")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    gc.collect()
    start = time.perf_counter()
    failures = Failures()
    machine_info()
    if "cookbook" not in skip:
        section_cookbook(args.reps, args.sympy_reps, args.quick, failures)
    if "scaling" not in skip:
        section_scaling(args.reps, args.quick, failures)
    print(
        f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s; at the end: load average "
        f"{loadavg()}, CPU calibration {calibrate():.1f} ms"
    )
    return failures.finish("bench_matrix")


if __name__ == "__main__":
    sys.exit(main())
