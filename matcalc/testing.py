"""Helpers for testing derivatives numerically, independent of matcalc's own evaluator.

- `sizes_for` and `numpy_shape`: symbolic dimensions -> distinct concrete sizes -> array shapes.
- `random_values`: a random point for declared shapes ("vector(n)", "symmetric(n)",
  "simplex(n)", …): square matrices near 2I (invertible, positive determinant), symmetric
  ones symmetric, simplex vectors positive and summing to 1.
- `Ops`: NumPy lowerings of matcalc's operations that are safe for the complex step
  (`abs`, `max`, `sign` and comparisons branch on the real part) and that record how far
  the point is from every kink (abs/max/sign/comparison) and from every domain edge
  (log, fractional powers, norm, det, inv, tan, division): `Ops.valid` says whether the
  point is safe for differences.
- `complex_step` and `central_difference`: the Jacobian of `fun(values)` by one variable,
  shaped output + variable (the numerator layout of `Derivative.evaluate`); `jacobian`:
  central differences shaped as `Derivative.evaluate` returns them in any layout, by one
  variable or a list of scalars; `dimension_sizes`: sizes for matcalc's variables.

Used by the tests (tests/helpers.py's three-way check, tests/test_fuzz.py), fuzz/ (the
random-expression harness), the benchmarks and `matcalc.jupyter.finite_differences`;
importing this module imports NumPy only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

__all__ = [
    "CENTRAL_STEP",
    "COMPLEX_STEP",
    "DOMAIN_MARGIN",
    "KINK_MARGIN",
    "MAX_CONDITION",
    "MAX_MAGNITUDE",
    "SIZES",
    "TAN_MARGIN",
    "TRIG_MAX_ARGUMENT",
    "Ops",
    "as_2d",
    "central_difference",
    "close",
    "complex_step",
    "dimension_sizes",
    "jacobian",
    "natural",
    "numpy_shape",
    "parse_spec",
    "random_values",
    "size",
    "sizes_for",
    "spec_dims",
]

KINK_MARGIN = 1e-3  # |a − b| at max/compare, |u| at abs/sign, at least this
DOMAIN_MARGIN = 1e-3  # log/sqrt/power arguments at least this; |det| at least this
MAX_CONDITION = 1e6  # inv/det of a matrix this ill-conditioned is refused
TAN_MARGIN = 1e-2  # |cos u| at least this under tan
# |u| at most this under sin/cos/tan: past it one ulp of u is a large part of a period, so
# sin(u) is ill-conditioned and no difference quotient can judge its derivative
TRIG_MAX_ARGUMENT = 1e8
MAX_MAGNITUDE = 1e6  # a value this large is refused (overflow, poles)
COMPLEX_STEP = 1e-20
CENTRAL_STEP = 1e-6
SIZES = (3, 2, 4, 5)  # distinct sizes for symbolic dimensions, in order of first use
DIMENSION_SIZES = (3, 2, 4, 5, 6, 7)  # the same for matcalc's variables (dimension_sizes)

_SPEC = re.compile(r"^\s*(scalar|vector|matrix|symmetric|simplex)\s*(?:\(([^()]*)\))?\s*$")


# ---------------------------------------------------------------- shapes -> sizes
def parse_spec(spec: str) -> tuple[str, tuple]:
    """ "matrix(m, n)" -> ("matrix", ("m", "n")); numbers become ints."""
    m = _SPEC.match(spec)
    if not m:
        raise ValueError(f"unknown shape {spec!r}")
    dims = tuple(
        int(d) if d.strip().isdigit() else d.strip()
        for d in (m.group(2) or "").split(",")
        if d.strip()
    )
    return m.group(1), dims


def spec_dims(spec: str) -> tuple:
    """The (rows, cols) of a spec: scalar (1, 1), vector(n) (n, 1), symmetric(n) (n, n)."""
    kind, dims = parse_spec(spec)
    if kind == "scalar":
        return (1, 1)
    if kind in ("vector", "simplex"):
        return (dims[0], 1)
    if kind == "symmetric":
        return (dims[0], dims[0])
    return (dims[0], dims[1])


def sizes_for(specs: dict, seed: int | None = None) -> dict:
    """{dimension name: size}: distinct sizes (3, 2, 4, 5 in order of first use, or a
    random permutation of them when `seed` is given), avoiding integers already used."""
    names, used = [], set()
    for spec in specs.values():
        for d in spec_dims(spec):
            if isinstance(d, str) and d not in names:
                names.append(d)
            elif isinstance(d, int):
                used.add(d)
    pool = [s for s in SIZES if s not in used] + [s for s in SIZES if s in used]
    if seed is not None:
        pool = list(np.random.default_rng(seed).permutation(pool))
    return {d: int(pool[i % len(pool)]) for i, d in enumerate(names)}


def dimension_sizes(variables: dict) -> dict:
    """{dimension name: size} for matcalc's variables ({name: Var}): 3, 2, 4, 5, 6, 7 in
    order of first use (distinct, so that a transposition shows)."""
    names: list = []
    for var in variables.values():
        for d in (var.shape.rows, var.shape.cols):
            if isinstance(d, str) and d not in names:
                names.append(d)
    return {d: DIMENSION_SIZES[i % len(DIMENSION_SIZES)] for i, d in enumerate(names)}


def size(dim: int | str, sizes: dict) -> int:
    return dim if isinstance(dim, int) else sizes[dim]


def numpy_shape(spec: str, sizes: dict) -> tuple:
    """The NumPy shape of a value: () scalar, (n,) vector, (m, n) matrix."""
    kind, _ = parse_spec(spec)
    r, c = (size(d, sizes) for d in spec_dims(spec))
    return () if kind == "scalar" else (r,) if kind in ("vector", "simplex") else (r, c)


def random_values(specs: dict, sizes: dict, rng: np.random.Generator) -> dict:
    """A random point: entries ±[0.2, 1.2]; square matrices 2I + noise (invertible, with a
    positive determinant); symmetric ones symmetric; simplex vectors positive, summing to 1."""
    values = {}
    for name, spec in specs.items():
        kind, _ = parse_spec(spec)
        shape = numpy_shape(spec, sizes)
        v = rng.uniform(0.2, 1.2, shape) * rng.choice([-1.0, 1.0], shape)
        if kind == "simplex":
            v = rng.uniform(0.2, 1.0, shape)
            v = v / v.sum()
        elif len(shape) == 2 and shape[0] == shape[1]:
            v = 2 * np.eye(shape[0]) + 0.3 * v
            if kind == "symmetric":
                v = (v + v.T) / 2
        values[name] = float(v) if shape == () else v
    return values


# ---------------------------------------------------------------- complex-step-safe operations
class Ops:
    """matcalc's operations on 2-D arrays (scalar 1×1, vector n×1, row 1×n), valid for
    complex arguments (the complex step), recording the distance to kinks and domain edges
    of the real part: `valid` is False when some margin is violated."""

    def __init__(self, record: bool = True):
        self.record = record
        self.problems: list[str] = []

    def _need(self, ok, what):
        if self.record and not np.all(ok):
            self.problems.append(what)

    @property
    def valid(self) -> bool:
        return not self.problems

    # element-wise, analytic
    def exp(self, u):
        self._need(u.real < 50, "exp overflow")
        return np.exp(u)

    def log(self, u):
        self._need(u.real > DOMAIN_MARGIN, "log of a non-positive")
        return np.log(u)

    def _periodic(self, u):
        self._need(np.abs(u.real) < TRIG_MAX_ARGUMENT, "trig of a huge argument")

    def sin(self, u):
        self._periodic(u)
        return np.sin(u)

    def cos(self, u):
        self._periodic(u)
        return np.cos(u)

    def tan(self, u):
        self._periodic(u)
        self._need(np.abs(np.cos(u.real)) > TAN_MARGIN, "tan near a pole")
        return np.tan(u)

    def tanh(self, u):
        return np.tanh(u)

    def sigmoid(self, u):
        self._need(np.abs(u.real) < 50, "sigmoid overflow")
        return 1 / (1 + np.exp(-u))

    def softplus(self, u):
        self._need(u.real < 50, "softplus overflow")
        return np.log1p(np.exp(u))

    def power(self, u, k):
        k = np.asarray(k)
        if k.size == 1 and k.real.item() == round(k.real.item()) and np.all(k.imag == 0):
            e = round(k.real.item())
            if e < 0:
                self._need(np.abs(u.real) > DOMAIN_MARGIN, "negative power of ~0")
                return 1 / u ** (-e)
            return u**e
        self._need(u.real > DOMAIN_MARGIN, "fractional power of a non-positive")
        return np.exp(k * np.log(u))

    def sqrt(self, u):
        self._need(u.real > DOMAIN_MARGIN, "sqrt of a non-positive")
        return np.sqrt(u + 0j) if np.iscomplexobj(u) else np.sqrt(u)

    def div(self, a, b):
        self._need(np.abs(b.real) > DOMAIN_MARGIN, "division by ~0")
        return a / b

    # element-wise, piecewise: branch on the real part, so the complex step stays exact
    def abs(self, u):
        self._need(np.abs(u.real) > KINK_MARGIN, "abs kink")
        return u * np.sign(u.real)

    def sign(self, u):
        self._need(np.abs(u.real) > KINK_MARGIN, "sign kink")
        return np.sign(u.real) + 0 * u

    def maximum(self, a, b):
        self._need(np.abs(a.real - b.real) > KINK_MARGIN, "max kink")
        return np.where(a.real >= b.real, a, b) + 0 * (a + b)

    def compare(self, op, a, b):
        self._need(np.abs(a.real - b.real) > KINK_MARGIN, "comparison kink")
        fn = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}[op]
        return fn(a.real, b.real).astype(float) + 0 * (a + b).real

    # reductions and matrices
    def sum(self, u):
        return np.sum(u).reshape(1, 1)

    def mean(self, u):
        return (np.sum(u) / u.size).reshape(1, 1)

    def norm(self, u):
        s = np.sum(u * u)
        self._need(s.real > DOMAIN_MARGIN, "norm of ~0")
        return np.sqrt(s + 0j if np.iscomplexobj(u) else s).reshape(1, 1)

    def logsumexp(self, u):
        m = np.max(u.real)
        return (m + np.log(np.sum(np.exp(u - m)))).reshape(1, 1)

    def softmax(self, u):
        e = np.exp(u - np.max(u.real))
        return e / np.sum(e)

    def dot(self, a, b):
        return a.T @ b

    def diag(self, v):
        return np.diag(v[:, 0])

    def trace(self, a):
        return np.trace(a).reshape(1, 1)

    def _conditioned(self, a):
        self._need(np.linalg.cond(a.real) < MAX_CONDITION, "ill-conditioned matrix")

    def det(self, a):
        self._conditioned(a)
        d = np.linalg.det(a)
        self._need(np.abs(d.real) > DOMAIN_MARGIN, "det ~0")
        return np.asarray(d).reshape(1, 1)

    def logdet(self, a):
        return self.log(self.det(a))

    def inv(self, a):
        self._conditioned(a)
        return np.linalg.inv(a)

    def const(self, c):
        return np.full((1, 1), float(c))

    def vstack(self, *entries):
        """[a, b, c]: a column of scalars."""
        return np.concatenate([e.reshape(1, 1) for e in entries], axis=0)

    def block(self, rows):
        """[[a, b], [c, d]]: a matrix by rows of scalars."""
        return np.concatenate(
            [np.concatenate([e.reshape(1, 1) for e in row], axis=1) for row in rows], axis=0
        )


def as_2d(value: object, spec: str) -> np.ndarray:
    """A NumPy value (() / (n,) / (m, n)) as the 2-D array Ops works on."""
    kind, _ = parse_spec(spec)
    a = np.asarray(value)
    if kind == "scalar":
        return a.reshape(1, 1)
    if kind in ("vector", "simplex"):
        return a.reshape(-1, 1)
    return a


def natural(a: object, rows_cols: tuple) -> np.ndarray:
    """A 2-D result back to NumPy's shape: () scalar, (n,) column or row, (m, n) matrix."""
    r, c = rows_cols
    a = np.asarray(a)
    if r == 1 and c == 1:
        return a.reshape(())
    if r == 1 or c == 1:
        return a.reshape(-1)
    return a


# ---------------------------------------------------------------- derivatives
def complex_step(fun: Callable, values: dict, name: str, h: float = COMPLEX_STEP) -> np.ndarray:
    """∂fun/∂values[name] by the complex step (exact to rounding for a function analytic
    in the real direction, and for piecewise ones away from the kinks): an array shaped
    fun's output + the variable's."""
    x = np.asarray(values[name], dtype=float)
    cols = []
    for idx in np.ndindex(*x.shape):
        xc = x.astype(complex)
        xc[idx] += 1j * h
        out = np.asarray(fun({**values, name: xc if x.shape else xc.item()}))
        cols.append(out.imag / h)
    out_shape = cols[0].shape if cols else ()
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape)


def central_difference(
    fun: Callable, values: dict, name: str, h: float = CENTRAL_STEP
) -> np.ndarray:
    """∂fun/∂values[name] by central differences: output + variable axes."""
    x = np.asarray(values[name], dtype=float)
    cols = []
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        fu = np.asarray(fun({**values, name: up if x.shape else float(up)}), dtype=float)
        fd = np.asarray(fun({**values, name: down if x.shape else float(down)}), dtype=float)
        cols.append((fu - fd) / (2 * h))
    out_shape = cols[0].shape if cols else ()
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape)


def jacobian(
    fun: Callable[[dict], object],
    values: dict,
    wrt: str | list[str],
    variable_first: bool = False,
    h: float = CENTRAL_STEP,
) -> np.ndarray:
    """∂fun/∂wrt by central differences, shaped as `Derivative.evaluate` returns it: output
    + variable axes, or variable + output axes when `variable_first` (the denominator
    layout). `wrt` is a name, or a list of scalar names stacked on one axis of its length."""
    if isinstance(wrt, str):
        jac, var_ndim = central_difference(fun, values, wrt, h), np.ndim(values[wrt])
    else:
        jac = np.stack([central_difference(fun, values, n, h) for n in wrt], axis=-1)
        var_ndim = 1
    if variable_first:
        k = jac.ndim - var_ndim
        jac = np.transpose(jac, tuple(range(k, jac.ndim)) + tuple(range(k)))
    return jac


def close(got: object, want: object, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Equal to rounding, relative to the larger entries of `want`."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return False
    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
    return bool(np.all(np.abs(got - want) <= atol * scale + rtol * np.abs(want)))
