"""bench_matrix, section 1: the Matrix Cookbook suite, matcalc beside SymPy's MatrixExpr.diff."""

from __future__ import annotations

import time
import warnings
from types import SimpleNamespace

import numpy as np
from _common import hr, median, rename, short
from _matrix_numbers import compare, err_text, finite_difference, random_point, value_of
from _matrix_sympy_forms import SYMPY_FORMS

import matcalc
from matcalc.api import _parse
from matcalc.testing import DIMENSION_SIZES as SIZES
from matcalc.testing import dimension_sizes

# ------------------------------------------------------------------------------------------
# 1. the Cookbook suite


def cookbook_rows() -> tuple[list, str]:
    """[(id, query, wrt)] from tests/test_cookbook.py (every first-derivative table). That
    module needs pytest (the `test` extra); without it this raises, and bench_matrix fails
    saying so: there is no second copy of the table to drift from the tests."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import test_cookbook as T
    tables = [
        n
        for n in (
            "LINEAR",
            "QUADRATIC",
            "TRACES",
            "INVERSES",
            "DETERMINANTS",
            "NORMS",
            "DEEP",
            "CROSS_ENTROPY",
        )
        if hasattr(T, n)
    ]
    rows = [(p.id, p.values[0], p.values[1]) for n in tables for p in getattr(T, n)]
    if not rows:
        raise ValueError("tests/test_cookbook.py has no first-derivative rows")
    return rows, (
        f"tests/test_cookbook.py, tables {' + '.join(tables)} "
        f"({len(rows)} first-derivative rows; the Hessian table is not included)"
    )


def sympy_symbols(sp, variables, suffix=""):
    """SymPy symbols for a parsed query's variables: MatrixSymbol(name, rows, cols) with
    Symbol dimensions (integer, positive), Symbol for scalars."""
    dims = {}

    def dim(d):
        if isinstance(d, int):
            return d
        if d not in dims:
            dims[d] = sp.Symbol(d + suffix, integer=True, positive=True)
        return dims[d]

    ns = {}
    for name, var in variables.items():
        sh = var.shape
        ns[name] = (
            sp.Symbol(name + suffix)
            if sh.is_scalar
            else sp.MatrixSymbol(name + suffix, dim(sh.rows), dim(sh.cols))
        )
    ns["one"] = sp.OneMatrix
    return SimpleNamespace(**ns), dims


def sympy_numeric(sp, r, syms, dims, sizes, vals):
    """A SymPy result (matrix expression, array expression or scalar) at the values."""
    r = r.subs({sym: sizes[name] for name, sym in dims.items()})
    subs = {}
    for ms in r.atoms(sp.MatrixSymbol):
        v = vals.get(ms.name)
        if v is not None:
            subs[ms] = sp.ImmutableMatrix(np.asarray(v, dtype=float).reshape(ms.shape).tolist())
    for name, v in vals.items():
        sym = getattr(syms, name, None)
        if isinstance(sym, sp.Symbol):
            subs[sym] = v
    r = r.subs(subs)
    for _ in range(2):
        if hasattr(r, "doit"):
            r = r.doit()
        if hasattr(r, "as_explicit"):
            try:
                r = r.as_explicit()
            except Exception:  # noqa: BLE001
                pass
    if hasattr(r, "tolist"):
        return np.vectorize(lambda v: float(sp.N(v)), otypes=[float])(
            np.array(r.tolist(), dtype=object)
        )
    return np.array(float(sp.N(r)), dtype=float)


def sympy_verdict(sp, res, syms, dims, sizes, vals, J) -> str:
    if res is None:
        return "n/a"
    if (
        getattr(res, "is_ZeroMatrix", False)
        or res == 0
        or type(res).__name__ in ("ZeroMatrix", "ZeroArray")
    ):
        return "WRONG (returns 0)" if not np.allclose(J, 0) else "ok"
    if res.has(sp.Derivative) or "Derivative" in type(res).__name__:
        return "unevaluated"
    try:
        arr = sympy_numeric(sp, res, syms, dims, sizes, vals)
    except Exception as err:  # noqa: BLE001
        return f"could not evaluate ({type(err).__name__}: {short(err, 40)})"
    return compare(arr, J, layout_free=True)


def time_matcalc_suite(rows, reps):
    """Fresh derivations (renamed each repetition), interleaved round-robin over the rows."""
    results, times, counter = {}, {i: [] for i in range(len(rows))}, 0
    ok = []
    for i, (rid, q, w) in enumerate(rows):
        try:
            d = matcalc.derivative(q, w)
            results[i] = (d, str(d))
            ok.append(i)
        except Exception as err:  # noqa: BLE001 -- reported by section_cookbook
            results[i] = (None, err_text(err))
    for _ in range(reps):
        for i in ok:
            rid, q, w = rows[i]
            counter += 1
            q2, w2 = rename(q, w, f"_{counter}")
            t0 = time.perf_counter()
            matcalc.derivative(q2, w2)
            times[i].append(time.perf_counter() - t0)
    return results, times


def section_cookbook(reps: int, sympy_reps: int, quick: bool, failures):
    """matcalc must derive every row and agree with finite differences (else a failure);
    SymPy's results are findings about SymPy, but a SymPy formulation whose value differs
    from the query's is a bug of this benchmark, and a failure."""
    try:
        rows, source = cookbook_rows()
    except Exception as err:  # noqa: BLE001 -- reported as a failure
        failures.add(
            f"cannot import the Cookbook rows from tests/test_cookbook.py ({err_text(err)}); "
            f"it needs pytest: pip install -e '.[test]'"
        )
        return
    if quick:
        rows = rows[::4]
    hr("1. Matrix Cookbook suite: matcalc.derivative vs SymPy MatrixExpr.diff, same process")
    print(f"rows: {source}{' (every 4th: --quick)' if quick else ''}")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sympy as sp
        from sympy.core.cache import clear_cache
    print(f"import sympy in this process: {(time.perf_counter() - t0) * 1e3:.0f} ms")
    matcalc.derivative("x: vector(n); x @ x", "x")  # builds the parser
    print(
        f"matcalc: parse + differentiate + simplify, fresh (every variable and dimension renamed "
        f"each repetition);\n         {reps} repetitions per row, round-robin over the rows."
    )
    print(
        f"sympy  : the expression built with new symbol names, then .diff (no parsing, no "
        f"simplify);\n         {sympy_reps} repetitions per row after one warm-up."
    )
    print(
        f"check  : both results evaluated at distinct sizes per dimension ({', '.join(map(str, SIZES[:4]))}, "
        f"… in order of first use) against\n         central finite differences of the "
        f"expression's value; SymPy's layout (gradient as a column, order-4\n         arrays "
        f"with its own axis order) is accepted up to a permutation of axes."
    )

    t_section = time.perf_counter()
    results, times = time_matcalc_suite(rows, reps)
    t_suite = time.perf_counter() - t_section

    table = []
    for i, (rid, q, w) in enumerate(rows):
        d, text = results[i]
        expr, variables = _parse(q, None)
        sizes = dimension_sizes(variables)
        vals = random_point(expr, variables, seed=i)
        try:
            J = finite_difference(expr, variables, w, vals)
        except Exception as err:  # noqa: BLE001
            J = None
            jerr = err_text(err)
        if d is None:
            mcheck = "n/a (error)"
        elif J is None:
            mcheck = f"no reference ({short(jerr, 40)})"
        else:
            try:
                mcheck = compare(d.evaluate(vals), J)
            except Exception as err:  # noqa: BLE001
                mcheck = f"evaluate failed ({short(err_text(err), 50)})"
        if d is None:
            failures.add(f"cookbook {rid} by {w}: matcalc raised {text}")
        elif mcheck != "ok":
            failures.add(f"cookbook {rid} by {w}: matcalc's result {mcheck}")
        mt = median(times[i]) if times[i] else None
        row = dict(
            id=rid, query=q, wrt=w, mtext=text, mt=mt, mcheck=mcheck, st=None, stext="", scheck=""
        )
        build = SYMPY_FORMS.get(rid)
        if build is not None and J is not None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    syms, dims = sympy_symbols(sp, variables)
                    e = build(sp, syms)
                    # the SymPy expression must be the same function as the query
                    ev = sympy_numeric(sp, e, syms, dims, sizes, vals)
                    mine = value_of(expr, variables, vals)
                    if ev.size != mine.size or not np.allclose(
                        ev.reshape(mine.shape), mine, rtol=1e-8, atol=1e-10
                    ):
                        raise RuntimeError(
                            "benchmark bug: the SymPy formulation has another value than the query"
                        )
                    res = e.diff(getattr(syms, w))
                    row["stext"] = str(res)
                    ts = []
                    for k in range(sympy_reps):
                        syms2, _ = sympy_symbols(sp, variables, f"_{i}_{k}")
                        t0 = time.perf_counter()
                        e2 = build(sp, syms2)
                        e2.diff(getattr(syms2, w))
                        ts.append(time.perf_counter() - t0)
                    row["st"] = median(ts)
                    row["scheck"] = sympy_verdict(sp, res, syms, dims, sizes, vals, J)
            except Exception as err:  # noqa: BLE001
                if "benchmark bug" in str(err):
                    row["scheck"] = str(err)
                    failures.add(f"cookbook {rid}: {err}")
                else:
                    row["scheck"] = f"error: {type(err).__name__}: {short(err, 60)}"
            clear_cache()
        table.append(row)

    def ms(v):
        return f"{v * 1e3:8.2f}" if v is not None else f"{'—':>8}"

    print()
    print(
        f"{'#':>3} {'row (Cookbook eq.)':<28} {'wrt':<3} {'matcalc':>8} {'sympy':>8} "
        f"{'sympy/':>7}  {'matcalc':<9} sympy's result"
    )
    print(f"{'':>3} {'':<28} {'':<3} {'ms':>8} {'ms':>8} {'matcalc':>7}  {'check':<9}")
    for k, r in enumerate(table, 1):
        ratio = r["st"] / r["mt"] if r["st"] and r["mt"] else None
        r["ratio"] = ratio
        rs = f"{ratio:7.1f}" if ratio is not None else f"{'—':>7}"
        mc = "ok" if r["mcheck"] == "ok" else r["mcheck"]
        sc = r["scheck"] if r["id"] in SYMPY_FORMS else "(not expressed in SymPy)"
        print(
            f"{k:>3} {short(r['id'], 28):<28} {r['wrt']:<3} {ms(r['mt'])} {ms(r['st'])} {rs}  "
            f"{short(mc, 9):<9} {short(sc, 60)}"
        )

    mts = [r["mt"] for r in table if r["mt"] is not None]
    print()
    print(
        f"matcalc over the suite ({len(mts)} rows derived, {len(table) - len(mts)} errors): "
        f"median {median(mts) * 1e3:.2f} ms, max {max(mts) * 1e3:.2f} ms "
        f"({short(max(table, key=lambda r: r['mt'] or 0)['id'], 40)}); "
        f"whole suite once (sum of medians) {sum(mts) * 1e3:.0f} ms"
    )
    mbad = [r for r in table if r["mcheck"] != "ok"]
    print(
        f"matcalc numeric check: {len(table) - len(mbad)}/{len(table)} ok"
        + (
            ""
            if not mbad
            else "; NOT ok: " + "; ".join(f"{r['id']}: {short(r['mcheck'], 60)}" for r in mbad)
        )
    )
    paired = [r for r in table if r["id"] in SYMPY_FORMS]
    timed = [r for r in paired if r.get("ratio")]
    right = [r for r in timed if r["scheck"].startswith("ok")]
    print(
        f"side by side: {len(paired)} rows expressed in SymPy, {len(timed)} timed; "
        f"over those: matcalc median {median([r['mt'] for r in timed]) * 1e3:.2f} ms, "
        f"sympy median {median([r['st'] for r in timed]) * 1e3:.2f} ms"
    )
    if timed:
        print(
            f"median ratio sympy/matcalc: {median([r['ratio'] for r in timed]):.1f}x over the "
            f"{len(timed)} timed rows; {median([r['ratio'] for r in right]):.1f}x over the "
            f"{len(right)} rows SymPy gets right"
            if right
            else ""
        )
    counts = {}
    for r in paired:
        s = r["scheck"]
        k = (
            "ok"
            if s.startswith("ok")
            else "WRONG (returns 0)"
            if s == "WRONG (returns 0)"
            else "WRONG (other)"
            if s.startswith("WRONG")
            else "unevaluated"
            if s == "unevaluated"
            else "error"
            if s.startswith("error")
            else "could not evaluate"
            if s.startswith("could not")
            else s
        )
        counts[k] = counts.get(k, 0) + 1
    print(
        "sympy's results: "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    )
    notok = [r for r in paired if not r["scheck"].startswith("ok")]
    if notok:
        print()
        print("rows where SymPy is not right (its printed result; matcalc's result):")
        for r in notok:
            print(f"  {r['id']}  by {r['wrt']}: {r['scheck']}")
            print(f"      sympy  : {short(r['stext'] or '—', 140)}")
            print(f"      matcalc: {short(r['mtext'], 140)}   [{r['mcheck']}]")
    print(
        f"\n(section 1 took {time.perf_counter() - t_section:.0f} s, of which matcalc timing "
        f"{t_suite:.1f} s)"
    )
