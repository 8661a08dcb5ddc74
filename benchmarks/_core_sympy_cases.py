"""bench_core, section 3: the SymPy cases, each query with SymPy's own construction of it
(`MatrixSymbol` expressions) and an independent NumPy function (benchmarks/_core_sympy.py
times and checks them)."""

from __future__ import annotations

import numpy as np
from _core_queries import LOSS, NEURON, XZ, V


class SympyCase:
    def __init__(self, name, query, wrt, build, f, names, note=""):
        self.name, self.query, self.wrt = name, query, wrt
        self.build = build  # build(sp, syms) -> (expression, wrt symbol)
        self.f = f  # numpy reference function of the values dict
        self.names = names  # variable names used (values)
        self.note = note


def sympy_cases():
    relu = lambda t: max(0.0, t)  # noqa: E731
    C = SympyCase
    return [
        C(
            "w·x wrt w",
            V + "w·x",
            "w",
            lambda sp, s: ((s.w.T * s.x), s.w),
            lambda v: v["w"] @ v["x"],
            "wx",
        ),
        C(
            "sum(x) wrt x (1ᵀx)",
            "x: vector(n); sum(x)",
            "x",
            lambda sp, s: (sp.OneMatrix(1, s.n) * s.x, s.x),
            lambda v: v["x"].sum(),
            "x",
        ),
        C(
            "xᵀAx wrt x",
            "x: vector(n); A: matrix(n, n); x @ A @ x",
            "x",
            lambda sp, s: (s.x.T * s.A * s.x, s.x),
            lambda v: v["x"] @ v["A"] @ v["x"],
            "xA",
        ),
        C(
            "least squares ‖Xw+b−y‖² wrt w",
            LOSS + "(X@w + b - y)·(X@w + b - y)",
            "w",
            lambda sp, s: (lambda r: (r.T * r, s.w))(s.X * s.w + s.b * sp.OneMatrix(s.N, 1) - s.y),
            lambda v: np.sum((v["X"] @ v["w"] + v["b"] - v["y"]) ** 2),
            "Xwyb",
        ),
        C(
            "least squares ‖Xw+b−y‖² wrt b",
            LOSS + "(X@w + b - y)·(X@w + b - y)",
            "b",
            lambda sp, s: (lambda r: (r.T * r, s.b))(s.X * s.w + s.b * sp.OneMatrix(s.N, 1) - s.y),
            lambda v: np.sum((v["X"] @ v["w"] + v["b"] - v["y"]) ** 2),
            "Xwyb",
        ),
        C(
            "x + z wrt z (z·1)",
            XZ + "x + z",
            "z",
            lambda sp, s: (s.x + s.z * sp.OneMatrix(s.n, 1), s.z),
            lambda v: v["x"] + v["z"],
            "xz",
        ),
        C(
            "x * z wrt x",
            XZ + "x * z",
            "x",
            lambda sp, s: (s.z * s.x, s.x),
            lambda v: v["x"] * v["z"],
            "xz",
        ),
        C(
            "w ⊗ x wrt w (HadamardProduct)",
            V + "w * x",
            "w",
            lambda sp, s: (sp.HadamardProduct(s.w, s.x), s.w),
            lambda v: v["w"] * v["x"],
            "wx",
        ),
        C(
            "w ⊘ x wrt x (Hadamard w∘x^-1)",
            V + "w / x",
            "x",
            lambda sp, s: (sp.HadamardProduct(s.w, sp.HadamardPower(s.x, -1)), s.x),
            lambda v: v["w"] / v["x"],
            "wx",
        ),
        C(
            "exp(x) wrt x (sympy.exp(x))",
            "x: vector(n); exp(x)",
            "x",
            lambda sp, s: (sp.exp(s.x), s.x),
            lambda v: np.exp(v["x"]),
            "x",
        ),
        C(
            "exp(x) wrt x (x.applyfunc(exp))",
            "x: vector(n); exp(x)",
            "x",
            lambda sp, s: (s.x.applyfunc(sp.exp), s.x),
            lambda v: np.exp(v["x"]),
            "x",
        ),
        C(
            "exp(sin(x)) wrt x (applyfunc)",
            "x: vector(n); exp(sin(x))",
            "x",
            lambda sp, s: (s.x.applyfunc(lambda t: sp.exp(sp.sin(t))), s.x),
            lambda v: np.exp(np.sin(v["x"])),
            "x",
        ),
        C(
            "ReLU max(0,w·x+b) wrt w (Max(0,wᵀx+b))",
            NEURON + "max(0, w·x + b)",
            "w",
            lambda sp, s: (sp.Max(0, s.w.T * s.x + s.b), s.w),
            lambda v: relu(v["w"] @ v["x"] + v["b"]),
            "wxb",
        ),
        C(
            "ReLU wrt w (Max(0, (wᵀx)[0,0]+b))",
            NEURON + "max(0, w·x + b)",
            "w",
            lambda sp, s: (sp.Max(0, (s.w.T * s.x)[0, 0] + s.b), s.w),
            lambda v: relu(v["w"] @ v["x"] + v["b"]),
            "wxb",
        ),
        C(
            "ReLU wrt w ((wᵀx).applyfunc(Max))",
            NEURON + "max(0, w·x + b)",
            "w",
            lambda sp, s: ((s.w.T * s.x).applyfunc(lambda t: sp.Max(0, t + s.b)), s.w),
            lambda v: relu(v["w"] @ v["x"] + v["b"]),
            "wxb",
        ),
        C(
            "ReLU max(0,x) wrt x (applyfunc)",
            "x: vector(n); max(0, x)",
            "x",
            lambda sp, s: (s.x.applyfunc(lambda t: sp.Max(0, t)), s.x),
            lambda v: np.maximum(0, v["x"]),
            "x",
        ),
        C(
            "logistic wrt w (log(1+exp(−y wᵀx)))",
            "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))",
            "w",
            lambda sp, s: (sp.log(1 + sp.exp(-s.ys * (s.w.T * s.x))), s.w),
            lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))),
            "wxy",
        ),
        C(
            "logistic wrt w (entry [0,0])",
            "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))",
            "w",
            lambda sp, s: (sp.log(1 + sp.exp(-s.ys * (s.w.T * s.x)[0, 0])), s.w),
            lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))),
            "wxy",
        ),
        C(
            "logistic wrt w ((wᵀx).applyfunc)",
            "w, x: vector(n); y: scalar; ln(1 + exp(-y * (w·x)))",
            "w",
            lambda sp, s: ((s.w.T * s.x).applyfunc(lambda t: sp.log(1 + sp.exp(-s.ys * t))), s.w),
            lambda v: np.log1p(np.exp(-v["y"] * (v["w"] @ v["x"]))),
            "wxy",
        ),
        C(
            "NN loss mean((y−max(0,Xw+b))²) wrt w",
            LOSS + "mean((y - max(0, X @ w + b))^2)",
            "w",
            lambda sp, s: (lambda e: (e.T * e / s.N, s.w))(
                s.y - (s.X * s.w + s.b * sp.OneMatrix(s.N, 1)).applyfunc(lambda t: sp.Max(0, t))
            ),
            lambda v: np.mean((v["y"] - np.maximum(0, v["X"] @ v["w"] + v["b"])) ** 2),
            "Xwyb",
        ),
        C(
            "NN loss mean((y−max(0,Xw+b))²) wrt b",
            LOSS + "mean((y - max(0, X @ w + b))^2)",
            "b",
            lambda sp, s: (lambda e: (e.T * e / s.N, s.b))(
                s.y - (s.X * s.w + s.b * sp.OneMatrix(s.N, 1)).applyfunc(lambda t: sp.Max(0, t))
            ),
            lambda v: np.mean((v["y"] - np.maximum(0, v["X"] @ v["w"] + v["b"])) ** 2),
            "Xwyb",
        ),
    ]
