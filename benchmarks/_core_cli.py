"""bench_core, section 1: the command line's cold start."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time

from _common import ROOT, hr, median, short
from _core_queries import REPRESENTATIVE, TUTORIAL, label

CLI_TARGET_S = 0.5


# ------------------------------------------------------------------------------------------
# 1. CLI cold start


def run_once(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, proc


def time_cmd(cmd: list[str], runs: int, failures, env=None) -> list[float]:
    """Wall seconds of `runs` runs of cmd after a warm-up; a run that fails is a failure."""
    runs_done = [run_once(cmd, env) for _ in range(runs + 1)]  # the first: warm-up
    bad = next((_failed(p) for _, p in runs_done if p.returncode != 0), "")
    if bad:
        failures.add(f"{' '.join(cmd[:2])} … {short(' '.join(cmd[2:]), 60)}: {bad}")
    return [dt for dt, _ in runs_done[1:]]


INNER = r"""
import json, sys, time
q, wrt, mode = sys.argv[1], sys.argv[2], sys.argv[3]
t = {}
t0 = time.perf_counter()
if mode == "breakdown":
    import numpy
    t["import numpy"] = time.perf_counter() - t0; t0 = time.perf_counter()
    import lark
    t["import lark"] = time.perf_counter() - t0; t0 = time.perf_counter()
    import matcalc
    t["import matcalc (rest)"] = time.perf_counter() - t0; t0 = time.perf_counter()
    try:
        import matcalc.parse as P
        P._parser()
        t["build the Lark parser"] = time.perf_counter() - t0
    except Exception as e:
        t["build the Lark parser"] = None
    t0 = time.perf_counter()
    matcalc.derivative(q, wrt)
    t["first derivative (parser built)"] = time.perf_counter() - t0
else:
    import matcalc
    t["import matcalc"] = time.perf_counter() - t0; t0 = time.perf_counter()
    d = matcalc.derivative(q, wrt)
    t["first derivative"] = time.perf_counter() - t0; t0 = time.perf_counter()
    str(d)
    t["print it"] = time.perf_counter() - t0
    t["sympy imported"] = "sympy" in sys.modules
    t["numpy imported"] = "numpy" in sys.modules
print(json.dumps(t))
"""


def _failed(proc: subprocess.CompletedProcess) -> str:
    """'' if the run succeeded, else its exit status and the last line of its stderr."""
    if proc.returncode == 0:
        return ""
    return f"exit {proc.returncode}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}"


def section_cli(runs_forced, budget, quick, failures):
    """Every command runs `sys.executable` (this interpreter: the venv's when the script is
    run with the venv's python), never a `python` or `matcalc` found on PATH. Any run that
    fails is a failure of the benchmark (its time would be the time of a traceback)."""
    hr("1. CLI cold start: `python -m matcalc QUERY --wrt V`, one fresh process per run")
    py = [sys.executable]
    base_runs = 7
    base = time_cmd(py + ["-c", "pass"], base_runs, failures)
    print(
        f"baseline `{sys.executable} -c pass` : median {median(base):.3f} s "
        f"(min {min(base):.3f}, {base_runs} runs)"
    )

    queries = TUTORIAL if not quick else TUTORIAL[::6]
    cmds = [py + ["-m", "matcalc", q, "--wrt", w] for _, q, w in queries]
    # warm-up round (OS caches; also the printed result and exit status)
    warm, outputs, broken = [], [], set()
    for i, cmd in enumerate(cmds):
        dt, proc = run_once(cmd)
        warm.append(dt)
        why = _failed(proc)
        outputs.append(proc.stdout.strip() if not why else f"FAILED {why}")
        if why:
            broken.add(i)
            failures.add(f"CLI {label(queries[i][1], queries[i][2])}: {why}")
    est = median(warm)
    if runs_forced:
        runs = runs_forced
    else:
        runs = max(3, min(7, int(budget / (est * len(cmds)))))
    print(
        f"{len(cmds)} tutorial queries; 1 warm-up + {runs} timed runs each, interleaved "
        f"round-robin"
        + (
            ""
            if runs_forced or runs == 7
            else f" (7 would exceed the ~{budget:.0f} s CLI budget; --runs 7 forces it)"
        )
    )
    times = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            dt, proc = run_once(cmd)
            times[i].append(dt)
            why = _failed(proc)
            if why and i not in broken:
                broken.add(i)
                failures.add(f"CLI {label(queries[i][1], queries[i][2])} (timed run): {why}")

    print()
    print(f"{'#':>2}  {'section':<16} {'query':<52} {'median s':>8} {'min s':>6}  output")
    meds = []
    for i, ((sec, q, w), ts) in enumerate(zip(queries, times), 1):
        m = median(ts)
        meds.append(m)
        flag = " >0.5s" if m > CLI_TARGET_S else ""
        print(
            f"{i:>2}  {sec:<16} {short(label(q, w), 52):<52} {m:>8.3f} {min(ts):>6.3f}  "
            f"{short(outputs[i - 1], 40)}{flag}"
        )
    print()
    if broken:
        print(
            f"CLI: {len(broken)} of {len(cmds)} queries FAILED (above): no overall figure, "
            f"the times of failed runs are not the CLI's"
        )
        return None
    overall = median([t for ts in times for t in ts])
    print(
        f"CLI overall median (all runs)         : {overall:.3f} s   target ≤ {CLI_TARGET_S} s "
        f"-> {'OK' if overall <= CLI_TARGET_S else 'ABOVE TARGET'}"
    )
    print(
        f"median of per-query medians           : {median(meds):.3f} s   "
        f"(range {min(meds):.3f} .. {max(meds):.3f}; {sum(m > CLI_TARGET_S for m in meds)}"
        f"/{len(meds)} queries above {CLI_TARGET_S} s)"
    )
    overhead = overall - median(base)
    print(f"CLI overhead over `python -c pass`    : {overhead:.3f} s")
    if overhead <= 0:
        failures.add(
            f"CLI overhead over `python -c pass` is {overhead:.3f} s: impossible for a run that "
            f"imports matcalc; the measurement is broken"
        )

    # import time, sympy check, breakdown (in a fresh interpreter, measured inside it)
    q, w = REPRESENTATIVE
    print()
    print(f"inside a fresh interpreter ({sys.executable}), query {label(q, w)}, 7 runs:")
    for mode in ("plain", "breakdown"):
        cmd = py + ["-c", INNER, q, w, mode]
        run_once(cmd)
        rows = []
        for _ in range(7):
            _, proc = run_once(cmd)
            if proc.returncode != 0:
                failures.add(f"CLI {mode} measurement: {_failed(proc)}")
                break
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if not rows:
            continue
        if mode == "breakdown":
            print("  cold-start breakdown (each step after the previous one):")
        for key in rows[0]:
            vals = [r[key] for r in rows]
            if isinstance(vals[0], bool):
                continue
            if any(v is None for v in vals):
                print(f"    {key:<34}: n/a")
            else:
                print(f"    {key:<34}: {median(vals) * 1e3:7.1f} ms")
        if mode == "plain":
            sym = any(r["sympy imported"] for r in rows)
            print(
                f"  'sympy' not in sys.modules after `import matcalc` + a derivative: "
                f"{'YES (sympy is NOT imported)' if not sym else 'NO -- sympy WAS imported'}"
            )
            print(f"  numpy imported by that: {'yes' if rows[0]['numpy imported'] else 'no'}")

    # -X importtime of the CLI itself: sympy?, heaviest imports
    _, proc = run_once(py + ["-X", "importtime", "-m", "matcalc", q, "--wrt", w])
    if proc.returncode != 0:
        failures.add(f"CLI -X importtime run: exit {proc.returncode}")
    imports = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            imports.append((int(m.group(2)), int(m.group(1)), len(m.group(3)), m.group(4)))
    cli_sympy = any(name == "sympy" or name.startswith("sympy.") for *_, name in imports)
    print(f"  `python -m matcalc` (CLI) imports sympy: {'yes' if cli_sympy else 'no'}")
    top = sorted((i for i in imports if i[2] <= 7 and i[0] >= 10_000), reverse=True)[:14]
    print("  heaviest imports of the CLI (-X importtime, one run; cumulative time, nesting level):")
    for cum, self_, depth, name in top:
        print(
            f"    {name:<28} {cum / 1e3:7.1f} ms  (self {self_ / 1e3:5.1f} ms, level "
            f"{(depth + 1) // 2})"
        )

    # bytecode: with PYTHONDONTWRITEBYTECODE every run recompiles matcalc from source
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        with tempfile.TemporaryDirectory(prefix="matcalc-bench-pyc-") as tmp:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = tmp
            cmd = py + ["-m", "matcalc", q, "--wrt", w]
            as_is = time_cmd(cmd, 7, failures)
            cached = time_cmd(cmd, 7, failures, env)
        print(
            "  PYTHONDONTWRITEBYTECODE is set, so matcalc is compiled from source at every start;"
        )
        print(
            f"  same query with a bytecode cache (PYTHONPYCACHEPREFIX in a temp dir): median "
            f"{median(cached):.3f} s vs {median(as_is):.3f} s as configured"
        )
    return overall
