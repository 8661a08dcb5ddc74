#!/usr/bin/env python3
"""matcalc core benchmark: prints figures (medians), asserts nothing.

Run from the repository root:   python benchmarks/bench_core.py   [--runs 7] [--quick]

  1. CLI cold start: every tutorial query (tutorial-rules.md, inline declarations) run as a
     fresh `python -m matcalc QUERY --wrt V` process; plus the `python -c pass` baseline,
     the import time of matcalc, a cold-start breakdown, and whether sympy gets imported.
  2. In-process `matcalc.derivative(query, wrt)` (parse + differentiate + simplify, no
     check), "warm" (the same query again: hash-consed nodes are still interned) and
     "fresh" (variables renamed each repetition, so nothing can be reused).
  3. SymPy's matrix-expression `.diff` side by side with matcalc on the cases SymPy can
     express, with both printed results and a finite-difference check of each.

Everything is a median; the whole run takes about 2-3 minutes on a 2-core machine.
See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (calibrate, git_rev, hr, loadavg, median, pkg_version,  # noqa: E402
                     print_platform, rename, short)  # (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLI_TARGET_S = 0.5
INPROC_TARGET_MS = 5.0

# ------------------------------------------------------------------------------------------
# The tutorial's queries: every row of /work/shared/spec/tutorial-rules.md, with the
# declarations inline. (section, query, wrt) -- wrt "x,y" is the stacked gradient/Jacobian.

V = "w, x: vector(n); "          # element-wise operators, sum reduction
XZ = "x: vector(n); z: scalar; "  # scalar expansion
NEURON = "w, x: vector(n); b: scalar; "
LOSS = "X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; "

TUTORIAL = [
    ("scalar", "x: scalar; 99", "x"),
    ("scalar", "3*x", "x"),
    ("scalar", "x^3", "x"),
    ("scalar", "x^2 + 3*x", "x"),
    ("scalar", "x^2 * x", "x"),
    ("scalar", "ln(x^2)", "x"),
    ("scalar", "9*(x + x^2)", "x"),
    ("partial", "x, y: scalar; 3*x^2*y", "x"),
    ("partial", "x, y: scalar; 3*x^2*y", "y"),
    ("gradient", "x, y: scalar; 3*x^2*y", "x,y"),
    ("Jacobian", "x, y: scalar; [3*x^2*y, 2*x + y^8]", "x,y"),
    ("identity", "x: vector(n); x", "x"),
]
for _op in ("w + x", "w - x", "w * x", "w / x"):
    TUTORIAL += [("element-wise", V + _op, "w"), ("element-wise", V + _op, "x")]
for _op in ("x + z", "x * z", "x - z", "z - x", "x / z", "z / x"):
    TUTORIAL += [("scalar expansion", XZ + _op, "x"), ("scalar expansion", XZ + _op, "z")]
TUTORIAL += [
    ("sum reduction", "x: vector(n); sum(x)", "x"),
    ("sum reduction", XZ + "sum(x * z)", "x"),
    ("sum reduction", XZ + "sum(x * z)", "z"),
    ("sum reduction", V + "w @ x", "w"),
    ("sum reduction", V + "w @ x", "x"),
    ("sum reduction", NEURON + "w @ x + b", "w"),
    ("sum reduction", NEURON + "w @ x + b", "b"),
    ("chain", "sin(x^2)", "x"),
    ("chain", "ln(sin(x^3)^2)", "x"),
    ("chain", "x + x^2", "x"),
    ("chain", "sin(x + x^2)", "x"),
    ("chain", "x * x^2", "x"),
    ("chain", "x: scalar; [ln(x^2), sin(3*x)]", "x"),
    ("chain", "x: vector(n); exp(sin(x))", "x"),
    ("neuron", NEURON + "max(0, w·x + b)", "w"),
    ("neuron", NEURON + "max(0, w·x + b)", "b"),
    ("neuron", "x: vector(n); max(0, x)", "x"),
    ("loss", LOSS + "mean((y - max(0, X @ w + b))^2)", "w"),
    ("loss", LOSS + "mean((y - max(0, X @ w + b))^2)", "b"),
]

# The query used for the import / breakdown / bytecode measurements.
REPRESENTATIVE = (NEURON + "max(0, w·x + b)", "w")

def api_wrt(wrt: str):
    return [w.strip() for w in wrt.split(",")] if "," in wrt else wrt


def label(query: str, wrt: str) -> str:
    return f"∂({query.rsplit(';', 1)[-1].strip()})/∂{wrt}"


# ------------------------------------------------------------------------------------------
# 0. machine info

def machine_info(launcher: list[str], launcher_note: str) -> None:
    print("matcalc core benchmark")
    print(f"date            : {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print_platform()
    print(f"CPU calibration : {calibrate():.1f} ms for a fixed pure-Python loop (median of 5; "
          f"compare runs by it)")
    print(f"load average    : {loadavg()}  (1, 5, 15 min; other work on the machine inflates "
          f"every figure)")
    print(f"packages        : sympy {pkg_version('sympy')}, lark {pkg_version('lark')}, "
          f"numpy {pkg_version('numpy')}")
    rev = git_rev(ROOT)
    print(f"matcalc tree    : {ROOT} (git {rev or '?'})")
    print(f"CLI launcher    : {' '.join(launcher)}  [{launcher_note}]")
    flags = {k: os.environ[k] for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX",
                                         "PYTHONOPTIMIZE") if k in os.environ}
    print(f"python env vars : {flags or 'none that affect start-up'}")


def find_launcher() -> tuple[list[str], str]:
    """`python` on PATH if it is this interpreter (the command the user types); else
    sys.executable."""
    exe = shutil.which("python")
    if exe and _runs_this_interpreter(exe):
        return [exe], "`python` on PATH"
    return [sys.executable], "sys.executable (`python` on PATH is another interpreter)"


def _runs_this_interpreter(exe: str) -> bool:
    try:
        out = subprocess.run([exe, "-c", "import sys; print(sys.executable)"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
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
        if _runs_this_interpreter(exe):
            return exe
    return None


# ------------------------------------------------------------------------------------------
# 1. CLI cold start

def run_once(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, proc


def time_cmd(cmd: list[str], runs: int, env=None) -> list[float]:
    run_once(cmd, env)   # warm-up: OS file cache, bytecode cache if enabled
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
    print(f"baseline `{' '.join(launcher)} -c pass` : median {median(base):.3f} s "
          f"(min {min(base):.3f}, {base_runs} runs)")
    if launcher != py:
        print(f"baseline `{sys.executable} -c pass` (no wrapper) : median "
              f"{median(base_direct):.3f} s")
    wrapper = find_wrapper()
    if wrapper:
        wbase = time_cmd([wrapper, "-c", "pass"], base_runs)
        print(f"baseline `{wrapper} -c pass` (the wrapper a shell runs for `python`): median "
              f"{median(wbase):.3f} s -> the wrapper adds {median(wbase) - median(base):.3f} s "
              f"to every start")

    queries = TUTORIAL if not quick else TUTORIAL[::6]
    cmds = [launcher + ["-m", "matcalc", q, "--wrt", w] for _, q, w in queries]
    # warm-up round (OS caches; also the printed result and exit status)
    warm, outputs = [], []
    for cmd in cmds:
        dt, proc = run_once(cmd)
        warm.append(dt)
        out = proc.stdout.strip() if proc.returncode == 0 else \
            f"EXIT {proc.returncode}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}"
        outputs.append(out)
    est = median(warm)
    if runs_forced:
        runs = runs_forced
    else:
        runs = max(3, min(7, int(budget / (est * len(cmds)))))
    print(f"{len(cmds)} tutorial queries; 1 warm-up + {runs} timed runs each, interleaved "
          f"round-robin" + ("" if runs_forced or runs == 7 else
                            f" (7 would exceed the ~{budget:.0f} s CLI budget; --runs 7 forces it)"))
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
        print(f"{i:>2}  {sec:<16} {short(label(q, w), 52):<52} {m:>8.3f} {min(ts):>6.3f}  "
              f"{short(outputs[i - 1], 40)}{flag}")
    overall = median([t for ts in times for t in ts])
    print()
    print(f"CLI overall median (all runs)         : {overall:.3f} s   target ≤ {CLI_TARGET_S} s "
          f"-> {'OK' if overall <= CLI_TARGET_S else 'ABOVE TARGET'}")
    print(f"median of per-query medians           : {median(meds):.3f} s   "
          f"(range {min(meds):.3f} .. {max(meds):.3f}; {sum(m > CLI_TARGET_S for m in meds)}"
          f"/{len(meds)} queries above {CLI_TARGET_S} s)")
    print(f"CLI overhead over `python -c pass`    : {overall - median(base):.3f} s")
    if wrapper:
        q, w = REPRESENTATIVE
        wq = time_cmd([wrapper, "-m", "matcalc", q, "--wrt", w], base_runs)
        dq = [t for (sec, q2, w2), ts in zip(queries, times) for t in ts if (q2, w2) == (q, w)]
        print(f"through the wrapper ({wrapper}), {label(q, w)}: median {median(wq):.3f} s "
              f"(vs {median(dq):.3f} s above)" if dq else
              f"through the wrapper ({wrapper}), {label(q, w)}: median {median(wq):.3f} s")

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
            print(f"  'sympy' not in sys.modules after `import matcalc` + a derivative: "
                  f"{'YES (sympy is NOT imported)' if not sym else 'NO -- sympy WAS imported'}")
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
        print(f"    {name:<28} {cum / 1e3:7.1f} ms  (self {self_ / 1e3:5.1f} ms, level "
              f"{(depth + 1) // 2})")

    # bytecode: with PYTHONDONTWRITEBYTECODE every run recompiles matcalc from source
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        with tempfile.TemporaryDirectory(prefix="matcalc-bench-pyc-") as tmp:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = tmp
            cmd = launcher + ["-m", "matcalc", q, "--wrt", w]
            as_is = time_cmd(cmd, 7)
            cached = time_cmd(cmd, 7, env)
        print("  PYTHONDONTWRITEBYTECODE is set, so matcalc is compiled from source at every start;")
        print(f"  same query with a bytecode cache (PYTHONPYCACHEPREFIX in a temp dir): median "
              f"{median(cached):.3f} s vs {median(as_is):.3f} s as configured")
    return overall


# ------------------------------------------------------------------------------------------
# 2. in-process derivation

def section_inprocess(reps: int):
    hr("2. In-process `matcalc.derivative(query, wrt)`: parse + differentiate + simplify (no check)")
    t0 = time.perf_counter()
    import matcalc
    print(f"import matcalc (in this process): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    t0 = time.perf_counter()
    matcalc.derivative(*REPRESENTATIVE)
    print(f"first derivative in this process (builds the Lark parser): "
          f"{(time.perf_counter() - t0) * 1e3:.1f} ms")
    print("warm  = the same query again (its previous result kept alive, so its interned nodes")
    print("        are reused); fresh = variables renamed each time (x -> x_17, ...), nothing to reuse.")
    print(f"{reps} of each per query, interleaved round-robin over all queries (the machine's speed")
    print("drifts; interleaving spreads that drift over every query alike).")
    print()
    items, results, last = [], {}, {}
    for i, (sec, q, w) in enumerate(TUTORIAL, 1):
        try:
            for _ in range(3):
                last[i] = matcalc.derivative(q, api_wrt(w))
            results[i] = str(last[i])
            items.append((i, q, w))
        except Exception as e:          # noqa: BLE001 -- report, keep going
            results[i] = f"error: {type(e).__name__}: {e}"
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
    for i, (sec, q, w) in enumerate(TUTORIAL, 1):
        if i not in warm:
            print(f"{i:>2}  {short(label(q, w), 56):<56} {'error':>8} {'':>9}  "
                  f"{short(results[i], 60)}")
            continue
        mw, mf = median(warm[i]) * 1e3, median(fresh[i]) * 1e3
        warm_meds.append(mw)
        fresh_meds.append(mf)
        flag = "  >5ms" if max(mw, mf) > INPROC_TARGET_MS else ""
        if flag:
            slow.append((label(q, w), mw, mf))
        print(f"{i:>2}  {short(label(q, w), 56):<56} {mw:>8.3f} {mf:>9.3f}  "
              f"{short(results[i], 38)}{flag}")
    print()
    print(f"median over queries: warm {median(warm_meds):.3f} ms, fresh {median(fresh_meds):.3f} ms"
          f"   (max warm {max(warm_meds):.3f}, max fresh {max(fresh_meds):.3f});"
          f" target ≤ {INPROC_TARGET_MS} ms per query -> "
          f"{'OK' if not slow else f'{len(slow)} ABOVE TARGET'}")
    print(f"'sympy' in sys.modules after section 2: {'sympy' in sys.modules}")
    return slow


# ------------------------------------------------------------------------------------------
# 3. SymPy side by side

class SympyCase:
    def __init__(self, name, query, wrt, build, f, names, note=""):
        self.name, self.query, self.wrt = name, query, wrt
        self.build = build        # build(sp, syms) -> (expression, wrt symbol)
        self.f = f                # numpy reference function of the values dict
        self.names = names        # variable names used (values)
        self.note = note


def sympy_cases():
    relu = lambda t: max(0.0, t)           # noqa: E731
    C = SympyCase
    return [
        C("w·x wrt w", V + "w·x", "w",
          lambda sp, s: ((s.w.T * s.x), s.w), lambda v: v["w"] @ v["x"], "wx"),
        C("sum(x) wrt x (1ᵀx)", "x: vector(n); sum(x)", "x",
          lambda sp, s: (sp.OneMatrix(1, s.n) * s.x, s.x), lambda v: v["x"].sum(), "x"),
        C("xᵀAx wrt x", "x: vector(n); A: matrix(n, n); x @ A @ x", "x",
          lambda sp, s: (s.x.T * s.A * s.x, s.x), lambda v: v["x"] @ v["A"] @ v["x"], "xA"),
        C("least squares ‖Xw+b−y‖² wrt w", LOSS + "(X@w + b - y)·(X@w + b - y)", "w",
          lambda sp, s: (lambda r: (r.T * r, s.w))(s.X * s.w + s.b * sp.OneMatrix(s.N, 1) - s.y),
          lambda v: np.sum((v["X"] @ v["w"] + v["b"] - v["y"]) ** 2), "Xwyb"),
        C("least squares ‖Xw+b−y‖² wrt b", LOSS + "(X@w + b - y)·(X@w + b - y)", "b",
          lambda sp, s: (lambda r: (r.T * r, s.b))(s.X * s.w + s.b * sp.OneMatrix(s.N, 1) - s.y),
          lambda v: np.sum((v["X"] @ v["w"] + v["b"] - v["y"]) ** 2), "Xwyb"),
        C("x + z wrt z (z·1)", XZ + "x + z", "z",
          lambda sp, s: (s.x + s.z * sp.OneMatrix(s.n, 1), s.z), lambda v: v["x"] + v["z"], "xz"),
        C("x * z wrt x", XZ + "x * z", "x",
          lambda sp, s: (s.z * s.x, s.x), lambda v: v["x"] * v["z"], "xz"),
        C("w ⊗ x wrt w (HadamardProduct)", V + "w * x", "w",
          lambda sp, s: (sp.HadamardProduct(s.w, s.x), s.w), lambda v: v["w"] * v["x"], "wx"),
        C("w ⊘ x wrt x (Hadamard w∘x^-1)", V + "w / x", "x",
          lambda sp, s: (sp.HadamardProduct(s.w, sp.HadamardPower(s.x, -1)), s.x),
          lambda v: v["w"] / v["x"], "wx"),
        C("exp(x) wrt x (sympy.exp(x))", "x: vector(n); exp(x)", "x",
          lambda sp, s: (sp.exp(s.x), s.x), lambda v: np.exp(v["x"]), "x"),
        C("exp(x) wrt x (x.applyfunc(exp))", "x: vector(n); exp(x)", "x",
          lambda sp, s: (s.x.applyfunc(sp.exp), s.x), lambda v: np.exp(v["x"]), "x"),
        C("exp(sin(x)) wrt x (applyfunc)", "x: vector(n); exp(sin(x))", "x",
          lambda sp, s: (s.x.applyfunc(lambda t: sp.exp(sp.sin(t))), s.x),
          lambda v: np.exp(np.sin(v["x"])), "x"),
        C("ReLU max(0,w·x+b) wrt w (Max(0,wᵀx+b))", NEURON + "max(0, w·x + b)", "w",
          lambda sp, s: (sp.Max(0, s.w.T * s.x + s.b), s.w),
          lambda v: relu(v["w"] @ v["x"] + v["b"]), "wxb"),
        C("ReLU wrt w (Max(0, (wᵀx)[0,0]+b))", NEURON + "max(0, w·x + b)", "w",
          lambda sp, s: (sp.Max(0, (s.w.T * s.x)[0, 0] + s.b), s.w),
          lambda v: relu(v["w"] @ v["x"] + v["b"]), "wxb"),
        C("ReLU wrt w ((wᵀx).applyfunc(Max))", NEURON + "max(0, w·x + b)", "w",
          lambda sp, s: ((s.w.T * s.x).applyfunc(lambda t: sp.Max(0, t + s.b)), s.w),
          lambda v: relu(v["w"] @ v["x"] + v["b"]), "wxb"),
        C("ReLU max(0,x) wrt x (applyfunc)", "x: vector(n); max(0, x)", "x",
          lambda sp, s: (s.x.applyfunc(lambda t: sp.Max(0, t)), s.x),
          lambda v: np.maximum(0, v["x"]), "x"),
        C("logistic wrt w (log(1+exp(−y wᵀx)))",
          "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))", "w",
          lambda sp, s: (sp.log(1 + sp.exp(-s.ys * (s.w.T * s.x))), s.w),
          lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))), "wxy"),
        C("logistic wrt w (entry [0,0])",
          "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))", "w",
          lambda sp, s: (sp.log(1 + sp.exp(-s.ys * (s.w.T * s.x)[0, 0])), s.w),
          lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))), "wxy"),
        C("logistic wrt w ((wᵀx).applyfunc)",
          "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))", "w",
          lambda sp, s: ((s.w.T * s.x).applyfunc(lambda t: sp.log(1 + sp.exp(-s.ys * t))), s.w),
          lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))), "wxy"),
        C("NN loss mean((y−max(0,Xw+b))²) wrt w", LOSS + "mean((y - max(0, X @ w + b))^2)", "w",
          lambda sp, s: (lambda e: (e.T * e / s.N, s.w))(
              s.y - (s.X * s.w + s.b * sp.OneMatrix(s.N, 1)).applyfunc(lambda t: sp.Max(0, t))),
          lambda v: np.mean((v["y"] - np.maximum(0, v["X"] @ v["w"] + v["b"])) ** 2), "Xwyb"),
        C("NN loss mean((y−max(0,Xw+b))²) wrt b", LOSS + "mean((y - max(0, X @ w + b))^2)", "b",
          lambda sp, s: (lambda e: (e.T * e / s.N, s.b))(
              s.y - (s.X * s.w + s.b * sp.OneMatrix(s.N, 1)).applyfunc(lambda t: sp.Max(0, t))),
          lambda v: np.mean((v["y"] - np.maximum(0, v["X"] @ v["w"] + v["b"])) ** 2), "Xwyb"),
    ]


import numpy as np   # noqa: E402  (numpy is a matcalc dependency; used for the numeric checks)

SIZES = {"n": 3, "N": 4}


def values(seed=1):
    rng = np.random.default_rng(seed)
    n, N = SIZES["n"], SIZES["N"]
    return {"w": rng.normal(size=n), "x": rng.uniform(0.5, 2.0, size=n) * rng.choice([-1, 1], n),
            "A": rng.normal(size=(n, n)), "X": rng.normal(size=(N, n)),
            "y": rng.normal(size=N), "b": 0.7, "z": 1.3}


def reference_jacobian(case, vals):
    """Central differences: J[i, j] = ∂f_i/∂v_j (numerator layout), flattened."""
    var = case.wrt
    v0 = np.array(vals[var], dtype=float)
    flat = v0.reshape(-1)
    eps = 1e-6
    cols = []
    for j in range(flat.size):
        hi, lo = flat.copy(), flat.copy()
        hi[j] += eps
        lo[j] -= eps
        fh = np.ravel(case.f({**vals, var: hi.reshape(v0.shape)}))
        fl = np.ravel(case.f({**vals, var: lo.reshape(v0.shape)}))
        cols.append((fh - fl) / (2 * eps))
    return np.stack(cols, axis=1)


def verdict(arr, J) -> str:
    if arr is None:
        return "n/a"
    arr = np.asarray(arr, dtype=float)
    if np.allclose(arr, 0) and not np.allclose(J, 0):
        return "WRONG (returns 0)"
    if arr.size != J.size:
        return f"WRONG (size {arr.size}, expected {J.size})"
    if np.allclose(arr.reshape(J.shape), J, rtol=1e-4, atol=1e-6):
        return "ok"
    if arr.ndim == 2 and np.allclose(arr.T.reshape(J.shape), J, rtol=1e-4, atol=1e-6):
        return "ok (transposed layout)"
    err = np.max(np.abs(arr.reshape(J.shape) - J))
    return f"WRONG (max error {err:.3g})"


def sympy_numeric(sp, result, syms, vals):
    """Evaluate a SymPy matrix-calculus result at the values (n=3, N=4); None on failure."""
    r = result.subs({syms.n: SIZES["n"], syms.N: SIZES["N"]})
    subs = {}
    for ms in r.atoms(sp.MatrixSymbol):
        v = vals.get(ms.name)
        if v is not None:
            subs[ms] = sp.ImmutableMatrix(np.asarray(v).reshape(ms.shape).tolist())
    subs[syms.b] = vals["b"]
    subs[syms.z] = vals["z"]
    subs[syms.ys] = vals["ys"]
    r = r.subs(subs).doit()
    if hasattr(r, "as_explicit") and getattr(r, "is_Matrix", False):
        r = r.as_explicit()
    if hasattr(r, "doit"):
        r = r.doit()
    return np.array(sp.N(r).tolist() if hasattr(r, "tolist") else float(sp.N(r)), dtype=float)


class Syms:
    def __init__(self, sp, sfx=""):
        self.n, self.N = sp.symbols("n N", integer=True, positive=True)
        n, N = self.n, self.N
        self.w = sp.MatrixSymbol("w" + sfx, n, 1)
        self.x = sp.MatrixSymbol("x" + sfx, n, 1)
        self.A = sp.MatrixSymbol("A" + sfx, n, n)
        self.X = sp.MatrixSymbol("X" + sfx, N, n)
        self.y = sp.MatrixSymbol("y" + sfx, N, 1)
        self.b = sp.Symbol("b" + sfx)
        self.z = sp.Symbol("z" + sfx)
        self.ys = sp.Symbol("y" + sfx)


def section_sympy(reps: int):
    hr("3. SymPy `MatrixExpr.diff` (sympy.matrices.expressions) vs matcalc, same process")
    if pkg_version("sympy") == "not installed":
        print("sympy is not installed: section skipped")
        return
    cmd = [sys.executable, "-c",
           "import time; t=time.perf_counter(); import sympy; print(time.perf_counter()-t)"]
    run_once(cmd)
    imp = [float(run_once(cmd)[1].stdout) for _ in range(5)]
    print(f"import sympy (fresh interpreter, measured inside it): median {median(imp) * 1e3:.0f} ms"
          f" (5 runs)")
    t0 = time.perf_counter()
    import sympy as sp
    from sympy.core.cache import clear_cache
    print(f"import sympy in this process: {(time.perf_counter() - t0) * 1e3:.0f} ms")
    import matcalc

    print("matcalc fresh: the query text with renamed variables, parse + derivative + simplify;")
    print("sympy   fresh: the expression built with new symbol names, then .diff (SymPy's cache")
    print(f"               cannot help; no parsing, no simplify) -- {reps} runs each, after a warm-up;")
    print(f"warm: the same query / the same expression object again ({reps} runs).")
    print(f"check: both results evaluated at n={SIZES['n']}, N={SIZES['N']} against central "
          f"finite differences (sympy's column gradients are its denominator layout).")
    vals = values()
    vals["ys"] = -0.8
    cases = sympy_cases()
    rows, details = [], []
    counter = [0]
    mc_cache = {}
    for case in cases:
        key = (case.query, case.wrt)
        # ---- matcalc
        if key not in mc_cache:
            try:
                d = matcalc.derivative(case.query, case.wrt)
                mtext = str(d)
                warm = []
                for _ in range(reps):
                    t0 = time.perf_counter()
                    d = matcalc.derivative(case.query, case.wrt)
                    warm.append(time.perf_counter() - t0)
                fresh = []
                for _ in range(reps):
                    counter[0] += 1
                    q2, w2 = rename(case.query, case.wrt, f"_{counter[0]}")
                    t0 = time.perf_counter()
                    matcalc.derivative(q2, w2)
                    fresh.append(time.perf_counter() - t0)
                mvals = {k: vals[k] for k in case.names if k != "y"}
                if "y" in case.names:
                    mvals["y"] = vals["ys"] if "y: scalar" in case.query else vals["y"]
                try:
                    marr = d.evaluate(mvals)
                except Exception as e:   # noqa: BLE001
                    marr = None
                    mtext += f"  [evaluate failed: {type(e).__name__}: {e}]"
                mc_cache[key] = (mtext, median(warm), median(fresh), marr)
            except Exception as e:       # noqa: BLE001
                mc_cache[key] = (f"error: {type(e).__name__}: {e}", None, None, None)
        mtext, mwarm, mfresh, marr = mc_cache[key]
        # ---- reference
        fvals = dict(vals)
        if "y: scalar" in case.query:
            fvals["y"] = vals["ys"]
        J = reference_jacobian(case, fvals)
        # ---- sympy
        swarm = sfresh = None
        sarr = None
        try:
            syms = Syms(sp)
            expr, var = case.build(sp, syms)
            res = expr.diff(var)          # warm-up (also the printed result)
            stext = str(res)
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                expr.diff(var)
                times.append(time.perf_counter() - t0)
            swarm = median(times)
            times = []
            for _ in range(reps):
                counter[0] += 1
                t0 = time.perf_counter()
                e2, v2 = case.build(sp, Syms(sp, f"_{counter[0]}"))
                e2.diff(v2)
                times.append(time.perf_counter() - t0)
            sfresh = median(times)
            try:
                sarr = sympy_numeric(sp, res, syms, vals)
                scheck = verdict(sarr, J)
            except Exception as e:       # noqa: BLE001
                scheck = f"could not evaluate ({type(e).__name__}: {short(e, 50)})"
        except Exception as e:           # noqa: BLE001
            stext = f"error: {type(e).__name__}: {short(e, 70)}"
            scheck = "unsupported"
        clear_cache()
        mcheck = verdict(marr, J) if marr is not None else "n/a"
        ratio = (sfresh / mfresh) if (sfresh and mfresh) else None
        rows.append((case.name, mfresh, sfresh, ratio, mwarm, swarm, mcheck, scheck))
        details.append((case.name, mtext, mcheck, stext, scheck))

    def ms(v):
        return f"{v * 1e3:8.2f}" if v is not None else f"{'—':>8}"

    print()
    print("logistic = ln(1 + exp(−y w·x)), y scalar; NN loss = mean((y − max(0, Xw + b))²)")
    print(f"{'case':<50} {'matcalc':>8} {'sympy':>8} {'sympy/':>7} {'matcalc':>8} {'sympy':>8}")
    print(f"{'':<50} {'fresh ms':>8} {'fresh ms':>8} {'matcalc':>7} {'warm ms':>8} {'warm ms':>8}"
          f"  sympy's result")
    for name, mf, sf, ratio, mw, sw, mc, sc in rows:
        r = f"{ratio:7.1f}" if ratio is not None else f"{'—':>7}"
        print(f"{short(name, 50):<50} {ms(mf)} {ms(sf)} {r} {ms(mw)} {ms(sw)}  {sc}")
    ok_ratios = [r[3] for r in rows if r[3] is not None and r[7].startswith("ok")]
    if ok_ratios:
        print(f"\nmedian ratio sympy/matcalc (fresh) over the {len(ok_ratios)} cases SymPy gets "
              f"right: {median(ok_ratios):.1f}x")
    counts = {}
    for r in rows:
        k = "ok" if r[7].startswith("ok") else "wrong" if r[7].startswith("WRONG") else \
            "error/unsupported" if r[7] == "unsupported" else "not evaluated"
        counts[k] = counts.get(k, 0) + 1
    print(f"sympy over {len(rows)} formulations: " +
          ", ".join(f"{v} {k}" for k, v in counts.items()) +
          f"; matcalc: {sum(r[6].startswith('ok') for r in rows)}/{len(rows)} ok")
    print()
    print("results side by side (matcalc: numerator layout; sympy: its own, gradients as columns):")
    for name, mtext, mcheck, stext, scheck in details:
        print(f"  {name}")
        print(f"      matcalc: {short(mtext, 150)}   [{mcheck}]")
        print(f"      sympy  : {short(stext, 150)}   [{scheck}]")


# ------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=0,
                    help="CLI runs per query (default: 7, fewer if over the time budget)")
    ap.add_argument("--cli-budget", type=float, default=95.0,
                    help="seconds for the timed CLI runs when --runs is not given (default 95)")
    ap.add_argument("--reps", type=int, default=21, help="in-process repetitions (default 21)")
    ap.add_argument("--quick", action="store_true", help="a few CLI queries only (smoke test)")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: cli,inproc,sympy")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    gc.collect()
    start = time.perf_counter()
    launcher, note = find_launcher()
    machine_info(launcher, note)
    if "cli" not in skip:
        section_cli(launcher, args.runs, args.cli_budget, args.quick)
    if "inproc" not in skip:
        section_inprocess(args.reps)
    if "sympy" not in skip:
        section_sympy(max(3, min(7, args.reps // 2)))
    print(f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s; at the end: load average "
          f"{loadavg()}, CPU calibration {calibrate():.1f} ms")


if __name__ == "__main__":
    main()
