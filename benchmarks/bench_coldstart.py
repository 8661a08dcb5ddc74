#!/usr/bin/env python3
"""CLI cold start against its target (issue 11): `python -m matcalc QUERY` should cost at
most 1.5 × `python -c pass` plus Lark's own import (`python -c "import lark"` − `pass`).

Run from the repository root:   python benchmarks/bench_coldstart.py  [--runs 15] [--check-target]
                                                                      [--stages]

With valgrind on PATH it counts instructions (`--tool=callgrind`; deterministic, unlike
time on a shared machine), else it times the three commands interleaved (pass, lark, CLI,
pass, lark, CLI, ...) and reports ratios of medians. Every command runs once first with a
bytecode cache in a temporary folder (`PYTHONPYCACHEPREFIX`), as an installed package has
one. A command that fails is a failure (exit 1); `--check-target` also fails when the CLI
is over the target. `--stages` (valgrind only) also counts the CLI's start piece by piece:
the package, the CLI's modules, the parser, the parse, and the derivation and printing.
The CLI does not import Lark (matcalc/parse_fast.py runs Lark's tables; Lark parses only a
query with an error): the target still counts Lark's import, as issue 11 states it.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from _common import ROOT, Failures, hr, median  # (benchmarks/ is on sys.path)

QUERY = ["x: vector(n); sum(x)", "--wrt", "x"]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    'python -c "import lark"': ["-c", "import lark"],
    "python -m matcalc QUERY": ["-m", "matcalc", *QUERY],
}


# Cumulative stages of the CLI's run (each the one before plus one step), for --stages;
# the garbage collector handled as `python -m matcalc` does (matcalc/__main__.py). The
# parser is Lark's tables run by matcalc.parse_fast, which does not import Lark.
_GC, _FROZEN = "import gc; gc.disable(); ", "; gc.enable(); gc.freeze()"
_PARSER = "; import matcalc.parse as p, matcalc.parse_fast as f; f._matcher()"
STAGES = {
    "import matcalc": ["-c", f"{_GC}import matcalc{_FROZEN}"],
    "+ import matcalc.cli": ["-c", f"{_GC}import matcalc.cli{_FROZEN}"],
    "+ the parser (tables, lexer)": ["-c", f"{_GC}import matcalc.cli{_FROZEN}{_PARSER}"],
    "+ parsing the query": [
        "-c",
        f"{_GC}import matcalc.cli{_FROZEN}{_PARSER}; p.parse_query({QUERY[0]!r})",
    ],
    "+ deriving, printing (the CLI)": ["-m", "matcalc", *QUERY],
}


def stages(env: dict[str, str], failures: Failures) -> None:
    """Where the CLI's instructions go: each stage's count over the one before."""
    hr("CLI cold start by stage, in M instructions (python -c; the CLI's own run last)")
    before = instructions(["-c", "pass"], env, failures, "python -c pass")
    print(f"  {'python -c pass':34s} {before:10.3f}")
    for label, args in STAGES.items():
        run([sys.executable, *args], env, failures, label)  # the bytecode cache
        count = instructions(args, env, failures, label)
        print(f"  {label:34s} {count:10.3f}   {count - before:+9.3f}")
        before = count


def environment(cache: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cache, PYTHONHASHSEED="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def run(argv: list[str], env: dict[str, str], failures: Failures, label: str) -> bool:
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        failures.add(f"{label}: exit status {proc.returncode}: {proc.stderr.strip()[-300:]}")
        return False
    return True


def instructions(args: list[str], env: dict[str, str], failures: Failures, label: str) -> float:
    """Millions of instructions of one run under callgrind (nan when it failed)."""
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    proc = subprocess.run([*argv, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        failures.add(f"{label} under callgrind: exit status {proc.returncode}")
        return float("nan")
    return int(found.group(1)) / 1e6


def interleaved(runs: int, env: dict[str, str], failures: Failures) -> dict[str, float]:
    """Median wall-clock seconds of each command, the commands interleaved run by run."""
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(runs):
        for label, args in COMMANDS.items():
            t0 = time.perf_counter()
            if not run([sys.executable, *args], env, failures, label):
                return {label: float("nan") for label in COMMANDS}
            times[label].append(time.perf_counter() - t0)
    return {label: median(xs) for label, xs in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed rounds without valgrind")
    parser.add_argument("--wall", action="store_true", help="time even when valgrind exists")
    parser.add_argument("--check-target", action="store_true", help="fail over the target")
    parser.add_argument("--stages", action="store_true", help="count the start stage by stage")
    args = parser.parse_args()
    failures = Failures()
    with tempfile.TemporaryDirectory(prefix="matcalc_pycache_") as cache:
        env = environment(cache)
        for label, cmd in COMMANDS.items():  # warm-up: writes the bytecode cache
            run([sys.executable, *cmd], env, failures, label)
        if failures:
            return failures.finish("bench_coldstart")
        counting = shutil.which("valgrind") is not None and not args.wall
        unit = "M instructions" if counting else "s (median wall clock, interleaved)"
        hr(f"CLI cold start, in {unit}: {' '.join(QUERY)!r}")
        if counting:
            cost = {
                label: instructions(cmd, env, failures, label) for label, cmd in COMMANDS.items()
            }
        else:
            cost = interleaved(args.runs, env, failures)
        if args.stages and counting:
            stages(env, failures)
        elif args.stages:
            failures.add("--stages counts instructions: it needs valgrind (and not --wall)")
    bare, lark, cli = cost.values()
    target = 1.5 * bare + (lark - bare)
    for label, value in cost.items():
        print(f"  {label:26s} {value:10.3f}   {value / bare:5.2f} × pass")
    print(f"  {'target 1.5×pass + lark':26s} {target:10.3f}   {target / bare:5.2f} × pass")
    print(f"  CLI / target: {cli / target:.2f}   CLI over lark: {cli - lark:.3f}")
    if args.check_target and not cli <= target:
        failures.add(f"CLI cold start {cli:.3f} is over the target {target:.3f} ({unit})")
    return failures.finish("bench_coldstart")


if __name__ == "__main__":
    sys.exit(main())
