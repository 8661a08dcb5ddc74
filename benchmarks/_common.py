"""What the benchmark scripts share: a calibration workload, the load average and the
machine's description, printed with every run so that figures from different runs (and a
busy machine) can be compared; medians, short labels, and renaming a query's variables so
that a timed run shares no interned node with an earlier one. The numbers a benchmark
checks a derivative with come from `matcalc.testing`."""

from __future__ import annotations

import gc
import importlib.metadata
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the matcalc checkout


def calibrate() -> float:
    """A fixed pure-Python workload, so figures from different runs can be compared."""
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        d = {}
        for i in range(200_000):
            d[(i, i & 7)] = str(i)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def loadavg() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def pkg_version(name: str) -> str:
    """A distribution's version, read from its metadata (the package is not imported)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def hr(title: str, width: int = 100) -> None:
    """A section heading."""
    print()
    print("=" * width)
    print(title)
    print("=" * width, flush=True)


def median(xs) -> float:
    return statistics.median(xs) if xs else float("nan")


def short(s, width: int) -> str:
    """`s` on one line, cut to `width` characters with an ellipsis."""
    s = " ".join(str(s).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def git_rev(root: Path = ROOT) -> str:
    """`git describe --always --dirty` of the checkout, or "?"."""
    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = "?"
    return rev or "?"


def print_platform() -> None:
    """The interpreter, the platform and the CPU count, one line each."""
    print(
        f"python          : {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})"
    )
    print(f"platform        : {platform.platform()}")
    print(f"os.cpu_count()  : {os.cpu_count()}")


_IDENT = re.compile(r"[A-Za-z_α-ωΑ-Ω][A-Za-z_0-9α-ωΑ-Ω]*")
_KEYWORDS = {"scalar", "vector", "matrix", "symmetric", "simplex", "rowsimplex", "tensor"}
# … and the words of the batched language (axis=, keepdims=True, the identity I, norm's inf)
_KEYWORDS |= {"axis", "keepdims", "True", "False", "I", "inf"}


def rename(query: str, wrt: str, suffix: str) -> tuple[str, str]:
    """Append `suffix` to every variable and dimension name (not to function names, shape
    keywords or `.T`), so the renamed query shares no interned node with the original;
    `wrt` (a name or comma-separated names) is renamed alike."""

    def sub(m):
        name, end = m.group(0), m.end()
        if (
            name in _KEYWORDS
            or query[end:].lstrip().startswith("(")
            or (m.start() > 0 and query[m.start() - 1] == ".")
        ):
            return name
        return name + suffix

    new_wrt = ",".join(w.strip() + suffix for w in wrt.split(","))
    return _IDENT.sub(sub, query), new_wrt


# ------------------------------------------------------------------------------------------
# Failing loudly: every script collects what went wrong and exits non-zero at the end.


class Failures:
    """What went wrong in a benchmark run. `add` prints the problem at once (so it is next
    to the figures it concerns) and keeps it; `finish` prints them all again at the end and
    returns the exit status: 0 when there were none, 1 otherwise."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, problem: str) -> None:
        self.items.append(problem)
        print(f"FAIL: {problem}", flush=True)

    def __bool__(self) -> bool:
        return bool(self.items)

    def finish(self, script: str) -> int:
        print()
        if not self.items:
            print(f"{script}: every run succeeded and every check passed (exit status 0)")
            return 0
        print(f"{script}: FAILED, {len(self.items)} problem(s) (exit status 1):")
        for item in self.items:
            print(f"  - {item}")
        return 1


# ------------------------------------------------------------------------------------------
# One core: thread counts and CPU affinity, set before numpy, jax or torch is imported
# (they size their thread pools at import; a thread keeps the affinity it was created with).

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false"


def pin_to_one_core(cpu: int | None = None) -> int:
    """Pin this process to one CPU (the highest-numbered one it may run on, or `cpu`) and ask
    every library for one thread: the BLAS variables, XLA's flag, both set before the library
    is imported. Returns the CPU. Must run before numpy/jax/torch are imported: threads that
    already exist keep their old affinity (`pinned_threads` finds them)."""
    allowed = sorted(os.sched_getaffinity(0))
    if cpu is None:
        cpu = allowed[-1]
    if cpu not in allowed:
        raise SystemExit(f"FAIL: CPU {cpu} is not one this process may run on ({allowed})")
    for var in THREAD_VARS:
        os.environ[var] = "1"
    flags = os.environ.get("XLA_FLAGS", "")
    if XLA_ONE_THREAD not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {XLA_ONE_THREAD}".strip()
    os.sched_setaffinity(0, {cpu})
    return cpu


def pinned_threads(cpu: int) -> tuple[int, list[str]]:
    """(number of threads of this process, the ones that may run on another CPU than `cpu`),
    read from /proc/self/task/*/status (Linux)."""
    bad, count = [], 0
    for tid in os.listdir("/proc/self/task"):
        try:
            cpus = os.sched_getaffinity(int(tid))
        except OSError:  # the thread has ended meanwhile
            continue
        count += 1
        if cpus != {cpu}:
            try:
                name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
            except OSError:
                name = "?"
            bad.append(f"thread {tid} ({name}) may run on CPUs {sorted(cpus)}")
    return count, bad


def cpu_seconds(fn, calls: int) -> float:
    """CPU seconds (all threads of the process: time.process_time) per call of fn(), over
    `calls` calls in a row, the garbage collector off. CPU time, not wall time: on a shared
    machine the time this process waits for the core is not counted."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        return (time.process_time() - t0) / calls
    finally:
        gc.enable()
