"""bench_core, section 3: SymPy side by side."""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import hr, median, pkg_version, rename, short
from _core_cli import run_once
from _core_sympy_cases import sympy_cases

# ------------------------------------------------------------------------------------------
# 3. SymPy side by side


SIZES = {"n": 3, "N": 4}


def values(seed=1):
    rng = np.random.default_rng(seed)
    n, N = SIZES["n"], SIZES["N"]
    return {
        "w": rng.normal(size=n),
        "x": rng.uniform(0.5, 2.0, size=n) * rng.choice([-1, 1], n),
        "A": rng.normal(size=(n, n)),
        "X": rng.normal(size=(N, n)),
        "y": rng.normal(size=N),
        "b": 0.7,
        "z": 1.3,
    }


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


def section_sympy(reps: int, failures):
    """SymPy's answers are findings about SymPy; matcalc's must all be right: an error or a
    disagreement with finite differences is a failure."""
    hr("3. SymPy `MatrixExpr.diff` (sympy.matrices.expressions) vs matcalc, same process")
    if pkg_version("sympy") == "not installed":
        failures.add("sympy is not installed (a dependency of matcalc): section 3 not run")
        return
    cmd = [
        sys.executable,
        "-c",
        "import time; t=time.perf_counter(); import sympy; print(time.perf_counter()-t)",
    ]
    runs = [run_once(cmd)[1] for _ in range(6)]
    if any(p.returncode != 0 for p in runs):
        failures.add(f"`{sys.executable} -c 'import sympy'` failed: {runs[-1].stderr[-300:]}")
        return
    imp = [float(p.stdout) for p in runs[1:]]
    print(
        f"import sympy (fresh interpreter, measured inside it): median {median(imp) * 1e3:.0f} ms"
        f" (5 runs)"
    )
    t0 = time.perf_counter()
    import sympy as sp
    from sympy.core.cache import clear_cache

    print(f"import sympy in this process: {(time.perf_counter() - t0) * 1e3:.0f} ms")
    import matcalc

    print("matcalc fresh: the query text with renamed variables, parse + derivative + simplify;")
    print("sympy   fresh: the expression built with new symbol names, then .diff (SymPy's cache")
    print(
        f"               cannot help; no parsing, no simplify) -- {reps} runs each, after a warm-up;"
    )
    print(f"warm: the same query / the same expression object again ({reps} runs).")
    print(
        f"check: both results evaluated at n={SIZES['n']}, N={SIZES['N']} against central "
        f"finite differences (sympy's column gradients are its denominator layout)."
    )
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
                except Exception as e:  # noqa: BLE001
                    marr = None
                    mtext += f"  [evaluate failed: {type(e).__name__}: {e}]"
                mc_cache[key] = (mtext, median(warm), median(fresh), marr)
            except Exception as e:  # noqa: BLE001
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
            res = expr.diff(var)  # warm-up (also the printed result)
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
            except Exception as e:  # noqa: BLE001
                scheck = f"could not evaluate ({type(e).__name__}: {short(e, 50)})"
        except Exception as e:  # noqa: BLE001
            stext = f"error: {type(e).__name__}: {short(e, 70)}"
            scheck = "unsupported"
        clear_cache()
        mcheck = verdict(marr, J) if marr is not None else "n/a"
        if mcheck != "ok":
            failures.add(
                f"section 3, {case.name} by {case.wrt}: matcalc {mcheck}: {short(mtext, 120)}"
            )
        ratio = (sfresh / mfresh) if (sfresh and mfresh) else None
        rows.append((case.name, mfresh, sfresh, ratio, mwarm, swarm, mcheck, scheck))
        details.append((case.name, mtext, mcheck, stext, scheck))

    def ms(v):
        return f"{v * 1e3:8.2f}" if v is not None else f"{'—':>8}"

    print()
    print("logistic = ln(1 + exp(−y w·x)), y scalar; NN loss = mean((y − max(0, Xw + b))²)")
    print(f"{'case':<50} {'matcalc':>8} {'sympy':>8} {'sympy/':>7} {'matcalc':>8} {'sympy':>8}")
    print(
        f"{'':<50} {'fresh ms':>8} {'fresh ms':>8} {'matcalc':>7} {'warm ms':>8} {'warm ms':>8}"
        f"  sympy's result"
    )
    for name, mf, sf, ratio, mw, sw, mc, sc in rows:
        r = f"{ratio:7.1f}" if ratio is not None else f"{'—':>7}"
        print(f"{short(name, 50):<50} {ms(mf)} {ms(sf)} {r} {ms(mw)} {ms(sw)}  {sc}")
    ok_ratios = [r[3] for r in rows if r[3] is not None and r[7].startswith("ok")]
    if ok_ratios:
        print(
            f"\nmedian ratio sympy/matcalc (fresh) over the {len(ok_ratios)} cases SymPy gets "
            f"right: {median(ok_ratios):.1f}x"
        )
    counts = {}
    for r in rows:
        k = (
            "ok"
            if r[7].startswith("ok")
            else "wrong"
            if r[7].startswith("WRONG")
            else "error/unsupported"
            if r[7] == "unsupported"
            else "not evaluated"
        )
        counts[k] = counts.get(k, 0) + 1
    print(
        f"sympy over {len(rows)} formulations: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + f"; matcalc: {sum(r[6].startswith('ok') for r in rows)}/{len(rows)} ok"
    )
    print()
    print("results side by side (matcalc: numerator layout; sympy: its own, gradients as columns):")
    for name, mtext, mcheck, stext, scheck in details:
        print(f"  {name}")
        print(f"      matcalc: {short(mtext, 150)}   [{mcheck}]")
        print(f"      sympy  : {short(stext, 150)}   [{scheck}]")
