"""The long run of the hypothesis fuzzers (fuzz/batched.py, fuzz/batched_tensors.py): random,
not derandomized cases, every failure printed, exit status 1 if any failed."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["run_cases"]


def run_cases(queries: object, compare: object, n: int) -> int:
    """`n` random (not derandomized) cases drawn from the strategy `queries`, each given to
    `compare(term, seed)`; every failure printed; 1 if any failed, else 0. The long-run
    entry of this module and of fuzz/batched_tensors.py."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import UnsatisfiedAssumption

    failures: list[tuple] = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(queries, st.integers(0, 2**16))
    def run(term, seed):
        try:
            compare(term, seed)
        except UnsatisfiedAssumption:
            raise
        except Exception as e:  # noqa: BLE001 -- every failure is collected and printed
            failures.append((term.text, seed, f"{type(e).__name__}: {str(e)[:800]}"))

    run()
    for text, seed, problem in failures:
        print(f"query={text!r} seed={seed}\n  {problem}\n")
    print(f"{n} cases, {len(failures)} failure(s)")
    return 1 if failures else 0
