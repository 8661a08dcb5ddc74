"""One fuzz case through every face of a `Derivative`, against the case's own NumPy oracle.

Stages: derivative → shape → evaluate (vs the complex step of the oracle) → str / latex /
steps → to_numpy (compiled and run: value vs the oracle, derivative vs evaluate) → hessian
(scalar outputs by a scalar, a vector or a small matrix: vs central differences of the
oracle's gradient) →
check (SymPy, when asked). Failures are classified:

- silent-wrong     a shape or a value that disagrees with the oracle
- traceback        an exception that is not a MatcalcError (key: type @ file:function of the
                   innermost matcalc frame)
- broken-codegen   generated source that does not compile, raises, or disagrees
- false-error      a MatcalcError on a well-shaped query that is not an honest refusal
- check-disagrees  `check()` raises CheckFailed (on a derivative evaluate got right, or not)
- honest-refusal   UnsupportedError, LimitError, or a message saying "unsupported"/"limit"
- timeout          the case ran out of time (fuzz/run.py's --timeout)

A derivative by a symmetric matrix is compared on symmetric directions only (sym(D) against
sym(oracle)), one by a simplex on directions that keep the sum (entries minus their mean):
the unconstrained gradient and the symmetrised one both pass.
"""

from __future__ import annotations

import inspect
import os
import re
import signal
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

import matcalc
from matcalc import testing as T
from matcalc.errors import MatcalcError

from .case import Case

FAILING = ("silent-wrong", "traceback", "broken-codegen", "false-error", "check-disagrees")
_HONEST = tuple(
    getattr(matcalc.errors, n)
    for n in ("UnsupportedError", "LimitError")
    if hasattr(matcalc.errors, n)
)
_HONEST_TEXT = re.compile(
    r"unsupported|not supported|limit|budget|too (large|big|deep)", re.IGNORECASE
)


class CaseTimeout(BaseException):
    """Raised by fuzz/run.py's alarm; a BaseException so no stage swallows it."""


@dataclass
class Failure:
    cls: str
    key: str
    detail: str = ""


@dataclass
class Outcome:
    failures: list = field(default_factory=list)
    skipped: str | None = None
    stage: str = "start"

    @property
    def failing(self) -> list:
        return [f for f in self.failures if f.cls in FAILING]


def _norm(msg: str) -> str:
    msg = str(msg).splitlines()[0] if str(msg) else ""
    msg = re.sub(r"^[a-z ]+ at line \d+, column \d+: ", "", msg)
    msg = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", msg)
    msg = re.sub(r"\d+", "#", msg)
    return msg[:60]


def classify(stage: str, err: BaseException) -> Failure:
    detail = f"{type(err).__name__}: {err}"
    if isinstance(err, MatcalcError):
        message = getattr(err, "message", str(err))
        name = type(err).__name__
        if stage == "check" and name == "CheckFailed":
            return Failure("check-disagrees", "check-disagrees", detail)
        if isinstance(err, _HONEST) or _HONEST_TEXT.search(message):
            return Failure(
                "honest-refusal", f"honest-refusal:{stage}:{name}:{_norm(message)}", detail
            )
        return Failure("false-error", f"false-error:{stage}:{name}:{_norm(message)}", detail)
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if f"{os.sep}matcalc{os.sep}" in f.filename] or frames
    where = f"{os.path.basename(ours[-1].filename)}:{ours[-1].name}" if ours else "?"
    detail += "\n" + "".join(traceback.format_list(frames[-3:]))
    return Failure("traceback", f"traceback:{stage}:{type(err).__name__}@{where}", detail)


# ---------------------------------------------------------------- the oracle
def oracle(case: Case):
    """fun(values, record=False) -> (NumPy-shaped value, Ops) of the case's own lowering."""
    code = compile(case.oracle, "<oracle>", "eval")

    def fun(values, ops=None):
        V = {n: T.as_2d(values[n], s) for n, s in case.specs.items()}
        out = eval(code, {"O": ops or T.Ops(record=False), "V": V})  # noqa: S307  our own lowering
        return T.natural(np.broadcast_to(out, _dims(case.out, V, case.specs)), case.out)

    return fun


def _dims(out, V, specs) -> tuple:
    sizes = {}
    for n, s in specs.items():
        for d, actual in zip(T.spec_dims(s), V[n].shape):
            sizes[d] = actual
    return tuple(d if isinstance(d, int) else sizes[d] for d in out)


def sample_point(case: Case, fun, seed: int, tries: int = 8):
    sizes = T.sizes_for(case.specs, seed)
    rng = np.random.default_rng(seed)
    reasons = []
    for _ in range(tries):
        values = T.random_values(case.specs, sizes, rng)
        ops = T.Ops(record=True)
        value = fun(values, ops)
        if not ops.valid:
            reasons.append(ops.problems[0])
            continue
        if not np.all(np.isfinite(value)) or np.max(np.abs(value), initial=0) > T.MAX_MAGNITUDE:
            reasons.append("overflow")
            continue
        return values, value, None
    return None, None, max(set(reasons), key=reasons.count)


def _names(case: Case) -> list:
    return [case.wrt] if isinstance(case.wrt, str) else list(case.wrt)


def oracle_jacobian(case: Case, fun, values, value) -> np.ndarray:
    parts = [T.complex_step(fun, values, n) for n in _names(case)]
    if isinstance(case.wrt, str):
        jac, k = parts[0], np.ndim(values[case.wrt])
    else:
        jac, k = np.stack(parts, axis=-1), 1
    if case.layout == "denominator":
        m = np.ndim(value)
        jac = np.transpose(jac, tuple(range(m, m + k)) + tuple(range(m)))
    return jac


def project(case: Case, arr, value_ndim: int):
    """Only the directions the variable can move in: symmetric ones, or sum-keeping ones."""
    if not isinstance(case.wrt, str):
        return arr
    kind, _ = T.parse_spec(case.specs[case.wrt])
    arr = np.asarray(arr, dtype=float)
    if kind not in ("symmetric", "simplex"):
        return arr
    k = 2 if kind == "symmetric" else 1
    axes = list(range(k)) if case.layout == "denominator" else list(range(arr.ndim - k, arr.ndim))
    moved = np.moveaxis(arr, axes, list(range(arr.ndim - k, arr.ndim)))
    if kind == "symmetric":
        moved = (moved + np.swapaxes(moved, -1, -2)) / 2
    else:
        moved = moved - moved.mean(axis=-1, keepdims=True)
    return np.moveaxis(moved, list(range(arr.ndim - k, arr.ndim)), axes)


def _resolve_shape(d, case: Case, values) -> tuple:
    sizes = {}
    for name, var in d.variables.items():
        if name in values:
            actual = T.as_2d(values[name], case.specs[name]).shape
            for dim, n in zip((var.shape.rows, var.shape.cols), actual):
                if isinstance(dim, str):
                    sizes[dim] = n
    return tuple(sizes.get(x, x) if isinstance(x, str) else x for x in d.shape)


def _show(a) -> str:
    return np.array2string(
        np.asarray(a, dtype=float), precision=4, threshold=30, suppress_small=True
    ).replace("\n", " ")


# ---------------------------------------------------------------- one case
def run_case(
    case: Case,
    seed: int = 0,
    *,
    check: bool | int = False,
    hessian: bool = True,
    codegen: bool = True,
    render: bool = True,
    out: Outcome | None = None,
) -> Outcome:
    """Run the stages; `check` True runs check(n=2), a number runs it with that many seconds."""
    out = out if out is not None else Outcome()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        _run(case, seed, out, check, hessian, codegen, render)
    return out


def _stage(out: Outcome, stage: str, fn):
    out.stage = stage
    try:
        return True, fn()
    except Exception as err:  # noqa: BLE001
        out.failures.append(classify(stage, err))
        return False, None


def _run(case, seed, out, check, hessian, codegen, render):
    fun = oracle(case)
    values, value, reason = sample_point(case, fun, seed)
    if values is None:
        out.skipped = reason
        return
    ok, d = _stage(
        out,
        "derivative",
        lambda: matcalc.derivative(case.query, case.wrt, shapes=case.shapes, layout=case.layout),
    )
    if not ok:
        return
    want = oracle_jacobian(case, fun, values, value)
    m = np.ndim(value)
    ok, shape = _stage(out, "shape", lambda: _resolve_shape(d, case, values))
    if ok and shape != want.shape:
        out.failures.append(
            Failure(
                "silent-wrong",
                "silent-wrong:shape",
                f"Derivative.shape {d.shape} = {shape}, oracle {want.shape}",
            )
        )
    ok, got = _stage(out, "evaluate", lambda: np.asarray(d.evaluate(values), dtype=float))
    right = False
    if ok:
        if got.shape != want.shape:
            out.failures.append(
                Failure(
                    "silent-wrong",
                    "silent-wrong:evaluate-shape",
                    f"evaluate shape {got.shape}, oracle {want.shape}",
                )
            )
        elif not T.close(project(case, got, m), project(case, want, m)):
            out.failures.append(
                Failure(
                    "silent-wrong",
                    "silent-wrong:value",
                    f"evaluate {_show(got)} vs oracle {_show(want)} at {_values_text(values)}",
                )
            )
        else:
            right = True
    if render:
        _stage(out, "str", lambda: str(d))
        _stage(out, "latex", d.latex)
        _stage(out, "steps", lambda: str(d.steps))
        _stage(out, "steps-latex", lambda: d.steps.latex())
    if codegen:
        _codegen(case, d, values, value, want, got if ok else None, right, out)
    if (
        hessian
        and case.out == (1, 1)
        and isinstance(case.wrt, str)
        and T.parse_spec(case.specs[case.wrt])[0] in ("scalar", "vector", "matrix")
        and np.size(values[case.wrt]) <= 9
    ):  # by a matrix: order 4, kept small
        _hessian(case, fun, values, out)
    if check:
        _check(d, out, check)


def _alarm(signum, frame):
    raise CaseTimeout()


def _check(d, out, check):
    """check(n=2); `check` a number of seconds bounds it (SIGALRM: main thread, Unix)."""
    if check is True or not hasattr(signal, "SIGALRM"):
        _stage(out, "check", lambda: d.check(n=2))
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(check))
    try:
        _stage(out, "check", lambda: d.check(n=2))
    except CaseTimeout:
        out.failures.append(Failure("timeout", "timeout:check", f"over {int(check)} s"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _values_text(values) -> str:
    return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in values.items()) + "}"


def _codegen(case, d, values, value, want, got, right, out):
    ok, source = _stage(out, "to_numpy", d.to_numpy)
    if not ok:
        return
    namespace: dict = {"__name__": "matcalc_generated"}
    try:
        exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102  matcalc's output
        f = namespace["f"]
        args = [values[p] for p in inspect.signature(f).parameters]
    except Exception as err:  # noqa: BLE001
        out.failures.append(
            Failure(
                "broken-codegen",
                f"broken-codegen:compile:{type(err).__name__}",
                f"{type(err).__name__}: {err}",
            )
        )
        return
    try:
        v, dv = f(*args)
    except Exception as err:  # noqa: BLE001
        frames = traceback.extract_tb(err.__traceback__)
        line = frames[-1].line if frames else ""
        out.failures.append(
            Failure(
                "broken-codegen",
                f"broken-codegen:call:{type(err).__name__}",
                f"{type(err).__name__}: {err} at `{line}`",
            )
        )
        return
    if np.shape(v) != np.shape(value) or not T.close(v, value):
        out.failures.append(
            Failure(
                "broken-codegen",
                "broken-codegen:value",
                f"f value {_show(v)} vs oracle {_show(value)}",
            )
        )
    dv = np.asarray(dv, dtype=float)
    ref = got if got is not None else want
    same = dv.shape == ref.shape and np.allclose(dv, ref, rtol=1e-6, atol=1e-8, equal_nan=True)
    if not same and not (dv.shape == want.shape and T.close(dv, want)):
        out.failures.append(
            Failure(
                "broken-codegen",
                "broken-codegen:derivative",
                f"f derivative {_show(dv)} vs evaluate {_show(ref)}",
            )
        )


def _hessian(case, fun, values, out):
    ok, h = _stage(
        out, "hessian", lambda: matcalc.hessian(case.query, case.wrt, shapes=case.shapes)
    )
    if not ok:
        return
    ok, H = _stage(out, "hessian-evaluate", lambda: np.asarray(h.evaluate(values), dtype=float))
    if not ok:
        return
    grad = lambda vals: T.complex_step(fun, vals, case.wrt)  # noqa: E731
    coarse = T.central_difference(grad, values, case.wrt, h=2e-5)
    fine = T.central_difference(grad, values, case.wrt, h=1e-5)
    want = (4 * fine - coarse) / 3  # Richardson: error O(h⁴)
    noise = np.max(np.abs(fine - coarse), initial=0)  # how far the differences are trusted
    if H.shape != want.shape:
        out.failures.append(
            Failure(
                "silent-wrong",
                "silent-wrong:hessian-shape",
                f"hessian evaluate shape {H.shape}, oracle {want.shape}",
            )
        )
    elif not T.close(H, want, rtol=1e-4, atol=1e-5) and np.max(np.abs(H - want)) > 10 * noise:
        out.failures.append(
            Failure(
                "silent-wrong",
                "silent-wrong:hessian-value",
                f"hessian {_show(H)} vs oracle {_show(want)}",
            )
        )
