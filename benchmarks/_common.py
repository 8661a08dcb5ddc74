"""What the benchmark scripts share: a calibration workload, the load average and the
machine's description, printed with every run so that figures from different runs (and a
busy machine) can be compared; medians, short labels, and renaming a query's variables so
that a timed run shares no interned node with an earlier one. The numbers a benchmark
checks a derivative with come from `matcalc.testing`."""

from __future__ import annotations

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
_KEYWORDS = {"scalar", "vector", "matrix", "symmetric", "simplex"}


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
