"""bench_codegen's header: the machine, the versions, the threads and the pinning the
figures were measured with (a thread found off the pinned CPU is a failure)."""

from __future__ import annotations

import datetime
import os
import platform
import sys

import numpy as np
from _codegen_parts import blas_info
from _common import calibrate, loadavg, pinned_threads, pkg_version


def print_machine(jax, torch, failures, THREADS: int, CPU) -> None:
    """Print the header; `THREADS` is --threads, `CPU` the pinned CPU (None: not pinned)."""
    print("matcalc code-generation benchmark: generated NumPy vs jax / torch autodiff (CPU)")
    print(f"date            : {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"python          : {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})"
    )
    print(f"platform        : {platform.platform()}; processor {platform.processor() or '?'}")
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), "?")
    except OSError:
        pass
    print(f"cpu             : {cpu}; os.cpu_count() {os.cpu_count()}")
    print(
        f"load average    : {loadavg()}; CPU calibration {calibrate():.1f} ms (bench_core.py's loop)"
    )
    print(
        f"versions        : numpy {np.__version__} (BLAS {blas_info()}), jax {jax.__version__}, "
        f"jaxlib {pkg_version('jaxlib')}, torch {torch.__version__}, "
        f"matcalc {pkg_version('matcalc')}, sympy {pkg_version('sympy')}"
    )
    print(
        f"devices         : jax {jax.devices()}, x64 {jax.config.jax_enable_x64}; "
        f"torch threads {torch.get_num_threads()} (interop {torch.get_num_interop_threads()})"
    )
    env = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS")
        if k in os.environ
    }
    print(f"thread env vars : {env or 'none set (each library picks its own thread count)'}")
    print(
        "threads         : "
        + (
            f"{THREADS} for every library (--threads; set before import)"
            if THREADS > 0
            else "each library's default (--threads 0)"
        )
    )
    if CPU is not None:
        count, bad = pinned_threads(CPU)
        print(
            f"pinned          : CPU {CPU}; {count} threads, "
            + ("every one pinned to it" if not bad else f"{len(bad)} NOT pinned")
        )
        for b in bad:
            failures.add(f"--threads 1, but not on one core: {b}")
