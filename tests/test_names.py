"""Named intermediates (render/names.py): `(s − y)xᵀ  where s = softmax(Wx)`.

Each case three ways (printed form, `evaluate` against central differences, SymPy's check);
then the flat form, the choice by measurement (short repeats stay inline), names that never
clash with the user's, the same names in LaTeX and Jupyter, `--no-names`, and the LaTeX
compiled by pdflatex.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_derivative
from test_cookbook import assert_three_ways
from test_latex import failing_formulas

import matcalc
from matcalc import expr as E
from matcalc.cli import run
from matcalc.render.names import Naming, name_intermediates

CE = "W: matrix(k, n); x: vector(n); y: simplex(k); -(y @ log(softmax(W @ x)))"
LAYER = "W: matrix(m, n); x: vector(n); b: vector(m); sigmoid(W @ x + b)"
ATTENTION = "K: matrix(t, d); q: vector(d); V: matrix(t, e); V.T @ softmax((1/sqrt(d)) * K @ q)"
MLP = (
    "W1: matrix(m, n); W2: matrix(k, m); x: vector(n); y: vector(k); norm(W2 @ tanh(W1 @ x) - y)^2"
)
RELU_MLP = (
    "W1: matrix(m, n); W2: matrix(k, m); x: vector(n); y: simplex(k); "
    "-(y @ log(softmax(W2 @ relu(W1 @ x))))"
)

NAMED = [
    # query       wrt   named form                                           flat form
    (CE, "W", "(s − y)xᵀ  where s = softmax(Wx)", "(softmax(Wx) − y)xᵀ"),
    (
        LAYER,
        "W",
        "∂vec(σ(Wx + b))/∂vec(W) = xᵀ ⊗ diag(σ ⊙ (1 − σ))  where σ = σ(Wx + b)",
        "∂vec(σ(Wx + b))/∂vec(W) = xᵀ ⊗ diag(σ(Wx + b) ⊙ (1 − σ(Wx + b)))",
    ),
    (
        LAYER,
        "x",
        "diag(σ ⊙ (1 − σ))W  where σ = σ(Wx + b)",
        "diag(σ(Wx + b) ⊙ (1 − σ(Wx + b)))W",
    ),
    (
        ATTENTION,
        "q",
        "(1/√d)Vᵀ(diag(s) − ssᵀ)K  where s = softmax((1/√d)Kq)",
        "(1/√d)Vᵀ(diag(softmax((1/√d)Kq)) − softmax((1/√d)Kq)softmax((1/√d)Kq)ᵀ)K",
    ),
    (
        MLP,
        "W1",
        "2((W2ᵀ(W2 h − y)) ⊙ (1 − h²))xᵀ  where h = tanh(W1 x)",
        "2((W2ᵀ(W2 tanh(W1 x) − y)) ⊙ (1 − tanh(W1 x)²))xᵀ",
    ),
    (
        RELU_MLP,
        "W1",
        "((W2ᵀ(s − y)) ⊙ (W1 x > 0))xᵀ  where s = softmax(W2 max(0, W1 x))",
        "((W2ᵀ(softmax(W2 max(0, W1 x)) − y)) ⊙ (W1 x > 0))xᵀ",
    ),
]
IDS = ["cross-entropy by W", "σ layer by W", "σ layer by x", "attention", "MLP", "relu MLP"]


@pytest.mark.parametrize("query, wrt, named, flat", NAMED, ids=IDS)
def test_named_three_ways(query, wrt, named, flat):
    assert_three_ways(query, wrt, named, simplex=("y",) if "simplex" in query else ())


@pytest.mark.parametrize("query, wrt, named, flat", NAMED, ids=IDS)
def test_flat_form_on_request(query, wrt, named, flat):
    d = matcalc.derivative(query, wrt)
    assert d.text(names=False) == flat
    assert str(matcalc.derivative(query, wrt, names=False)) == flat
    assert str(d.flat()) == flat and str(d) == named  # flat() is a copy
    assert "where" not in d.latex(names=False) and "where" not in d.flat()._repr_latex_()


@pytest.mark.parametrize(
    "query, wrt, printed",
    [
        ("x: vector(n); sigmoid(x)", "x", "diag(σ(x) ⊙ (1 − σ(x)))"),  # a short repeat
        ("x: vector(n); sum(sigmoid(x))", "x", "(σ(x) ⊙ (1 − σ(x)))ᵀ"),
        ("A: matrix(n, n); x: vector(n); exp(A @ x)", "x", "diag(exp(Ax))A"),  # not a layer
        ("W: matrix(m, n); x: vector(n); b: vector(m); softplus(W @ x + b)", "x",
         "diag(σ(Wx + b))W"),  # a layer only wrapped, not in a sum
        ("w: vector(n); x: vector(n); log(sigmoid(w @ x))", "w", "(1 − σ(w·x))xᵀ"),  # scalar
        ("X: matrix(m, n); w: vector(n); y: vector(m); sum(softplus(X @ w) - y * (X @ w))",
         "w", "(σ − y)ᵀX  where σ = σ(Xw)"),  # a layer's error term
    ],
)  # fmt: skip
def test_short_results_stay_inline_layers_in_a_sum_do_not(query, wrt, printed):
    assert_derivative(query, wrt, printed)


def test_scalar_repeats_stay_inline():
    """A symmetric Hessian repeats its entries; scalar calculus is written inline."""
    d = matcalc.hessian("exp(x*y) + x^3", ["y", "x"])
    assert "where" not in str(d)


def test_names_never_clash_with_the_users():
    """`s` and `h` are variables here: the softmax is `p`, the hidden layer `a`."""
    d = matcalc.derivative(CE.replace("y", "s").replace("softmax(W @ x)", "softmax(W @ x)"), "W")
    assert str(d) == "(p − s)xᵀ  where p = softmax(Wx)"
    d = matcalc.derivative(MLP.replace("matrix(m", "matrix(h").replace(", m)", ", h)"), "W1")
    assert str(d).endswith("where a = tanh(W1 x)")
    taken = {"s", "p"}
    e = matcalc.derivative(CE, "W").result
    (name,) = name_intermediates([e], taken).names.values()
    assert name not in taken and name == "s₁"


def test_names_are_stable_and_shared_by_text_and_latex():
    d = matcalc.derivative(ATTENTION, "q")
    assert d.naming.names == matcalc.derivative(ATTENTION, "q").naming.names
    (node, name), = d.naming.names.items()  # fmt: skip
    assert isinstance(node, E.Softmax) and name == "s"
    tex = d.latex()
    assert tex.startswith("\\begin{aligned}") and "\\text{where } s = " in tex
    jupyter = d._repr_latex_()
    assert "\\text{where } s &= \\operatorname{softmax}" in jupyter
    assert d._repr_markdown_().endswith("`(1/√d)Vᵀ(diag(s) − ssᵀ)K  where s = softmax((1/√d)Kq)`")


def test_definitions_come_inner_first_and_use_earlier_names():
    e = matcalc.derivative(
        "W1: matrix(m, n); W2: matrix(k, m); x: vector(n); y: simplex(k); "
        "-(y @ log(softmax(W2 @ tanh(W1 @ x))))",
        "W1",
    )
    assert str(e) == "((W2ᵀ(s − y)) ⊙ (1 − h²))xᵀ  where h = tanh(W1 x), s = softmax(W2 h)"
    naming = e.naming
    assert [n for n, _ in naming.definitions] == ["h", "s"]
    symbols = naming.symbols()  # for steps and codegen: node -> Var(name)
    assert {v.name for v in symbols.values()} == {"h", "s"}
    assert all(v.shape == node.shape for node, v in symbols.items())


def test_nothing_named_is_falsy():
    assert not Naming() and Naming().show_text(E.Var("x", matcalc.shapes.Shape())) == "x"


def test_cli_no_names():
    import io

    def call(*argv):
        out, err = io.StringIO(), io.StringIO()
        assert run(list(argv), out=out, err=err) == 0, err.getvalue()
        return out.getvalue().strip()

    assert call(CE, "--wrt", "W") == "(s − y)xᵀ  where s = softmax(Wx)"
    assert call(CE, "--wrt", "W", "--no-names") == "(softmax(Wx) − y)xᵀ"
    assert "where" not in call(CE, "--wrt", "W", "--no-names", "--latex")
    assert "\\text{where } s" in call(CE, "--wrt", "W", "--latex")


def test_latex_with_names_compiles():
    formulas = []
    for i, (query, wrt, _, _) in enumerate(NAMED):
        d = matcalc.derivative(query, wrt)
        formulas += [
            (f"{i} latex()", "\\[ " + d.latex() + " \\]"),
            (f"{i} _repr_latex_()", d._repr_latex_()),
            (f"{i} steps", d.steps.latex()),
        ]
    assert failing_formulas(formulas) == []


# ---------------------------------------------------------------- shared with steps and code
def test_steps_end_in_the_named_derivative():
    d = matcalc.derivative(CE, "W")
    lines = str(d.steps).splitlines()
    assert lines[-1] == "   ∂f/∂W = (s − y)xᵀ  where s = softmax(Wx)    (k×n)"
    assert "\\text{where } s = \\operatorname{softmax}" in d.steps.latex().splitlines()[-3]
    flat = matcalc.derivative(CE, "W", names=False)
    assert str(flat.steps).splitlines()[-1] == "   ∂f/∂W = (softmax(Wx) − y)xᵀ    (k×n)"


@pytest.mark.parametrize(
    "query, wrt, assigned",
    [(CE, "W", "s = "), (LAYER, "x", "sigma = "), (MLP, "W1", "h = ")],
    ids=["softmax", "sigmoid", "tanh"],
)
def test_generated_code_uses_the_names(query, wrt, assigned):
    """The generated function computes each named intermediate once, under its name."""
    from test_codegen import load

    d = matcalc.derivative(query, wrt)
    source = d.to_numpy()
    assert any(line.strip().startswith(assigned) for line in source.splitlines()), source
    flat = matcalc.derivative(query, wrt, names=False).to_numpy()
    assert not any(line.strip().startswith(assigned) for line in flat.splitlines())
    namespace = load(source)
    rng = np.random.default_rng(0)
    sizes = {"k": 3, "n": 4, "m": 5}
    values = {}
    for v in sorted(d.variables.values(), key=lambda v: v.name):
        dims = [sizes[x] for x in v.shape.np_dims]
        a = rng.normal(size=dims)
        values[v.name] = np.abs(a) / np.abs(a).sum() if v.name == "y" and query is CE else a
    assert namespace["check"](*(values[n] for n in d.argument_order)) < 1e-6


def test_jupyter_magic_no_names():
    from matcalc.jupyter import run_magic

    named = run_magic("--wrt W", cell=CE)
    flat = run_magic("--wrt W --no-names", cell=CE)
    assert "\\text{where } s &=" in named._repr_latex_()
    assert "where" not in flat._repr_latex_() and "where" not in flat._repr_markdown_()
    assert flat._repr_markdown_().endswith("`(softmax(Wx) − y)xᵀ`")


def test_a_name_is_an_atom_where_it_is_printed():
    """A named sum needs no parentheses as a factor, and a named negative term keeps its
    sign inside its definition (never printed flat beside an unused definition)."""
    from matcalc.shapes import Shape

    A, x, b = E.Var("A", Shape("n", "n")), E.Var("x", Shape("n", 1)), E.Var("b", Shape("n", 1))
    z = E.Add(E.MatMul(A, x), b)
    assert Naming({z: "z"}).text(E.MatMul(A, z)) == "Az"
    negative = E.Mul(E.Const(-2), z)
    e = E.Add(E.Func("exp", x), negative)
    assert Naming({negative: "v"}).text(e) == "exp(x) + v"
    assert Naming({negative: "v"}).show_text(e) == "exp(x) + v  where v = −2(Ax + b)"
