"""What the benchmark scripts share: a calibration workload and the load average, printed
with every run so that figures from different runs (and a busy machine) can be compared."""
from __future__ import annotations

import importlib.metadata
import os
import time
from statistics import median


def calibrate() -> float:
    """A fixed pure-Python workload, so figures from different runs can be compared."""
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        d = {}
        for i in range(200_000):
            d[(i, i & 7)] = str(i)
        ts.append(time.perf_counter() - t0)
    return median(ts) * 1e3


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
