"""The SymPy cross-check: expand the expression and the derivative into components at
concrete sizes (distinct sizes per dimension, so transposition errors show), let SymPy
differentiate the components itself, and prove the two Jacobians equal entry by entry.

Smooth entries are proved symbolically (the difference simplifies to 0). Entries with
steps or max (ReLU) are compared at random points, where SymPy's Heaviside and our step
agree away from the kinks; the report says how each entry was settled. SymPy is imported
here only, lazily: a query that does not check does not pay for it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import expr as E
from .errors import MatcalcError

SIZES = (3, 2, 4, 5, 6, 7)


class CheckFailed(MatcalcError):
    kind = "check failed"


@dataclass
class Report:
    sizes: dict
    entries: int
    proved: int
    numeric: int

    def __str__(self):
        dims = ", ".join(f"{k}={v}" for k, v in self.sizes.items()) or "scalars"
        how = f"{self.proved} proved symbolically"
        if self.numeric:
            how += f", {self.numeric} equal at random points (steps/max)"
        return f"SymPy check passed at {dims}: {self.entries} entries, {how}"


def _sizes(variables, n: int) -> dict:
    dims = []
    for v in variables.values():
        for d in (v.shape.rows, v.shape.cols):
            if isinstance(d, str) and d not in dims:
                dims.append(d)
    sizes = [n] + [s for s in SIZES if s != n]
    return {d: sizes[i % len(sizes)] for i, d in enumerate(dims)}


def _symbols(var, sizes, sp):
    r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))

    def sym(i, j):
        if var.symmetric and j < i:
            i, j = j, i
        return sp.Symbol(f"{var.name}_{i}_{j}", real=True)
    m = sp.Matrix(r, c, lambda i, j: sym(i, j))
    if var.structure == "simplex":                  # the last entry makes the sum 1
        m[r - 1, 0] = 1 - sum(m[i, 0] for i in range(r - 1))
    return m


def to_sympy(root: E.Expr, env: dict, sizes: dict, sp):
    """Every node as a SymPy Matrix (scalars 1×1), once per node of the DAG."""
    val: dict = dict(env)

    def dim(d):
        return d if isinstance(d, int) else sizes[d]

    def scalar(m):
        return m[0, 0]

    def ew(a, b, f):
        if a.shape == (1, 1) and b.shape != (1, 1):
            return b.applyfunc(lambda y: f(a[0, 0], y))
        if b.shape == (1, 1) and a.shape != (1, 1):
            return a.applyfunc(lambda x: f(x, b[0, 0]))
        return sp.Matrix(a.rows, a.cols, lambda i, j: f(a[i, j], b[i, j]))

    funcs = {"exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
             "tanh": sp.tanh, "abs": sp.Abs, "sign": sp.sign,
             "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
             "softplus": lambda u: sp.log(1 + sp.exp(u))}
    for node in E.walk(root):
        if node in val:
            continue
        a = [val[c] for c in node.children]
        r, c = dim(node.shape.rows), dim(node.shape.cols)
        match node:
            case E.Const():
                v = sp.Matrix([[sp.Rational(node.value.numerator, node.value.denominator)]])
            case E.DimSize():
                v = sp.Matrix([[dim(node.dim)]])
            case E.Zero():
                v = sp.zeros(r, c)
            case E.Ones():
                v = sp.ones(r, c)
            case E.Identity():
                v = sp.eye(r)
            case E.Add():
                v = a[0]
                for x in a[1:]:
                    v = ew(v, x, lambda p, q: p + q)
            case E.Mul():
                v = a[0]
                for x in a[1:]:
                    v = ew(v, x, lambda p, q: p * q)
            case E.Pow():
                v = ew(a[0], a[1], lambda p, q: p ** q)
            case E.Func():
                v = a[0].applyfunc(funcs[node.name])
            case E.Max():
                v = ew(a[0], a[1], lambda p, q: sp.Max(p, q))
            case E.Compare():
                op = (lambda p, q: p > q) if node.op == ">" else (lambda p, q: p >= q)
                v = ew(a[0], a[1], lambda p, q: sp.Piecewise((1, op(p, q)), (0, True)))
            case E.MatMul():
                v = a[0]
                for x in a[1:]:
                    v = v * x
            case E.Transpose():
                v = a[0].T
            case E.Sum():
                v = sp.Matrix([[sum(a[0])]])
            case E.Trace():
                v = sp.Matrix([[a[0].trace()]])
            case E.Det():
                v = sp.Matrix([[a[0].det()]])
            case E.Inv():
                v = a[0].inv()
            case E.Diag():
                v = sp.diag(*a[0])
            case E.Norm():
                v = sp.Matrix([[sp.sqrt(sum(x ** 2 for x in a[0]))]])
            case E.Softmax():
                e = a[0].applyfunc(sp.exp)
                v = e / sum(e)
            case E.LogSumExp():
                v = sp.Matrix([[sp.log(sum(a[0].applyfunc(sp.exp)))]])
            case E.Block():
                it = iter(a)
                v = sp.Matrix(sp.BlockMatrix([[next(it) for _ in row] for row in node.rows]))
            case _:
                raise CheckFailed(f"the check cannot expand {type(node).__name__}")
        val[node] = v
    return val[root]


def _entries_of_derivative(d, env, sizes, sp):
    """Our derivative as a flat list, in the order of `evaluate`'s array."""
    if len(d.wrt) > 1 and d.result is None:        # else: the printed stacked matrix itself
        parts = [_entries_of_derivative(d._single(w), env, sizes, sp) for w in d.wrt]
        return [p[i] for i in range(len(parts[0])) for p in parts] if d.layout != \
            "denominator" else [x for p in parts for x in p]
    var = d.wrt[0]
    if d.result is not None:
        m = to_sympy(d.result, env, sizes, sp)
        return list(m)
    dvar = E.Differential(var)
    r, c = env[var].shape
    cols = []
    for k in range(r * c):
        basis = sp.zeros(r, c)
        basis[k // c, k % c] = 1
        cols.append(list(to_sympy(d.differential, {**env, dvar: basis}, sizes, sp)))
    return [cols[k][i] for i in range(len(cols[0])) for k in range(r * c)]


def _reference(d, env, sizes, sp):
    """SymPy's own component-wise derivative, flat, output-major (numerator) order."""
    if d.function is not None:                     # a Hessian: SymPy's second derivatives of f
        f = to_sympy(d.function, env, sizes, sp)[0, 0]
        xs = [s for v in d.wrt for s in list(env[v])]      # one matrix, or a list of scalars
        return [sp.diff(f, a, b) for a in xs for b in xs]
    f = list(to_sympy(d.expression, env, sizes, sp))
    xs = [s for v in d.wrt for s in list(env[v])]
    if d.layout == "denominator":
        return [sp.diff(fi, x) for x in xs for fi in f]
    return [sp.diff(fi, x) for fi in f for x in xs]


def check(d, n: int = 3, seed: int = 0) -> Report:
    import sympy as sp

    root = d.function if d.function is not None else d.expression
    variables = {v.name: v for v in E.walk(root) if isinstance(v, E.Var)}
    for v in d.wrt:
        variables[v.name] = v
    sizes = _sizes(variables, n)
    env = {v: _symbols(v, sizes, sp) for v in variables.values()}
    ours = _entries_of_derivative(d, env, sizes, sp)
    theirs = _reference(d, env, sizes, sp)
    if len(ours) != len(theirs):
        raise CheckFailed(f"the derivative has {len(ours)} entries where SymPy has {len(theirs)}")
    symbols = sorted({s for m in env.values() for s in m.free_symbols}, key=str)
    rng = np.random.default_rng(seed)
    proved = numeric = 0
    for i, (a, b) in enumerate(zip(ours, theirs)):
        diff = a - b
        piecewise = diff.has(sp.Piecewise, sp.Heaviside, sp.Max, sp.sign, sp.Abs)
        if not piecewise and sp.simplify(diff) == 0:
            proved += 1
            continue
        a, b = (x.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: 0) for x in (a, b))
        f = sp.lambdify(symbols, [a, b], modules=["numpy"])
        for _ in range(5):
            point = rng.uniform(0.3, 1.7, len(symbols)) * rng.choice([-1, 1], len(symbols))
            x, y = (complex(v) for v in f(*point))
            if not np.isclose(x, y, rtol=1e-7, atol=1e-9):
                raise CheckFailed(f"entry {i} differs from SymPy's: ours {a}, SymPy's {b}"
                                  f" (at sizes {sizes})")
        numeric += 1
    return Report(sizes, len(ours), proved, numeric)
