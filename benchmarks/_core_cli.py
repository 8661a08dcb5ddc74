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


def runs_this_interpreter(exe: str) -> bool:
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print(sys.executable)"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out) and os.path.realpath(out) == os.path.realpath(sys.executable)


def find_wrapper() -> str | None:
    """A `python` on PATH that is a script (e.g. a pyenv shim) exec-ing this interpreter:
    what the user's shell runs when they type `python` (pyenv puts the real interpreter's
    directory first on PATH only inside the processes it starts)."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        exe = os.path.join(d, "python")
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            continue
        try:
            with open(exe, "rb") as fh:
                if fh.read(2) != b"#!":
                    continue
        except OSError:
            continue
        if runs_this_interpreter(exe):
            return exe
    return None


# ------------------------------------------------------------------------------------------
# 1. CLI cold start


def run_once(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, proc


def time_cmd(cmd: list[str], runs: int, env=None) -> list[float]:
    run_once(cmd, env)  # warm-up: OS file cache, bytecode cache if enabled
    return [run_once(cmd, env)[0] for _ in range(runs)]


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


def section_cli(launcher, runs_forced, budget, quick):
    hr("1. CLI cold start: `python -m matcalc QUERY --wrt V`, one fresh process per run")
    py = [sys.executable]
    base_runs = 7
    base = time_cmd(launcher + ["-c", "pass"], base_runs)
    base_direct = time_cmd(py + ["-c", "pass"], base_runs) if launcher != py else base
    print(
        f"baseline `{' '.join(launcher)} -c pass` : median {median(base):.3f} s "
        f"(min {min(base):.3f}, {base_runs} runs)"
    )
    if launcher != py:
        print(
            f"baseline `{sys.executable} -c pass` (no wrapper) : median {median(base_direct):.3f} s"
        )
    wrapper = find_wrapper()
    if wrapper:
        wbase = time_cmd([wrapper, "-c", "pass"], base_runs)
        print(
            f"baseline `{wrapper} -c pass` (the wrapper a shell runs for `python`): median "
            f"{median(wbase):.3f} s -> the wrapper adds {median(wbase) - median(base):.3f} s "
            f"to every start"
        )

    queries = TUTORIAL if not quick else TUTORIAL[::6]
    cmds = [launcher + ["-m", "matcalc", q, "--wrt", w] for _, q, w in queries]
    # warm-up round (OS caches; also the printed result and exit status)
    warm, outputs = [], []
    for cmd in cmds:
        dt, proc = run_once(cmd)
        warm.append(dt)
        out = (
            proc.stdout.strip()
            if proc.returncode == 0
            else f"EXIT {proc.returncode}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}"
        )
        outputs.append(out)
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
            times[i].append(run_once(cmd)[0])

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
    overall = median([t for ts in times for t in ts])
    print()
    print(
        f"CLI overall median (all runs)         : {overall:.3f} s   target ≤ {CLI_TARGET_S} s "
        f"-> {'OK' if overall <= CLI_TARGET_S else 'ABOVE TARGET'}"
    )
    print(
        f"median of per-query medians           : {median(meds):.3f} s   "
        f"(range {min(meds):.3f} .. {max(meds):.3f}; {sum(m > CLI_TARGET_S for m in meds)}"
        f"/{len(meds)} queries above {CLI_TARGET_S} s)"
    )
    print(f"CLI overhead over `python -c pass`    : {overall - median(base):.3f} s")
    if wrapper:
        q, w = REPRESENTATIVE
        wq = time_cmd([wrapper, "-m", "matcalc", q, "--wrt", w], base_runs)
        dq = [t for (sec, q2, w2), ts in zip(queries, times) for t in ts if (q2, w2) == (q, w)]
        print(
            f"through the wrapper ({wrapper}), {label(q, w)}: median {median(wq):.3f} s "
            f"(vs {median(dq):.3f} s above)"
            if dq
            else f"through the wrapper ({wrapper}), {label(q, w)}: median {median(wq):.3f} s"
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
                print(f"  {mode}: failed: {proc.stderr.strip()[-300:]}")
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
            cmd = launcher + ["-m", "matcalc", q, "--wrt", w]
            as_is = time_cmd(cmd, 7)
            cached = time_cmd(cmd, 7, env)
        print(
            "  PYTHONDONTWRITEBYTECODE is set, so matcalc is compiled from source at every start;"
        )
        print(
            f"  same query with a bytecode cache (PYTHONPYCACHEPREFIX in a temp dir): median "
            f"{median(cached):.3f} s vs {median(as_is):.3f} s as configured"
        )
    return overall
