"""Random well-shaped expression trees for the algebra property tests, each built twice from
one draw: as matcalc query text, and as an independent NumPy function of the same tree (the
oracle: it never calls matcalc's evaluator).

Kinds: "s" scalar, "v" n-vector, "r" n-row (xᵀ), "w" m-vector, "M" n×n matrix. Besides the
ordinary operators the generator favours the motifs that hash-consing and the rewrites act on:
cancelling terms (u − u + r, (u + r) − u with r a scalar beside an array), repeated
differences ((u − w)(u − w), negated, scaled, divided), negations of a shared factor and
one subtree used twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

N, M_ = 3, 2
SHAPES = {
    "s": "scalar",
    "t": "scalar",
    "x": "vector(n)",
    "y": "vector(n)",
    "w": "vector(m)",
    "A": "matrix(n, n)",
    "B": "matrix(n, n)",
    "C": "matrix(n, m)",
}
LEAVES = {"s": ("s", "t"), "v": ("x", "y"), "w": ("w",), "M": ("A", "B")}
ROWS = {"x.T": "x", "y.T": "y"}
CONSTANTS = ("2", "0.5", "3")


@dataclass(frozen=True)
class Tree:
    text: str
    fn: Callable  # values dict -> float or ndarray (NumPy's shapes)
    kind: str
    names: frozenset


def _sigmoid(u):
    return 1 / (1 + np.exp(-u))


def _softmax(u):
    e = np.exp(u - np.max(u))
    return e / np.sum(e)


FUNCTIONS = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "softplus": lambda u: np.logaddexp(0, u),
}


def leaf(name: str, kind: str) -> Tree:
    return Tree(name, lambda v: v[name], kind, frozenset({name}))


def const(text: str) -> Tree:
    c = float(text)
    return Tree(text, lambda v: c, "s", frozenset())


def call(name: str, f, a: Tree, kind: str | None = None) -> Tree:
    return Tree(f"{name}({a.text})", lambda v: f(a.fn(v)), kind or a.kind, a.names)


def op(symbol: str, f, a: Tree, b: Tree, kind: str) -> Tree:
    return Tree(
        f"({a.text} {symbol} {b.text})", lambda v: f(a.fn(v), b.fn(v)), kind, a.names | b.names
    )


def neg(a: Tree) -> Tree:
    return Tree(f"(-{a.text})", lambda v: -a.fn(v), a.kind, a.names)


def add(a, b):
    return op("+", np.add, a, b, _joined(a, b))


def sub(a, b):
    return op("-", np.subtract, a, b, _joined(a, b))


def mul(a, b):
    return op("*", np.multiply, a, b, _joined(a, b))


def _joined(a: Tree, b: Tree) -> str:
    return b.kind if a.kind == "s" else a.kind


def matmul(a: Tree, b: Tree) -> Tree:
    kind = {("v", "v"): "s", ("M", "v"): "v", ("M", "M"): "M", ("r", "v"): "s", ("r", "M"): "r"}[
        (a.kind, b.kind)
    ]
    return op("@", np.matmul, a, b, kind)


def square(a: Tree) -> Tree:
    """u ⊗ u for arrays and scalars, u @ u for a matrix: a repeated factor."""
    return matmul(a, a) if a.kind == "M" else mul(a, a)


# ---------------------------------------------------------------- strategies
@st.composite
def trees(draw, kind: str, depth: int) -> Tree:
    """A tree of `kind`; subtrees already drawn are often drawn again (one shared node)."""
    return draw(_tree(kind, depth, {}))


@st.composite
def _tree(draw, kind: str, depth: int, pool: dict) -> Tree:
    seen = pool.setdefault(kind, [])
    if seen and draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(seen))
    tree = draw(_fresh(kind, depth, pool))
    seen.append(tree)
    return tree


@st.composite
def _fresh(draw, kind: str, depth: int, pool: dict) -> Tree:
    if depth == 0 or draw(st.integers(0, 5)) == 0:
        return draw(_leaf(kind))

    def sub_(k):
        return _tree(k, depth - 1, pool)

    same = sub_(kind)
    choice = draw(st.sampled_from(PRODUCTIONS[kind] + 2 * MOTIFS))
    if choice == "add":
        return add(draw(same), draw(same))
    if choice == "sub":
        return sub(draw(same), draw(same))
    if choice == "mul":
        return mul(draw(same), draw(same))
    if choice == "scale":
        return mul(draw(sub_("s")), draw(same))
    if choice == "expand":  # a scalar with an array
        return add(draw(sub_("s")), draw(same)) if kind != "s" else draw(same)
    if choice == "function":
        name = draw(st.sampled_from(sorted(FUNCTIONS)))
        return call(name, FUNCTIONS[name], draw(same))
    if choice == "power":
        a = draw(same)
        return Tree(f"({a.text})^2", lambda v: a.fn(v) ** 2, kind, a.names)
    if choice == "divide":  # u / (1 + r²), never by zero
        a, r = draw(same), draw(sub_("s"))
        return Tree(
            f"({a.text} / (1 + ({r.text})^2))",
            lambda v: a.fn(v) / (1 + r.fn(v) ** 2),
            kind,
            a.names | r.names,
        )
    if choice == "sum":
        a = draw(sub_(draw(st.sampled_from(("v", "w", "M")))))
        return call("sum", np.sum, a, "s")
    if choice == "dot":
        return matmul(draw(sub_("v")), draw(sub_("v")))
    if choice == "quadratic":
        a, m, b = draw(sub_("v")), draw(sub_("M")), draw(sub_("v"))
        return Tree(
            f"({a.text} @ {m.text} @ {b.text})",
            lambda v: a.fn(v) @ m.fn(v) @ b.fn(v),
            "s",
            a.names | m.names | b.names,
        )
    if choice == "trace":
        return call("trace", np.trace, draw(sub_("M")), "s")
    if choice == "logsumexp":
        return call("logsumexp", lambda u: np.log(np.sum(np.exp(u))), draw(sub_("v")), "s")
    if choice == "log-square":
        a = draw(same)
        return Tree(f"log(1 + ({a.text})^2)", lambda v: np.log(1 + a.fn(v) ** 2), kind, a.names)
    if choice == "matvec":
        return matmul(draw(sub_("M")), draw(same))
    if choice == "tall":  # C (m-vector) is an n-vector
        a = draw(sub_("w"))
        return Tree(f"(C @ {a.text})", lambda v: v["C"] @ a.fn(v), "v", a.names | {"C"})
    if choice == "wide":  # Cᵀ (n-vector) is an m-vector
        a = draw(sub_("v"))
        return Tree(f"(C.T @ {a.text})", lambda v: v["C"].T @ a.fn(v), "w", a.names | {"C"})
    if choice == "softmax":
        return call("softmax", _softmax, draw(same))
    if choice == "matmul":
        return matmul(draw(same), draw(same))
    if choice == "transpose":  # Mᵀ, or a row as the transposed column
        a = draw(same if kind == "M" else sub_("v"))
        return Tree(f"({a.text}).T", lambda v: a.fn(v).T, kind, a.names)
    if choice == "row-dot":
        return matmul(draw(sub_("r")), draw(sub_("v")))
    if choice == "row-matrix":
        return matmul(draw(same), draw(sub_("M")))
    if choice == "mean":
        return call("mean", np.mean, draw(sub_(draw(st.sampled_from(("v", "M", "r"))))), "s")
    if choice in ("norm", "det", "logdet"):  # of a leaf: never at a kink or singular
        a = draw(_leaf(draw(st.sampled_from(("v", "M")))) if choice == "norm" else _leaf("M"))
        f = {
            "norm": np.linalg.norm,
            "det": np.linalg.det,
            "logdet": lambda m: np.log(np.linalg.det(m)),
        }[choice]
        return call(choice, f, a, "s")
    if choice == "diag":
        return call("diag", np.diag, draw(sub_("v")), "M")
    if choice == "outer":
        a, b = draw(sub_("v")), draw(sub_("v"))
        return Tree(
            f"({a.text} @ ({b.text}).T)",
            lambda v: np.outer(a.fn(v), b.fn(v)),
            "M",
            a.names | b.names,
        )
    if choice == "inverse":  # of a leaf only: never singular
        a = draw(_leaf("M"))
        return call("inv", np.linalg.inv, a)
    return _motif(draw, choice, kind, same, sub_)


def _motif(draw, choice, kind, same, sub_) -> Tree:
    if choice == "cancel":  # (u + r) − u, r of the kind or a scalar
        u, r = draw(same), draw(sub_(draw(st.sampled_from((kind, "s")))))
        return sub(add(u, r), u) if draw(st.booleans()) else add(sub(u, u), r)
    if choice == "cancel-between":  # u + r − u with u in the middle
        u, a, b = draw(same), draw(sub_("s")), draw(same)
        return add(sub(add(a, u), u), b)
    if choice == "expanded-and-scalar":  # r (u + r − u) or r + sum(u + r − u)
        r = add(draw(sub_("s")), const(draw(st.sampled_from(CONSTANTS))))
        u = draw(sub_(draw(st.sampled_from(("v", "M", "w", "r")))))
        expanded = sub(add(u, r), u)
        if kind == "s":
            return mul(r, call("sum", np.sum, expanded, "s"))
        return add(mul(r, draw(same)), expanded) if u.kind == kind else mul(r, draw(same))
    if choice == "repeated-difference":  # ±c (u − w)(u − w), or over a scalar
        u, w = draw(same), draw(same)
        sq = square(sub(u, w))
        how = draw(st.sampled_from(("neg", "scale", "divide", "cos", "plain")))
        if how == "neg":
            return neg(sq)
        if how == "scale":
            return mul(neg(draw(sub_("s"))), sq)
        if how == "divide":
            r = draw(sub_("s"))
            return Tree(
                f"({sq.text} / (2 + ({r.text})^2))",
                lambda v: sq.fn(v) / (2 + r.fn(v) ** 2),
                kind,
                sq.names | r.names,
            )
        if how == "cos":
            return mul(call("cos", np.cos, draw(sub_("s"))), sq)
        return sq
    if choice == "negated-shared":  # −u ⊗ u, −u ⊗ f(u), −(u − w)(w − u)
        u, w = draw(same), draw(same)
        how = draw(st.sampled_from(("square", "function", "opposite")))
        if how == "square":
            return neg(square(u))
        if how == "function":
            return mul(neg(u), call("tanh", np.tanh, u))
        d1, d2 = sub(u, w), sub(w, u)
        return neg(matmul(d1, d2) if kind == "M" else mul(d1, d2))
    # "shared": one subtree twice, in two roles
    u = draw(same)
    return add(u, mul(draw(sub_("s")), u))


PRODUCTIONS = {
    "s": [
        "add",
        "sub",
        "mul",
        "function",
        "power",
        "divide",
        "sum",
        "dot",
        "quadratic",
        "trace",
        "logsumexp",
        "log-square",
        "row-dot",
        "mean",
        "norm",
        "det",
        "logdet",
    ],
    "v": [
        "add",
        "sub",
        "mul",
        "scale",
        "expand",
        "function",
        "power",
        "divide",
        "matvec",
        "tall",
        "softmax",
    ],
    "w": ["add", "sub", "scale", "expand", "function", "wide"],
    "r": ["add", "sub", "mul", "scale", "expand", "function", "transpose", "row-matrix"],
    "M": [
        "add",
        "sub",
        "mul",
        "scale",
        "expand",
        "function",
        "matmul",
        "transpose",
        "diag",
        "outer",
        "inverse",
    ],
}
MOTIFS = [
    "cancel",
    "cancel-between",
    "repeated-difference",
    "negated-shared",
    "shared",
    "expanded-and-scalar",
]


@st.composite
def _leaf(draw, kind: str) -> Tree:
    if kind == "s" and draw(st.integers(0, 3)) == 0:
        return const(draw(st.sampled_from(CONSTANTS)))
    if kind == "r":
        text = draw(st.sampled_from(sorted(ROWS)))
        return Tree(text, lambda v: v[ROWS[text]], "r", frozenset({ROWS[text]}))
    return leaf(draw(st.sampled_from(LEAVES[kind])), kind)


# ---------------------------------------------------------------- values and the oracle
def point(seed: int) -> dict:
    """Entries of magnitude 0.5 to 1.5 with random signs; A and B well conditioned."""
    rng = np.random.default_rng(seed)

    def entries(*shape):
        return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)

    return {
        "s": float(entries()),
        "t": float(entries()),
        "x": entries(N),
        "y": entries(N),
        "w": entries(M_),
        "A": 3 * np.eye(N) + 0.3 * entries(N, N),
        "B": 3 * np.eye(N) + 0.3 * entries(N, N),
        "C": entries(N, M_),
    }


def central_differences(fn, values: dict, wrt: str, step: float = 1e-6) -> np.ndarray:
    """∂fn/∂wrt by central differences: the output's axes, then the variable's."""
    x = np.asarray(values[wrt], dtype=float)
    out = np.shape(fn(values))
    jac = np.empty(out + x.shape)
    for idx in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += step
        minus[idx] -= step
        up = np.asarray(fn({**values, wrt: plus if x.shape else float(plus)}))
        down = np.asarray(fn({**values, wrt: minus if x.shape else float(minus)}))
        jac[(Ellipsis,) + idx] = (up - down) / (2 * step)
    return jac
