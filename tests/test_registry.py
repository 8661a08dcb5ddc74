"""Tests generated from the registries, so that a new node type, function, partial or
rewrite is tested the day it is registered:

- every non-leaf node class of matcalc.expr has a derivative rule (matcalc.rules.load());
- every primitive's record (partial, adjoint, lowerings, printed forms) is checked by the
  loop in tests/test_primitives.py;
- every function of the language (matcalc.build.FUNCTIONS) is differentiated in a
  well-shaped expression and checked three ways;
- every rewrite of matcalc.simplify.RULES has its own one-line test, start ⇒ goal, and
  preserves the value.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from helpers import assert_derivative

from matcalc import expr as E
from matcalc.build import FUNCTIONS
from matcalc.engine import differentiate
from matcalc.errors import UnsupportedError
from matcalc.evaluate import evaluate
from matcalc.rules import load
from matcalc.shapes import Shape
from matcalc.simplify import RULES, apply_rule

# ---------------------------------------------------------------- node types have rules
LEAVES = {E.Var, E.Const, E.Zero, E.Ones, E.Identity, E.Unit, E.DimSize, E.Differential}
NODE_TYPES = sorted(
    (
        c
        for c in vars(E).values()
        if inspect.isclass(c)
        and issubclass(c, E.Expr)
        and c is not E.Expr
        and c.__module__.startswith(E.__name__ + ".")
    ),
    key=lambda c: c.__name__,
)
INNER_NODES = [c for c in NODE_TYPES if c not in LEAVES]


@pytest.mark.parametrize("node_type", INNER_NODES, ids=lambda c: c.__name__)
def test_every_node_type_has_a_rule(node_type):
    rules = load()
    assert node_type in rules, f"no derivative rule for {node_type.__name__}"
    rule = rules[node_type]
    assert rule.name and rule.local.__doc__, f"{node_type.__name__}: rule without name or docstring"


def test_an_unknown_node_is_an_error_naming_it_not_a_zero():
    class Mystery(E.Expr):
        __slots__ = ()

    x = E.Var("x", Shape("n", 1))
    node = E._node(Mystery, (x,), x.shape, "mystery")
    with pytest.raises(UnsupportedError, match="Mystery"):
        differentiate(node, x)


# ---------------------------------------------------------------- every function of the language
VEC = {"w": "vector(n)", "x": "vector(n)", "y": "vector(n)"}
MAT = {"A": "matrix(n, n)", "x": "vector(n)", "y": "vector(n)"}
SMALL = {"A": "matrix(2, 2)", "x": "vector(2)", "y": "vector(2)"}  # SymPy inverts A: keep it 2×2

FUNCTION_CASES = [
    # function     query                 wrt  shapes  expected
    ("exp", "exp(x)", "x", VEC, "diag(exp(x))"),
    ("log", "log(x)", "x", VEC, "diag(1 ⊘ x)"),
    ("ln", "sum(ln(x))", "x", VEC, "(1 ⊘ x)ᵀ"),
    ("sin", "sin(x)", "x", VEC, "diag(cos(x))"),
    ("cos", "cos(x)", "x", VEC, "−diag(sin(x))"),
    ("tan", "tan(x)", "x", VEC, "diag(1 + tan(x)²)"),
    ("tanh", "tanh(x)", "x", VEC, "diag(1 − tanh(x)²)"),
    ("sigmoid", "sigmoid(x)", "x", VEC, "diag(σ(x) ⊙ (1 − σ(x)))"),
    ("σ", "σ(w @ x)", "w", VEC, "σ(w·x)(1 − σ(w·x))xᵀ"),
    ("softplus", "softplus(x)", "x", VEC, "diag(σ(x))"),
    ("abs", "abs(x)", "x", VEC, "diag(sign(x))"),
    ("sign", "sign(x)", "x", VEC, "0"),
    ("arctan", "arctan(x)", "x", VEC, "diag(1 ⊘ (1 + x²))"),
    ("arcsin", "arcsin(x / 2)", "x", VEC, "diag(1 ⊘ √(1 − (1/4)x²))/2"),
    ("arccos", "arccos(x / 2)", "x", VEC, "−diag(1 ⊘ √(1 − (1/4)x²))/2"),
    ("sinh", "sinh(x)", "x", VEC, "diag(cosh(x))"),
    ("cosh", "cosh(x)", "x", VEC, "diag(sinh(x))"),
    ("log1p", "log1p(x)", "x", VEC, "diag(1 ⊘ (1 + x))"),
    ("expm1", "expm1(x)", "x", VEC, "diag(exp(x))"),
    ("erf", "erf(x)", "x", VEC, "2diag(exp(−x²))/√π"),
    ("gelu", "gelu(x)", "x", VEC, "diag(1/2 + erf(x/√2)/2 + (1/(√2√π))(x ⊙ exp(−(1/2)x²)))"),
    ("min", "min(x, y)", "x", VEC, "diag(y ≥ x)"),
    ("clip", "clip(x, y, w)", "x", VEC, "diag((w > x) ⊙ (x > y))"),
    ("norm1", "norm1(x)", "x", VEC, "sign(x)ᵀ"),
    ("sqrt", "sqrt(x)", "x", VEC, "diag(1 ⊘ √x)/2"),
    ("relu", "relu(x)", "x", VEC, "diag(x > 0)"),
    ("max", "max(x, y)", "x", VEC, "diag(x ≥ y)"),
    ("sum", "sum(x * y)", "x", VEC, "yᵀ"),
    ("mean", "mean(x)", "x", VEC, "1ᵀ/n"),
    ("norm", "norm(x)", "x", VEC, "xᵀ/‖x‖"),
    ("norm", "norm(x, 1)", "x", VEC, "sign(x)ᵀ"),
    ("norm", "norm(x, 2)", "x", VEC, "xᵀ/‖x‖"),
    ("norm", "norm(x, inf)", "x", VEC, "(sign(x) ⊙ (abs(x) ≥ ‖x‖∞))ᵀ"),
    ("logsumexp", "logsumexp(x)", "x", VEC, "softmax(x)ᵀ"),
    ("softmax", "softmax(x)", "x", VEC, "diag(s) − ssᵀ  where s = softmax(x)"),
    ("log_softmax", "log_softmax(x)", "x", VEC, "I − 1softmax(x)ᵀ"),
    ("var", "var(x)", "x", VEC, "(2/n)(xᵀ − mean(x))(I − 1/n)"),
    ("std", "std(x)", "x", VEC, "(1/(n√(mean((x − mean(x))²))))(xᵀ − mean(x))(I − 1/n)"),
    ("dot", "dot(w, x)", "w", VEC, "xᵀ"),
    ("outer", "y @ outer(w, x) @ y", "w", VEC, "yᵀxyᵀ"),
    (
        "kron",
        "kron(A, A)",
        "A",
        SMALL,
        "∂(A ⊗ A)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗAᵣₛ + δᵣₖδₛₗAᵢⱼ  ((i, r) = i·2 + r, (j, s) = j·2 + s)",
    ),
    ("diag", "diag(x) @ w", "x", VEC, "diag(w)"),
    ("trace", "trace(A)", "A", MAT, "I"),
    ("tr", "tr(A @ A)", "A", MAT, "2Aᵀ"),
    ("det", "det(A)", "A", MAT, "det(A)A⁻ᵀ"),
    ("logdet", "logdet(A)", "A", MAT, "A⁻ᵀ"),
    ("inv", "x @ inv(A) @ y", "A", SMALL, "−A⁻ᵀxyᵀA⁻ᵀ"),
    ("transpose", "transpose(A) @ x", "x", MAT, "Aᵀ"),
]


def test_every_function_has_a_case():
    assert {case[0] for case in FUNCTION_CASES} == set(FUNCTIONS)
    assert {case[0] for case in CLIP_CASES} == {"clip"} and len(MIN_CASES) == 1


@pytest.mark.parametrize(
    "function, query, wrt, shapes, expected",
    FUNCTION_CASES,
    ids=[case[1] for case in FUNCTION_CASES],
)
def test_every_function_differentiates(function, query, wrt, shapes, expected):
    assert_derivative(query, wrt, expected, shapes)


# the other arguments of min and clip, three ways
CLIP = {"x": "vector(n)", "a": "scalar", "b": "scalar"}
MIN_CASES = [("min", "min(x, y)", "y", VEC, "diag(x > y)")]
CLIP_CASES = [
    ("clip", "clip(x, a, b)", "a", CLIP, "(b > a)(a > x)"),
    ("clip", "clip(x, a, b)", "b", CLIP, "(max(x, a) > b)"),
]


@pytest.mark.parametrize(
    "function, query, wrt, shapes, expected",
    MIN_CASES + CLIP_CASES,
    ids=[f"{c[1]} by {c[2]}" for c in MIN_CASES + CLIP_CASES],
)
def test_other_arguments(function, query, wrt, shapes, expected):
    assert_derivative(query, wrt, expected, shapes)


# ---------------------------------------------------------------- every rewrite: start ⇒ goal
COLUMN, SQUARE = Shape("n", 1), Shape("n", "n")
x, w = E.Var("x", COLUMN), E.Var("w", COLUMN)
a, b, z = E.Var("a"), E.Var("b"), E.Var("z")
A = E.Var("A", SQUARE)
B = E.Var("B", SQUARE)
ONE, ZERO = E.Ones(COLUMN), E.Const(0)
ONE_T = E.Transpose(ONE)
RELU, STEP = E.Max(ZERO, x), E.Compare(">", x, ZERO)
T = E.Transpose
EXP = E.Func("exp", x)
SIG = E.Func("sigmoid", x)
Y = E.Var("y", COLUMN, "simplex")

REWRITES = [
    # rule                   start                                                  goal
    ("ones-diag", E.MatMul(ONE_T, E.Diag(x)), "xᵀ"),
    ("diag-ones", E.MatMul(E.Diag(x), ONE), "x"),
    ("diag-diag", E.MatMul(E.Diag(x), E.Diag(w)), "diag(w ⊙ x)"),
    ("diag-vector", E.MatMul(E.Diag(x), w), "w ⊙ x"),
    ("diag-diag-cancels", E.MatMul(E.Diag(E.div(ONE, x)), E.Diag(E.Mul(x, w))), "diag(w)"),
    ("diag-scalar", E.Diag(E.Mul(E.Const(-2), x)), "−2diag(x)"),
    ("row-diag", E.MatMul(T(w), E.Diag(x)), "(w ⊙ x)ᵀ"),
    ("ones-dot", E.MatMul(ONE_T, x), "sum(x)"),
    ("ones-dot", E.MatMul(T(x), ONE), "sum(x)"),
    ("relu-step", E.Mul(RELU, STEP), "x ⊙ (x > 0)"),
    ("relu-step", E.Mul(E.sub(RELU, w), STEP), "(x − w) ⊙ (x > 0)"),
    ("step-idempotent", E.Pow(STEP, E.Const(2)), "(x > 0)"),
    ("negated-difference", E.Mul(E.Const(-2), E.sub(a, b)), "2(b − a)"),
    ("scale-block", E.Mul(z, E.Block(((a,), (b,)))), "[az, bz]"),
    ("add-blocks", E.Add(E.Block(((a,), (b,))), E.Block(((z,), (a,)))), "[a + z, b + a]"),
    ("trace-of-block", E.Trace(E.Block(((a, b), (b, z)))), "a + z"),
    ("common-factor", E.Add(E.MatMul(A, x), E.MatMul(A, w)), "A(x + w)"),
    ("common-factor", E.Add(E.MatMul(T(x), A), E.MatMul(T(w), A)), "(xᵀ + wᵀ)A"),
    ("distribute-when-it-cancels", E.MatMul(E.Add(E.Diag(x), A), E.div(w, x)), "w + A(w ⊘ x)"),
    ("dot-cancels", E.MatMul(T(x), E.div(w, x)), "sum(w)"),
    ("diag-sum", E.Add(E.Diag(x), E.Mul(E.Const(2), E.Diag(w))), "diag(x + 2w)"),
    ("inverse-cancels", E.MatMul(E.Inv(A), A, x), "x"),
    ("inverse-cancels", E.MatMul(T(E.Inv(A)), T(A)), "I"),
    ("inverse-of-product", E.MatMul(T(A), T(E.Inv(E.MatMul(A, B))), T(B)), "I"),
    ("common-scalar", E.Add(E.Mul(z, A), E.Mul(z, E.Inv(A))), "z(A + A⁻¹)"),
    ("sigmoid-fold", E.div(EXP, E.Add(E.Const(1), EXP)), "σ(x)"),
    ("sigmoid-fold", E.Pow(E.Add(E.Const(1), E.Func("exp", E.neg(x))), E.Const(-1)), "σ(x)"),
    ("sigmoid-fold", E.div(E.Pow(EXP, E.Const(2)), E.Add(E.Const(1), EXP)), "exp(x) ⊙ σ(x)"),
    ("sigmoid-fold", E.Mul(E.Func("exp", E.neg(x)), SIG), "σ(−x)"),
    ("sigmoid-reflect", E.Add(E.Func("sigmoid", E.neg(x)), SIG), "1"),
    ("sigmoid-reflect", E.sub(E.Func("sigmoid", E.neg(x)), E.Const(1)), "−σ(x)"),
    (
        "distribute-products",
        E.Add(E.Mul(w, E.sub(E.Const(1), x)), E.Mul(x, E.sub(w, E.Const(1)))),
        "w − x",
    ),
    ("factor-common", E.sub(SIG, E.Pow(SIG, E.Const(2))), "σ(x) ⊙ (1 − σ(x))"),
    ("factor-common", E.Add(E.Mul(x, EXP), E.Mul(w, EXP)), "exp(x) ⊙ (x + w)"),
    ("simplex-sum", E.Sum(Y), "1"),
    ("ones-as-one", E.Add(ONE, E.Const(-1)), "0"),
    ("ones-as-one", E.Add(ONE, z, E.Const(1)), "(2 + z)1"),
    ("sum-identity", E.Sum(E.Mul(E.Identity("n"), A)), "tr(A)"),
    ("trace-scalar", E.Trace(E.Mul(z, A)), "z tr(A)"),
    ("sum-of-kron", E.Sum(E.Kron(A, x)), "sum(A)sum(x)"),
    ("trace-of-kron", E.Trace(E.Kron(A, B)), "tr(A)tr(B)"),
    ("sum-of-sum", E.Sum(E.sub(x, E.div(E.Sum(x), E.DimSize("n")))), "0"),
]
# Guarded rules leave alone what they cannot shrink.
NOT_APPLICABLE = [
    ("distribute-when-it-cancels", E.MatMul(E.Add(E.Diag(x), A), w)),
    ("dot-cancels", E.MatMul(T(x), w)),
    ("inverse-of-product", E.MatMul(A, E.Inv(E.MatMul(A, B)))),
    ("common-scalar", E.Add(E.Mul(z, A), A)),
    ("diag-sum", E.Add(E.Diag(x), A)),
    ("common-factor", E.Add(E.MatMul(A, x), w)),
    ("negated-difference", E.Mul(E.Const(-2), E.Add(a, b))),
    ("distribute-products", E.Add(E.Mul(x, E.Add(w, z)), a)),
    ("factor-common", E.Add(x, w)),
    ("diag-diag-cancels", E.MatMul(E.Diag(x), E.Diag(w))),
    ("sigmoid-reflect", E.Add(E.Func("sigmoid", E.neg(x)), w)),
    ("factor-common", E.sub(x, E.Pow(x, E.Const(2)))),  # a tie: x − x² is as short
    ("sum-of-sum", E.Sum(E.Add(x, w))),
    ("trace-of-kron", E.Trace(E.Kron(x, T(w)))),  # x ⊗ wᵀ is square, x and wᵀ are not
    ("sigmoid-fold", E.div(EXP, E.Add(E.Const(2), EXP))),
]
BY_NAME = {f.rule_name: f for f in RULES}


def test_every_rewrite_has_a_test():
    assert {f.rule_name for f in RULES} == {name for name, _, _ in REWRITES}


@pytest.mark.parametrize(
    "name, start, goal", REWRITES, ids=[f"{name}: {start}" for name, start, _ in REWRITES]
)
def test_rewrite(name, start, goal):
    out = apply_rule(BY_NAME[name], start)
    assert out is not None, f"{name} does not apply to {start}"
    assert str(out) == goal


def _random_arrays(root, seed=0):
    rng = np.random.default_rng(seed)
    dims = {"n": 3}
    arrays = {}
    for v in E.walk(root):
        if isinstance(v, E.Var):
            shape = tuple(dims.get(d, d) for d in (v.shape.rows, v.shape.cols))
            arrays[v.name] = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
            if v.structure == "simplex":  # on its set: positive, summing to 1
                arrays[v.name] = np.abs(arrays[v.name]) / np.abs(arrays[v.name]).sum()
    return arrays, dims


@pytest.mark.parametrize(
    "name, start, goal", REWRITES, ids=[f"{name}: {start}" for name, start, _ in REWRITES]
)
def test_rewrite_preserves_value(name, start, goal):
    out = apply_rule(BY_NAME[name], start)
    assert out is not None and out.shape == start.shape
    for seed in range(3):
        arrays, dims = _random_arrays(start, seed)
        np.testing.assert_allclose(
            evaluate(out, arrays, dims), evaluate(start, arrays, dims), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize("rule", RULES, ids=lambda f: f.rule_name)
def test_rewrite_does_not_apply_to_a_variable(rule):
    assert apply_rule(rule, x) is None and apply_rule(rule, A) is None


@pytest.mark.parametrize(
    "name, start", NOT_APPLICABLE, ids=[f"{name}: {start}" for name, start in NOT_APPLICABLE]
)
def test_rewrite_does_not_apply(name, start):
    assert apply_rule(BY_NAME[name], start) is None
