"""Every LaTeX matcalc emits compiles with a real TeX engine.

The LaTeX of every case of the tutorial and Cookbook tables (`Derivative.latex()`, the
Jupyter display `_repr_latex_()` in both layouts, and `steps.latex()`), the Hessians, the
order-3/4 results, and a set of hostile names (Greek, `a_b_c`, `W1`, `x_2`, stray
underscores) goes into ONE document, each formula in its own display, compiled by one
`pdflatex -halt-on-error` run. When it fails, the failing formulas are found (each is
announced in the log before it is typeset) and named with TeX's error message.

pdflatex must be installed (Debian: `apt-get install texlive-latex-base`; `.ci/run` does it);
without it these tests fail, they do not skip. The names' own rules are tested as strings.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import test_cookbook
from test_tutorial import TUTORIAL

import matcalc
from matcalc import expr as E
from matcalc.errors import ShapeError
from matcalc.limits import MAX_DEPTH
from matcalc.render.latex_names import (
    LINE_WIDTH,
    latex_name,
    latex_operator,
    latex_text,
)
from matcalc.render.syntax_text import syntax_text
from matcalc.render.text import latex, text
from matcalc.shapes import Shape
from matcalc.syntax import Syntax

PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath,amssymb}
\tracinglostchars=3
\begin{document}
"""
MAX_REPORTED = 12  # failing formulas named before the report stops looking


# ------------------------------------------------------------------ the hostile names
GREEK = "αβγδεζηθικλμνξοπρςστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
NASTY_SCALARS = [
    "a_b_c",
    "W1",
    "x_2",
    "σ",
    "Σ",
    "μ",
    "lr",
    "a_",
    "_a",
    "a__b",
    "x_1_2",
    "W1_b",
    "a_1b",
    "Σ_x",
    "σ2",
    "αβ",
    "ab12",
    "z_αβ",
]
NASTY = [
    # query                                                                        wrt
    ("Σ: matrix(n, n); x: vector(n); x @ inv(Σ) @ x", "x"),
    ("Σ: matrix(n, n); inv(Σ)", "Σ"),
    ("Σ: matrix(n, n); logdet(Σ)", "Σ"),
    ("a_b_c: vector(n); x: vector(n); sum(a_b_c * x)", "x"),
    ("W1: matrix(m, n); x_2: vector(n); b_1: vector(m); relu(W1 @ x_2 + b_1)", "W1"),
    ("W1: matrix(m, n); x_2: vector(n); b_1: vector(m); sigmoid(W1 @ x_2 + b_1)", "x_2"),
    ("W1: matrix(n, n); W1.T @ W1", "W1"),
    ("X_1: matrix(m, n); B_b: matrix(m, m); X_1.T @ B_b @ X_1", "X_1"),
    ("a_b_c: matrix(n, n); A_1: matrix(n, n); A_1 @ a_b_c @ A_1", "a_b_c"),
    ("σ: scalar; μ: vector(n); x: vector(n); sum((x - μ)^2) / σ", "μ"),
    ("σ: scalar; μ: vector(n); x: vector(n); sum((x - μ)^2) / σ", "σ"),
    ("x: vector(N_b); mean(exp(x))", "x"),
    ("x: vector(n_1); y: vector(n_1); max(x, y) + (x >= y) * y", "x"),
    ("λ, α_1: scalar; w: vector(n); λ * norm(w)^2 + α_1 * sum(abs(w))", "w"),
    ("t_0, σ: scalar; t_0^σ + sqrt(t_0) * sign(σ)", "σ"),
    ("Σ_x: matrix(n, n); μ_1: vector(n); logsumexp(Σ_x @ μ_1) + det(Σ_x.T)", "μ_1"),
    ("Σ_x: matrix(n, n); μ_1: vector(n); softmax(Σ_x @ μ_1 * μ_1)", "Σ_x"),
    ("x_a, y_b: vector(n); ε: scalar; sum((x_a >= y_b) * y_b) * [ε, ε^2]", "ε"),
    ("Θ: matrix(m, n); φ_in: vector(n); trace(exp(Θ @ φ_in @ φ_in.T @ Θ.T))", "φ_in"),
    ("Θ: matrix(m, n); φ_in: vector(n); Θ @ φ_in", "Θ"),
    ("; ".join(f"{g}: scalar" for g in GREEK) + "; x * (" + " + ".join(GREEK) + ")", "x"),
    (
        "; ".join(f"{n}: scalar" for n in NASTY_SCALARS)
        + "; x^2 * ("
        + " * ".join(NASTY_SCALARS)
        + ")",
        "x",
    ),
]
STACKED = [("α, β_1: scalar; α * β_1^2", ["α", "β_1"])]


# ------------------------------------------------------------------ the formulas
def _displays(label: str, d, steps: bool = True) -> list[tuple[str, str]]:
    """(label, display) for each LaTeX form of a derivative: its `latex()` in \\[ \\], the
    Jupyter display (already `$$ … $$`) and the steps (an `aligned` block in `$$ … $$`)."""
    out = [
        (f"{label} latex()", "\\[ " + d.latex() + " \\]"),
        (f"{label} _repr_latex_()", d._repr_latex_()),
    ]
    if steps:
        out.append((f"{label} steps.latex()", d.steps.latex()))
    return out


def _cookbook_rows():
    """(table, id, query, wrt) of every row of every table of test_cookbook (a new table
    is included the day it is written); HESSIANS' rows are Hessians."""
    for name, table in vars(test_cookbook).items():
        if (
            name.isupper()
            and isinstance(table, list)
            and table
            and all(hasattr(row, "values") and hasattr(row, "id") for row in table)
        ):
            for row in table:
                query, wrt = row.values[:2]
                yield name, row.id, query, wrt


def all_formulas() -> list[tuple[str, str]]:
    formulas = []
    for query, wrt, shapes, _ in TUTORIAL:
        label = f"tutorial {query} by {wrt}"
        formulas += _displays(label, matcalc.derivative(query, wrt, shapes=shapes))
        d = matcalc.derivative(query, wrt, shapes=shapes, layout="denominator")
        formulas += _displays(label + " (denominator)", d)
    tables = set()
    for table, eq, query, wrt in _cookbook_rows():
        tables.add(table)
        make = matcalc.hessian if table == "HESSIANS" else matcalc.derivative
        formulas += _displays(f"Cookbook {table} {eq}", make(query, wrt))
    assert {"LINEAR", "TRACES", "INVERSES", "HESSIANS", "CROSS_ENTROPY"} <= tables, tables
    for query, wrt in NASTY + STACKED:
        formulas += _displays(f"names {query!r} by {wrt}", matcalc.derivative(query, wrt))
    deep = _nested("exp", MAX_DEPTH - 1)
    formulas += _displays(
        f"exp nested {MAX_DEPTH - 1} deep", matcalc.derivative(deep, "x"), steps=False
    )
    tower = "x^(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)  # one TeX group a level
    formulas += _displays(
        f"power tower {MAX_DEPTH - 1} high", matcalc.derivative(tower, "x"), steps=False
    )
    formulas += _displays("exp nested 12 deep", matcalc.derivative(_nested("exp", 12), "x"))
    return formulas


def _nested(f: str, depth: int) -> str:
    return f"{f}(" * depth + "x" + ")" * depth


# ------------------------------------------------------------------ pdflatex
def _pdflatex() -> str:
    found = shutil.which("pdflatex")
    if found is None:
        pytest.fail(
            "pdflatex is not on PATH: install TeX Live to test that matcalc's LaTeX "
            "compiles (Debian/Ubuntu: apt-get install --no-install-recommends "
            "texlive-latex-base; .ci/run does this when run as root)"
        )
    return found


def _compile(formulas: list[tuple[str, str]], folder: Path) -> tuple[bool, str]:
    body = "".join(
        f"\\typeout{{MATCALC-FORMULA {i}}}\n{tex}\n\\clearpage\n"
        for i, (_, tex) in enumerate(formulas)
    )
    (folder / "all.tex").write_text(PREAMBLE + body + "\\end{document}\n", encoding="utf-8")
    run = subprocess.run(
        [_pdflatex(), "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "all.tex"],
        cwd=folder,
        capture_output=True,
        check=False,
        timeout=600,
    )
    log_file = folder / "all.log"
    log = log_file.read_bytes().decode("utf-8", "replace") if log_file.exists() else ""
    # a fatal error (a line longer than TeX's buffer) reaches the terminal, not the log
    return run.returncode == 0, log + "\n" + run.stdout.decode("utf-8", "replace")


def _failure(formulas, log) -> tuple[int | None, str]:
    """Which formula the run stopped in (the last one announced) and TeX's message."""
    announced = re.findall(r"MATCALC-FORMULA (\d+)", log)
    index = int(announced[-1]) if announced else None
    lines = log.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.search(r"(^|\.)! ", line)), len(lines) - 8
    )
    return index, "\n      ".join(lines[start : start + 8])


def failing_formulas(formulas: list[tuple[str, str]]) -> list[str]:
    """Compile all; on an error name the formula, drop it and compile the rest again."""
    problems, remaining = [], list(formulas)
    with tempfile.TemporaryDirectory(prefix="matcalc-latex-") as tmp:
        while len(problems) < MAX_REPORTED:
            ok, log = _compile(remaining, Path(tmp))
            if ok:
                break
            index, message = _failure(remaining, log)
            if index is None:
                problems.append(f"the document itself (before any formula):\n      {message}")
                break
            label, tex = remaining.pop(index)
            shown = tex if len(tex) < 600 else tex[:300] + " … " + tex[-200:]
            problems.append(f"{label}:\n    {shown}\n    pdflatex:\n      {message}")
    return problems


# ------------------------------------------------------------------ the tests
def test_every_latex_output_compiles_with_pdflatex():
    _pdflatex()
    formulas = all_formulas()
    assert len(formulas) > 400
    problems = failing_formulas(formulas)
    assert not problems, (
        f"{len(problems)} of {len(formulas)} LaTeX formulas do not compile "
        "(pdflatex -halt-on-error):\n  " + "\n  ".join(problems)
    )


def test_a_broken_formula_is_named():
    """The harness itself: a formula TeX rejects is found and named, the others pass."""
    formulas = [
        ("fine", r"\[ x^{2} \]"),
        ("raw Sigma", r"\[ Σ^{-1} \]"),
        ("fine too", r"\[ \frac{1}{x} \]"),
        ("double subscript", r"\[ W_{1}_{kl} \]"),
    ]
    problems = failing_formulas(formulas)
    assert [p.split(":")[0] for p in problems] == ["raw Sigma", "double subscript"], problems


@pytest.mark.parametrize(
    "name, tex",
    [
        ("x", "x"),
        ("Σ", r"\Sigma"),
        ("σ", r"\sigma"),
        ("μ", r"\mu"),
        ("ε", r"\varepsilon"),
        ("Α", r"\mathrm{A}"),
        ("lr", r"\mathrm{lr}"),
        ("W1", "W_{1}"),
        ("W12", "W_{12}"),
        ("x_2", "x_{2}"),
        ("u₁", "u_{1}"),
        ("a_b", "a_{b}"),
        ("a_b_c", "a_{b_{c}}"),
        ("a_bc", r"a_{\mathrm{bc}}"),
        ("W1_b", "{W_{1}}_{b}"),
        ("Σ_x", r"\Sigma_{x}"),
        ("σ2", r"\sigma_{2}"),
        ("αβ", r"\mathrm{{\alpha}{\beta}}"),
        ("a__b", r"\mathrm{a\_\_b}"),
        ("a_", r"\mathrm{a\_}"),
        ("_a", r"\mathrm{\_a}"),
    ],
)
def test_latex_name(name, tex):
    assert latex_name(name) == tex


def test_distinct_names_print_distinctly():
    """Underscores never vanish: names that differ only in their underscores stay apart
    (`x2` and `x_2` are both x₂ by design, as in a textbook)."""
    names = [
        "ab",
        "a_b",
        "a__b",
        "a_b_",
        "_ab",
        "a_b_c",
        "a_bc",
        "ab_c",
        "abc",
        "a___b",
        "W1_b",
        "W_1b",
        "W_1_b",
        "Σ",
        "Σ_",
        "σ_σ",
        "σσ",
        "σ__σ",
    ]
    printed = [latex_name(n) for n in names]
    assert len(set(printed)) == len(names), dict(zip(names, printed))


def test_a_superscripted_atom_takes_parentheses_before_another_superscript():
    # (0ᵀ)³ itself folds to 0ᵀ in the constructor: a symbolic power keeps the atom
    zero_row, a = E.Zero(Shape(1, "n")), E.Var("a", Shape(1, 1))
    assert latex(E.Pow(zero_row, a)) == r"\left(0^\top\right)^{a}"
    assert text(E.Pow(zero_row, a)) == "(0ᵀ)^a"
    x_row = E.Transpose(E.Var("x", Shape("n", 1)))
    assert latex(E.Pow(x_row, E.Const(3))) == r"\left(x^\top\right)^{3}"
    assert text(E.Pow(x_row, E.Const(3))) == "(xᵀ)³"


def test_words_and_operators_are_escaped():
    assert latex_text("a_b & 50% #1 {x}") == r"a\_b \& 50\% \#1 \{x\}"
    assert latex_text("1ᵀ") == "1U+1D40"
    assert latex_operator("log_softmax") == r"\operatorname{log\_softmax}"
    assert latex_operator("exp") == r"\exp"


def test_issue_examples_are_macros_not_raw_unicode():
    """Issue 7: `Σ^{-1}` was raw, order-3/4 results had raw ∂, −, vec(, `a_b_c` lost its
    structure. Every LaTeX form is ASCII."""
    d = matcalc.derivative("Σ: matrix(n, n); x: vector(n); x @ inv(Σ) @ x", "x")
    assert d.latex() == r"x^\top \left(\Sigma^{-\top} + \Sigma^{-1}\right)"
    inverse = matcalc.derivative("X: matrix(n, n); inv(X)", "X")
    assert inverse.latex() == (
        r"\frac{\partial \operatorname{vec}(X^{-1})}"
        r"{\partial \operatorname{vec}(X)} = -X^{-\top} \otimes X^{-1}"
    )
    gram = matcalc.derivative("W1: matrix(n, n); W1.T @ W1", "W1")
    assert gram.latex() == (
        r"\frac{\partial (W_{1}^\top W_{1})_{ij}}{\partial {W_{1}}_{kl}}"
        r" = \delta_{il}{W_{1}}_{kj} + {W_{1}}_{ki}\delta_{lj}"
    )
    abc = matcalc.derivative("a_b_c: vector(n); x: vector(n); sum(a_b_c * x)", "x")
    assert abc.latex() == "a_{b_{c}}^\\top"
    for query, wrt in NASTY:
        d = matcalc.derivative(query, wrt)
        for tex in (d.latex(), d._repr_latex_(), d.steps.latex()):
            assert tex.isascii(), (query, [c for c in tex if not c.isascii()])


# ------------------------------------------------------------------ printing at the nesting limit
def _deep_call(depth: int) -> E.Expr:
    e = E.Var("x")
    for _ in range(depth):
        e = E.Func("exp", e)
    return e


def test_printers_survive_any_depth():
    """The printers walk with their own stack, not Python's: ten times the nesting limit
    prints in both targets (a recursive printer raised RecursionError below the limit)."""
    depth = 10 * MAX_DEPTH
    e = _deep_call(depth)
    assert text(e) == "exp(" * depth + "x" + ")" * depth
    assert latex(e) == "\\exp\\left(" * depth + "x" + "\\right)" * depth


def test_derivative_at_the_nesting_limit_prints_everywhere():
    """exp(exp(…(x)…)) at the promised depth: text, LaTeX, the Jupyter display, code and the
    steps' text all print (they raised RecursionError at depth 199)."""
    d = matcalc.derivative(_nested("exp", MAX_DEPTH - 1), "x")
    assert str(d).startswith("exp(" * (MAX_DEPTH - 1) + "x")
    assert d.latex().startswith("\\exp\\left(" * (MAX_DEPTH - 1) + "x")
    assert max(map(len, d.latex().splitlines())) <= LINE_WIDTH  # TeX's buffer is 200 000
    assert d._repr_latex_().startswith("$$")
    assert "def " in d.to_numpy()


def test_steps_at_the_nesting_limit_print():
    """The steps of exp(…(x)…) at the nesting limit: 199 intermediates, substituted back in
    one pass (199 passes over the growing expression took 20-30 s)."""
    d = matcalc.derivative(_nested("exp", MAX_DEPTH - 1), "x")
    steps = d.steps
    lines = str(steps).splitlines()
    assert sum(line.startswith("   u") for line in lines) == MAX_DEPTH - 2  # u₁ … u₁₉₈
    assert lines[-1] == f"   ∂y/∂x = {d}    (1×1)"  # with its shape (issue 10)
    assert steps.latex().isascii()


def test_syntax_text_names_an_operand_of_any_depth():
    """Error messages name an operand as written; the writer walks with its own stack."""
    node = Syntax("name", "x")
    for _ in range(10 * MAX_DEPTH):
        node = Syntax("call", "sin", (node,))
    assert syntax_text(node) == "sin(" * 10 * MAX_DEPTH + "x" + ")" * 10 * MAX_DEPTH
    with pytest.raises(ShapeError, match=r"A is a matrix\(m, m\) and sin\(sin\("):
        deep = _nested("sin", MAX_DEPTH - 2)
        matcalc.derivative(f"x: vector(n); A: matrix(m, m); A @ {deep}", "x")
