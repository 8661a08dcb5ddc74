"""Run N random matcalc queries against their own NumPy oracle and count the failures.

    python -m fuzz.run [--n 100000] [--seed 0] [--jobs 2] [--timeout 20] [--check-rate 0.02]
                       [--examples 3] [--shrink 30] [--json FILE]

Prints the count per class (silent-wrong, traceback, broken-codegen, false-error,
check-disagrees, honest-refusal, timeout, skipped) and per failure key, with the shortest
examples of each key shrunk to a minimal query (text, wrt, shapes, layout) ready to paste into
tests/test_fuzz.py's REGRESSIONS. Exit status 1 if any failing class remains (see
fuzz/harness.py FAILING), else 0. Run from the repository root (it imports ./matcalc).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter, defaultdict

if __package__ in (None, ""):  # `python fuzz/run.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz.case import draw_case
from fuzz.generate import RandomChooser
from fuzz.harness import FAILING, CaseTimeout, Failure, Outcome, run_case
from fuzz.shrink import shrink

_OPTIONS: dict = {}


def case_for(seed: int, i: int):
    return draw_case(RandomChooser(seed * 1_000_003 + i))


def _alarm(signum, frame):
    raise CaseTimeout()


def work(i: int):
    seed, timeout, check_rate = (_OPTIONS[k] for k in ("seed", "timeout", "check_rate"))
    case = case_for(seed, i)
    check = check_rate > 0 and (i * 2654435761 % 1000) < check_rate * 1000
    out = Outcome()
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        run_case(case, i, check=check, out=out)
    except CaseTimeout:
        out.failures.append(Failure("timeout", f"timeout:{out.stage}", f"over {timeout} s"))
    except Exception as err:  # noqa: BLE001  (our own bug)
        out.failures.append(
            Failure("harness-error", f"harness-error:{type(err).__name__}", str(err))
        )
    finally:
        signal.alarm(0)
    return (
        i,
        out.skipped,
        [(f.cls, f.key, f.detail) for f in out.failures],
        time.perf_counter() - start,
        check,
    )


def _init(options):
    _OPTIONS.update(options)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=20, help="seconds per case")
    ap.add_argument(
        "--check-rate",
        type=float,
        default=0.02,
        help="fraction of cases also run through the SymPy check",
    )
    ap.add_argument("--examples", type=int, default=3, help="examples shown per key")
    ap.add_argument(
        "--shrink",
        type=float,
        default=30.0,
        help="seconds spent shrinking the first example of each failing key",
    )
    ap.add_argument("--json", help="write every failure (case and detail) here")
    args = ap.parse_args(argv)
    options = {"seed": args.seed, "timeout": args.timeout, "check_rate": args.check_rate}
    start = time.perf_counter()
    results = []
    if args.jobs <= 1:
        _init(options)
        results = [work(i) for i in range(args.n)]
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(
            args.jobs, _init, (options,), maxtasksperchild=2000
        ) as pool:
            results = list(pool.imap_unordered(work, range(args.n), chunksize=20))
    elapsed = time.perf_counter() - start
    return report(results, args, elapsed)


def report(results, args, elapsed) -> int:
    n = len(results)
    per_class: Counter = Counter()
    per_key: dict = defaultdict(list)
    skipped: Counter = Counter()
    checked = sum(r[4] for r in results)
    for i, skip, failures, _, _ in results:
        if skip:
            skipped[skip] += 1
        for cls in {f[0] for f in failures}:
            per_class[cls] += 1
        for cls, key, detail in {(f[0], f[1], f[2]) for f in failures}:
            per_key[key].append((i, cls, detail))
    print(
        f"{n} cases in {elapsed:.0f} s ({n / elapsed:.1f} cases/s, jobs={args.jobs}); "
        f"{checked} also through check(); {sum(skipped.values())} skipped (no point in "
        f"the domain: {dict(skipped.most_common(4))})"
    )
    print("\ncases per class (per 1000):")
    for cls, k in per_class.most_common():
        print(f"  {cls:18s} {k:6d}  ({1000 * k / n:.1f})")
    print("\nper failure key:")
    dump = []
    for key, hits in sorted(per_key.items(), key=lambda kv: -len(kv[1])):
        cls = hits[0][1]
        print(f"\n[{len(hits)}] ({1000 * len(hits) / n:.2f}/1000) {key}")
        cases = sorted(
            ((case_for(args.seed, i), i, detail) for i, _, detail in hits),
            key=lambda t: len(t[0].query),
        )
        for case, i, detail in cases[: args.examples]:
            print(f"    #{i}: {_describe(case)}")
            print("        " + detail.splitlines()[0][:300])
        if cls in FAILING and args.shrink > 0:
            case, i, _ = cases[0]
            small = shrink(case, key, seed=i, budget_s=args.shrink, check=cls == "check-disagrees")
            print(f"    minimal (seed {i}): {_describe(small)}")
            print(
                f"        regression: {json.dumps({**small.as_dict(), 'seed': i}, ensure_ascii=False)}"
            )
        dump += [
            {"key": key, "class": cls, "seed": i, "detail": d, **case_for(args.seed, i).as_dict()}
            for i, _, d in hits[:50]
        ]
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dump, fh, ensure_ascii=False, indent=1)
    bad = sum(per_class[c] for c in FAILING)
    print(f"\n{bad} failing cases ({1000 * bad / max(n, 1):.1f} per 1000)")
    return 1 if bad else 0


def _describe(case) -> str:
    return f"query={case.query!r} wrt={case.wrt!r} shapes={case.shapes!r} layout={case.layout}"


if __name__ == "__main__":
    sys.exit(main())
